/* probe.c: what this machine lets edgecase do (network namespaces, live capture, tc shaping), each probed once. */
#include "harness/netns/probe.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/netns/netns.h"

/* One answer per need: probed at most once per process. */
static struct probe_answer {
    int done;
    int missing;
    char why[512];
} probe_answers[PROBE_NEEDS];
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;

/* Guesses the common cause from the system's words, so the reason says what to change. */
static const char *probe__hint(const char *err)
{
    if (strstr(err, "exec ip") || strstr(err, "exec of \"tc\""))
        return " (install iproute2)";
    if (strstr(err, "make-rslave") && strstr(err, "Invalid argument"))
        return " (a chroot whose root is not a mount point? mount --bind it onto itself)";
    if (strstr(err, "not permitted") || strstr(err, "Permission denied"))
        return geteuid() != 0 ? " (needs root)" : " (a container without CAP_SYS_ADMIN?)";
    if (strstr(err, "qdisc kind is unknown"))
        return " (no sch_tbf in this kernel?)";
    return "";
}

/* Makes and deletes a namespace pair, shaped when rate_kbit > 0, as a case would. */
static void probe__netns(struct probe_answer *a, const char *what, int rate_kbit)
{
    struct netns_pair p;
    char err[400];
    int denied;

    if (netns_create(&p, rate_kbit, &denied, err, sizeof(err)) == 0) {
        netns_destroy(&p);
        return;
    }
    a->missing = 1;
    snprintf(a->why, sizeof(a->why), "%s: %s%s", what, err, probe__hint(err));
}

/* Opens and closes a capture on lo: the socket(AF_PACKET) a case's capture needs. */
static void probe__capture(struct probe_answer *a)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create("lo", ebuf);
    int rc;

    if (!p) {
        a->missing = 1;
        snprintf(a->why, sizeof(a->why), "packet capture: pcap_create lo: %s", ebuf);
        return;
    }
    rc = pcap_activate(p);
    if (rc < 0) {
        /* The error buffer has the system's words (socket: ...) when libpcap filled it. */
        const char *why = *pcap_geterr(p) ? pcap_geterr(p) : pcap_statustostr(rc);
        int denied = rc == PCAP_ERROR_PERM_DENIED || strstr(why, "not permitted");

        a->missing = 1;
        snprintf(a->why, sizeof(a->why), "packet capture on lo: %s%s", why,
                 denied ? " (needs CAP_NET_RAW)" : "");
    }
    pcap_close(p);
}

/* Fills a for need; called with probe_lock held. */
static void probe__run(enum probe_need need, struct probe_answer *a)
{
    switch (need) {
    case PROBE_NETNS:
        probe__netns(a, "network namespaces", 0);
        break;
    case PROBE_CAPTURE:
        probe__capture(a);
        break;
    case PROBE_SHAPE:
        probe__netns(a, "traffic shaping (tc qdisc tbf)", 1000);
        break;
    }
}

const char *probe_missing(enum probe_need need)
{
    struct probe_answer *a = &probe_answers[need];
    const char *nn;

    /* Shaping lives on the namespaces' veth: without them it cannot be tried. */
    if (need == PROBE_SHAPE && (nn = probe_missing(PROBE_NETNS)) != NULL)
        return nn;
    pthread_mutex_lock(&probe_lock);
    if (!a->done) {
        probe__run(need, a);
        a->done = 1;
    }
    pthread_mutex_unlock(&probe_lock);
    return a->missing ? a->why : NULL;
}
