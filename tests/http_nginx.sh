#!/bin/bash
# http_nginx.sh: every case that applies to --protocol http against nginx (sendfile on): each PASSes or SKIPs with its reason.
# SKIPs (77) when nginx is not installed. EC_TIMEOUT_SCALE stretches every bound as for the Check tests;
# HTTP_NGINX_CASES (default: all) picks the cases.
set -u
top=${EC_TOP_BUILDDIR:-.}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

nginx=$(command -v nginx 2>/dev/null || true)
[ -z "$nginx" ] && [ -x /usr/sbin/nginx ] && nginx=/usr/sbin/nginx
if [ -z "$nginx" ]; then
    echo "SKIP: nginx is not installed (apt-get install nginx-light)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# nginx.conf for one case: written into the case's folder ({dir}) with its port and address, so every
# path nginx writes (pid, logs, temp files) stays there (-p {dir}/: relative paths are the case's).
# One process (master_process off), no daemon: the harness owns its process group.
conf_in() { # $1: the root directive's value
    cat <<EOF
daemon off;
master_process off;
worker_processes 1;
error_log nginx.error.log info;
pid nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path tmp_body;
    proxy_temp_path tmp_proxy;
    fastcgi_temp_path tmp_fastcgi;
    uwsgi_temp_path tmp_uwsgi;
    scgi_temp_path tmp_scgi;
    sendfile on;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    default_type application/octet-stream;
    server {
        listen @HOST@:@PORT@;
        root $1;
    }
}
EOF
}
conf_in docroot >"$tmp/nginx.conf.in"
conf_in /nonexistent >"$tmp/nginx-404.conf.in"
target() { # $1: the conf template
    echo "sh -c 'sed -e s/@PORT@/{port}/ -e s/@HOST@/{host}/ $1 > {dir}/nginx.conf && exec $nginx -p {dir}/ -c {dir}/nginx.conf -e stderr'"
}
ec() { "$top/harness/edgecase" "$@"; }
scale=${EC_TIMEOUT_SCALE:-1}

# The catalogue: every case PASSes or SKIPs with a reason.
# shellcheck disable=SC2086
out=$(ec run -j 2 --protocol http --target "$(target "$tmp/nginx.conf.in")" --timeout-scale "$scale" \
      --results "$tmp/r" ${HTTP_NGINX_CASES:-} 2>&1)
rc=$?
echo "$out"
[ "$rc" = 0 ] || fail "edgecase run exited $rc"
grep -E "^(FAIL|ERROR) " <<<"$out" | while read -r line; do echo "FAIL: $line"; done
grep -qE "^(FAIL|ERROR) " <<<"$out" && fails=$((fails + 1))
grep -E "^SKIP " <<<"$out" | grep -vE "^SKIP +[^ ]+ +[0-9.]+s +[a-z]" && fail "a SKIP without its reason"
[ -z "${HTTP_NGINX_CASES:-}" ] && ! grep -q "^PASS  *crosstalk-concurrent" <<<"$out" && fail "crosstalk-concurrent did not run"
# A passing case's document root is removed.
for d in "$tmp"/r/2*/*/; do
    [ -d "$d/docroot" ] && grep -q "^status: pass" "$d/result.txt" && fail "docroot kept after a pass: $d"
done

# --keep keeps it: client 0's file is its echo stream from offset 0.
out=$(ec run --keep --protocol http --target "$(target "$tmp/nginx.conf.in")" --timeout-scale "$scale" \
      --results "$tmp/k" crosstalk-concurrent 2>&1)
f=$(ls "$tmp"/k/2*/crosstalk-concurrent/docroot/c000000/* 2>/dev/null | head -n 1)
[ -n "$f" ] && [ "$(head -c 9 "$f")" = "c000000 o" ] || fail "--keep: no docroot file of client 0 ($f): $out"

# A server that answers 404 fails with the status line and its offset, no class.
out=$(ec run --protocol http --target "$(target "$tmp/nginx-404.conf.in")" --timeout-scale "$scale" \
      --results "$tmp/n" crosstalk-concurrent 2>&1)
grep -q "^FAIL .*bad status of response 0 at stream offset 0: 'HTTP/1.1 404 Not Found', expected 200" <<<"$out" ||
    fail "404 not diagnosed as a bad status: $out"
ls "$tmp"/n/2*/crosstalk-concurrent/docroot >/dev/null 2>&1 || fail "a failed case's docroot was removed"

[ "$fails" = 0 ] && echo "http_nginx: all good" && exit 0
exit 1
