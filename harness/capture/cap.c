/* cap.c: record one case's TCP traffic with libpcap into a pcap file, from a capture thread. */
#include "harness/capture/cap.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include "harness/util/clock.h"

#define CAP_DEFAULT_SNAPLEN 128
#define CAP_BUFFER_BYTES (4 << 20)
#define CAP_MAX_PORTS 64
/* On stop, keep reading until the kernel has been quiet this long, but never
 * longer than the bound: loopback delivers late packets within microseconds. */
#define CAP_QUIET_MS 100
#define CAP_DRAIN_MAX_MS 2000

struct cap {
    pcap_t *p;
    pcap_dumper_t *d;
    pthread_t thread;
    int efd;                      /* written once by cap_stop to wake the thread */
    long packets;                 /* written by the thread only; read after join */
};

static void cap__packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct cap *c = (struct cap *)user;

    pcap_dump((u_char *)c->d, h, bytes);
    c->packets++;
}

/* Reads what is left after the stop request until CAP_QUIET_MS of silence. */
static void cap__drain(struct cap *c, int fd)
{
    double start = ec_now_ms(), quiet_since = start;

    while (ec_now_ms() - start < CAP_DRAIN_MAX_MS) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n;

        poll(&pfd, 1, 20);
        n = pcap_dispatch(c->p, -1, cap__packet, (u_char *)c);
        if (n < 0)
            break;
        if (n > 0)
            quiet_since = ec_now_ms();
        else if (ec_now_ms() - quiet_since >= CAP_QUIET_MS)
            break;
    }
}

/* The capture thread: nonblocking dispatch driven by poll on the capture
 * socket and the stop eventfd, so stopping never depends on traffic. */
static void *cap__thread(void *arg)
{
    struct cap *c = arg;
    int fd = pcap_get_selectable_fd(c->p);

    for (;;) {
        struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = c->efd, .events = POLLIN}};

        if (poll(pfd, 2, 100) < 0 && errno != EINTR)
            break;
        if (pcap_dispatch(c->p, -1, cap__packet, (u_char *)c) < 0)
            break;
        if (pfd[1].revents & POLLIN) {
            cap__drain(c, fd);
            break;
        }
    }
    pcap_dump_flush(c->d);
    return NULL;
}

/* Opens and activates the capture handle; sets *denied on missing privilege. */
static pcap_t *cap__open(const char *iface, int snaplen, int *denied, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(iface, ebuf);
    int rc;

    if (!p) {
        snprintf(err, errlen, "pcap_create %s: %s", iface, ebuf);
        return NULL;
    }
    pcap_set_snaplen(p, snaplen > 0 ? snaplen : CAP_DEFAULT_SNAPLEN);
    pcap_set_immediate_mode(p, 1);
    pcap_set_buffer_size(p, CAP_BUFFER_BYTES);
    pcap_set_timeout(p, 100);
    rc = pcap_activate(p);
    if (rc < 0) {
        const char *why = rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc);
        /* Without CAP_NET_RAW, socket(AF_PACKET) fails with EPERM. */
        if (rc == PCAP_ERROR_PERM_DENIED || strstr(why, "not permitted")) {
            *denied = 1;
            snprintf(err, errlen, "capture on %s needs CAP_NET_RAW: %s", iface, why);
        } else {
            snprintf(err, errlen, "pcap_activate %s: %s", iface, why);
        }
        pcap_close(p);
        return NULL;
    }
    return p;
}

/* Installs "tcp port P1 or tcp port P2 ..." on p. Returns 0 or -1 with err. */
static int cap__filter(pcap_t *p, const int *ports, int nports, char *err, size_t errlen)
{
    char expr[CAP_MAX_PORTS * 20] = "";
    struct bpf_program prog;
    size_t off = 0;

    for (int i = 0; i < nports; i++)
        off += (size_t)snprintf(expr + off, sizeof expr - off, "%stcp port %d", i ? " or " : "",
                                ports[i]);
    if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
        pcap_setfilter(p, &prog) < 0) {
        snprintf(err, errlen, "filter '%s': %s", expr, pcap_geterr(p));
        return -1;
    }
    pcap_freecode(&prog);
    return 0;
}

struct cap *cap_start(const char *iface, const int *ports, int nports, int snaplen,
                      const char *path, int *denied, char *err, size_t errlen)
{
    struct cap *c;
    char ebuf[PCAP_ERRBUF_SIZE];

    *denied = 0;
    if (nports < 1 || nports > CAP_MAX_PORTS) {
        snprintf(err, errlen, "cap_start: %d ports (1-%d)", nports, CAP_MAX_PORTS);
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "cap_start: out of memory");
        return NULL;
    }
    c->efd = -1;
    c->p = cap__open(iface, snaplen, denied, err, errlen);
    if (!c->p)
        goto fail;
    if (cap__filter(c->p, ports, nports, err, errlen) < 0)
        goto fail;
    if (pcap_setnonblock(c->p, 1, ebuf) < 0) {
        snprintf(err, errlen, "pcap_setnonblock: %s", ebuf);
        goto fail;
    }
    c->d = pcap_dump_open(c->p, path);
    if (!c->d) {
        snprintf(err, errlen, "%s: %s", path, pcap_geterr(c->p));
        goto fail;
    }
    c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->efd < 0) {
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        goto fail;
    }
    if (pthread_create(&c->thread, NULL, cap__thread, c) != 0) {
        snprintf(err, errlen, "pthread_create: capture thread failed");
        goto fail;
    }
    return c;
fail:
    if (c->d)
        pcap_dump_close(c->d);
    if (c->p)
        pcap_close(c->p);
    if (c->efd >= 0)
        close(c->efd);
    free(c);
    return NULL;
}

long cap_stop(struct cap *c)
{
    uint64_t one = 1;
    long n;

    if (!c)
        return 0;
    if (write(c->efd, &one, sizeof one) != (ssize_t)sizeof one)
        pthread_cancel(c->thread);  /* cannot happen with a fresh eventfd; never hang */
    pthread_join(c->thread, NULL);
    pcap_dump_close(c->d);
    pcap_close(c->p);
    close(c->efd);
    n = c->packets;
    free(c);
    return n;
}
