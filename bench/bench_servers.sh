# bench_servers.sh: sections 2 and 3 of bench/bench.sh (sourced): the reference server against libuv, libevent, nginx and iperf3.

# The echo servers compared, as "label|command"; a label whose binary is missing is skipped with the reason.
echo_servers() {
    echo "reference|$B/server/edgecase-server --listen 127.0.0.1:0 $SNDBUF_OPT"
    echo "libuv|$B/targets/uv-echo $SNDBUF_OPT"
    echo "libevent|$B/targets/libevent-et-echo $SNDBUF_OPT"
}

# have LABEL CMD: 0 when CMD's binary exists; else records why each row of LABEL is skipped.
have() {
    [ -x "${2%% *}" ] && return 0
    case $1 in
    libuv) why="targets/uv-echo not built: configure found no libuv (apt-get install libuv1-dev)" ;;
    libevent) why="targets/libevent-et-echo not built: configure found no libevent" ;;
    *) why="${2%% *} not built" ;;
    esac
    echo "$why"
    return 1
}

# echo_once LABEL CMD READERS BYTES MODE: one echo_bench run; rows for MB/s and server CPU per GB.
echo_once() {
    # shellcheck disable=SC2086
    srv_start $2 || { skip servers "$5 $(readers "$3"): $1" MB/s "server did not start: $SRV_ERR"; return; }
    t0=$(ticks "$SRV_PID")
    out=$(bounded 120 "$B/bench/echo_bench" --port "$PORT" --conns "$3" --bytes "$4" --timeout 100 2>&1)
    t1=$(ticks "$SRV_PID")
    srv_stop
    put_rate "$5 $(readers "$3"): $1" "$out" "$t0" "$t1"
}

