#!/bin/sh
# smoke.sh: end to end against edgecase-server: 4 KiB send buffer vs a slow small-window reader (byte-exact echo, EPOLLOUT resumptions), stream, repeat, max-line.
. "$(dirname "$0")/smoke_lib.sh"
[ -x "$CLIENT" ] || { echo "missing $CLIENT"; exit 99; }

# 1. echo: 8 MiB through a 4 KiB SO_SNDBUF to a 4 KiB SO_RCVBUF reader, then half-close: full echo then EOF.
start_server --sndbuf 4096
"$CLIENT" --port "$SRV_PORT" --mode echo --bytes 8388608 --rcvbuf 4096 --read-chunk 4096 --read-delay-us 20 \
    --timeout 120 >"$SMOKE_WORK/client.out" 2>&1 || { cat "$SMOKE_WORK/client.out"; smoke_fail "echo 8 MiB: client reported an error (above)"; }
stop_server
resumed=$(counter epollout_resumptions)
echo "echo: $(cat "$SMOKE_WORK/client.out"); counters: $(grep '^{' "$SMOKE_WORK/server.out" | tail -1)"
[ "$(counter bytes_in)" = 8388608 ] || smoke_fail "echo: bytes_in $(counter bytes_in), expected 8388608"
[ "$(counter bytes_out)" = 8388608 ] || smoke_fail "echo: bytes_out $(counter bytes_out), expected 8388608"
[ "${resumed:-0}" -gt 0 ] || smoke_fail "echo: epollout_resumptions is '${resumed}', expected > 0 with --sndbuf 4096"
[ "$(counter open)" = 0 ] || smoke_fail "echo: $(counter open) connections still open after the client left"

# 2. stream: 64 MiB generated lazily, slow reader, exact pattern then EOF.
start_server --proto stream --sndbuf 4096
"$CLIENT" --port "$SRV_PORT" --mode stream --bytes 67108864 --rcvbuf 8192 --read-chunk 65536 \
    --timeout 120 >"$SMOKE_WORK/client.out" 2>&1 || { cat "$SMOKE_WORK/client.out"; smoke_fail "stream 64 MiB: client reported an error (above)"; }
stop_server
echo "stream: $(cat "$SMOKE_WORK/client.out")"

# 3. repeat:20000 answers the seed's message with exactly 348,890 bytes.
start_server --proto repeat:20000 --sndbuf 4096
"$CLIENT" --port "$SRV_PORT" --mode repeat --repeat 20000 --rcvbuf 4096 \
    --timeout 120 >"$SMOKE_WORK/client.out" 2>&1 || { cat "$SMOKE_WORK/client.out"; smoke_fail "repeat: client reported an error (above)"; }
stop_server
grep -q '^ok 348890 bytes$' "$SMOKE_WORK/client.out" || smoke_fail "repeat: $(cat "$SMOKE_WORK/client.out"), expected 'ok 348890 bytes'"
echo "repeat: $(cat "$SMOKE_WORK/client.out")"

# 4. an oversized line closes that connection only, with one line on stderr; the next client is served.
start_server --proto stream --max-line 1000
"$CLIENT" --port "$SRV_PORT" --mode junk --bytes 5000 --timeout 30 >"$SMOKE_WORK/client.out" 2>&1 || { cat "$SMOKE_WORK/client.out"; smoke_fail "junk: the server did not close the connection (above)"; }
"$CLIENT" --port "$SRV_PORT" --mode stream --bytes 100000 --timeout 30 >>"$SMOKE_WORK/client.out" 2>&1 || { cat "$SMOKE_WORK/client.out"; smoke_fail "stream after junk: client reported an error (above)"; }
stop_server
[ "$(counter protocol_errors)" = 1 ] || smoke_fail "protocol_errors is $(counter protocol_errors), expected 1"
[ "$(grep -c 'protocol error' "$SMOKE_WORK/server.err")" = 1 ] || smoke_fail "expected exactly one 'protocol error' line on stderr"
echo "max-line: $(tr '\n' ';' <"$SMOKE_WORK/client.out") stderr: $(cat "$SMOKE_WORK/server.err")"
exit 0
