#!/bin/bash
# http_servers.sh: every case that applies to --protocol http against Debian's nginx and lighttpd, each from its shipped template.
# Each case PASSes or SKIPs with its reason. A server that is not installed is left out with the reason; with
# neither installed the test SKIPs (77). EC_TIMEOUT_SCALE stretches every bound as for the Check tests;
# HTTP_CASES (default: all) picks the cases.
set -u
top=${EC_TOP_BUILDDIR:-.}
src=${EC_TOP_SRCDIR:-.}
fails=0
ran=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ec() { "$top/harness/edgecase" "$@"; }
scale=${EC_TIMEOUT_SCALE:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

find_bin() { command -v "$1" 2>/dev/null || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; }; }
nginx=$(find_bin nginx)
lighttpd=$(find_bin lighttpd)
nginx_cmd() { echo "$nginx -p {dir} -e stderr -c {conf:$1}"; }
lighttpd_cmd() { echo "$lighttpd -D -f {conf:$1}"; }

# catalogue NAME TARGET: the whole catalogue with http; every case PASSes or SKIPs with a reason.
catalogue() {
    local out rc
    # shellcheck disable=SC2086
    out=$(ec run -j 2 --protocol http --target "$2" --timeout-scale "$scale" --results "$tmp/$1" ${HTTP_CASES:-} 2>&1)
    rc=$?
    echo "$out" | sed "s/^/$1: /"
    [ "$rc" = 0 ] || fail "$1: edgecase run exited $rc"
    grep -E "^(FAIL|ERROR) " <<<"$out" | while read -r line; do echo "FAIL: $1: $line"; done
    grep -qE "^(FAIL|ERROR) " <<<"$out" && fails=$((fails + 1))
    grep -E "^SKIP " <<<"$out" | grep -vE "^SKIP +[^ ]+ +[0-9.]+s +[a-z]" && fail "$1: a SKIP without its reason"
    [ -z "${HTTP_CASES:-}" ] && ! grep -q "^PASS  *crosstalk-concurrent" <<<"$out" && fail "$1: crosstalk-concurrent did not run"
    # A passing case's document root is removed.
    for d in "$tmp/$1"/2*/*/; do
        [ -d "$d/docroot" ] && grep -q "^status: pass" "$d/result.txt" && fail "$1: docroot kept after a pass: $d"
    done
    ran=$((ran + 1))
}

tmpl=$src/targets
if [ -n "$nginx" ]; then
    catalogue nginx "$(nginx_cmd "$tmpl/nginx.conf")"
    # --keep keeps the docroot: client 0's file is its echo stream from offset 0.
    out=$(ec run --keep --protocol http --target "$(nginx_cmd "$tmpl/nginx.conf")" --timeout-scale "$scale" \
          --results "$tmp/k" crosstalk-concurrent 2>&1)
    f=$(ls "$tmp"/k/2*/crosstalk-concurrent/docroot/c000000/* 2>/dev/null | head -n 1)
    [ -n "$f" ] && [ "$(head -c 9 "$f")" = "c000000 o" ] || fail "--keep: no docroot file of client 0 ($f): $out"
    # A server that answers 404 fails with the status line and its offset, no class.
    sed 's#root {docroot};#root {dir}/nonexistent;#' "$tmpl/nginx.conf" >"$tmp/nginx-404.conf"
    out=$(ec run --protocol http --target "$(nginx_cmd "$tmp/nginx-404.conf")" --timeout-scale "$scale" \
          --results "$tmp/n" crosstalk-concurrent 2>&1)
    grep -q "^FAIL .*bad status of response 0 at stream offset 0: 'HTTP/1.1 404 Not Found', expected 200" <<<"$out" ||
        fail "404 not diagnosed as a bad status: $out"
    ls "$tmp"/n/2*/crosstalk-concurrent/docroot >/dev/null 2>&1 || fail "a failed case's docroot was removed"
else
    echo "nginx: left out: not installed (apt-get install nginx-light)"
fi
if [ -n "$lighttpd" ]; then
    catalogue lighttpd "$(lighttpd_cmd "$tmpl/lighttpd.conf")"
else
    echo "lighttpd: left out: not installed (apt-get install lighttpd)"
fi
if [ "$ran" = 0 ]; then
    echo "SKIP: neither nginx nor lighttpd is installed (./bootstrap installs both)"
    exit 77
fi
[ "$fails" = 0 ] && echo "http_servers: all good" && exit 0
exit 1
