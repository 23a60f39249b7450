# harness/proto/local.mk: the protocols' client side (libproto.a) and the HTTP parser's unit test.
noinst_LIBRARIES += harness/proto/libproto.a
harness_proto_libproto_a_SOURCES = harness/proto/http.c harness/proto/http.h
EXTRA_DIST += harness/proto/README.md

if HAVE_CHECK
check_PROGRAMS += tests/check_http
TESTS += tests/check_http
tests_check_http_SOURCES = tests/check_http.c
tests_check_http_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_http_LDADD = harness/proto/libproto.a harness/verify/libverify.a $(CHECK_LIBS)
# The client engine speaking http to a fake file server with chosen framings and faults.
check_PROGRAMS += tests/check_engine_http
TESTS += tests/check_engine_http
tests_check_engine_http_SOURCES = tests/check_engine_http.c tests/check_http_srv.c tests/check_http_srv.h
tests_check_engine_http_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_engine_http_LDADD = harness/client/libclient.a harness/proto/libproto.a harness/verify/libverify.a $(CHECK_LIBS)
endif

# Every http case against nginx (SKIPs when nginx is not installed).
TESTS += tests/http_servers.sh
dist_noinst_SCRIPTS += tests/http_servers.sh
