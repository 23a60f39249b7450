/* run_wire.c: reads a case's capture after the run (zero windows, RSTs, bytes ACKed) and points reports at it. */
#include "harness/run/run_int.h"

#include <stdio.h>
#include <string.h>

#include "harness/capture/cap.h"

/* A gap this long (times --timeout-scale) with data unacknowledged is a
 * stall on the wire: long enough to skip loopback's scheduling noise, short
 * enough to show a reader's deliberate wait. */
#define RUN_WIRE_STALL_MS 200

void run__wire_analyze(struct run_obs *ob)
{
    struct run_wire_obs *w = &ob->wire;
    int stall_ms = (int)(RUN_WIRE_STALL_MS * ob->scale);
    struct cap_report r;
    unsigned i;

    memset(w, 0, sizeof(*w));
    /* The target's port picks the case's flows; a = the client (SYN sender). */
    if (cap_analyze(ob->pcap_path, ob->t->port, stall_ms, &r, w->err, sizeof(w->err)) < 0)
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
    if (cap_summarize(ob->pcap_path, stall_ms, w->summary, sizeof(w->summary)) < 0)
        w->summary[0] = '\0';
    w->analyzed = 1;
}

void run__wire_point(const struct run_obs *ob, struct case_outcome *o)
{
    const char *sum = ob->wire.summary;
    size_t l;
    int i, stalled = 0;

    if (!ob->pcap_path[0] || !ob->wire.analyzed)
        return;
    for (i = 0; i < ob->nres; i++)
        stalled += ob->res[i].stalls > 0;
    if (o->status != CASE_FAIL && !stalled)
        return;
    if (!strncmp(sum, "pcap: ", 6))
        sum += 6;             /* the path takes the "pcap:" label's place */
    l = strlen(o->diag);
    snprintf(o->diag + l, sizeof(o->diag) - l, "; pcap: %.1200s %.500s", ob->pcap_path, sum);
    l = strlen(o->details);
    snprintf(o->details + l, sizeof(o->details) - l, "pcap: %.1200s\n", ob->pcap_path);
    if (!strstr(o->details, ob->wire.summary))  /* a capture case's verdict already has it */
        snprintf(o->details + strlen(o->details), sizeof(o->details) - strlen(o->details), "%.500s\n",
                 ob->wire.summary);
}
