#!/bin/sh
# cap_tshark.sh: our analyzer's tcp.analysis counts must equal tshark's, flag by flag and flow by
# flow. Compares the FILEs given, or else captures it makes itself in a private folder: those
# tests/check_cap writes (handcrafted, plus live ones when capture is permitted) and those of its
# own `edgecase run --pcap` of the capture cases (seed-capture; netns-slow-reader on a veth),
# against the reference server and against a buggy one that stops writing. A case this machine cannot
# serve SKIPs inside that run with its reason; the run must still exit 0 (1 for the buggy one).
# Exit 0 pass, 1 mismatch, 77 skip (no tshark), 99 tool error.
top=${EC_TOP_BUILDDIR:-.}
edgecase=$top/harness/edgecase
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark not installed (./bootstrap installs it)"; exit 77; }
for f in "$edgecase" "$top/tests/check_cap" "$top/targets/buggy-server"; do
    [ -x "$f" ] || { echo "ERROR: $f not built"; exit 99; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# run_cases "STATUSES" DIR ARGS...: an edgecase run into $tmp/DIR that must exit with one of
# STATUSES; prints its lines.
run_cases() {
    want=$1 dir=$2
    shift 2
    timeout 300 "$edgecase" run --pcap --results "$tmp/$dir" "$@" >"$tmp/run.out" 2>&1
    rc=$?
    cat "$tmp/run.out"
    case " $want " in
    *" $rc "*) ;;
    *) echo "ERROR: edgecase run $* exited $rc, expected $want"; exit 99 ;;
    esac
}

if [ $# -eq 0 ]; then
    EC_CAP_DIR=$tmp CK_VERBOSITY=silent timeout 300 "$top/tests/check_cap" >"$tmp/check.out" 2>&1
    rc=$?
    [ $rc = 0 ] || [ $rc = 77 ] || { cat "$tmp/check.out"; echo "ERROR: check_cap exit $rc"; exit 99; }
    run_cases 0 ref seed-capture netns-slow-reader
    # It fails its case (1), unless the machine cannot capture: then the case SKIPs (0).
    run_cases "0 1" bug seed-capture --target "$top/targets/buggy-server --bug eagain-is-error --listen {host}:{port} --proto {proto} --sndbuf={sndbuf}"
    # The run folders are stamped 20...; "latest" links to the same one.
    set -- "$tmp"/cap-*.pcap "$tmp"/ref/2*/*/*.pcap "$tmp"/bug/2*/*/*.pcap
fi

# tcp.analysis flags, named as in our JSON; rst is tcp.flags.reset.
flags="zero_window zero_window_probe zero_window_probe_ack window_full window_update keep_alive keep_alive_ack retransmission"
fail=0
nfiles=0
for f in "$@"; do
    [ -e "$f" ] || continue
    nfiles=$((nfiles + 1))
    # One flow per line, in first-seen order: tshark's tcp.stream numbering.
    "$edgecase" pcap --json "$f" >"$tmp/json" || { echo "ERROR: edgecase pcap failed on $f"; exit 99; }
    grep '^{"a"' "$tmp/json" >"$tmp/ours"
    for flag in $flags rst; do
        if [ "$flag" = rst ]; then filter="tcp.flags.reset == 1"; else filter="tcp.analysis.$flag"; fi
        # tshark as root warns on stderr; ignore it. Count frames per stream.
        tshark -r "$f" -Y "$filter" -T fields -e tcp.stream 2>/dev/null | sort -n | uniq -c |
            awk '{print $2, $1}' >"$tmp/theirs"
        i=0
        while IFS= read -r line; do
            ours=$(printf '%s\n' "$line" | sed -n "s/.*\"$flag\":\([0-9]*\).*/\1/p")
            theirs=$(awk -v s="$i" '$1 == s {print $2}' "$tmp/theirs")
            theirs=${theirs:-0}
            if [ "$ours" != "$theirs" ]; then
                echo "MISMATCH $f stream $i $flag: ours $ours, tshark $theirs"
                fail=1
            fi
            i=$((i + 1))
        done <"$tmp/ours"
        # tshark must not flag streams we do not know.
        extra=$(awk -v n="$i" '$1 >= n' "$tmp/theirs")
        [ -z "$extra" ] || { echo "MISMATCH $f $flag: tshark streams beyond ours: $extra"; fail=1; }
    done
    echo "$f: $(wc -l <"$tmp/ours") flows compared"
done
[ $nfiles -gt 0 ] || { echo "ERROR: no captures to compare"; exit 99; }
echo "compared $nfiles captures: $([ $fail = 0 ] && echo all counts equal || echo MISMATCHES)"
exit $fail
