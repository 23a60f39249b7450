# harness/cli/local.mk: the edgecase command (list, run, fuzz, pcap) and its black-box tests.
bin_PROGRAMS += harness/edgecase
harness_edgecase_SOURCES = harness/cli/main.c harness/cli/run_pool.c harness/cli/run_pool.h
harness_edgecase_CPPFLAGS = $(AM_CPPFLAGS) -DEC_CASES_DIR='"$(abs_top_srcdir)/cases"' \
  -DEC_PKGDATA_CASES='"$(pkgdatadir)/cases"' -DEC_PKGLIB_INJECT='"$(pkglibdir)/libedgecase-inject.so"'
harness_edgecase_LDADD = harness/fuzz/libfuzz.a $(EC_RUN_LIBS)
harness_edgecase_LDFLAGS = $(AM_LDFLAGS) -pthread

# The edgecase binary as a user runs it: exit statuses, selection, -j, deadlines, bad input, broken targets, signals.
TESTS += tests/cli.sh
dist_noinst_SCRIPTS += tests/cli.sh

# As root: with a container's capabilities (setpriv), the netns and capture cases SKIP with the
# probe's reason and runs exit 0 (skips without root or setpriv).
if HAVE_CHECK
TESTS += tests/nocaps.sh
endif
dist_noinst_SCRIPTS += tests/nocaps.sh
