# harness/case/local.mk: the case file parser and validator (libcase.a) and its unit test.
noinst_LIBRARIES += harness/case/libcase.a
harness_case_libcase_a_SOURCES = harness/case/case.c harness/case/case.h harness/case/case_int.h \
  harness/case/case_load.c harness/case/case_proto.c harness/case/case_set.c harness/case/case_val.c

if HAVE_CHECK
check_PROGRAMS += tests/check_caseparse
TESTS += tests/check_caseparse
tests_check_caseparse_SOURCES = tests/check_caseparse.c
tests_check_caseparse_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_caseparse_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_caseparse_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
