#!/bin/sh
# bench.sh: `make bench`: the harness's speed and the reference server's against libuv, libevent, nginx and iperf3, side by side.
set -u

usage() {
    cat <<'USAGE'
usage: bench/bench.sh [--build DIR] [--results DIR] [--quick] [--only SECTIONS] [--help]
Measures, on this machine, rows side by side in one run (several runs interleaved;
medians with min and max; ratios between rows), prints a table and writes
RESULTS/bench-<UTC stamp>/bench.json (RESULTS defaults to DIR/results).
Sections: harness (catalogue, buggy targets, verifier, engine), servers (echo and
download to 1/64/1000 readers against libuv, libevent, nginx, iperf3), mixed (1000
rate-limited readers + 1 fast), memory (idle connections, never-readers), inject
(the preload injector's trace on vs off).
  --build DIR      build directory (default: $EC_TOP_BUILDDIR or .)
  --results DIR    where bench-<stamp>/ goes (default: DIR/results)
  --quick          about 2 minutes: one run per row, smaller transfers, 3 buggy bugs
                   (the same as BENCH_QUICK=1)
  --only LIST      comma-separated sections to run (default: all)
Environment: BENCH_QUICK=1, BENCH_SNDBUF=BYTES (SO_SNDBUF given to every server; default:
the kernel's autotuning for all), BENCH_BUGS='NAME ...' (buggy-server bugs to time).
Every process it starts is stopped on exit (bounded waits; INT/TERM too). Exit 0, 2 for bad usage.
USAGE
}

B=${EC_TOP_BUILDDIR:-.} RESULTS= QUICK=${BENCH_QUICK:-0} ONLY=harness,servers,mixed,memory,inject
while [ $# -gt 0 ]; do
    case $1 in
    --build) [ $# -ge 2 ] || { echo "bench.sh: --build needs a value" >&2; exit 2; }; B=$2; shift 2 ;;
    --results) [ $# -ge 2 ] || { echo "bench.sh: --results needs a value" >&2; exit 2; }; RESULTS=$2; shift 2 ;;
    --only) [ $# -ge 2 ] || { echo "bench.sh: --only needs a value" >&2; exit 2; }; ONLY=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (bench.sh --help)" >&2; exit 2 ;;
    esac
done
for s in $(echo "$ONLY" | tr ',' ' '); do
    case $s in harness|servers|mixed|memory|inject) ;; *) echo "bench.sh: --only: unknown section '$s'" >&2; exit 2 ;; esac
done
case $QUICK in 0|1) ;; *) echo "bench.sh: BENCH_QUICK: bad value '$QUICK' (0 or 1)" >&2; exit 2 ;; esac
case ${BENCH_SNDBUF:-} in ''|*[!0-9]*) [ -z "${BENCH_SNDBUF:-}" ] || { echo "bench.sh: BENCH_SNDBUF: bad value '$BENCH_SNDBUF'" >&2; exit 2; } ;; esac
B=$(cd "$B" && pwd) || { echo "bench.sh: --build: no such directory" >&2; exit 2; }
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$B/harness/edgecase" ] && [ -x "$B/bench/echo_bench" ] || { echo "bench.sh: build first (make bench builds what it needs)" >&2; exit 2; }
RESULTS=${RESULTS:-$B/results}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$RESULTS/bench-$STAMP
mkdir -p "$OUT" || exit 2

W=$(mktemp -d "${TMPDIR:-/tmp}/ec-bench.XXXXXX") || exit 2
ROWS=$OUT/rows.tsv PIDFILE=$W/pids
: >"$ROWS"; : >"$PIDFILE"
. "$SRCDIR/bench/bench_lib.sh"
. "$SRCDIR/bench/bench_harness.sh"
. "$SRCDIR/bench/bench_servers.sh"
. "$SRCDIR/bench/bench_memory.sh"
trap 'kill_tracked; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM HUP

# 10,000 idle connections need that many fds in the server and in echo_bench.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
IDLE_CONNS=10000
[ "$(ulimit -n)" -ge 10100 ] 2>/dev/null || IDLE_CONNS=$(( $(ulimit -n) - 100 ))

# Sizes and runs: full (~12 min on 2 cores) or quick (~2 min).
if [ "$QUICK" = 1 ]; then
    RUNS=1 RUNS_CAT=1 SIZE_1=268435456 SIZE_64=4194304 SIZE_1000=262144 VERIFY_S=0.3 ENGINE_S=2 MIXED_S=2
    OWED_S=2 IPERF_S=1 INJECT_BYTES=268435456 BUGS=${BENCH_BUGS:-"no-read-resume sigpipe spin-eagain"}
else
    RUNS=3 RUNS_CAT=2 SIZE_1=1073741824 SIZE_64=16777216 SIZE_1000=1048576 VERIFY_S=1 ENGINE_S=3 MIXED_S=3
    OWED_S=3 IPERF_S=2 INJECT_BYTES=1073741824 BUGS=${BENCH_BUGS:-}
fi
SNDBUF_OPT= NGINX_SNDBUF= IPERF_WIN=
if [ -n "${BENCH_SNDBUF:-}" ]; then
    SNDBUF_OPT="--sndbuf $BENCH_SNDBUF" NGINX_SNDBUF="sndbuf=$BENCH_SNDBUF" IPERF_WIN="-w $BENCH_SNDBUF"
fi
NGINX= NGINX_WHY=

BENCH_T0=$(now)
echo "bench: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r); $([ "$QUICK" = 1 ] && echo quick || echo full) run; results in $OUT" >&2
for s in $(echo "$ONLY" | tr ',' ' '); do
    "bench_section_$s"
done
python3 "$SRCDIR/bench/bench_report.py" --rows "$ROWS" --json "$OUT/bench.json" \
    --meta "quick=$QUICK" --meta "runs=$RUNS" --meta "nproc=$(nproc)" \
    --meta "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
    --meta "kernel=$(uname -r)" --meta "sndbuf=${BENCH_SNDBUF:-kernel default}" \
    --meta "seconds=$(since "$BENCH_T0")" | tee "$OUT/table.txt"
echo "bench: $(since "$BENCH_T0") s; $OUT/bench.json" >&2
