#!/bin/sh
# inject_rule.sh: runs tests/inject_rule under the injector: a held socket's EPOLLOUT reaches every epoll set, even with maxevents 1.
set -u
top=${EC_TOP_BUILDDIR:-.}
so=$(ls "$top"/harness/inject/.libs/libedgecase-inject.so 2>/dev/null)
[ -n "$so" ] || { echo "ERROR: the preload injector is not built"; exit 99; }
[ -x "$top/tests/inject_rule" ] || { echo "ERROR: $top/tests/inject_rule is not built"; exit 99; }
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT INT TERM
LD_PRELOAD=$so EDGECASE_INJECT=short=1 EDGECASE_TRACE=$trace timeout 30 "$top/tests/inject_rule"
