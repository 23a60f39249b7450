#!/bin/sh
# stress.sh: hostile load on edgecase-server (200 concurrent pacing/pausing/half-closing/resetting clients, SIGSTOP freezes): byte-exact, no leak, still serving.
. "$(dirname "$0")/smoke_lib.sh"
STRESS=$SMOKE_BUILD/tests/stress_server
[ -x "$CLIENT" ] && [ -x "$STRESS" ] || { echo "missing $CLIENT or $STRESS"; exit 99; }

# run_stress NAME SEED STRESS-ARGS -- SERVER-ARGS: one round; the server must end with no open connection.
run_stress() {
    name=$1 seed=$2 sargs=$3
    shift 3
    start_server "$@"
    "$STRESS" --port "$SRV_PORT" --server-pid "$SRV_PID" --seed "$seed" --timeout 240 $sargs \
        >"$SMOKE_WORK/stress.out" 2>&1 || { cat "$SMOKE_WORK/stress.out"; smoke_fail "$name: stress client failed (above)"; }
    kill -0 "$SRV_PID" 2>/dev/null || smoke_fail "$name: the server died"
    # Still serving: a fresh byte-exact echo with a half-close.
    "$CLIENT" --port "$SRV_PORT" --mode echo --bytes 1048576 --rcvbuf 4096 --timeout 60 >"$SMOKE_WORK/client.out" 2>&1 \
        || { cat "$SMOKE_WORK/client.out"; smoke_fail "$name: a fresh client was not served after the stress"; }
    # Reset peers are noticed on their next event; give the loop a moment, then every connection must be gone.
    i=0
    while [ $i -lt 100 ]; do
        kill -USR1 "$SRV_PID"
        sleep 0.1
        [ "$(counter open)" = 0 ] && break
        i=$((i + 1))
    done
    stop_server
    echo "$name: $(cat "$SMOKE_WORK/stress.out"); counters: $(grep '^{' "$SMOKE_WORK/server.out" | tail -1)"
    [ "$(counter open)" = 0 ] || smoke_fail "$name: $(counter open) connections still open: leaked"
    [ "$(counter protocol_errors)" = 0 ] || smoke_fail "$name: protocol errors on echo"
}

# Tiny buffers and marks: EAGAIN, EPOLLOUT resumption, backpressure and budget requeues on every client.
run_stress small 1 "--conns 600 --concurrency 200 --max-bytes 1048576" \
    --sndbuf 4096 --rcvbuf 4096 --hwm 65536 --lwm 16384 --budget 32768
# Kernel buffers: large queues, the budget stops fast readers (ready list).
run_stress default 2 "--conns 400 --concurrency 200 --max-bytes 4194304" --budget 65536
exit 0
