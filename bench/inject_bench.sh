#!/bin/sh
# inject_bench.sh: measures what the preload injector costs: server throughput with and without it, runs interleaved.
set -u

usage() {
    cat <<'USAGE'
usage: bench/inject_bench.sh [--build DIR] [--runs N] [--bytes N] [--conns C]
                             [--mode stream|echo] [--chunk B] [--spec SPEC] [--help]
Starts the reference server (DIR/server/edgecase-server) N times plainly and N
times under LD_PRELOAD=libedgecase-inject.so with EDGECASE_TRACE set (counting
only unless --spec adds faults), alternating, drives it with tests/inject_load
and prints the median MB/s of each and the overhead in percent.
  --build DIR   build directory (default: $EC_TOP_BUILDDIR or .)
  --runs N      runs per variant (default 7)
  --bytes N     bytes per run (default 2147483648)
  --mode M      stream (server sends N bytes) or echo (default stream)
  --chunk B     client write size in echo mode (default 65536)
USAGE
}

BUILD=${EC_TOP_BUILDDIR:-.}
RUNS=7 BYTES=2147483648 CONNS=1 MODE=stream CHUNK=65536 SPEC=
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --bytes) BYTES=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --mode) MODE=$2; shift 2 ;;
    --chunk) CHUNK=$2; shift 2 ;;
    --spec) SPEC=$2; shift 2 ;;
    --help) usage; exit 0 ;;
    *) echo "inject_bench.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done

SERVER=$BUILD/server/edgecase-server
LOAD=$BUILD/tests/inject_load
SO=$BUILD/harness/inject/.libs/libedgecase-inject.so
for f in "$SERVER" "$LOAD" "$SO"; do
    [ -e "$f" ] || { echo "inject_bench.sh: $f not built (make server/edgecase-server tests/inject_load harness/inject/libedgecase-inject.la)" >&2; exit 77; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ec-ibench.XXXXXX") || exit 99
SRV_PID=
cleanup() {
    [ -n "$SRV_PID" ] && kill -KILL "$SRV_PID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP

# run_one plain|inject: one server, one load; prints MB/s.
run_one() {
    rm -f "$WORK/srv.out" "$WORK/trace"
    if [ "$1" = inject ]; then
        env LD_PRELOAD="$SO" EDGECASE_INJECT="$SPEC" EDGECASE_TRACE="$WORK/trace" \
            "$SERVER" --listen 127.0.0.1:0 --proto "$MODE" >"$WORK/srv.out" 2>"$WORK/srv.err" &
    else
        "$SERVER" --listen 127.0.0.1:0 --proto "$MODE" >"$WORK/srv.out" 2>"$WORK/srv.err" &
    fi
    SRV_PID=$!
    port= i=0
    while [ -z "$port" ] && [ $i -lt 200 ]; do
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/srv.out" 2>/dev/null)
        [ -z "$port" ] && sleep 0.05
        i=$((i + 1))
    done
    [ -n "$port" ] || { echo "inject_bench.sh: server never listened: $(cat "$WORK/srv.err")" >&2; exit 1; }
    out=$("$LOAD" --port "$port" --bytes "$BYTES" --conns "$CONNS" --mode "$MODE" --chunk "$CHUNK") ||
        { echo "inject_bench.sh: load failed: $out" >&2; exit 1; }
    # Server CPU (utime+stime, clock ticks) per GB: steadier than MB/s on a shared machine.
    ticks=$(awk '{ print $14 + $15 }' "/proc/$SRV_PID/stat")
    kill -TERM "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=
    mbps=$(echo "$out" | sed -n 's/.*MBps \([0-9.]*\).*/\1/p')
    bytes=$(echo "$out" | sed -n 's/^bytes \([0-9]*\).*/\1/p')
    echo "$mbps $(awk -v t="$ticks" -v b="$bytes" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz / (b / 1e9) }')"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$WORK/plain"; : >"$WORK/inject"
r=0
while [ $r -lt "$RUNS" ]; do
    run_one plain >>"$WORK/plain"
    run_one inject >>"$WORK/inject"
    r=$((r + 1))
done
P=$(cut -d' ' -f1 "$WORK/plain" | median); I=$(cut -d' ' -f1 "$WORK/inject" | median)
PC=$(cut -d' ' -f2 "$WORK/plain" | median); IC=$(cut -d' ' -f2 "$WORK/inject" | median)
echo "mode $MODE bytes $BYTES conns $CONNS chunk $CHUNK runs $RUNS spec '$SPEC'"
echo "plain  MB/s: $(cut -d' ' -f1 "$WORK/plain" | tr '\n' ' ')-> median $P; server CPU s/GB median $PC"
echo "inject MB/s: $(cut -d' ' -f1 "$WORK/inject" | tr '\n' ' ')-> median $I; server CPU s/GB median $IC"
# Per-call cost on an accepted socket, where the injector does all its work.
: >"$WORK/cplain"; : >"$WORK/cinject"
r=0
while [ $r -lt "$RUNS" ]; do
    "$LOAD" --mode calls --bytes 100000 | sed -n 's/.*ns_per_write \([0-9]*\).*/\1/p' >>"$WORK/cplain"
    env LD_PRELOAD="$SO" EDGECASE_INJECT="$SPEC" EDGECASE_TRACE="$WORK/ctrace" "$LOAD" --mode calls --bytes 100000 |
        sed -n 's/.*ns_per_write \([0-9]*\).*/\1/p' >>"$WORK/cinject"
    r=$((r + 1))
done
CP=$(median <"$WORK/cplain"); CI=$(median <"$WORK/cinject")
echo "64-byte write() on a connection: plain $CP ns, inject $CI ns (median of $RUNS x 100000 calls)"
awk -v p="$P" -v i="$I" -v pc="$PC" -v ic="$IC" \
    -v cp="$CP" -v ci="$CI" \
    'BEGIN { printf "throughput cost: %.1f %%   server CPU cost: %.1f %%   per-write cost: %.1f %%\n",
             (p - i) / p * 100, (ic - pc) / pc * 100, (ci - cp) / cp * 100 }'
