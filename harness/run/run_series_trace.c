/* run_series_trace.c: the timeline's server-side events: the injector's ring (EAGAIN, EPOLLOUT, faults) and the capture's zero windows. */
#include "harness/run/run_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/capture/cap.h"
#include "harness/inject/trace_layout.h"
#include "harness/report/series.h"

/* The timeline's name for a ring event, NULL for those it does not draw. */
static const char *run__ev_kind(unsigned kind)
{
    switch (kind) {
    case TE_EAGAIN_REAL: return "eagain";
    case TE_EAGAIN_INJ: return "inj-eagain";
    case TE_SHORT_REAL: return "short";
    case TE_SHORT_INJ: return "inj-short";
    case TE_EINTR_INJ: return "inj-eintr";
    case TE_EPOLLOUT_REAL: return "epollout";
    case TE_EPOLLOUT_SYNTH: return "epollout-syn";
    case TE_RESUME: return "resume";
    case TE_SPIN: return "spin";
    }
    return NULL;
}

/* Reads the trace's header and ring into h and ring (TRACE_RING entries).
 * The file is mapped shared by a target that has stopped: pread is enough. */
static int run__ring_load(const char *path, struct trace_header *h, struct trace_ring_ent *ring)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), ok;

    if (fd < 0)
        return -1;
    ok = pread(fd, h, sizeof(*h), 0) == (ssize_t)sizeof(*h) && h->magic == TRACE_MAGIC &&
         h->version == TRACE_VERSION && h->ring_size == TRACE_RING &&
         pread(fd, ring, TRACE_RING * sizeof(*ring), TRACE_RING_OFF) == (ssize_t)(TRACE_RING * sizeof(*ring));
    close(fd);
    return ok ? 0 : -1;
}

void run__series_trace(const struct run_ctx *rx, struct series *s)
{
    struct trace_ring_ent *ring;
    struct trace_header h;
    double bucket = rx->obs.clients.engine_ms / 300, from = -1;
    uint64_t head, first;

    if (!rx->obs.trace.traced || !rx->obs.trace.tr.present || !(ring = malloc(TRACE_RING * sizeof(*ring))))
        return;
    if (run__ring_load(rx->trace_path, &h, ring) == 0) {
        head = h.ring_head;
        first = head > TRACE_RING ? head - TRACE_RING : 0;
        for (uint64_t i = first; i < head; i++) {
            const struct trace_ring_ent *e = &ring[i % TRACE_RING];
            const char *kind = run__ev_kind(e->kind);
            double t = (double)e->ts_ns / 1e6 - rx->t0_ms;  /* the trace shares CLOCK_MONOTONIC */

            if (e->seq != (uint32_t)(i + 1) || !kind || t < 0)
                continue;
            if (from < 0)
                from = t;
            series_event(s, t, kind, bucket);
        }
        /* The ring keeps the last TRACE_RING events: say where the picture starts. */
        if (head > TRACE_RING && from >= 0)
            series_meta(s, "trace_from_ms", "%.1f", from);
    }
    free(ring);
}

/* The pcap's first packet as ms of CLOCK_MONOTONIC since the clients
 * started (the capture stamps CLOCK_REALTIME), or -1. */
static double run__pcap_origin(const struct run_ctx *rx)
{
    unsigned char hdr[24 + 16];
    struct timespec real, mono;
    uint32_t magic, sec, frac;
    double first_ms;
    FILE *f = fopen(rx->obs.capture.pcap_path, "re");
    size_t n = f ? fread(hdr, 1, sizeof(hdr), f) : 0;

    if (f)
        fclose(f);
    if (n < sizeof(hdr))
        return -1;
    memcpy(&magic, hdr, 4);
    memcpy(&sec, hdr + 24, 4);
    memcpy(&frac, hdr + 28, 4);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
        return -1;            /* another byte order or format: no origin */
    first_ms = sec * 1e3 + frac / (magic == 0xa1b2c3d4 ? 1e3 : 1e6);
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    first_ms -= (real.tv_sec - mono.tv_sec) * 1e3 + (real.tv_nsec - mono.tv_nsec) / 1e6;
    return first_ms - rx->t0_ms;
}

void run__series_wire(const struct run_ctx *rx, struct series *s)
{
    struct cap_report r;
    char err[256], label[64];
    double origin;

    if (!rx->obs.capture.pcap_path[0] || !rx->obs.capture.wire.analyzed || (origin = run__pcap_origin(rx)) == -1 ||
        cap_analyze(rx->obs.capture.pcap_path, rx->t->port, 200, &r, err, sizeof(err)) < 0)
        return;
    for (unsigned i = 0; i < r.nflows; i++)
        for (unsigned k = 0; k < r.flows[i].nstalls && k < 16; k++) {
            const struct cap_stall *st = &r.flows[i].stalls[k];

            if (st->window != 0 || st->dir != 1)
                continue;     /* zero windows of the client's receive side only */
            snprintf(label, sizeof(label), "flow %.40s", r.flows[i].a);
            series_span(s, SPAN_ZEROWIN, origin + st->start_s * 1e3, origin + (st->start_s + st->len_s) * 1e3,
                        (int)i, -1, label);
        }
    series_meta(s, "capture", "%u flows, zero windows of the clients' receive side", r.nflows);
    cap_report_free(&r);
}
