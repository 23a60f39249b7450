# harness/verdict/local.mk: judging a run's observations (libverdict.a) and the ranking's unit test.
noinst_LIBRARIES += harness/verdict/libverdict.a
harness_verdict_libverdict_a_SOURCES = harness/verdict/run_verdict.c harness/verdict/run_rank.c \
  harness/verdict/run_rank.h harness/verdict/run_evidence.c harness/verdict/run_evidence.h

# The ranking of bug classes on synthetic observations (no server).
if HAVE_CHECK
check_PROGRAMS += tests/check_rank
TESTS += tests/check_rank
tests_check_rank_SOURCES = tests/check_rank.c
tests_check_rank_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_rank_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_rank_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
