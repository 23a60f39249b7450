#!/bin/sh
# cli.sh: harness/edgecase run as a user runs it: exit statuses, case selection, -j, deadlines, bad input, broken targets, signals.
# Exit 0 pass, 1 any check failed, 99 not built. Every wait is bounded. Parts that need root say why they are skipped.
set -u
. "$(dirname "$0")/bins_lib.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/ec-cli.XXXXXX") || exit 99
# Copies under names of our own, so a leftover target is found by its name and no other run's.
TNAME=ect-$$
SNAME=ecs-$$
cp "$B" "$W/$TNAME" && cp "$(command -v sleep)" "$W/$SNAME" || exit 99
TGT="$W/$TNAME --listen {host}:{port} --proto {proto} --sndbuf={sndbuf} --rcvbuf={rcvbuf}"
mkdir "$W/tmp" "$W/cases" "$W/bad"
fails=0
HPID=

. "$(dirname "$0")/proc_lib.sh"

cleanup() {
    [ -n "$HPID" ] && kill -KILL "$HPID" 2>/dev/null
    for p in $(pids "$TNAME") $(pids "$SNAME"); do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP


# ec WANT LABEL ARG...: runs edgecase (120 s at most, TMPDIR=$W/tmp), output in $W/out and $W/err.
ec() {
    want=$1 label=$2
    shift 2
    TMPDIR=$W/tmp timeout -k 5 120 "$E" "$@" >"$W/out" 2>"$W/err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        fail "$label: exit $rc, expected $want; stdout: $(tail -3 "$W/out"); stderr: $(head -3 "$W/err")"
        return 1
    fi
    return 0
}

# has LABEL FILE TEXT: FILE contains TEXT.
has() {
    grep -qF -- "$3" "$2" || fail "$1: '$3' not in $(basename "$2"): $(tail -4 "$2")"
}

# one_line LABEL WORD: stderr is exactly one line and names WORD.
one_line() {
    n=$(wc -l <"$W/err")
    if [ "$n" = 1 ] && grep -qF -- "$2" "$W/err"; then ok "$1: $(cat "$W/err")"; else fail "$1: expected one line naming '$2' on stderr, got $n: $(head -3 "$W/err")"; fi
}

# no_leftovers LABEL: no target copy runs (5 s at most for it to go), no temporary file stays.
no_leftovers() {
    i=0
    while [ -n "$(pids "$TNAME")$(pids "$SNAME")" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -z "$(pids "$TNAME")$(pids "$SNAME")" ] || fail "$1: target processes left: $(pids "$TNAME") $(pids "$SNAME")"
    [ -z "$(ls -A "$W/tmp")" ] || fail "$1: temporary files left in TMPDIR: $(ls -A "$W/tmp")"
    left=$(find "$W/res" -name '.*' 2>/dev/null | head -3)
    [ -z "$left" ] || fail "$1: temporary files left in the results: $left"
}

# ns_left: namespaces of edgecase processes that are gone (what a dead harness leaked).
ns_left() {
    for n in $(ls /run/netns 2>/dev/null); do
        p=$(echo "$n" | sed -n 's/^ec-\([0-9]*\)-.*/\1/p')
        [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && echo "$n"
    done
}

# A case no target can finish before a signal or its deadline: 64 MiB echoed to a reader at 64 KiB/s.
slow_case() {   # NAME DEADLINE [TARGET-SECTION-LINE]
    printf '[case]\nname = %s\ndescription = a reader too slow to finish\ndeadline = %s\nstall = 60s\n' "$1" "$2"
    [ -n "${3:-}" ] && printf '[target]\n%s\n' "$3"
    printf '[clients]\nsend = 64m\nread_rate = 64k\n'
}
slow_case cli-deadline 1s >"$W/cases/cli-deadline.case"
slow_case cli-long 60s >"$W/cases/cli-long.case"
slow_case cli-long-ns 60s 'netns = yes' >"$W/cases/cli-long-ns.case"
printf '[case]\nname = bad\nbogus_key = 1\n' >"$W/bad/bad.case"

# 1. Exit status 0, 1; case names and globs; -j.
ec 0 "one passing case" run short-read-fin --results "$W/res" && has "pass" "$W/out" "PASS  short-read-fin" &&
    ok "one passing case: exit 0"
ncases=$(ls "${EC_TOP_SRCDIR:-$top}"/cases/exact-*.case | wc -l)
ec 0 "glob with -j 2" run 'exact-*' -j 2 --results "$W/res" && has "glob" "$W/out" "$ncases cases: $ncases pass" &&
    ok "run 'exact-*' -j 2: $ncases cases, exit 0"
ec 0 "list a glob" list 'exact-*' && [ "$(wc -l <"$W/out")" = "$ncases" ] || fail "list 'exact-*': $(cat "$W/out")"
ec 1 "a failing target" run short-read-fin exact-tiny-sndbuf --results "$W/res" --target "$TGT --bug drop-tail" &&
    has "fail" "$W/out" "FAIL  exact-tiny-sndbuf" && has "fail" "$W/out" "class 1 unsent tail dropped" &&
    ok "a failing target: exit 1"
no_leftovers "a failing target"

# 2. Bad usage: exit 2 and one line naming what was wrong.
ec 2 "unknown case" run no-such-case && one_line "unknown case" "no-such-case"
ec 2 "glob matching nothing" run 'zzz-*' && one_line "glob matching nothing" "zzz-*"
ec 2 "bad flag" run --bogus && one_line "bad flag" "--bogus"
ec 2 "flag without its value" run short-read-fin -j && one_line "flag without its value" "-j"
ec 2 "bad value" run -j 0 && one_line "bad value" "-j"
ec 2 "unknown command" frob && one_line "unknown command" "frob"
ec 2 "malformed case file" run --cases "$W/bad" && one_line "malformed case file" "bad.case:3:"
printf 'listen {port};\nroot {nope};\n' >"$W/t.conf"
ec 2 "unknown placeholder in a template" run short-read-fin --target "srv -c {conf:$W/t.conf}" &&
    one_line "unknown placeholder in a template" "t.conf:2: unknown placeholder {nope}"
ec 2 "missing template" run short-read-fin --target "srv -c {conf:no-such.conf}" &&
    one_line "missing template" "no-such.conf: template not found"
ec 2 "unbalanced quote" run short-read-fin --target "srv --name 'x" &&
    one_line "unbalanced quote" "unbalanced single quote"

# {conf:PATH}: the template lands in the case folder, filled for the case, and the target gets its path.
printf '%s --listen {host}:{port} --proto {proto}\n' "$W/$TNAME" >"$W/cmd.tmpl"
ec 0 "{conf:PATH} target" run short-read-fin --results "$W/res" --target "sh -c 'exec \$(cat {conf:$W/cmd.tmpl})'" &&
    has "{conf:PATH} target" "$W/res/latest/short-read-fin/cmd.tmpl" "--listen 127.0.0.1:" &&
    has "{conf:PATH} target" "$W/res/latest/short-read-fin/result.txt" "/short-read-fin/cmd.tmpl)'" &&
    ok "{conf:PATH}: expanded into the case folder, the target started from it"
no_leftovers "{conf:PATH} target"

# 3. Deadlines: a case that overruns is stopped at its deadline, reported, and its target killed.
start=$(date +%s)
ec 1 "deadline overrun" run cli-deadline --cases "$W/cases" --results "$W/res" --target "$TGT" &&
    has "deadline" "$W/out" "FAIL  cli-deadline" && has "deadline" "$W/out" "unfinished at the 100" &&
    ok "deadline overrun: stopped at 1 s, exit 1"
[ $(($(date +%s) - start)) -le 15 ] || fail "deadline overrun: a 1 s deadline took $(($(date +%s) - start)) s"
no_leftovers "deadline overrun"

# 4. Targets that break: crash at start, never listen, listen elsewhere, exit mid-case.
ec 1 "crash at start" run short-read-fin --results "$W/res" --target "sh -c 'kill -SEGV \$\$'" &&
    has "crash at start" "$W/out" "ERROR short-read-fin" && has "crash at start" "$W/out" "SIGSEGV"
ec 1 "never listens" run short-read-fin --results "$W/res" --target "$W/$SNAME 100" &&
    has "never listens" "$W/out" "never listened"
no_leftovers "never listens"
ec 1 "wrong port" run short-read-fin --results "$W/res" --target "$W/$TNAME --listen 127.0.0.1:0" &&
    has "wrong port" "$W/out" "never listened"
no_leftovers "wrong port"
ec 1 "exits mid-case" run cpu-idle-armed --results "$W/res" --target "timeout 1 $TGT" &&
    has "exits mid-case" "$W/out" "server died during the case: exited 124" && ok "broken targets: ERROR or FAIL, exit 1"
no_leftovers "exits mid-case"

# 5. --pcap=stalled keeps the capture of a failing case only (needs CAP_NET_RAW).
if [ "$(id -u)" != 0 ]; then
    echo "skip: --pcap=stalled: capture needs root (CAP_NET_RAW)"
elif ec 1 "--pcap=stalled" run short-read-fin exact-tiny-sndbuf --pcap=stalled --results "$W/pcap" \
        --target "$TGT --bug drop-tail"; then
    if grep -q "CAP_NET_RAW\|capture denied" "$W/pcap/latest/exact-tiny-sndbuf/result.txt"; then
        echo "skip: --pcap=stalled: capture denied here: $(grep -m1 CAP_NET_RAW "$W/pcap/latest/exact-tiny-sndbuf/result.txt")"
    else
        [ -s "$W/pcap/latest/exact-tiny-sndbuf/exact-tiny-sndbuf.pcap" ] || fail "--pcap=stalled: the failing case's pcap is missing"
        [ ! -e "$W/pcap/latest/short-read-fin/short-read-fin.pcap" ] || fail "--pcap=stalled: the passing case's pcap was kept"
        has "--pcap=stalled" "$W/out" "pcap: " && ok "--pcap=stalled: the failing case's pcap kept, the passing one's deleted"
    fi
fi

# 6. Signals: the harness killed mid-case leaves no target, namespace or temporary file.
# sig_run SIGNAL CASE [OPTION]...
sig_run() {
    sig=$1 cas=$2
    shift 2
    TMPDIR=$W/tmp "$E" run "$cas" --cases "$W/cases" --results "$W/res" --target "$TGT" "$@" >"$W/sig.out" 2>&1 &
    HPID=$!
    i=0
    while [ -z "$(pids "$TNAME")" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -n "$(pids "$TNAME")" ] || fail "$sig $cas $*: the target never started: $(cat "$W/sig.out")"
    sleep 0.5
    kill -"$sig" "$HPID"
    i=0
    while kill -0 "$HPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$HPID" 2>/dev/null; then
        fail "$sig $cas $*: the harness still runs 10 s after SIG$sig"
        kill -KILL "$HPID"
    fi
    wait "$HPID" 2>/dev/null
    HPID=
    no_leftovers "SIG$sig $cas $*"
    i=0
    while [ -n "$(ns_left)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -n "$(ns_left)" ]; then
        fail "SIG$sig $cas $*: namespaces left: $(ns_left)"
        for n in $(ns_left); do ip netns del "$n"; done   # ours: their harness is dead
    else
        ok "SIG$sig $cas $*: no target, namespace or temporary file left"
    fi
}
sig_run INT cli-long
sig_run TERM cli-long -j 2
sig_run KILL cli-long
if [ "$(id -u)" = 0 ]; then
    sig_run INT cli-long-ns
    sig_run KILL cli-long-ns
else
    echo "skip: signals during a netns case: namespaces need root"
fi

[ "$fails" = 0 ] || { echo "$fails checks failed"; exit 1; }
echo "PASS: edgecase command line"
