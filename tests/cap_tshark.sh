#!/bin/sh
# cap_tshark.sh: our analyzer's tcp.analysis counts must equal tshark's, flag by flag and flow by
# flow. Compares the FILEs given, or else the captures tests/check_cap writes into a private
# folder (with check_netns's; live ones only as root), those of the capture cases tests/check_wire
# runs (root only; rerun here into the private folder, since tests/wire-pcaps/ may be being
# written by a parallel check_wire), plus any results/latest/*/*.pcap of a past run.
# Exit 0 pass, 1 mismatch, 77 skip (no tshark, or nothing to compare), 99 tool error.
top=${EC_TOP_BUILDDIR:-.}
tool=$top/harness/edgecase-pcap
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark not installed"; exit 77; }
[ -x "$tool" ] || { echo "ERROR: $tool not built"; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
if [ $# -eq 0 ]; then
    mkdir "$tmp/wire" || exit 99
    for t in check_cap check_netns check_wire; do
        [ -x "$top/tests/$t" ] || continue
        dir=$tmp
        [ $t = check_wire ] && dir=$tmp/wire
        EC_CAP_DIR=$dir CK_VERBOSITY=silent "$top/tests/$t" >"$tmp/check.out" 2>&1
        rc=$?
        [ $rc = 0 ] || [ $rc = 77 ] || { cat "$tmp/check.out"; echo "ERROR: $t exit $rc"; exit 99; }
    done
    set -- "$tmp"/cap-*.pcap "$tmp"/wire/*/*/*.pcap "$top"/results/latest/*/*.pcap
fi

# tcp.analysis flags, named as in our JSON; rst is tcp.flags.reset.
flags="zero_window zero_window_probe zero_window_probe_ack window_full window_update keep_alive keep_alive_ack retransmission"
fail=0
nfiles=0
for f in "$@"; do
    [ -e "$f" ] || continue
    nfiles=$((nfiles + 1))
    # One flow per line, in first-seen order: tshark's tcp.stream numbering.
    "$tool" --json "$f" >"$tmp/json" || { echo "ERROR: $tool failed on $f"; exit 99; }
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
[ $nfiles -gt 0 ] || { echo "SKIP: no captures to compare"; exit 77; }
echo "compared $nfiles captures: $([ $fail = 0 ] && echo all counts equal || echo MISMATCHES)"
exit $fail
