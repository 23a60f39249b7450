/* run_wire.c: reads a case's capture after the run: zero windows, RSTs, bytes ACKed, the summary line. */
#include "harness/run/run_int.h"

#include <stdio.h>
#include <string.h>

#include "harness/capture/cap.h"

/* A gap this long (times --timeout-scale) with data unacknowledged is a
 * stall on the wire: long enough to skip loopback's scheduling noise, short
 * enough to show a reader's deliberate wait. */
#define RUN_WIRE_STALL_MS 200

void run__wire_analyze(struct run_ctx *rx)
{
    const char *path = rx->obs.capture.pcap_path;
    struct obs_wire *w = &rx->obs.capture.wire;
    int stall_ms = (int)(RUN_WIRE_STALL_MS * rx->obs.scale);
    struct cap_report r;
    unsigned i;

    memset(w, 0, sizeof(*w));
    /* The target's port picks the case's flows; a = the client (SYN sender). */
    if (cap_analyze(path, rx->t->port, stall_ms, &r, w->err, sizeof(w->err)) < 0)
        return;
    for (i = 0; i < r.nflows; i++) {
        const struct cap_flow *f = &r.flows[i];

        w->zero_window += f->zero_window;
        w->resumed_flows += f->zero_window > 0 && f->resumed_after_zero_window;
        w->rst += f->rst;
        w->probes += f->probes;
        w->acked_to_clients += f->acked_ba;
        w->bytes_to_clients += f->bytes_ba;
    }
    w->nflows = r.nflows;
    cap_report_free(&r);
    if (cap_summarize(path, stall_ms, w->summary, sizeof(w->summary)) < 0)
        w->summary[0] = '\0';
    w->analyzed = 1;
}
