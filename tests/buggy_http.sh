#!/bin/bash
# buggy_http.sh: buggy-server --proto http serves exact bytes to slow, keep-alive and pipelining clients; cmp catches each HTTP bug.
set -u
top=${EC_TOP_BUILDDIR:-.}
src=${EC_TOP_SRCDIR:-.}
buggy=$top/targets/buggy-server
get="python3 $src/tests/http_get.py --timeout 20"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -x "$buggy" ] || { echo "ERROR: $buggy is not built (make check builds it)"; exit 99; }
for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (./bootstrap installs it)"; exit 77; }
done

work=$(mktemp -d /tmp/buggy_http.XXXXXX)
pid=""
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

root=$work/docroot
mkdir -p "$root"
head -c 1048576 /dev/urandom >"$root/big.bin"
head -c 600001 /dev/urandom >"$root/odd.bin"
printf 'small file\n' >"$root/small.txt"

# Starts buggy-server --proto http with extra flags; sets pid and port.
start() {
    : >"$work/out"
    "$buggy" --proto http --docroot "$root" --listen 127.0.0.1:0 "$@" >"$work/out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do grep -q '^listening on ' "$work/out" && break; sleep 0.1; done
    port=$(sed -n 's/^listening on .*://p' "$work/out")
    [ -n "$port" ] || { fail "buggy-server $* never listened: $(cat "$work/out")"; return 1; }
}

# Stops the server (LABEL names it): SIGTERM must end it with status 0 within 5 s.
stop() {
    local rc
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    pid=""
    [ "$rc" = 0 ] || fail "buggy-server $1 exited $rc on SIGTERM, expected 0"
}

# Runs CMD, expects exit status WANT and stderr naming FLAG.
expect_rc() {
    local want=$1 flag=$2; shift 2
    "$@" >/dev/null 2>"$work/err"
    local rc=$?
    [ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want"
    grep -q -- "$flag" "$work/err" || fail "'$*' did not name $flag: $(cat "$work/err")"
}

# Pipelines the paths over one slow connection (4 KiB receive buffer); OUT gets the bodies.
pipelined() {
    local out=$1; shift
    rm -rf "$out"
    $get --port "$port" --pipeline --rcvbuf 4096 --rate 4000000 "$out" "$@" >"$out.log" 2>&1
}

# Compares body I of OUT with FILE; prints cmp's words when they differ.
same() {
    cmp "$1/$2.body" "$root/$3" 2>&1
}

correct_checks() {
    local mode=$1 n code
    # Keep-alive: three GETs, one connection.
    n=$(curl -s --max-time 20 -o "$work/k0" -o "$work/k1" -o "$work/k2" -w '%{num_connects}' \
        "http://127.0.0.1:$port/big.bin" "http://127.0.0.1:$port/small.txt" "http://127.0.0.1:$port/odd.bin")
    [ "$n" = 100 ] || fail "$mode: curl keep-alive made connects '$n', expected 1 then 0 0"
    cmp -s "$work/k0" "$root/big.bin" && cmp -s "$work/k1" "$root/small.txt" && cmp -s "$work/k2" "$root/odd.bin" ||
        fail "$mode: curl keep-alive bodies differ"
    curl -s --max-time 20 --limit-rate 500k -o "$work/slow" "http://127.0.0.1:$port/big.bin"
    cmp -s "$work/slow" "$root/big.bin" || fail "$mode: curl --limit-rate body differs"
    # Pipelined in one write, read slowly: every body exact, the 404 in its place.
    pipelined "$work/p" /big.bin /small.txt /nope /odd.bin /big.bin ||
        fail "$mode: pipelined client: $(cat "$work/p.log")"
    for i in "0 big.bin" "1 small.txt" "3 odd.bin" "4 big.bin"; do
        set -- $i
        same "$work/p" "$1" "$2" >/dev/null || fail "$mode: pipelined body $1 ($2): $(same "$work/p" "$1" "$2")"
    done
    grep -q '^2 /nope 404 ' "$work/p.log" || fail "$mode: no 404 for /nope: $(cat "$work/p.log")"
    code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/../etc/passwd" --path-as-is)
    [ "$code" = 404 ] || fail "$mode: /../etc/passwd answered $code, expected 404"
    curl -s --max-time 5 -I "http://127.0.0.1:$port/odd.bin" >"$work/head"
    grep -q '^HTTP/1.1 200' "$work/head" || fail "$mode: HEAD: $(cat "$work/head")"
}

# Garbage gets 400 and a close.
bad_request() {
    local reply
    exec 3<>"/dev/tcp/127.0.0.1/$port" || { fail "cannot connect to $port"; return; }
    printf 'this is not http\r\n\r\n' >&3
    read -r -t 5 reply <&3
    exec 3<&-
    case $reply in "HTTP/1.1 400 "*) ;; *) fail "garbage answered '$reply', expected HTTP/1.1 400";; esac
}

expect_rc 2 --docroot "$buggy" --proto http
expect_rc 2 --docroot "$buggy" --proto http --docroot "$work/none"
expect_rc 2 --docroot "$buggy" --proto http --docroot "$root/small.txt"
expect_rc 2 --chunked "$buggy" --chunked

for mode in "" --chunked; do
    start --sndbuf 4096 $mode || continue
    correct_checks "correct${mode:+ $mode}"
    bad_request
    stop "correct $mode"
done

# Each bug: a pipelined slow client; at least one body must differ (cmp), for
# the HTTP bugs and for a write-path bug the other protocols already have.
for bug in "chunk-size-overwrite --chunked" "partial-writev-base" "partial-writev-base --chunked" "writev-offset"; do
    set -- $bug
    start --sndbuf 4096 --bug "$@" || continue
    pipelined "$work/b" /odd.bin /small.txt /big.bin
    diff=""
    for i in "0 odd.bin" "1 small.txt" "2 big.bin"; do
        set -- $i
        [ -n "$diff" ] || diff=$(same "$work/b" "$1" "$2")
    done
    if [ -n "$diff" ]; then
        echo "ok: --bug $bug caught: $diff"
    else
        fail "--bug $bug: every body arrived exact"
    fi
    stop "--bug $bug"
done

[ "$fails" = 0 ] || exit 1
echo "PASS: buggy-server http"
