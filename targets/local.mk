# targets/local.mk: deliberately broken servers (test fixtures) and a third-party libevent ET server.
noinst_PROGRAMS += targets/buggy-server
targets_buggy_server_SOURCES = targets/buggy.h targets/buggy_main.c targets/buggy_bugs.c \
  targets/buggy_net.c targets/buggy_loop.c targets/buggy_io.c targets/buggy_http.c targets/buggy_write.c \
  targets/tnet.c targets/tnet.h

noinst_PROGRAMS += targets/shapes-echo
targets_shapes_echo_SOURCES = targets/shapes_echo.c targets/tnet.c targets/tnet.h

# Behaves like the blog server edgecase grew from (fixed port, no SO_REUSEADDR, one shared output buffer).
noinst_PROGRAMS += targets/seed-like
targets_seed_like_SOURCES = targets/seed_like.c

if HAVE_LIBEVENT
noinst_PROGRAMS += targets/libevent-et-echo
targets_libevent_et_echo_SOURCES = targets/libevent_et_echo.c targets/tnet.c targets/tnet.h
targets_libevent_et_echo_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
targets_libevent_et_echo_LDADD = $(LIBEVENT_LIBS)
EC_WITH_LIBEVENT = yes
else
EC_WITH_LIBEVENT = no
endif
# An idiomatic libuv echo server: bench/'s "what users would pick instead" (not a test target).
if HAVE_LIBUV
noinst_PROGRAMS += targets/uv-echo
targets_uv_echo_SOURCES = targets/uv_echo.c targets/tnet.c targets/tnet.h
targets_uv_echo_CFLAGS = $(AM_CFLAGS) $(LIBUV_CFLAGS)
targets_uv_echo_LDADD = $(LIBUV_LIBS)
endif

# Tests may do without libevent-et-echo only when configure found no libevent.
AM_TESTS_ENVIRONMENT += EC_WITH_LIBEVENT=$(EC_WITH_LIBEVENT); export EC_WITH_LIBEVENT;

EXTRA_DIST += targets/README.md

# Command lines and one echo round trip of each target.
TESTS += targets/smoke.sh
dist_noinst_SCRIPTS += targets/smoke.sh

# The README's seed command against seed-like, back to back on one fixed port.
TESTS += targets/seed_like.sh
dist_noinst_SCRIPTS += targets/seed_like.sh

# buggy-server --proto http: exact bytes to slow, keep-alive and pipelining clients; cmp catches its bugs.
TESTS += tests/buggy_http.sh
dist_noinst_SCRIPTS += tests/buggy_http.sh tests/http_get.py
EXTRA_DIST += targets/nginx.conf targets/lighttpd.conf
