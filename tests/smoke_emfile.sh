#!/bin/sh
# smoke_emfile.sh: with RLIMIT_NOFILE lowered below the number of clients, no connection hangs, the server stays idle, and service resumes.
. "$(dirname "$0")/smoke_lib.sh"
[ -x "$CLIENT" ] || { echo "missing $CLIENT"; exit 99; }

# 32 fds: stdio, epoll, signalfd, listener and the reserve leave room for about 25 connections.
SMOKE_NOFILE=32 start_server
"$CLIENT" --port "$SRV_PORT" --mode many --conns 60 >"$SMOKE_WORK/client.out" 2>&1
rc=$?
cat "$SMOKE_WORK/client.out"
# Spinning on EMFILE would burn CPU: allow 2 s of CPU time (utime+stime, clock ticks) for the whole run.
ticks=$(awk '{print $14 + $15}' "/proc/$SRV_PID/stat")
stop_server
echo "server CPU ticks: $ticks; counters: $(grep '^{' "$SMOKE_WORK/server.out" | tail -1)"
[ "$rc" -eq 0 ] || smoke_fail "client: a connection hung, none was served, or service did not resume (above)"
[ "$ticks" -le $((2 * $(getconf CLK_TCK))) ] || smoke_fail "server used $ticks CPU ticks: spinning on EMFILE?"
[ "$(counter accept_emfile)" -ge 1 ] || smoke_fail "accept_emfile is $(counter accept_emfile): the limit was never hit"
exit 0
