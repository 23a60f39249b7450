# harness/inject/local.mk: the LD_PRELOAD fault injector, its trace reader and their tests.

# The preload library (installed so automake gives libtool an rpath and it builds a .so):
# the built file is harness/inject/.libs/libedgecase-inject.so.
pkglib_LTLIBRARIES += harness/inject/libedgecase-inject.la
harness_inject_libedgecase_inject_la_SOURCES = harness/inject/inj_main.c harness/inject/inj.h \
  harness/inject/inj_trace.c harness/inject/inj_sock.c harness/inject/inj_read.c \
  harness/inject/inj_write.c harness/inject/inj_reg.c harness/inject/inj_epoll.c \
  harness/inject/inj_wait.c \
  harness/inject/inj_spec.c harness/inject/inj_spec.h harness/inject/trace.h harness/inject/trace_layout.h
# Deliberately without $(SAN_CFLAGS) (so not $(AM_CFLAGS)): a sanitized .so cannot be
# preloaded into an unsanitized target (the ASan runtime must come first).
harness_inject_libedgecase_inject_la_CFLAGS = -std=gnu11 $(WARN_CFLAGS) -pthread
# Export only the wrapped calls: the injector's own globals must never clash with a target's.
harness_inject_libedgecase_inject_la_LDFLAGS = -module -avoid-version -shared -pthread \
  -export-symbols-regex '^(accept4?|setsockopt|close|read|readv|recv|recvfrom|recvmsg|__read_chk|__recv_chk|__recvfrom_chk|write|writev|send|sendto|sendmsg|sendfile(64)?|epoll_(create1?|ctl|wait|pwait2?))$$'
harness_inject_libedgecase_inject_la_LIBADD = $(DL_LIBS)

# The harness side: trace reader and spec validator (the spec parser is shared with the .so).
noinst_LIBRARIES += harness/inject/libinjtrace.a
harness_inject_libinjtrace_a_SOURCES = harness/inject/trace_read.c harness/inject/inj_spec.c \
  harness/inject/inj_spec.h harness/inject/trace.h harness/inject/trace_layout.h

# edgecase-trace: dumps a trace file (debugging aid; not installed).
noinst_PROGRAMS += harness/inject/edgecase-trace
harness_inject_edgecase_trace_SOURCES = harness/inject/trace_tool.c
harness_inject_edgecase_trace_LDADD = harness/inject/libinjtrace.a

# Tests: a small ET echo server with chosen bugs, and the Check suite driving it under the preload.
check_PROGRAMS += tests/inject_peer
tests_inject_peer_SOURCES = tests/inject_peer.c
if HAVE_CHECK
check_PROGRAMS += tests/check_inject
TESTS += tests/check_inject
tests_check_inject_SOURCES = tests/check_inject.c tests/inject_util.c tests/inject_util.h
tests_check_inject_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_inject_LDADD = harness/inject/libinjtrace.a $(CHECK_LIBS)
# check_inject spawns these; building it builds them first.
EXTRA_tests_check_inject_DEPENDENCIES = tests/inject_peer$(EXEEXT) harness/inject/libedgecase-inject.la
endif

EXTRA_DIST += harness/inject/README.md

# The throughput client bench/inject_bench.sh measures the injector's cost with.
check_PROGRAMS += tests/inject_load
tests_inject_load_SOURCES = tests/inject_load.c
dist_noinst_SCRIPTS += bench/inject_bench.sh

# The wake-up rule held by every correct target under injected faults, over
# several seeds (3 here; `make check-slow` runs 50).
TESTS += tests/inject_seeds.sh tests/inject_signal.sh tests/inject_rule.sh
dist_noinst_SCRIPTS += tests/inject_seeds.sh tests/inject_signal.sh tests/inject_rule.sh bench/inject_seeds.sh
# The wake-up rule's corners, checked from inside a preloaded process.
check_PROGRAMS += tests/inject_rule
tests_inject_rule_SOURCES = tests/inject_rule.c
