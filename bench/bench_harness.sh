# bench_harness.sh: section 1 of bench/bench.sh (sourced): the harness's own speed: catalogue wall time, buggy targets, verifier, engine.

# cat_run ROW ARGS...: one whole catalogue run; records its wall seconds (and to the first failure, for buggy targets).
cat_run() {
    name=$1; shift
    t0=$(now)
    bounded 300 "$B/harness/edgecase" run --results "$W/runs" "$@" 2>&1 |
        while IFS= read -r l; do echo "$(since "$t0") $l"; done >"$W/cat.out"
    end=$(since "$t0")
    first=$(awk '$2 == "FAIL" || $2 == "ERROR" { print $1; exit }' "$W/cat.out")
    summary=$(sed -n 's/^[0-9.]* \([0-9]* cases: [^;]*\);.*/\1/p' "$W/cat.out")
    row harness "catalogue $name: to the end" s "$end" "$summary"
    [ -n "$first" ] && row harness "catalogue $name: to the first failure" s "$first"
    return 0
}

# The whole catalogue against the reference server, sequential and -j 2, interleaved.
bench_catalogue() {
    r=0
    while [ $r -lt "$RUNS_CAT" ]; do
        say "catalogue vs reference, sequential (run $((r + 1)) of $RUNS_CAT)"
        cat_run "reference -j 1"
        say "catalogue vs reference, -j 2"
        cat_run "reference -j 2" -j 2
        r=$((r + 1))
    done
}

# Every buggy-server bug (BUGS narrows it): time to the first failing case and to the end, -j 2.
bench_buggy() {
    for bug in ${BUGS:-$("$B/targets/buggy-server" --list-bugs | awk 'NF >= 2 && $2 ~ /^[0-9]+$/ { print $1 }')}; do
        say "catalogue vs buggy-server --bug $bug, -j 2"
        cat_run "buggy --bug $bug -j 2" -j 2 --target "$B/targets/buggy-server --bug $bug --listen 127.0.0.1:{port}"
    done
}

# The verifier's GB/s per core against memcmp.
bench_verifier() {
    r=0
    while [ $r -lt "$RUNS" ]; do
        say "verifier throughput (run $((r + 1)) of $RUNS)"
        out=$(bounded 60 "$B/bench/verify_bench" --seconds "$VERIFY_S" --mib 64) || { skip harness "verifier" GB/s "verify_bench failed"; return; }
        echo "$out" | while read -r kind v _; do row harness "verifier $kind (per core)" GB/s "$v"; done
        r=$((r + 1))
    done
}

# The engine's CPU and RSS per slow reader at 1,000 and 10,000 clients, from one process.
bench_engine() {
    for n in 1000 10000; do
        srv_start "$B/server/edgecase-server" --listen 127.0.0.1:0 --proto stream ||
            { skip harness "engine $n slow readers" "" "reference server did not start: $SRV_ERR"; continue; }
        say "engine: $n slow readers at 16 KiB/s for ${ENGINE_S} s"
        out=$(bounded 120 "$B/bench/engine_bench" --port "$PORT" --clients $n --seconds "$ENGINE_S" 2>&1)
        srv_stop
        set -- $(echo "$out" | sed -n 's/^clients \([0-9]*\) complete \([0-9]*\) wall_s \([0-9.]*\) cpu_s [0-9.]* cpu_us_per_client_s \([0-9.]*\) rss_bytes_per_client \([0-9]*\).*/\1 \2 \3 \4 \5/p')
        [ $# -eq 5 ] || { skip harness "engine $n slow readers" "" "engine_bench: $(echo "$out" | tail -n 1)"; continue; }
        row harness "engine $n slow readers: harness CPU per client" us/s "$4" "$2 of $1 complete in $3 s"
        row harness "engine $n slow readers: harness RSS per client" B "$5"
    done
}

bench_section_harness() {
    bench_catalogue
    bench_buggy
    bench_verifier
    bench_engine
}
