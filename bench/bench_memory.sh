# bench_memory.sh: sections 4 and 5 of bench/bench.sh (sourced): server memory per connection and owed bytes; the injector's cost.

# idle_rss LABEL: server VmRSS growth per idle connection over IDLE_CONNS connections (SRV_PID running).
idle_rss() {
    base=$(kb VmRSS "$SRV_PID")
    rm -f "$W/hold" "$W/idle.out"
    mkfifo "$W/hold"
    bounded 120 "$B/bench/echo_bench" --port "$PORT" --conns "$IDLE_CONNS" --idle --timeout 60 <"$W/hold" >"$W/idle.out" 2>&1 &
    hp=$!
    track $hp
    exec 3>"$W/hold"
    i=0
    until grep -q '^idle' "$W/idle.out" 2>/dev/null || [ $i -ge 300 ] || ! kill -0 $hp 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    sleep 0.5   # let the server finish accepting what is in its backlog
    if grep -q '^idle' "$W/idle.out"; then
        now_kb=$(kb VmRSS "$SRV_PID")
        row memory "$IDLE_CONNS idle connections: $1" B/conn "$(( (now_kb - base) * 1024 / IDLE_CONNS ))" "VmRSS ${base} -> ${now_kb} kB"
    else
        skip memory "$IDLE_CONNS idle connections: $1" B/conn "echo_bench --idle: $(tail -n 1 "$W/idle.out")"
    fi
    exec 3>&-
    wait $hp 2>/dev/null
}

# owed_rss LABEL: peak server RSS while 100 clients each push 64 MiB of echo and never read.
owed_rss() {
    base=$(kb VmRSS "$SRV_PID")
    out=$(bounded 60 "$B/bench/engine_bench" --port "$PORT" --clients 100 --seconds "$OWED_S" --never-read 67108864 2>&1)
    hwm=$(kb VmHWM "$SRV_PID")
    [ -n "$hwm" ] || { skip memory "100 never-readers owed 64 MiB: $1" MiB "server gone: $(echo "$out" | tail -n 1)"; return; }
    row memory "100 never-readers owed 64 MiB: $1" MiB "$(awk -v h="$hwm" 'BEGIN { printf "%.1f", h / 1024 }')" "peak VmRSS; ${base} kB at start"
}

bench_section_memory() {
    echo_servers | while IFS='|' read -r label cmd; do
        why=$(have "$label" "$cmd") || { skip memory "$IDLE_CONNS idle connections: $label" B/conn "$why"; continue; }
        say "memory: $label, $IDLE_CONNS idle connections, then 100 never-readers"
        # shellcheck disable=SC2086
        srv_start $cmd || { skip memory "$IDLE_CONNS idle connections: $label" B/conn "server did not start: $SRV_ERR"; continue; }
        idle_rss "$label"
        srv_stop
        # shellcheck disable=SC2086
        srv_start $cmd || continue
        owed_rss "$label"
        srv_stop
    done
    if [ -z "$NGINX" ]; then
        skip memory "$IDLE_CONNS idle connections: nginx" B/conn "$NGINX_WHY"
        return
    fi
    say "memory: nginx, $IDLE_CONNS idle connections"
    nginx_start "$W/www" || { skip memory "$IDLE_CONNS idle connections: nginx" B/conn "nginx did not start: $SRV_ERR"; return; }
    idle_rss nginx
    srv_stop
    skip memory "100 never-readers owed 64 MiB: nginx" MiB "the load is echo; nginx serves files"
}

# Section 5: bench/inject_bench.sh's interleaved plain/injected runs of the reference server (stream, one connection).
bench_section_inject() {
    say "injector: trace on vs off ($RUNS runs each)"
    out=$(bounded 300 sh "$SRCDIR/bench/inject_bench.sh" --build "$B" --runs "$RUNS" --bytes "$INJECT_BYTES" 2>&1)
    for v in plain inject; do
        line=$(echo "$out" | grep "^$v ")
        [ -n "$line" ] || { skip inject "reference, trace $v" MB/s "inject_bench.sh: $(echo "$out" | tail -n 1)"; continue; }
        label=$([ $v = plain ] && echo "trace off" || echo "trace on (LD_PRELOAD)")
        for m in $(echo "$line" | sed 's/.*MB\/s: \(.*\)-> median.*/\1/'); do row inject "reference, $label" MB/s "$m"; done
        row inject "reference, $label: server CPU" s/GB "$(echo "$line" | sed -n 's/.*s\/GB median \([0-9.]*\).*/\1/p')" "median of $RUNS"
    done
}
