# cases/local.mk: the case catalogue, installed to $(pkgdatadir)/cases for an installed edgecase.
casesdir = $(pkgdatadir)/cases
dist_cases_DATA = \
  cases/accept-burst-frozen.case \
  cases/budget-large-reply.case \
  cases/budget-requeue-frozen.case \
  cases/cpu-idle-armed.case \
  cases/crosstalk-concurrent.case \
  cases/crosstalk-repeat.case \
  cases/eintr-freeze-cycles.case \
  cases/emfile-nofile.case \
  cases/exact-odd-chunks.case \
  cases/exact-tiny-sndbuf.case \
  cases/halfclose-reply.case \
  cases/inject-faults.case \
  cases/inject-eintr-storm.case \
  cases/inject-seed-floor.case \
  cases/inject-short-eagain.case \
  cases/inout-coalesced.case \
  cases/netns-slow-reader.case \
  cases/oneshot-many-resumptions.case \
  cases/read-burst-frozen.case \
  cases/read-resume-backpressure.case \
  cases/read-resume-frozen.case \
  cases/rss-never-reader.case \
  cases/seed-capture.case \
  cases/seed-repeat.case \
  cases/short-read-fin.case \
  cases/sigpipe-closewait-reset.case \
  cases/slow-reader-exact.case \
  cases/spin-stalled-reader.case \
  cases/starvation-bulk-probe.case \
  cases/starvation-repeat.case
EXTRA_DIST += cases/README.md
# The netns cases across a veth between two namespaces (SKIP 77 with the probe's reason where they cannot run).
if HAVE_CHECK
check_PROGRAMS += tests/check_netcase
TESTS += tests/check_netcase
tests_check_netcase_SOURCES = tests/check_netcase.c tests/check_util.c tests/check_util.h
tests_check_netcase_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_netcase_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_netcase_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
