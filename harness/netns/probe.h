/* probe.h: what this machine lets edgecase do (network namespaces, live capture, tc shaping), each probed once. */
#ifndef EC_PROBE_H
#define EC_PROBE_H

/* What a case may need beyond a loopback socket. */
enum probe_need {
    PROBE_NETNS,              /* make and delete two network namespaces joined by a veth (ip) */
    PROBE_CAPTURE,            /* open a libpcap capture on lo (CAP_NET_RAW) */
    PROBE_SHAPE,              /* add a tbf qdisc (tc) to a veth in namespaces of our own */
};
#define PROBE_NEEDS 3

/*
 * Returns NULL when this machine can do need, else one line saying why not,
 * in the system's own words plus a hint, e.g. "network namespaces: ip netns
 * add: exit 1: mount --make-shared /run/netns failed: Operation not permitted
 * (a container without CAP_SYS_ADMIN?)". Decided by trying, never by the user
 * id: the first call per need probes (others wait; thread-safe), later calls
 * return the same answer. The string lives as long as the process. Shaping
 * is probed only once namespaces work; without them it returns their reason.
 */
const char *probe_missing(enum probe_need need);

#endif
