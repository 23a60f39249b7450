# harness/capture/local.mk: packet capture and the offline TCP stall analyzer (libcap.a), with tests.
noinst_LIBRARIES += harness/capture/libcap.a
harness_capture_libcap_a_SOURCES = harness/capture/cap.c harness/capture/cap.h harness/capture/cap_int.h \
  harness/capture/cap_wire.c harness/capture/cap_flow.c harness/capture/cap_analyze.c \
  harness/capture/cap_print.c harness/capture/cap_main.c
harness_capture_libcap_a_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)

if HAVE_CHECK
check_PROGRAMS += tests/check_cap
TESTS += tests/check_cap
tests_check_cap_SOURCES = tests/check_cap.c tests/cap_synth.c tests/cap_synth.h tests/cap_live.c
tests_check_cap_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PCAP_CFLAGS)
tests_check_cap_LDADD = harness/capture/libcap.a harness/netns/libnetns.a $(CHECK_LIBS) $(PCAP_LIBS)
tests_check_cap_LDFLAGS = $(AM_LDFLAGS) -pthread
endif

# The capture cases (wire_* assertions) against every correct target and two buggy ones (without
# a capture it checks they SKIP with harness/netns/probe.h's reason and exits 77). Its captures stay
# in tests/wire-pcaps/ (cleaned by clean-local) for a person to open.
if HAVE_CHECK
check_PROGRAMS += tests/check_wire
TESTS += tests/check_wire
tests_check_wire_SOURCES = tests/check_wire.c tests/check_util.c tests/check_util.h
tests_check_wire_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_wire_LDADD = $(EC_RUN_LIBS) $(CHECK_LIBS)
tests_check_wire_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
clean-local: clean-local-wire
clean-local-wire:
	-rm -rf tests/wire-pcaps
.PHONY: clean-local-wire

# Compares our counts with tshark's on captures it makes in a private folder (check_cap, edgecase run --pcap).
TESTS += tests/cap_tshark.sh
dist_noinst_SCRIPTS += tests/cap_tshark.sh
CLEANFILES += tests/cap-*.pcap
