#!/bin/sh
# smoke_rss.sh: a client pushing 64 MiB without reading must not grow the server's memory (backpressure bounds it).
. "$(dirname "$0")/smoke_lib.sh"
[ -x "$CLIENT" ] || { echo "missing $CLIENT"; exit 99; }
BOUND_KB=32768   # generous: the queue stops at --hwm (512 KiB by default)

start_server
base=$(vmrss "$SRV_PID")
mkfifo "$SMOKE_WORK/hold"
# The client holds its connection open until we close the fifo it reads as stdin.
"$CLIENT" --port "$SRV_PORT" --mode push --bytes 67108864 --timeout 60 <"$SMOKE_WORK/hold" >"$SMOKE_WORK/client.out" 2>&1 &
SMOKE_PIDS=$!
exec 3>"$SMOKE_WORK/hold"
i=0
while ! grep -q '^pushed' "$SMOKE_WORK/client.out" && [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
grep -q '^pushed' "$SMOKE_WORK/client.out" || smoke_fail "push client did not finish within 30 s: $(cat "$SMOKE_WORK/client.out")"
rss=$(vmrss "$SRV_PID")
# SIGUSR1 prints the counters while running: the pushing connection is open and paused.
kill -USR1 "$SRV_PID"
i=0
while ! grep -q '^{.*"open":1,' "$SMOKE_WORK/server.out" && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
grep -q '^{.*"open":1,' "$SMOKE_WORK/server.out" || smoke_fail "no counters line with \"open\":1 within 10 s of SIGUSR1"
exec 3>&-
wait "$SMOKE_PIDS"
SMOKE_PIDS=
stop_server
echo "$(cat "$SMOKE_WORK/client.out") bytes; server VmRSS ${base} kB before, ${rss} kB after; counters: $(grep '^{' "$SMOKE_WORK/server.out" | tail -1)"
[ $((rss - base)) -le $BOUND_KB ] || smoke_fail "server VmRSS grew by $((rss - base)) kB (bound ${BOUND_KB} kB): output is not bounded"
[ "$(counter backpressure_pauses)" -ge 1 ] || smoke_fail "backpressure_pauses is $(counter backpressure_pauses), expected >= 1"
exit 0
