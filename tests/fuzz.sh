#!/bin/sh
# fuzz.sh: edgecase fuzz as a user runs it: a buggy target's finding replays as FAIL with its class, the reference server fails nothing, SIGINT stops cleanly.
# Exit 0 pass, 1 a check failed, 99 not built. Every wait is bounded (under 60 s in all).
set -u
. "$(dirname "$0")/bins_lib.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/ec-fuzz.XXXXXX") || exit 99
# A copy under a name of our own, so a leftover target is found by its name.
TNAME=ecf-$$
cp "$B" "$W/$TNAME" || exit 99
ARGS="--listen {host}:{port} --proto {proto} --sndbuf={sndbuf} --rcvbuf={rcvbuf}"
fails=0
FPID=

. "$(dirname "$0")/proc_lib.sh"

cleanup() {
    [ -n "$FPID" ] && kill -KILL "$FPID" 2>/dev/null
    for p in $(pids "$TNAME"); do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP


# 1. shared-buffer: scenario 66 draws concurrent clients behind small buffers; the finding must replay
#    as FAIL, class 10. A change to the generator redraws every seed: check `edgecase fuzz --print --seed 66`.
timeout 50 "$E" fuzz --target "$W/$TNAME --bug shared-buffer $ARGS" --seed 66 --runs 1 --shrink-time 10s \
    --results "$W/bug" >"$W/out" 2>"$W/err"
rc=$?
[ "$rc" = 1 ] && ok "fuzz shared-buffer exits 1" || { fail "fuzz shared-buffer exited $rc"; cat "$W/out" "$W/err"; }
found=$(ls "$W"/bug/fuzz-*/fuzz-66.case 2>/dev/null)
if [ -z "$found" ]; then
    fail "no fuzz-66.case written"
else
    grep -q '^# edgecase fuzz finding: class 10 ' "$found" && ok "the header names class 10" || fail "header: $(head -1 "$found")"
    grep -q '^# replay: edgecase run --cases ' "$found" && ok "the header has the replay line" || fail "no replay line"
    timeout 30 "$E" run --cases "$(dirname "$found")" fuzz-66 --target "$W/$TNAME --bug shared-buffer $ARGS" \
        --results "$W/replay" >"$W/out" 2>&1
    rc=$?
    grep -q '^FAIL  fuzz-66 .*class 10 shared output buffer' "$W/out" && [ "$rc" = 1 ] &&
        ok "the case replays as FAIL, class 10" || { fail "replay exited $rc"; cat "$W/out"; }
    grep -q '"class": 10' "$(dirname "$found")/summary.json" && ok "summary.json lists it" || fail "summary.json"
fi

# 2. The reference server: 20 scenarios, no failure.
timeout 55 "$E" fuzz --seed 7000 --runs 20 --results "$W/ref" >"$W/out" 2>"$W/err"
rc=$?
grep -q '^20 scenarios .*: 0 failures' "$W/out" && [ "$rc" = 0 ] && ok "reference server: 20 scenarios, 0 failures" ||
    { fail "reference server: exit $rc"; cat "$W/out" "$W/err"; }

# 3. SIGINT: exit 130 without findings, summary written, no target left.
"$E" fuzz --target "$W/$TNAME $ARGS" --seed 5 --time 60s --results "$W/int" >"$W/out" 2>"$W/err" &
FPID=$!
sleep 3
kill -INT "$FPID"
i=0
while kill -0 "$FPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait "$FPID"
rc=$?
FPID=
[ "$rc" = 130 ] && ok "SIGINT: exit 130" || { fail "SIGINT: exit $rc"; cat "$W/out" "$W/err"; }
grep -q '"interrupted": true' "$W"/int/fuzz-*/summary.json 2>/dev/null && ok "SIGINT: summary.json says interrupted" ||
    fail "SIGINT: no summary.json"
i=0
while [ -n "$(pids "$TNAME")" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
[ -z "$(pids "$TNAME")" ] && ok "SIGINT: no target left" || fail "SIGINT: target left running"

# 4. Bad usage exits 2.
"$E" fuzz --runs 0 >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok "--runs 0 exits 2" || fail "--runs 0 exited $rc"
"$E" fuzz --protocol repeat >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok "--protocol repeat (no N) exits 2" || fail "--protocol repeat exited $rc"

[ "$fails" = 0 ] || exit 1
exit 0
