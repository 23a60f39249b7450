#!/bin/sh
# inject_seeds.sh: runs the injected cases over many seeds against several correct servers and prints each duration distribution.
#
#   sh bench/inject_seeds.sh [--build DIR] [--seeds N] [--cases 'a b'] [--targets 'ref buggy ...'] [--out FILE]
#                            [--uninjected]   (the same runs with the cases' faults off, to compare
#                                              times; their fail column counts "vacuous" verdicts too)
#
# A lost wakeup shows as a long tail: one run in fifty that takes seconds
# instead of a tenth of one. The harness itself fails such a run (a stall
# longer than the case's `stall`), so the last column counts failed runs,
# and the exit status is 1 when any run failed (tests/inject_seeds.sh).
set -eu

build=.
seeds=50
cases="inject-short-eagain inject-faults inject-eintr-storm inject-seed-floor"
targets="ref buggy libevent shapes-et shapes-lt shapes-oneshot"
out=""
noinj=""
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --uninjected) noinj=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "inject_seeds.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
ec="$build/harness/edgecase"
src=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ec" ] || { echo "inject_seeds.sh: no $ec (use --build DIR)" >&2; exit 2; }

# The target command for a short name; empty when that target was not built.
target_cmd() {
    case "$1" in
    ref) echo "" ;;
    buggy) echo "$build/targets/buggy-server --listen 127.0.0.1:{port} --proto {proto}" ;;
    libevent) [ -x "$build/targets/libevent-et-echo" ] && echo "$build/targets/libevent-et-echo --listen 127.0.0.1:{port}" ;;
    shapes-*) echo "$build/targets/shapes-echo --mode ${1#shapes-} --listen 127.0.0.1:{port}" ;;
    *) echo "inject_seeds.sh: unknown target '$1'" >&2; exit 2 ;;
    esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -n "$out" ] && : >"$out"
echo "clients' run time in seconds (median, p99, max) and the slowest whole case (target start to stop)"
printf '%-20s %-15s %5s %8s %8s %8s %8s %9s %5s\n' case target runs median p99 max "max/med" "case-max" fail
allfails=0
for c in $cases; do
    for t in $targets; do
        cmd=$(target_cmd "$t") || exit 2
        # buggy-server speaks repeat too: give it the case's first protocol.
        proto=""
        [ "$t" = buggy ] && proto=$(sed -n 's/^protocols *= *\([^ ]*\).*/\1/p' "$src/cases/$c.case")
        [ "$t" = ref ] || [ -n "$cmd" ] || continue
        : >"$tmp/d"
        fails=0 runs=0
        s=1
        while [ "$s" -le "$seeds" ]; do
            if [ -n "$cmd" ]; then
                "$ec" run "$c" --seed "$s" --target "$cmd" ${proto:+--protocol "$proto"} ${noinj:+--inject ''} \
                    --results "$tmp/r" >"$tmp/log" 2>&1 || true
            else
                "$ec" run "$c" --seed "$s" ${noinj:+--inject ''} --results "$tmp/r" >"$tmp/log" 2>&1 || true
            fi
            res="$tmp/r/latest/$c/result.txt"
            if [ -f "$res" ]; then
                st=$(sed -n 's/^status: //p' "$res")
                [ "$st" = skip ] && break
                runs=$((runs + 1))
                # Clients' run time (the write path at work), then the whole case's.
                echo "$(sed -n 's/^timing: .*clients ran \([0-9]*\) ms.*/\1/p' "$res") $(sed -n 's/^duration_s: //p' "$res")" >>"$tmp/d"
                if [ "$st" != pass ]; then
                    fails=$((fails + 1))
                    allfails=$((allfails + 1))
                    [ -n "$out" ] && echo "$c $t seed $s: $(sed -n 's/^diag: //p' "$res")" >>"$out"
                fi
            fi
            rm -rf "$tmp/r"
            s=$((s + 1))
        done
        [ "$runs" -gt 0 ] || continue
        sort -n "$tmp/d" | awk -v c="$c" -v t="$t" -v f="$fails" '
            { v[NR] = $1 / 1000; if ($2 > cm) cm = $2 }
            END {
                med = v[int((NR + 1) / 2)]; p99 = v[int(NR * 0.99 + 0.999)]; mx = v[NR]
                printf "%-20s %-15s %5d %8.3f %8.3f %8.3f %8.1f %9.3f %5d\n", c, t, NR, med, p99, mx,
                       (med > 0 ? mx / med : 0), cm, f
            }'
    done
done
[ -n "$noinj" ] || [ "$allfails" -eq 0 ]
