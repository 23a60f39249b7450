#!/bin/sh
# inject_signal.sh: a signal sent to a server waiting under the injector still interrupts its wait (no lost SIGTERM).
#
# With short/eagain faults on, the injector waits in 20 ms slices; a signal
# that landed between two slices used to run its handler and interrupt
# nothing, so a server that checks a flag after EINTR slept on (7% of the
# SIGTERMs in this test). Each try here starts targets/shapes-echo under the
# injector, sends SIGTERM at a random moment of its idle wait, and requires
# it to exit within 3 s (it exits in about a millisecond).
set -u
top=${EC_TOP_BUILDDIR:-.}
tries=${EC_TRIES:-100}
so=$(ls "$top"/harness/inject/.libs/libedgecase-inject.so 2>/dev/null)
[ -n "$so" ] || { echo "ERROR: the preload injector is not built"; exit 99; }
srv=$top/targets/shapes-echo
[ -x "$srv" ] || { echo "ERROR: $srv is not built"; exit 99; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
lost=0 i=0
while [ "$i" -lt "$tries" ]; do
    i=$((i + 1))
    LD_PRELOAD=$so EDGECASE_INJECT="short=0.3,eagain=0.1" EDGECASE_TRACE="$tmp/trace.$i" \
        "$srv" --listen 127.0.0.1:0 >"$tmp/out" 2>&1 &
    pid=$!
    n=0
    while ! grep -q '^listening on ' "$tmp/out" && [ "$n" -lt 100 ]; do sleep 0.02; n=$((n + 1)); done
    sleep "0.0$((i % 9 + 1))"
    kill -TERM "$pid"
    n=0
    while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 150 ]; do sleep 0.02; n=$((n + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        lost=$((lost + 1))
        kill -KILL "$pid"
    fi
    wait "$pid" 2>/dev/null
    rm -f "$tmp/trace.$i"
done
if [ "$lost" -gt 0 ]; then
    echo "FAIL: $lost of $tries SIGTERMs did not end the server waiting under the injector"
    exit 1
fi
echo "PASS: $tries of $tries SIGTERMs ended the server waiting under the injector"
