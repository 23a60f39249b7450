# harness/netns/local.mk: network namespaces, their reaper and the machine probe (libnetns.a), with a test.
noinst_LIBRARIES += harness/netns/libnetns.a
harness_netns_libnetns_a_SOURCES = harness/netns/netns.c harness/netns/netns.h \
  harness/netns/netns_reap.c harness/netns/probe.c harness/netns/probe.h
harness_netns_libnetns_a_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)

# Two namespaces and a shaped veth pair (SKIPs with harness/netns/probe.h's reason where they cannot be made).
if HAVE_CHECK
check_PROGRAMS += tests/check_netns
TESTS += tests/check_netns
tests_check_netns_SOURCES = tests/check_netns.c
tests_check_netns_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(PCAP_CFLAGS)
tests_check_netns_LDADD = harness/capture/libcap.a harness/netns/libnetns.a $(CHECK_LIBS) $(PCAP_LIBS)
tests_check_netns_LDFLAGS = $(AM_LDFLAGS) -pthread
endif
