# smoke_lib.sh: shell helpers shared by the server smoke tests: find binaries, start/stop the server, read its counters.
# Sourced, not run. Every process started here is killed by smoke_cleanup (installed as an EXIT trap).

SMOKE_BUILD=${EC_TOP_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)}
SERVER=$SMOKE_BUILD/server/edgecase-server
CLIENT=$SMOKE_BUILD/tests/smoke_client
SMOKE_WORK=$(mktemp -d "${TMPDIR:-/tmp}/ec-smoke.XXXXXX") || exit 99
SRV_PID=
SMOKE_PIDS=

smoke_cleanup() {
    for p in $SRV_PID $SMOKE_PIDS; do
        kill -KILL "$p" 2>/dev/null
    done
    wait 2>/dev/null
    rm -rf "$SMOKE_WORK"
}
trap smoke_cleanup EXIT
trap 'exit 99' INT TERM HUP

# smoke_fail MESSAGE: prints the message and the server's logs, exits 1.
smoke_fail() {
    echo "FAIL: $*"
    echo "--- server stdout:"; cat "$SMOKE_WORK/server.out" 2>/dev/null
    echo "--- server stderr:"; tail -20 "$SMOKE_WORK/server.err" 2>/dev/null
    exit 1
}

# start_server [OPTION]...: starts the server (under $SMOKE_WRAP, e.g. valgrind, if set), waits (10 s at most) for its port; sets SRV_PID and SRV_PORT.
start_server() {
    # A fresh file: the shell truncates it in the child, maybe after our first look at it.
    rm -f "$SMOKE_WORK/server.out"
    # SMOKE_NOFILE lowers the server's fd limit; exec keeps $! the server's pid.
    ( if [ -n "${SMOKE_NOFILE:-}" ]; then ulimit -n "$SMOKE_NOFILE" || exit 99; fi
      exec $SMOKE_WRAP "$SERVER" "$@" ) >"$SMOKE_WORK/server.out" 2>"$SMOKE_WORK/server.err" &
    SRV_PID=$!
    i=0
    while [ $i -lt 300 ]; do
        SRV_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$SMOKE_WORK/server.out" 2>/dev/null)
        [ -n "$SRV_PORT" ] && return 0
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    smoke_fail "server did not print 'listening on' within 30 s"
}

# stop_server: SIGTERM, then 20 s for a clean exit 0 (the last stdout line is then the counters).
stop_server() {
    kill -TERM "$SRV_PID" 2>/dev/null
    i=0
    while kill -0 "$SRV_PID" 2>/dev/null && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$SRV_PID" 2>/dev/null; then
        kill -KILL "$SRV_PID"
        smoke_fail "server ignored SIGTERM for 20 s"
    fi
    wait "$SRV_PID"
    rc=$?
    SRV_PID=
    [ "$rc" -eq 0 ] || smoke_fail "server exited with status $rc after SIGTERM, expected 0"
}

# counter KEY: prints KEY from the server's last JSON counters line.
counter() {
    grep '^{' "$SMOKE_WORK/server.out" | tail -1 | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# vmrss PID: prints VmRSS in KiB.
vmrss() {
    sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

[ -x "$SERVER" ] || { echo "missing $SERVER"; exit 99; }
