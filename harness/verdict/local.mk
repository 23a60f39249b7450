# harness/verdict/local.mk: the verdict on a case's observations (libverdict.a) and its unit tests.
noinst_LIBRARIES += harness/verdict/libverdict.a
harness_verdict_libverdict_a_SOURCES = harness/verdict/verdict.c harness/verdict/verdict.h \
  harness/verdict/verdict_int.h harness/verdict/obs.h harness/verdict/run_verdict.c harness/verdict/verdict_stall.c \
  harness/verdict/run_rank.c harness/verdict/run_rank.h harness/verdict/run_evidence.c \
  harness/verdict/classes.c harness/verdict/classes.h

# The ranking of bug classes on synthetic observations (no server).
if HAVE_CHECK
check_PROGRAMS += tests/check_rank
TESTS += tests/check_rank
tests_check_rank_SOURCES = tests/check_rank.c
tests_check_rank_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_rank_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_rank_LDFLAGS = $(AM_LDFLAGS) -pthread
endif

# The verdict on synthetic observations (no server): every class it names, every vacuous and unobservable path.
if HAVE_CHECK
check_PROGRAMS += tests/check_verdict
TESTS += tests/check_verdict
tests_check_verdict_SOURCES = tests/check_verdict.c
tests_check_verdict_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_verdict_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_verdict_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
