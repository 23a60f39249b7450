# harness/verify/local.mk: the byte verifier (libverify.a) and its unit test.
noinst_LIBRARIES += harness/verify/libverify.a
harness_verify_libverify_a_SOURCES = harness/verify/pattern.c harness/verify/pattern.h \
  harness/verify/pattern_int.h harness/verify/pattern_diag.c

if HAVE_CHECK
check_PROGRAMS += tests/check_pattern
TESTS += tests/check_pattern
tests_check_pattern_SOURCES = tests/check_pattern.c
tests_check_pattern_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_pattern_LDADD = harness/verify/libverify.a $(CHECK_LIBS)
endif
