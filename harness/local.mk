# harness/local.mk: the case parser and runner (harness/librun.a), the edgecase CLI, and their tests.
noinst_LIBRARIES += harness/librun.a
harness_librun_a_SOURCES = harness/case.c harness/case_load.c harness/case_proto.c harness/case_set.c harness/case_val.c harness/case.h harness/case_int.h \
  harness/run.c harness/run_cmd.c harness/run_hooks.c harness/run_stall.c harness/run_verdict.c harness/run_watch.c \
  harness/run_wire.c harness/run_rank.c harness/run_evidence.c harness/run_needs.c \
  harness/run.h harness/run_int.h harness/run_rank.h harness/run_evidence.h \
  harness/shard.c harness/shard_durations.c harness/shard_cases.c harness/shard.h harness/shard_cases.h

# The runner needs the client engine, the target library, capture and the trace reader after it.
EC_RUN_LIBS = harness/librun.a harness/libclient.a harness/libtarget.a harness/libcap.a \
  harness/inject/libinjtrace.a $(PCAP_LIBS)

bin_PROGRAMS += harness/edgecase
harness_edgecase_SOURCES = harness/main.c harness/run_pool.c harness/run_pool.h
harness_edgecase_CPPFLAGS = $(AM_CPPFLAGS) -DEC_CASES_DIR='"$(abs_top_srcdir)/cases"' \
  -DEC_PKGDATA_CASES='"$(pkgdatadir)/cases"' -DEC_PKGLIB_INJECT='"$(pkglibdir)/libedgecase-inject.so"'
harness_edgecase_LDADD = $(EC_RUN_LIBS)
harness_edgecase_LDFLAGS = $(AM_LDFLAGS) -pthread

if HAVE_CHECK
check_PROGRAMS += tests/check_caseparse
TESTS += tests/check_caseparse
tests_check_caseparse_SOURCES = tests/check_caseparse.c
tests_check_caseparse_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_caseparse_LDADD = harness/librun.a $(CHECK_LIBS)

# The --shard split: every case in exactly one shard, deterministic, balanced (no server).
check_PROGRAMS += tests/check_shard
TESTS += tests/check_shard
tests_check_shard_SOURCES = tests/check_shard.c
tests_check_shard_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_shard_LDADD = harness/librun.a $(CHECK_LIBS)

# The ranking of bug classes on synthetic observations (no server).
check_PROGRAMS += tests/check_rank
TESTS += tests/check_rank
tests_check_rank_SOURCES = tests/check_rank.c
tests_check_rank_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_rank_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_rank_LDFLAGS = $(AM_LDFLAGS) -pthread

# Every case against the reference server, and the buggy targets against their classes' cases.
# They run the built servers, targets and injector, which `make check` builds first (all).
check_PROGRAMS += tests/check_cases tests/check_buggy
TESTS += tests/check_cases tests/check_buggy
tests_check_cases_SOURCES = tests/check_cases.c tests/check_util.c tests/check_util.h
tests_check_cases_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_cases_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_cases_LDFLAGS = $(AM_LDFLAGS) -pthread
tests_check_buggy_SOURCES = tests/check_buggy.c tests/check_util.c tests/check_util.h
tests_check_buggy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_buggy_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_buggy_LDFLAGS = $(AM_LDFLAGS) -pthread
endif

# The edgecase binary as a user runs it: exit statuses, selection, -j, deadlines, bad input, broken targets, signals.
TESTS += tests/cli.sh
dist_noinst_SCRIPTS += tests/cli.sh

# The Check programs above keep each case's logs under tests/check-results/.
clean-local: clean-local-runner
clean-local-runner:
	-rm -rf tests/check-results
.PHONY: clean-local-runner

# As root: with a container's capabilities (setpriv), the netns and capture cases SKIP with the
# probe's reason and runs exit 0 (skips without root or setpriv).
if HAVE_CHECK
TESTS += tests/nocaps.sh
endif
dist_noinst_SCRIPTS += tests/nocaps.sh
