# harness/fuzz/local.mk: edgecase fuzz (libfuzz.a, linked into harness/edgecase), its round-trip test and its black-box test.
noinst_LIBRARIES += harness/fuzz/libfuzz.a
harness_fuzz_libfuzz_a_SOURCES = harness/fuzz/fuzz.h harness/fuzz/fuzz_int.h harness/fuzz/fuzz_main.c \
  harness/fuzz/fuzz_loop.c harness/fuzz/fuzz_gen.c harness/fuzz/fuzz_model.c harness/fuzz/fuzz_rng.c \
  harness/fuzz/fuzz_write.c harness/fuzz/fuzz_shrink.c harness/fuzz/fuzz_bug.c harness/fuzz/fuzz_job.c \
  harness/fuzz/fuzz_run.c harness/fuzz/fuzz_save.c harness/fuzz/fuzz_progress.c
EXTRA_DIST += harness/fuzz/README.md tests/proc_lib.sh tests/bins_lib.sh

if HAVE_CHECK
check_PROGRAMS += tests/check_fuzz
TESTS += tests/check_fuzz
tests_check_fuzz_SOURCES = tests/check_fuzz.c
tests_check_fuzz_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_fuzz_LDADD = harness/fuzz/libfuzz.a $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_fuzz_LDFLAGS = $(AM_LDFLAGS) -pthread
endif

# edgecase fuzz as a user runs it: a buggy target's finding replays as FAIL; the reference server fails nothing.
TESTS += tests/fuzz.sh
dist_noinst_SCRIPTS += tests/fuzz.sh
