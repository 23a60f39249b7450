# harness/cap.mk: packet capture and the offline TCP stall analyzer (libcap.a), its tool and tests.
noinst_LIBRARIES += harness/libcap.a
harness_libcap_a_SOURCES = harness/capture/cap.c harness/capture/cap.h harness/capture/cap_int.h \
  harness/capture/cap_wire.c harness/capture/cap_flow.c harness/capture/cap_analyze.c harness/capture/cap_print.c \
  harness/capture/cap_main.c harness/netns/netns.c harness/netns/netns_reap.c harness/netns/netns.h harness/netns/probe.c harness/netns/probe.h
harness_libcap_a_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)

# The analyzer on its own, until `edgecase pcap` is wired into harness/cli/main.c.
noinst_PROGRAMS += harness/edgecase-pcap
harness_edgecase_pcap_SOURCES = harness/cap_tool.c
harness_edgecase_pcap_LDADD = harness/libcap.a $(PCAP_LIBS)
harness_edgecase_pcap_LDFLAGS = $(AM_LDFLAGS) -pthread

if HAVE_CHECK
check_PROGRAMS += tests/check_cap
TESTS += tests/check_cap
tests_check_cap_SOURCES = tests/check_cap.c tests/cap_synth.c tests/cap_synth.h tests/cap_live.c
tests_check_cap_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PCAP_CFLAGS)
tests_check_cap_LDADD = harness/libcap.a $(CHECK_LIBS) $(PCAP_LIBS)
tests_check_cap_LDFLAGS = $(AM_LDFLAGS) -pthread

# Two namespaces and a shaped veth pair (SKIPs with harness/netns/probe.h's reason where they cannot be made).
check_PROGRAMS += tests/check_netns
TESTS += tests/check_netns
tests_check_netns_SOURCES = tests/check_netns.c
tests_check_netns_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PCAP_CFLAGS)
tests_check_netns_LDADD = harness/libcap.a $(CHECK_LIBS) $(PCAP_LIBS)
tests_check_netns_LDFLAGS = $(AM_LDFLAGS) -pthread
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
