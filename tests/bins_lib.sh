# bins_lib.sh: the build tree's edgecase and buggy-server for a black-box test (cli.sh, fuzz.sh, html_report.sh).
# Sourced, not run: sets top, E and B, and exits 99 when one is not built.
top=${EC_TOP_BUILDDIR:-$(cd "$(dirname "$0")/.." && pwd)}
E=$top/harness/edgecase
B=$top/targets/buggy-server
for f in "$E" "$B"; do
    [ -x "$f" ] || { echo "ERROR: $f is not built (make check builds it)"; exit 99; }
done
