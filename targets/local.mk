# targets/local.mk: deliberately broken servers (test fixtures) and a third-party libevent ET server.
noinst_PROGRAMS += targets/buggy-server
targets_buggy_server_SOURCES = targets/buggy.h targets/buggy_main.c targets/buggy_bugs.c \
  targets/buggy_net.c targets/buggy_loop.c targets/buggy_io.c targets/buggy_write.c \
  targets/tnet.c targets/tnet.h

noinst_PROGRAMS += targets/shapes-echo
targets_shapes_echo_SOURCES = targets/shapes_echo.c targets/tnet.c targets/tnet.h

if HAVE_LIBEVENT
noinst_PROGRAMS += targets/libevent-et-echo
targets_libevent_et_echo_SOURCES = targets/libevent_et_echo.c targets/tnet.c targets/tnet.h
targets_libevent_et_echo_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
targets_libevent_et_echo_LDADD = $(LIBEVENT_LIBS)
endif

EXTRA_DIST += targets/README.md

# Command lines and one echo round trip of each target.
TESTS += targets/smoke.sh
dist_noinst_SCRIPTS += targets/smoke.sh
