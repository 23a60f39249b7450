#!/bin/bash
# seed_like.sh: the README's seed command against targets/seed-like, back to back on one fixed port: no ERROR, one summary, class 10.
# SEED_RUNS (default 2) sets how many runs; SEED_PORT picks the port (default: a free one from the pid);
# EC_TIMEOUT_SCALE stretches every bound as for the Check tests.
set -u
top=${EC_TOP_BUILDDIR:-.}
runs=${SEED_RUNS:-2}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# A port nothing holds now (ss lists every socket bound to it, TIME_WAIT included).
pick_port() {
    local p
    for i in $(seq 50); do
        p=$((20000 + ($$ * 7 + i * 131) % 20000))
        ss -Htan 2>/dev/null | awk '{print $4}' | grep -q ":$p\$" || { echo "$p"; return; }
    done
    echo $((20000 + $$ % 20000))
}

port=${SEED_PORT:-$(pick_port)}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
applies=$("$top/harness/edgecase" list --protocol repeat:20000:nonl | tail -n 1)
n=${applies%% of *}
[ "$n" -ge 20 ] 2>/dev/null || fail "only '$applies' (want at least 20 cases for repeat:20000:nonl)"

# Its command line, and a port held by another program: the seed's exit 255, then the harness naming the holder.
sl=$top/targets/seed-like
"$sl" --help >/dev/null 2>&1 || fail "seed-like --help did not exit 0"
"$sl" --bogus >/dev/null 2>&1; [ $? = 2 ] || fail "seed-like --bogus did not exit 2"
"$sl" --port "$port" >/dev/null 2>&1 &
holder=$!
sleep 0.3
out=$("$sl" --port "$port" 2>&1); rc=$?
[ "$rc" = 255 ] && [ "$out" = "bind() fail." ] || fail "a second seed-like on port $port: exit $rc, '$out' (want 255, 'bind() fail.')"
out=$(timeout 60 "$top/harness/edgecase" run seed-repeat --target "$sl --port $port" --port "$port" \
      --protocol repeat:20000:nonl --results "$results" 2>&1)
grep -q "^ERROR .*port $port is in use by another program (1 listening" <<<"$out" ||
    fail "a held port was not named as such: $out"
kill "$holder"; wait "$holder" 2>/dev/null

first=""
for i in $(seq "$runs"); do
    out="$results/run$i.txt"
    # The README's command, on a port of the test's own (the target takes it with --port too).
    timeout 600 "$top/harness/edgecase" run --target "$top/targets/seed-like --port $port" --port "$port" \
        --protocol repeat:20000:nonl --timeout-scale "${EC_TIMEOUT_SCALE:-1}" --results "$results" >"$out" 2>&1
    rc=$?
    summary=$(grep '^30 cases: ' "$out" | sed 's/; results in .*//')
    echo "run $i (port $port, exit $rc): $summary"
    [ "$rc" = 1 ] || fail "run $i exited $rc, want 1 (some cases fail): $(tail -n 3 "$out")"
    grep '^ERROR' "$out" && fail "run $i has an ERROR (above)"
    grep -q ' 0 error' <<<"$summary" || fail "run $i: summary '$summary' counts errors"
    grep -q '^FAIL  crosstalk-repeat .*class 10 shared output buffer.*: client [0-9]*: cross-talk' "$out" ||
        fail "run $i: crosstalk-repeat did not fail with class 10 cross-talk: $(grep crosstalk-repeat "$out")"
    [ -z "$first" ] && first=$summary
    [ "$summary" = "$first" ] || fail "run $i summary '$summary' differs from run 1's '$first'"
    [ "$fails" = 0 ] || cat "$out"
done
[ "$fails" = 0 ] && echo "PASS: $runs runs of the seed command against seed-like: '$first'"
exit $((fails > 0))
