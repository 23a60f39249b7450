/* cap_analyze.c: read a capture file offline, split it into TCP connections and collect their analysis. */
#include "harness/capture/cap_int.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The connections of one file, in order of first appearance (tshark's tcp.stream order). */
struct ana_table {
    struct cap_conn *v;
    unsigned n, cap;
};

static void ana__endpoint(char *buf, size_t len, int family, const uint8_t *addr, uint16_t port)
{
    char ip[INET6_ADDRSTRLEN];

    inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, ip, sizeof ip);
    if (family == 6)
        snprintf(buf, len, "[%s]:%u", ip, port);
    else
        snprintf(buf, len, "%s:%u", ip, port);
}

/* Returns the index of s's connection and its direction in *dir, or -1. */
static int ana__find(const struct ana_table *t, const struct cap_seg *s, int *dir)
{
    /* Newest first: a reused port pair belongs to the latest connection. */
    for (unsigned i = t->n; i-- > 0;) {
        const struct cap_conn *c = &t->v[i];
        if (c->family != s->family)
            continue;
        for (int d = 0; d < 2; d++) {
            if (c->port[d] == s->sport && c->port[!d] == s->dport &&
                !memcmp(c->addr[d], s->src, 16) && !memcmp(c->addr[!d], s->dst, 16)) {
                *dir = d;
                return (int)i;
            }
        }
    }
    return -1;
}

/* Starts a connection for s; side a is the SYN sender when s tells us who that is. */
static struct cap_conn *ana__new(struct ana_table *t, const struct cap_seg *s, int *dir, char *err,
                                size_t errlen)
{
    struct cap_conn *c;
    int a_is_src = !((s->flags & CAP_TH_SYN) && (s->flags & CAP_TH_ACK));

    if (t->n == t->cap) {
        unsigned ncap = t->cap ? t->cap * 2 : 16;
        struct cap_conn *nv = realloc(t->v, ncap * sizeof *nv);
        if (!nv) {
            snprintf(err, errlen, "out of memory for %u connections", ncap);
            return NULL;
        }
        t->v = nv;
        t->cap = ncap;
    }
    c = &t->v[t->n++];
    memset(c, 0, sizeof *c);
    c->family = s->family;
    memcpy(c->addr[0], a_is_src ? s->src : s->dst, 16);
    memcpy(c->addr[1], a_is_src ? s->dst : s->src, 16);
    c->port[0] = a_is_src ? s->sport : s->dport;
    c->port[1] = a_is_src ? s->dport : s->sport;
    for (int d = 0; d < 2; d++) {
        c->d[d].window = 0xFFFFFFFFu;  /* unknown, as Wireshark starts it */
        c->d[d].win_scale = -1;
    }
    ana__endpoint(c->out.a, sizeof c->out.a, c->family, c->addr[0], c->port[0]);
    ana__endpoint(c->out.b, sizeof c->out.b, c->family, c->addr[1], c->port[1]);
    *dir = a_is_src ? 0 : 1;
    return c;
}

/* Finds or creates the connection of s. A new SYN on a known port pair with
 * another sequence number starts a new connection, as in Wireshark. */
static struct cap_conn *ana__lookup(struct ana_table *t, const struct cap_seg *s, int *dir,
                                   char *err, size_t errlen)
{
    int i = ana__find(t, s, dir);

    if (i >= 0) {
        struct cap_dir *d = &t->v[i].d[*dir];
        if (!((s->flags & (CAP_TH_SYN | CAP_TH_ACK)) == CAP_TH_SYN && d->base_set &&
              s->seq != d->base))
            return &t->v[i];
    }
    return ana__new(t, s, dir, err, errlen);
}

/* Feeds every packet of p into t. Returns 0 or -1 with err. */
static int ana__read(pcap_t *p, int port, int64_t stall_ns, struct ana_table *t,
                    struct cap_report *r, int64_t *t0, int64_t *tend, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc, dlt = pcap_datalink(p), dir;

    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        struct cap_seg s;
        struct cap_conn *c;
        /* Opened with nanosecond precision: tv_usec holds nanoseconds. */
        int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;

        if (r->packets++ == 0)
            *t0 = ts;
        *tend = ts;
        if (!cap_wire_parse(dlt, data, h->caplen, &s))
            continue;
        if (port && s.sport != port && s.dport != port)
            continue;
        s.ts_ns = ts;
        c = ana__lookup(t, &s, &dir, err, errlen);
        if (!c)
            return -1;
        cap_flow_segment(c, dir, &s, *t0, stall_ns);
    }
    if (rc == -1) {
        snprintf(err, errlen, "%s", pcap_geterr(p));
        return -1;
    }
    return 0;
}

