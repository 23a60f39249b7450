# harness/cli/local.mk: the edgecase command (list, run, fuzz, pcap) and its black-box tests.
bin_PROGRAMS += harness/edgecase
harness_edgecase_SOURCES = harness/cli/main.c harness/cli/run_pool.c harness/cli/run_pool.h \
  harness/cli/shard.c harness/cli/shard.h harness/cli/shard_cases.c harness/cli/shard_cases.h \
  harness/cli/shard_durations.c
harness_edgecase_CPPFLAGS = $(AM_CPPFLAGS) -DEC_CASES_DIR='"$(abs_top_srcdir)/cases"' \
  -DEC_TARGETS_DIR='"$(abs_top_srcdir)/targets"' -DEC_PKGDATA_CASES='"$(pkgdatadir)/cases"' -DEC_PKGLIB_INJECT='"$(pkglibdir)/libedgecase-inject.so"'
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

# The --shard split: every case in exactly one shard, deterministic, balanced (no server).
if HAVE_CHECK
check_PROGRAMS += tests/check_shard
TESTS += tests/check_shard
tests_check_shard_SOURCES = tests/check_shard.c harness/cli/shard.c harness/cli/shard.h \
  harness/cli/shard_durations.c
tests_check_shard_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_shard_LDADD = $(CHECK_LIBS)
endif
