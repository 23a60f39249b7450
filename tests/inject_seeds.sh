#!/bin/sh
# inject_seeds.sh: the injected cases over several seeds against every correct target: none may fail or pause past its stall.
#
# make check runs 3 seeds; `make check-slow` runs 50 (EC_SEEDS). A correct
# server that pauses under injected faults means the injector lost a
# wake-up (or the harness judged the machine instead of the server): the
# harness fails such a run itself ("stall: ..."), and this test prints it.
set -u
top=${EC_TOP_BUILDDIR:-.}
src=${EC_TOP_SRCDIR:-.}
seeds=${EC_SEEDS:-3}
[ -x "$top/harness/edgecase" ] || { echo "ERROR: $top/harness/edgecase is not built"; exit 99; }
[ -x "$top/targets/shapes-echo" ] || { echo "ERROR: $top/targets/shapes-echo is not built"; exit 99; }
ls "$top"/harness/inject/.libs/libedgecase-inject.so >/dev/null 2>&1 ||
    { echo "ERROR: the preload injector is not built"; exit 99; }
fails=$(mktemp)
trap 'rm -f "$fails"' EXIT INT TERM
if sh "$src/bench/inject_seeds.sh" --build "$top" --seeds "$seeds" --out "$fails"; then
    echo "PASS: every injected case, $seeds seeds, every correct target"
    exit 0
fi
echo "FAIL: runs that failed:"
cat "$fails"
exit 1
