#!/bin/sh
# nocaps.sh: as root with a container's default capabilities (no CAP_SYS_ADMIN), and then without
# CAP_NET_RAW too, the netns and capture cases SKIP with the probe's reason and every run exits 0.
# Needs root and setpriv (util-linux): SKIPs (77) saying which is missing. Exit 0 pass, 1 fail, 99 error.
top=${EC_TOP_BUILDDIR:-.}
edgecase=$top/harness/edgecase
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (it drops capabilities from root's with setpriv)"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "SKIP: needs setpriv (util-linux)"; exit 77; }
for f in "$edgecase" "$top/tests/check_netns" "$top/tests/check_netcase" "$top/tests/check_wire"; do
    [ -x "$f" ] || { echo "ERROR: $f not built"; exit 99; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# Docker's and Podman's default bounding set: CAP_NET_RAW but no CAP_SYS_ADMIN, so no namespaces.
container=-all,+chown,+dac_override,+fsetid,+fowner,+mknod,+net_raw,+setgid,+setuid,+setfcap,+setpcap,+net_bind_service,+sys_chroot,+kill,+audit_write
noraw=$(echo "$container" | sed 's/,+net_raw//')
# Dropping needs CAP_SETPCAP, which a confined root may lack already.
setpriv --bounding-set="$container" --inh-caps=-all true 2>"$tmp/err" ||
    { echo "SKIP: setpriv cannot drop capabilities here: $(cat "$tmp/err")"; exit 77; }

fail() { echo "FAIL: $*"; exit 1; }

# dropped SET NAME CMD...: runs CMD with only SET in the bounding set, output in $tmp/NAME.out; prints
# it and sets rc.
dropped() {
    set_=$1 name=$2
    shift 2
    timeout 300 setpriv --bounding-set="$set_" --inh-caps=-all "$@" >"$tmp/$name.out" 2>&1
    rc=$?
    echo "--- $name: exit $rc"
    cat "$tmp/$name.out"
}

# has NAME REGEX: the output of NAME has a line matching REGEX (grep -E).
has() { grep -Eq "$2" "$tmp/$1.out" || fail "$1: no line matching '$2' (output above)"; }

netns_why='network namespaces: .*not permitted.*CAP_SYS_ADMIN'
raw_why='packet capture on lo: .*\(needs CAP_NET_RAW\)'

# The runner: what cannot run SKIPs with the reason, what can run passes, and the run exits 0.
dropped "$container" container "$edgecase" run --results "$tmp/r1" netns-slow-reader seed-capture
[ $rc = 0 ] || fail "edgecase run in a container's capabilities exited $rc, expected 0"
has container "^SKIP +netns-slow-reader .*$netns_why"
has container "^(PASS +seed-capture|SKIP +seed-capture .*$raw_why)"
dropped "$noraw" noraw "$edgecase" run --results "$tmp/r2" netns-slow-reader seed-capture
[ $rc = 0 ] || fail "edgecase run without CAP_NET_RAW exited $rc, expected 0"
has noraw "^SKIP +netns-slow-reader .*$netns_why"
has noraw "^SKIP +seed-capture .*$raw_why"

# The Check programs for the same cases SKIP (77) with the same reasons.
for t in check_netns check_netcase; do
    dropped "$container" "$t" "$top/tests/$t"
    [ $rc = 77 ] || fail "$t in a container's capabilities exited $rc, expected 77 (SKIP)"
    has "$t" "^SKIP: $netns_why"
done
dropped "$noraw" check_wire "$top/tests/check_wire"
[ $rc = 77 ] || fail "check_wire without CAP_NET_RAW exited $rc, expected 77 (SKIP)"
has check_wire "^SKIP: $raw_why"
echo "PASS: every case or test that needs what was dropped SKIPs with the reason; the runs exit 0"
