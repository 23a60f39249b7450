# bench_lib.sh: shared helpers of bench/bench.sh (sourced): start/stop servers with bounded waits, /proc figures, result rows.
# Needs: B (build dir), W (work dir), ROWS (the TSV of results), PIDFILE (every pid started, for the trap).

HZ=$(getconf CLK_TCK)

# Remembers a pid for the cleanup trap.
track() { echo "$1" >>"$PIDFILE"; }

# Kills every process we started (the trap's job): TERM, a bounded wait, then KILL.
kill_tracked() {
    [ -s "$PIDFILE" ] || return 0
    for p in $(cat "$PIDFILE"); do kill -TERM "$p" 2>/dev/null; done
    i=0
    while [ $i -lt 20 ]; do
        alive=
        for p in $(cat "$PIDFILE"); do kill -0 "$p" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.1; i=$((i + 1))
    done
    for p in $(cat "$PIDFILE"); do kill -KILL "$p" 2>/dev/null; done
    : >"$PIDFILE"
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }
# since T0: seconds elapsed since T0, 3 decimals.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# srv_start CMD...: runs a server that prints "listening on 127.0.0.1:PORT"; sets SRV_PID and PORT.
# Returns 1 (with the server's stderr in SRV_ERR) when it does not listen within 5 s.
srv_start() {
    rm -f "$W/srv.out"
    "$@" >"$W/srv.out" 2>"$W/srv.err" &
    SRV_PID=$!
    track "$SRV_PID"
    PORT= i=0
    while [ -z "$PORT" ] && [ $i -lt 100 ]; do
        PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$W/srv.out" 2>/dev/null)
        [ -z "$PORT" ] && sleep 0.05
        i=$((i + 1))
    done
    [ -n "$PORT" ] && return 0
    SRV_ERR=$(head -c 300 "$W/srv.err")
    srv_stop
    return 1
}

# srv_wait_port PID PORT: for servers that do not print their port (nginx, iperf3): waits up to 5 s for the listener.
srv_wait_port() {
    SRV_PID=$1 PORT=$2 i=0
    track "$SRV_PID"
    while [ $i -lt 100 ]; do
        ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q . && return 0
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.05; i=$((i + 1))
    done
    srv_stop
    return 1
}

# srv_stop: TERM, up to 3 s, then KILL.
srv_stop() {
    [ -n "${SRV_PID:-}" ] || return 0
    kill -TERM "$SRV_PID" 2>/dev/null
    i=0
    while kill -0 "$SRV_PID" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null
    SRV_PID=
}

# free_port: a loopback port nobody listens on right now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ticks PID: user+system CPU of PID in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# cpu_s T0 T1: CPU seconds between two tick readings.
cpu_s() { awk -v a="$1" -v b="$2" -v hz="$HZ" 'BEGIN { printf "%.3f", (b - a) / hz }'; }
# kb KEY PID: VmRSS or VmHWM of PID in kB.
kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$2/status" 2>/dev/null; }

# readers N: "1 reader" or "N readers", for row names.
readers() { if [ "$1" = 1 ]; then echo "1 reader"; else echo "$1 readers"; fi; }

# row SECTION NAME UNIT VALUE [NOTE]: one sample; samples of the same row are gathered by the report.
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$ROWS"; }
# skip SECTION NAME UNIT REASON: a row that could not be measured, with why.
skip() { printf '%s\t%s\t%s\tskip\t%s\n' "$1" "$2" "$3" "$4" >>"$ROWS"; }

# bounded SECONDS CMD...: runs CMD with a hard time limit (TERM, then KILL 5 s later).
bounded() { timeout -k 5 "$@"; }

# say MSG: progress on stderr, so the terminal shows what is running.
say() { printf '  [%5ss] %s\n' "$(since "$BENCH_T0")" "$*" >&2; }