int cap_analyze(const char *path, int port, int stall_ms, struct cap_report *r, char *err,
                size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    struct ana_table t = {0};
    int64_t t0 = 0, tend = 0, stall_ns = (int64_t)stall_ms * 1000000;
    pcap_t *p;

    memset(r, 0, sizeof *r);
    p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!p) {
        /* libpcap usually names the file itself. */
        snprintf(err, errlen, "%s%s%s", strstr(ebuf, path) ? "" : path,
                 strstr(ebuf, path) ? "" : ": ", ebuf);
        return -1;
    }
    if (ana__read(p, port, stall_ns, &t, r, &t0, &tend, ebuf, sizeof ebuf) < 0) {
        snprintf(err, errlen, "%s: %s", path, ebuf);
        pcap_close(p);
        free(t.v);
        return -1;
    }
    pcap_close(p);
    r->duration_s = (double)(tend - t0) / 1e9;
    r->nflows = t.n;
    r->flows = t.n ? calloc(t.n, sizeof *r->flows) : NULL;
    if (t.n && !r->flows) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(t.v);
        return -1;
    }
    for (unsigned i = 0; i < t.n; i++) {
        struct cap_conn *c = &t.v[i];
        if (!c->closed)
            cap_flow_finish(c, tend, t0, stall_ns);
        c->out.bytes_ab = c->d[0].max_end;
        c->out.bytes_ba = c->d[1].max_end;
        c->out.acked_ab = c->d[0].max_acked;
        c->out.acked_ba = c->d[1].max_acked;
        r->flows[i] = c->out;
    }
    free(t.v);
    return 0;
}

void cap_report_free(struct cap_report *r)
{
    free(r->flows);
    r->flows = NULL;
    r->nflows = 0;
}

/* Picks the flow most worth a reader's eye: the longest stall, else the most zero windows. */
static const struct cap_flow *ana__worst(const struct cap_report *r, const struct cap_stall **st)
{
    const struct cap_flow *best = NULL;
    double best_len = -1;

    *st = NULL;
    for (unsigned i = 0; i < r->nflows; i++) {
        const struct cap_flow *f = &r->flows[i];
        unsigned n = f->nstalls < 16 ? f->nstalls : 16;
        for (unsigned k = 0; k < n; k++) {
            if (f->stalls[k].len_s > best_len) {
                best_len = f->stalls[k].len_s;
                best = f;
                *st = &f->stalls[k];
            }
        }
    }
    if (best)
        return best;
    for (unsigned i = 0; i < r->nflows; i++)
        if (!best || r->flows[i].zero_window > best->zero_window)
            best = &r->flows[i];
    return best;
}

/* Writes "; data A>B stopped at X s, capture ends at Y s" when the flow's
 * bulk direction sent its last new data over a second (and over two stall
 * thresholds) before the capture ended: a writer that stopped with nothing
 * in flight, which no TCP stall shows. Else writes nothing. */
static void ana__stopped(const struct cap_report *r, const struct cap_flow *f, int stall_ms, char *buf,
                        size_t len)
{
    int d = f->bytes_ba >= f->bytes_ab;     /* the bulk direction: replies, usually */
    double last = f->last_data_s[d], quiet = r->duration_s - last;

    buf[0] = '\0';
    if ((d ? f->bytes_ba : f->bytes_ab) == 0 || quiet < 1.0 || quiet < 2.0 * stall_ms / 1e3)
        return;
    snprintf(buf, len, "; data %s>%s stopped at %.3f s, capture ends at %.3f s", d ? f->b : f->a,
             d ? f->a : f->b, last, r->duration_s);
}

int cap_summarize(const char *path, int stall_ms, char *buf, size_t len)
{
    struct cap_report r;
    const struct cap_flow *f;
    const struct cap_stall *st;
    char err[512], more[400] = "";
    unsigned stalled = 0;

    if (cap_analyze(path, 0, stall_ms, &r, err, sizeof err) < 0) {
        snprintf(buf, len, "pcap: %s", err);
        return -1;
    }
    f = ana__worst(&r, &st);
    for (unsigned i = 0; i < r.nflows; i++)
        stalled += r.flows[i].nstalls > 0;
    if (stalled > 1)
        snprintf(more, sizeof more, "; %u of %u flows stalled", stalled, r.nflows);
    if (f)
        ana__stopped(&r, f, stall_ms, more + strlen(more), sizeof more - strlen(more));
    if (!f)
        snprintf(buf, len, "pcap: %s: no TCP flow (%llu packets)", path,
                 (unsigned long long)r.packets);
    else if (!st)
        snprintf(buf, len, "pcap: flow %s>%s zero-window %u, no stall over %d ms%s", f->a, f->b,
                 f->zero_window, stall_ms, more);
    else
        snprintf(buf, len,
                 "pcap: flow %s>%s zero-window %u, stall at %.3f s for %.3f s (win %u)%s%s",
                 st->dir ? f->b : f->a, st->dir ? f->a : f->b, f->zero_window, st->start_s,
                 st->len_s, st->window, st->resumed ? "" : ", never resumed", more);
    cap_report_free(&r);
    return 0;
}