# put_rate NAME ECHO_BENCH_OUTPUT TICKS0 TICKS1: the MB/s and CPU-per-GB rows of one run.
put_rate() {
    set -- "$1" "$(echo "$2" | sed -n 's/^conns [0-9]* bytes_echoed \([0-9]*\) seconds [0-9.]* MB\/s \([0-9.]*\)$/\1 \2/p')" "$3" "$4" "$2"
    [ -n "$2" ] || { skip servers "$1" MB/s "$(echo "$5" | tail -n 1)"; return; }
    bytes=${2% *} mbps=${2#* }
    row servers "$1" MB/s "$mbps"
    row servers "$1: server CPU" s/GB "$(awk -v a="$3" -v b="$4" -v hz="$HZ" -v n="$bytes" 'BEGIN { printf "%.3f", (b - a) / hz / (n / 1e9) }')"
}

# nginx_start ROOT: nginx, one process (master_process off: the pid we read is the one serving), sendfile on.
nginx_start() {
    port=$(free_port)
    mkdir -p "$W/nginx"
    cat >"$W/nginx/nginx.conf" <<CONF
worker_rlimit_nofile 20000;
error_log $W/nginx/error.log;
pid $W/nginx/nginx.pid;
events { worker_connections 20000; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 60;
    client_body_temp_path $W/nginx/body;
    proxy_temp_path $W/nginx/proxy;
    fastcgi_temp_path $W/nginx/fastcgi;
    uwsgi_temp_path $W/nginx/uwsgi;
    scgi_temp_path $W/nginx/scgi;
    server { listen 127.0.0.1:$port $NGINX_SNDBUF; root $1; }
}
CONF
    nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" -g 'daemon off; master_process off;' 2>"$W/srv.err" &
    srv_wait_port $! "$port" || { SRV_ERR=$(head -c 300 "$W/srv.err"); return 1; }
}

# download_once LABEL READERS BYTES: the same download from the reference server (--proto stream) or nginx (a file).
download_once() {
    if [ "$1" = nginx ]; then
        [ -n "$NGINX" ] || { skip servers "download $(readers "$2"): nginx" MB/s "$NGINX_WHY"; return; }
        nginx_start "$W/www" || { skip servers "download $(readers "$2"): nginx" MB/s "nginx did not start: $SRV_ERR"; return; }
        mode="--http /f$3"
    else
        srv_start "$B/server/edgecase-server" --listen 127.0.0.1:0 --proto stream $SNDBUF_OPT ||
            { skip servers "download $(readers "$2"): reference" MB/s "server did not start: $SRV_ERR"; return; }
        mode=--stream
    fi
    t0=$(ticks "$SRV_PID")
    out=$(bounded 120 "$B/bench/echo_bench" --port "$PORT" --conns "$2" --bytes "$3" --timeout 100 $mode 2>&1)
    t1=$(ticks "$SRV_PID")
    srv_stop
    put_rate "download $(readers "$2"): $1" "$out" "$t0" "$t1"
}

# iperf3_once: one reversed stream (the server sends, like ours) for IPERF_S seconds: the loopback ceiling.
iperf3_once() {
    command -v iperf3 >/dev/null || { skip servers "download 1 reader: iperf3" MB/s "iperf3 not installed (apt-get install iperf3)"; return; }
    port=$(free_port)
    # No -1: the server must outlive the test so its CPU can be read.
    iperf3 -s -p "$port" >/dev/null 2>"$W/srv.err" &
    srv_wait_port $! "$port" || { skip servers "download 1 reader: iperf3" MB/s "iperf3 -s did not start"; return; }
    t0=$(ticks "$SRV_PID")
    out=$(bounded 30 iperf3 -c 127.0.0.1 -p "$port" -t "$IPERF_S" -R $IPERF_WIN -J 2>&1)
    t1=$(ticks "$SRV_PID")
    srv_stop
    set -- $(echo "$out" | python3 -c 'import json, sys; e = json.load(sys.stdin)["end"]["sum_received"]; print(e["bytes"], e["bits_per_second"] / 8e6)' 2>/dev/null)
    [ $# -eq 2 ] || { skip servers "download 1 reader: iperf3" MB/s "iperf3 gave no result"; return; }
    row servers "download 1 reader: iperf3" MB/s "$(printf '%.1f' "$2")"
    row servers "download 1 reader: iperf3: server CPU" s/GB "$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$1" 'BEGIN { printf "%.3f", (b - a) / hz / (n / 1e9) }')"
}

# Files nginx serves, one per size (written once, then in the page cache like a real static site).
make_www() {
    mkdir -p "$W/www"
    for s in $SIZE_1 $SIZE_64 $SIZE_1000; do
        [ -e "$W/www/f$s" ] || yes 'edgecase bench file' | head -c "$s" >"$W/www/f$s"
    done
    NGINX=$(command -v nginx) || NGINX_WHY="nginx not installed (apt-get install nginx-light)"
}

# Section 2: bytes/s to 1, 64 and 1,000 readers; rows interleaved run by run so load hits every row alike.
bench_section_servers() {
    make_www
    r=0
    while [ $r -lt "$RUNS" ]; do
        say "servers: echo and download, 1/64/1000 readers (run $((r + 1)) of $RUNS)"
        echo_servers | while IFS='|' read -r label cmd; do
            why=$(have "$label" "$cmd") || { for n in 1 64 1000; do skip servers "echo $(readers $n): $label" MB/s "$why"; done; continue; }
            echo_once "$label" "$cmd" 1 "$SIZE_1" echo
            echo_once "$label" "$cmd" 64 "$SIZE_64" echo
            echo_once "$label" "$cmd" 1000 "$SIZE_1000" echo
        done
        for label in reference nginx; do
            download_once $label 1 "$SIZE_1"
            download_once $label 64 "$SIZE_64"
            download_once $label 1000 "$SIZE_1000"
        done
        iperf3_once
        r=$((r + 1))
    done
}

# Section 3: 1,000 readers paced at 16 KiB/s plus one unpaced reader, per echo server.
bench_section_mixed() {
    r=0
    while [ $r -lt "$RUNS" ]; do
        say "servers: 1000 rate-limited readers + 1 fast reader (run $((r + 1)) of $RUNS)"
        echo_servers | while IFS='|' read -r label cmd; do
            name="1000 slow + 1 fast: $label"
            why=$(have "$label" "$cmd") || { skip mixed "$name: fast reader" MB/s "$why"; continue; }
            # shellcheck disable=SC2086
            srv_start $cmd || { skip mixed "$name: fast reader" MB/s "server did not start: $SRV_ERR"; continue; }
            t0=$(ticks "$SRV_PID")
            out=$(bounded 120 "$B/bench/engine_bench" --port "$PORT" --proto echo --clients 1000 --seconds "$MIXED_S" --fast "$SIZE_1" 2>&1)
            t1=$(ticks "$SRV_PID")
            srv_stop
            fast=$(echo "$out" | sed -n 's/.* fast_mbps \([0-9.]*\) bytes [0-9]*$/\1/p')
            bytes=$(echo "$out" | sed -n 's/.* bytes \([0-9]*\)$/\1/p')
            [ -n "$fast" ] && [ "$fast" != 0.0 ] || { skip mixed "$name: fast reader" MB/s "$(echo "$out" | tail -n 1)"; continue; }
            row mixed "$name: fast reader" MB/s "$fast"
            # Per GB echoed in all: a faster fast reader moves more bytes for the same loop work.
            row mixed "$name: server CPU" s/GB "$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$bytes" 'BEGIN { printf "%.3f", (b - a) / hz / (n / 1e9) }')"
        done
        skip mixed "1000 slow + 1 fast: nginx: fast reader" MB/s "the mix is echo; nginx serves files"
        r=$((r + 1))
    done
}
