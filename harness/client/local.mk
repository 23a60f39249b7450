# harness/client/local.mk: the client engine (libclient.a) and its unit test against an in-process server.
noinst_LIBRARIES += harness/client/libclient.a
harness_client_libclient_a_SOURCES = harness/client/engine.c harness/client/engine.h \
  harness/client/client.h harness/client/conn.c harness/client/pace.c

if HAVE_CHECK
check_PROGRAMS += tests/check_engine
TESTS += tests/check_engine
tests_check_engine_SOURCES = tests/check_engine.c tests/check_engine_srv.c tests/check_engine_srv.h
tests_check_engine_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_engine_LDADD = harness/client/libclient.a harness/proto/libproto.a harness/verify/libverify.a $(CHECK_LIBS)
endif
