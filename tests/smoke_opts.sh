#!/bin/sh
# smoke_opts.sh: bad command lines exit 2 with a message naming the option; --help exits 0.
. "$(dirname "$0")/smoke_lib.sh"

# expect_bad OPTION-NAME ARG...: the server must exit 2 and name OPTION-NAME on stderr.
expect_bad() {
    name=$1
    shift
    timeout 10 "$SERVER" "$@" >"$SMOKE_WORK/out" 2>"$SMOKE_WORK/err"
    rc=$?
    [ "$rc" -eq 2 ] || smoke_fail "'$*': exit status $rc, expected 2 ($(cat "$SMOKE_WORK/err"))"
    grep -q -- "$name" "$SMOKE_WORK/err" || smoke_fail "'$*': stderr does not name $name: $(cat "$SMOKE_WORK/err")"
}

expect_bad --hwm --hwm lots
expect_bad --sndbuf --sndbuf -5
expect_bad --proto --proto telnet
expect_bad --proto --proto repeat:0
expect_bad --repeat --proto repeat --repeat x
expect_bad --bogus --bogus
expect_bad --lwm --hwm 1000 --lwm 2000
expect_bad --budget --budget 0
expect_bad --listen --listen nowhere
expect_bad stray stray
timeout 10 "$SERVER" --help >"$SMOKE_WORK/out" 2>&1 || smoke_fail "--help exited with $?"
grep -q -- '--sndbuf' "$SMOKE_WORK/out" || smoke_fail "--help does not list --sndbuf"
echo "bad options: all exit 2 naming the option"

# IPv6 loopback, when the machine has it.
if [ -e /proc/net/if_inet6 ] && grep -q '^0*1 ' /proc/net/if_inet6; then
    "$SERVER" --listen '[::1]:0' >"$SMOKE_WORK/v6.out" 2>&1 &
    SRV_PID=$!
    i=0
    while ! grep -q '^listening on \[::1\]:[0-9]' "$SMOKE_WORK/v6.out" && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    grep -q '^listening on \[::1\]:[0-9]' "$SMOKE_WORK/v6.out" || smoke_fail "--listen [::1]:0: $(cat "$SMOKE_WORK/v6.out")"
    stop_server
    echo "IPv6: $(head -1 "$SMOKE_WORK/v6.out")"
fi
exit 0
