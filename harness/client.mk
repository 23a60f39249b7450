# harness/client.mk: the client side of the harness (pattern verifier, client engine) and its unit tests.
noinst_LIBRARIES += harness/libclient.a
harness_libclient_a_SOURCES = harness/verify/pattern.c harness/verify/pattern.h harness/verify/pattern_int.h \
  harness/verify/pattern_diag.c harness/client/engine.c harness/client/engine.h harness/client/client.h harness/client/conn.c \
  harness/client/pace.c

if HAVE_CHECK
check_PROGRAMS += tests/check_pattern tests/check_engine
TESTS += tests/check_pattern tests/check_engine
tests_check_pattern_SOURCES = tests/check_pattern.c
tests_check_pattern_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_pattern_LDADD = harness/libclient.a $(CHECK_LIBS)
tests_check_engine_SOURCES = tests/check_engine.c tests/check_engine_srv.c tests/check_engine_srv.h
tests_check_engine_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_engine_LDADD = harness/libclient.a $(CHECK_LIBS)
endif
