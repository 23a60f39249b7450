#!/bin/sh
# html_report.sh: a real run's index.html in headless chromium: it loads without console errors, every case row has its timeline, and `edgecase report DIR` rebuilds it.
# Exit 0 pass, 1 a check failed, 77 SKIP (no chromium), 99 not built. Keeps its results folder and the
# failing case's screenshot under tests/html-results/ for a person to look at.
set -u
. "$(dirname "$0")/bins_lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "SKIP: no chromium on PATH (Debian: apt-get install chromium); the page is not checked in a browser"
    exit 77
fi
OUT=$top/tests/html-results
W=$(mktemp -d "${TMPDIR:-/tmp}/ec-html.XXXXXX") || exit 99
trap 'rm -rf "$W"' EXIT
trap 'exit 99' INT TERM HUP
rm -rf "$OUT"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# browse ARG...: headless chromium on the page, bounded; root needs --no-sandbox.
browse() {
    timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$W/profile" \
        --enable-logging=stderr --v=0 "$@"
}

# A passing case and a failing one: oneshot-no-rearm never re-arms a connection whose write hit EAGAIN, so its client stalls.
PASS_CASE=short-read-fin
FAIL_CASE=oneshot-many-resumptions
"$E" run "$PASS_CASE" "$FAIL_CASE" --results "$OUT" \
    --target "$B --listen {host}:{port} --proto {proto} --sndbuf={sndbuf} --rcvbuf={rcvbuf} --bug oneshot-no-rearm" \
    >"$W/run.out" 2>&1
rc=$?
cat "$W/run.out"
[ "$rc" -eq 1 ] || fail "the run exited $rc, wanted 1 (one case fails)"
D=$(cd "$OUT/latest" && pwd -P)
P=$D/index.html
[ -s "$P" ] || { echo "FAIL: no $P"; exit 1; }
grep -q "^PASS  $PASS_CASE" "$W/run.out" && grep -q "^FAIL  $FAIL_CASE" "$W/run.out" ||
    fail "wanted $PASS_CASE to pass and $FAIL_CASE to fail against oneshot-no-rearm"

# Self-contained: nothing fetched from anywhere (the SVG namespace is a name, not a fetch).
if grep -Eo '(src|href)="[a-z]+:[^"]*"|@import|url\(' "$P" | grep -v '^href="#' | grep -q .; then
    fail "the page refers to something outside itself"
else
    ok "no external script, style, font or image"
fi

browse --dump-dom "file://$P" >"$W/dom.html" 2>"$W/dom.err"
if grep -Eq 'Uncaught|:CONSOLE' "$W/dom.err"; then
    fail "console errors:"; grep -E 'Uncaught|CONSOLE' "$W/dom.err" | head -5
else
    ok "no console error"
fi
render=$(grep -o 'data-render="[^"]*"' "$W/dom.html" | head -1)
[ "$render" = 'data-render="ok 2"' ] && ok "the page's script ran: $render" ||
    fail "the page's script says $render (wanted ok 2: every row has its timeline)"
n=$(grep -o '<svg class="timeline"' "$W/dom.html" | wc -l)
[ "$n" -eq 2 ] && ok "2 case rows, 2 timelines" || fail "$n timelines in the DOM, wanted 2"
for c in "$PASS_CASE" "$FAIL_CASE"; do
    grep -q "id=\"case-$c\"" "$W/dom.html" || fail "no row for $c"
    grep -q "href=\"$c/result.txt\"" "$W/dom.html" || fail "no link to $c/result.txt"
done
grep -q 'class="wrong"' "$W/dom.html" && grep -q 'class="mark bad"' "$W/dom.html" &&
    ok "the failure's moment and offset are marked" || fail "the failing case has no failure mark"

# The failing case comes first and its timeline is open: the screenshot shows it.
browse --screenshot="$D/$FAIL_CASE-timeline.png" --window-size=1000,1000 --hide-scrollbars "file://$P" \
    >"$W/shot.out" 2>&1
[ -s "$D/$FAIL_CASE-timeline.png" ] && ok "screenshot $D/$FAIL_CASE-timeline.png" ||
    fail "no screenshot: $(tail -2 "$W/shot.out")"

# edgecase report DIR rebuilds the same page from the folder alone.
cp "$P" "$W/first.html"
rm "$P"
"$E" report "$D" >"$W/rep.out" 2>&1 || fail "edgecase report: $(cat "$W/rep.out")"
cmp -s "$P" "$W/first.html" && ok "edgecase report DIR rebuilt the same page" || fail "the rebuilt page differs"

# An older folder, without series files: rows without timelines that say why (on a copy: the kept
# folder stays whole).
cp -r "$D" "$W/old"
rm "$W/old/$PASS_CASE/series.tsv"
"$E" report "$W/old" >/dev/null 2>&1
browse --dump-dom "file://$W/old/index.html" >"$W/dom2.html" 2>/dev/null
grep -q 'data-render="ok 2"' "$W/dom2.html" && grep -q 'no timeline: no series.tsv' "$W/dom2.html" &&
    ok "a case without series.tsv says why it has no timeline" || fail "a case without series.tsv is not explained"
"$E" report "$W/none" >/dev/null 2>&1 && fail "report of a missing folder succeeded"
"$E" report "$OUT" >/dev/null 2>&1
[ $? -eq 2 ] && [ ! -e "$OUT/index.html" ] || fail "report of a results root (not a run) did not refuse"
"$E" run "$PASS_CASE" --results "$W/r2" --target "$B --listen {host}:{port} --proto {proto}" >/dev/null 2>&1
[ -s "$W/r2/latest/index.html" ] || fail "a run without failures wrote no index.html"

[ "$fails" -eq 0 ] && { echo "html_report: all checks passed (results in $D)"; exit 0; }
echo "html_report: $fails check(s) failed"
exit 1
