#!/bin/sh
# man_pages.sh: the manual pages document every --help option (run, pcap, fuzz, the server) and every case key of the parser, and render without warnings.
#
# Exit: 0 pass, 1 a page is out of step or renders with warnings, 99 a binary,
# page or the parser's key table is missing (make check should have built or
# shipped it, so that is an error, never a silent pass).
set -u

top=${EC_TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${EC_TOP_BUILDDIR:-$top}
mandir=$top/man
work=$(mktemp -d "${TMPDIR:-/tmp}/man_pages.XXXXXX") || exit 99
# MAN_PAGES_KEEP=1 keeps the extracted option and key lists in $work for a look.
trap '[ -n "${MAN_PAGES_KEEP:-}" ] || rm -rf "$work"' EXIT
failed=0

fail() {
    echo "FAIL: $*"
    failed=1
}

hard() {
    echo "ERROR: $*"
    exit 99
}

for f in edgecase.1 edgecase-server.1 edgecase-case.5; do
    [ -r "$mandir/$f" ] || hard "$mandir/$f is missing"
done
for b in harness/edgecase server/edgecase-server; do
    [ -x "$build/$b" ] || hard "$build/$b is not built"
done

# tags PAGE: the tag line of every .TP item, as "SECTION<TAB>words", with
# roff escapes and macro names removed. Only tags count, not a passing
# mention in prose, so an option or key must have an item of its own.
tags() {
    awk '
        /^\.S[HS]/ { sec = $0; sub(/^\.S[HS][ \t]*/, "", sec); gsub(/"/, "", sec); next }
        tp { tp = 0; t = $0
             gsub(/\\-/, "-", t); gsub(/\\f[BIRP]/, "", t); gsub(/\\\(../, "", t)
             gsub(/\\[&c]/, "", t); gsub(/"/, " ", t); sub(/^\.[A-Z]+[ \t]+/, "", t)
             print sec "\t" t; next }
        /^\.TP([ \t]|$)/ { tp = 1 }
    ' "$1"
}

# has_opt OPT FILE: FILE has OPT as a whole word (an option name is not a
# prefix of another: --port must not be found in --portal).
has_opt() {
    grep -qE -- "(^|[^a-z0-9-])$1([^a-z0-9-]|\$)" "$2"
}

# check_opts PAGE HELP...: every option of the help texts has an item in PAGE,
# and every option PAGE has an item for is in the help texts (a stale page).
check_opts() {
    page=$1
    shift
    cat "$@" >"$work/help"
    # Long options anywhere in the help; short ones where they are listed (at a line's start).
    { grep -oE -- '--[a-z][a-z0-9-]*' "$work/help"
      grep -oE -- '^ +-[a-zA-Z]( |$)' "$work/help" | tr -d ' '; } | sort -u >"$work/opts"
    n=$(wc -l <"$work/opts")
    # A help text that yields almost nothing means the extraction broke, not that all is well.
    [ "$n" -ge 3 ] || hard "only $n options read from the help of $page"
    tags "$mandir/$page" | cut -f2 >"$work/tags"
    missing=0
    while read -r opt; do
        has_opt "$opt" "$work/tags" || { fail "$page: no item for $opt (listed by --help)"; missing=1; }
    done <"$work/opts"
    grep -oE -- '(^|[^a-z0-9-])--?[a-zA-Z][a-z0-9-]*' "$work/tags" | sed 's/^[^-]*//' | sort -u |
    while read -r opt; do
        has_opt "$opt" "$work/help" || fail "$page: has an item for $opt, which --help does not list"
    done >"$work/stale"
    [ -s "$work/stale" ] && { cat "$work/stale"; failed=1; }
    [ "$missing" -eq 0 ] && echo "$page: all $n options of --help have an item"
}

"$build/harness/edgecase" --help >"$work/ec.help" 2>&1 || hard "edgecase --help failed"
"$build/harness/edgecase" pcap --help >"$work/pcap.help" 2>&1 || hard "edgecase pcap --help failed"
"$build/harness/edgecase" fuzz --help >"$work/fuzz.help" 2>&1 || hard "edgecase fuzz --help failed"
"$build/server/edgecase-server" --help >"$work/srv.help" 2>&1 || hard "edgecase-server --help failed"
check_opts edgecase.1 "$work/ec.help" "$work/pcap.help" "$work/fuzz.help"
check_opts edgecase-server.1 "$work/srv.help"

# The case keys from the parser's own table (case_keys[] in harness/, wherever
# the file lives), as "section key": the page's [section] subsections must
# have an item for each, since rcvbuf means different things in two sections.
table=$(grep -rlE --include='*.c' 'case_keys\[\] *=' "$top/harness" | head -1)
[ -n "$table" ] || hard "no case_keys[] table under $top/harness (the parser moved? update $0)"
sed -n '/case_keys\[\] *=/,/^};/p' "$table" |
    sed -nE 's/.*EC_[A-Z]\(SEC_([A-Z]+), *"([a-z_]+)".*/\1 \2/p' |
    awk '{ print tolower($1), $2 }' >"$work/keys"
nkeys=$(wc -l <"$work/keys")
[ "$nkeys" -ge 20 ] || hard "only $nkeys keys read from $table"

# The keys of cases/README.md's tables too (under '### `[section]`'), so the
# format's two descriptions cannot drift apart.
awk '
    /^### / { sec = ""; if (match($0, /\[[a-z]+\]/)) sec = substr($0, RSTART + 1, RLENGTH - 2); next }
    sec != "" && /^\| `/ { split($0, col, "|"); c = col[2]
        while (match(c, /`[a-z_]+/)) { print sec, substr(c, RSTART + 1, RLENGTH - 1); c = substr(c, RSTART + RLENGTH) } }
' "$top/cases/README.md" | sort -u >"$work/readme_keys"
[ -s "$work/readme_keys" ] || hard "no key tables read from cases/README.md"

tags "$mandir/edgecase-case.5" | awk -F'\t' '$1 ~ /^\[[a-z]+\]$/ { split($2, w, " "); gsub(/[][]/, "", $1); print $1, w[1] }' |
    sort -u >"$work/page_keys"
sort -u "$work/keys" >"$work/keys.sorted"
comm -23 "$work/keys.sorted" "$work/page_keys" | while read -r sec key; do
    fail "edgecase-case.5: no item for $key in [$sec] (a key of $(basename "$table"))"
done >"$work/out"
comm -13 "$work/keys.sorted" "$work/page_keys" | while read -r sec key; do
    fail "edgecase-case.5: item $key in [$sec] is not a key the parser accepts there"
done >>"$work/out"
sort -u "$work/readme_keys" | comm -23 - "$work/page_keys" | while read -r sec key; do
    fail "edgecase-case.5: no item for $key in [$sec] (in cases/README.md)"
done >>"$work/out"
if [ -s "$work/out" ]; then
    cat "$work/out"
    failed=1
else
    echo "edgecase-case.5: all $nkeys parser keys and $(wc -l <"$work/readme_keys") README keys have an item in their section"
fi

# The version in each page's .TH footer is the package's (AC_INIT in configure.ac).
version=$(sed -nE 's/^AC_INIT\(\[[^]]*\], *\[([^]]*)\].*/\1/p' "$top/configure.ac")
[ -n "$version" ] || hard "no version in AC_INIT of $top/configure.ac"
stale=0
for f in edgecase.1 edgecase-server.1 edgecase-case.5; do
    grep -q "^\.TH .*\"edgecase $version\"" "$mandir/$f" || { fail "$f: .TH does not say \"edgecase $version\""; stale=1; }
done
[ "$stale" -eq 0 ] && echo "every page's .TH says edgecase $version"

# Rendering: groff's warnings (all of them, -ww), else mandoc's lint, else say so.
for f in edgecase.1 edgecase-server.1 edgecase-case.5; do
    if command -v groff >/dev/null 2>&1; then
        LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$mandir/$f" >"$work/render" 2>&1
        tool="groff -ww"
    elif command -v mandoc >/dev/null 2>&1; then
        mandoc -T lint -W warning "$mandir/$f" >"$work/render" 2>&1
        tool="mandoc -T lint"
    else
        echo "$f: rendering not checked (neither groff nor mandoc installed)"
        continue
    fi
    if [ -s "$work/render" ]; then
        fail "$f: $tool warns:"
        cat "$work/render"
    else
        echo "$f: renders without warnings ($tool)"
    fi
done

exit "$failed"
