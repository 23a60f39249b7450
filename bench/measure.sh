#!/bin/sh
# measure.sh: the closing-note figures: echo MB/s with 1 and 64 connections, RSS per idle connection, RSS after a 256 MiB non-reading push.
# Usage: bench/measure.sh [BUILDDIR]   (run from anywhere; BUILDDIR defaults to the current directory)
B=${1:-.}
SERVER=$B/server/edgecase-server
BENCH=$B/bench/echo_bench
CLIENT=$B/tests/smoke_client
W=$(mktemp -d "${TMPDIR:-/tmp}/ec-bench.XXXXXX")
PIDS=
trap 'for p in $PIDS; do kill -KILL $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT
ulimit -n 20000 2>/dev/null || echo "note: cannot raise the fd limit; the idle test may fail"

start() {
    rm -f "$W/srv.out"
    "$SERVER" "$@" >"$W/srv.out" 2>"$W/srv.err" &
    SP=$!
    PIDS="$PIDS $SP"
    i=0
    until PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$W/srv.out" 2>/dev/null) && [ -n "$PORT" ]; do
        sleep 0.1; i=$((i + 1)); [ $i -lt 100 ] || { echo "server did not start"; exit 1; }
    done
}
stop() { kill -TERM "$SP"; wait "$SP"; tail -1 "$W/srv.out"; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

echo "== echo throughput, 1 connection x 1 GiB"
start; "$BENCH" --port "$PORT" --conns 1 --bytes 1073741824; stop
echo "== echo throughput, 64 connections x 64 MiB"
start; "$BENCH" --port "$PORT" --conns 64 --bytes 67108864; stop

echo "== memory per idle connection (5000)"
start
base=$(rss "$SP")
mkfifo "$W/hold"
"$BENCH" --port "$PORT" --conns 5000 --idle --timeout 120 <"$W/hold" >"$W/idle.out" &
PIDS="$PIDS $!"
exec 3>"$W/hold"
i=0; until grep -q idle "$W/idle.out"; do sleep 0.1; i=$((i + 1)); [ $i -lt 300 ] || break; done
sleep 0.5
now=$(rss "$SP")
echo "server VmRSS ${base} kB -> ${now} kB with $(cat "$W/idle.out"): $(( (now - base) * 1024 / 5000 )) bytes per idle connection"
exec 3>&-
wait $!
stop

echo "== server RSS after a client pushed 256 MiB without reading"
start
base=$(rss "$SP")
rm -f "$W/hold"; mkfifo "$W/hold"
"$CLIENT" --port "$PORT" --mode push --bytes 268435456 --timeout 60 <"$W/hold" >"$W/push.out" &
PIDS="$PIDS $!"
exec 3>"$W/hold"
i=0; until grep -q pushed "$W/push.out"; do sleep 0.1; i=$((i + 1)); [ $i -lt 600 ] || break; done
now=$(rss "$SP")
echo "$(cat "$W/push.out") bytes (the rest blocked by backpressure); server VmRSS ${base} kB -> ${now} kB"
exec 3>&-
wait $!
stop
