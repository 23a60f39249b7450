# harness/run/local.mk: the runner of one case (librun.a): target, clients, watchers, then the verdict.
noinst_LIBRARIES += harness/run/librun.a
harness_run_librun_a_SOURCES = harness/run/run.c harness/run/run.h harness/run/run_int.h \
  harness/run/run_cmd.c harness/run/run_hooks.c harness/run/run_stall.c harness/run/run_watch.c \
  harness/run/run_wire.c harness/run/run_ring.c harness/run/run_needs.c harness/run/run_docroot.c harness/run/run_tmpl.c \
  harness/run/run_series.c harness/run/run_series_trace.c

# Everything a program that runs cases links, callers before callees.
EC_RUN_LIBS = harness/run/librun.a harness/verdict/libverdict.a harness/case/libcase.a \
  harness/client/libclient.a harness/proto/libproto.a harness/verify/libverify.a harness/target/libtarget.a \
  harness/report/libreport.a harness/capture/libcap.a harness/netns/libnetns.a \
  harness/inject/libinjtrace.a $(PCAP_LIBS)

# Every case against the reference server, and the buggy targets against their classes' cases.
# They run the built servers, targets and injector, which `make check` builds first (all).
if HAVE_CHECK
check_PROGRAMS += tests/check_cases tests/check_buggy
TESTS += tests/check_cases tests/check_buggy
tests_check_cases_SOURCES = tests/check_cases.c tests/check_util.c tests/check_util.h
tests_check_cases_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_cases_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_cases_LDFLAGS = $(AM_LDFLAGS) -pthread
tests_check_buggy_SOURCES = tests/check_buggy.c tests/check_util.c tests/check_util.h
tests_check_buggy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_buggy_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_buggy_LDFLAGS = $(AM_LDFLAGS) -pthread
endif

# The Check programs above keep each case's logs under tests/check-results/.
clean-local: clean-local-runner
clean-local-runner:
	-rm -rf tests/check-results
.PHONY: clean-local-runner

# {conf:PATH} templates of the target command: expansion, lookup, errors naming file:line.
if HAVE_CHECK
check_PROGRAMS += tests/check_tmpl
TESTS += tests/check_tmpl
tests_check_tmpl_SOURCES = tests/check_tmpl.c
tests_check_tmpl_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_tmpl_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_tmpl_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
