# server/local.mk: the reference ET server, its pure library, unit tests and smoke tests.
noinst_LIBRARIES += server/libsrv.a
server_libsrv_a_SOURCES = server/outq.c server/outq.h server/proto.c server/proto.h

bin_PROGRAMS += server/edgecase-server
server_edgecase_server_SOURCES = server/srv_main.c server/srv.h server/srv_loop.c \
  server/srv_accept.c server/srv_conn.c server/srv_read.c server/srv_write.c \
  server/srv_net.c server/srv_stats.c
server_edgecase_server_LDADD = server/libsrv.a

# Unit tests of the pure parts (need Check).
if HAVE_CHECK
check_PROGRAMS += tests/check_outq tests/check_proto
TESTS += tests/check_outq tests/check_proto
tests_check_outq_SOURCES = tests/check_outq.c
tests_check_outq_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_outq_LDADD = server/libsrv.a $(CHECK_LIBS)
tests_check_proto_SOURCES = tests/check_proto.c
tests_check_proto_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_proto_LDADD = server/libsrv.a $(CHECK_LIBS)
endif

# End-to-end smoke tests: shell scripts driving the server with a standalone client.
check_PROGRAMS += tests/smoke_client
tests_smoke_client_SOURCES = tests/smoke_client.c
TESTS += tests/smoke_opts.sh tests/smoke.sh tests/smoke_rss.sh tests/smoke_emfile.sh
dist_noinst_SCRIPTS += tests/smoke.sh tests/smoke_rss.sh tests/smoke_opts.sh tests/smoke_emfile.sh
EXTRA_DIST += tests/smoke_lib.sh server/README.md

# Hostile stress: many concurrent pacing, pausing, half-closing and resetting clients, with server freezes.
check_PROGRAMS += tests/stress_server
tests_stress_server_SOURCES = tests/stress_server.c
TESTS += tests/stress.sh
dist_noinst_SCRIPTS += tests/stress.sh
