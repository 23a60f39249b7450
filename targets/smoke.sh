#!/bin/bash
# smoke.sh: the targets' command lines (--help, bad options, --list-bugs) and one echo round trip each.
set -u
top=${EC_TOP_BUILDDIR:-.}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Runs CMD, expects exit status WANT.
expect_rc() {
    local want=$1; shift
    "$@" >/dev/null 2>&1
    local rc=$?
    [ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want"
}

# Starts a target, sends one line over bash's /dev/tcp, expects it back, stops it.
echo_round_trip() {
    local out pid port line reply
    out=$(mktemp)
    "$@" --listen 127.0.0.1:0 >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do grep -q '^listening on ' "$out" && break; sleep 0.1; done
    line=$(grep '^listening on ' "$out")
    port=${line##*:}
    if [ -z "$port" ]; then
        fail "'$*' never printed 'listening on' (output: $(cat "$out"))"
    elif ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
        fail "'$*': cannot connect to port $port"
    else
        printf 'hello edge\n' >&3
        read -r -t 5 reply <&3
        exec 3<&-
        [ "$reply" = "hello edge" ] || fail "'$*' echoed '$reply', expected 'hello edge'"
    fi
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid"
    local rc=$?
    [ "$rc" = 0 ] || fail "'$*' exited $rc on SIGTERM, expected 0"
    rm -f "$out"
}

buggy=$top/targets/buggy-server
[ -x "$buggy" ] || { echo "ERROR: $buggy is not built (make check builds it)"; exit 99; }
expect_rc 0 "$buggy" --help
expect_rc 0 "$buggy" --list-bugs
expect_rc 2 "$buggy" --bogus
expect_rc 2 "$buggy" --bug no-such-bug
expect_rc 2 "$buggy" --proto stream
n=$("$buggy" --list-bugs | wc -l)
[ "$n" = 26 ] || fail "--list-bugs printed $n bugs, expected 26"
echo_round_trip "$buggy"
echo_round_trip "$buggy" --bug drop-tail,short-read

shapes=$top/targets/shapes-echo
expect_rc 0 "$shapes" --help
expect_rc 2 "$shapes" --bogus
expect_rc 2 "$shapes" --mode edge
expect_rc 2 "$shapes" --proto repeat:3
for m in et lt oneshot; do echo_round_trip "$shapes" --mode "$m"; done

levent=$top/targets/libevent-et-echo
if [ -x "$levent" ]; then
    expect_rc 0 "$levent" --help
    expect_rc 2 "$levent" --bogus
    expect_rc 2 "$levent" --proto repeat:3
    echo_round_trip "$levent" --sndbuf 4096
elif [ "${EC_WITH_LIBEVENT:-yes}" = no ]; then
    echo "note: $levent not built (configure found no libevent), not checked"
else
    echo "ERROR: $levent is not built though configure found libevent"; exit 99
fi
[ "$fails" = 0 ] || exit 1
echo "PASS: targets smoke"
