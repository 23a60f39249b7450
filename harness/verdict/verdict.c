/* verdict.c: the verdict: judges the observations, names the likely bug class, points a failure at its pcap. */
#include "harness/verdict/verdict_int.h"
#include "harness/util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void verdict__det(struct verdict_judge *j, const char *fmt, ...)
{
    size_t l = strlen(j->det);
    va_list ap;

    if (l + 1 >= j->detlen)
        return;
    va_start(ap, fmt);
    vsnprintf(j->det + l, j->detlen - l, fmt, ap);
    va_end(ap);
}

void verdict__fail(struct verdict_judge *j, int vacuous, const enum bug_class *cands, const char *fmt, ...)
{
    struct verdict_fail *f;
    va_list ap;

    if (j->nf == VERDICT_MAX_FAILS)
        return;
    f = &j->f[j->nf++];
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
    va_end(ap);
    f->vacuous = vacuous;
    for (f->ncands = 0; cands && cands[f->ncands] && f->ncands < VERDICT_MAX_CANDS; f->ncands++)
        f->cands[f->ncands] = cands[f->ncands];
    verdict__det(j, "FAIL %s\n", f->msg);
}

/* The target's own counters are the primary source; the trace stands in
 * for a target without them. Short writes come from the trace only. */
static void verdict__backpressure(const struct observations *ob, struct verdict_bp *bp)
{
    const struct obs_target *t = &ob->target;
    const struct trace_totals *tr = &ob->trace.tr;

    bp->eagain = t->eagain;
    bp->resumptions = t->resumptions;
    bp->have = t->eagain >= 0 || t->resumptions >= 0;
    bp->src = "counters";
    bp->short_writes = tr->present ? (long long)tr->short_writes : -1;
    if (bp->have || !tr->present)
        return;
    bp->eagain = (long long)(tr->eagain_real + tr->eagain_injected);
    bp->resumptions = (long long)tr->resumptions;
    bp->have = 1;
    bp->src = "trace";
}

/* Names the class: the evidence decides (run_rank.c), else the case's fit. Returns the leading failure or -1. */
static int verdict__rank(const struct verdict_judge *j, char *cls, size_t len)
{
    struct rank_fail rf[VERDICT_MAX_FAILS];
    struct rank_obs ro;
    struct rank_ev ev;
    struct rank_out out;

    for (int i = 0; i < j->nf; i++)
        rf[i] = (struct rank_fail){ .cands = j->f[i].cands, .ncands = j->f[i].ncands, .vacuous = j->f[i].vacuous };
    verdict__rank_obs(j, &ro);
    rank_facts(&ro, &ev);
    rank_classes(&ev, rf, j->nf, j->c->classes, j->c->nclasses, &out);
    rank_format(&out, cls, len);
    return out.fail;
}

/* A failed case's diagnosis: the class named first, the leading failure, the trace's evidence. */
static void verdict__diagnose(struct verdict_judge *j, struct case_outcome *o)
{
    char cls[1024], ev[400] = "", tr[420] = "";
    unsigned long long seed = (unsigned long long)j->ob->run_seed;
    int first;

    /* The injector's trace backs the diagnosis: bug signs (a retry loop on
     * EAGAIN, MOD dropping EPOLLET...) and the faults it injected. */
    if (j->ob->trace.tr.present)
        trace_evidence(&j->ob->trace.tr, ev, sizeof(ev));
    if (ev[0])
        snprintf(tr, sizeof(tr), " (trace: %.400s)", ev);
    first = verdict__rank(j, cls, sizeof(cls));
    if (first < 0) {
        snprintf(o->diag, sizeof(o->diag), "%s%s [seed %llu]", j->f[0].msg, tr, seed);
        return;
    }
    verdict__det(j, "diagnosis: %s\n", cls[0] ? cls : "no candidate class");
    snprintf(o->diag, sizeof(o->diag), "%s%s%s%s%s [seed %llu]", cls, cls[0] ? ": " : "", j->f[first].msg, tr,
             j->nf > 1 ? " (and more, see result.txt)" : "", seed);
}

/* Points a failed or stalled capturing case's report at its pcap and at the
 * stall in it: the pcap path and the capture's summary line. */
static void verdict__point_pcap(const struct observations *ob, struct case_outcome *o)
{
    const struct obs_capture *cap = &ob->capture;
    const char *sum = cap->wire.summary;
    size_t l;
    int i, stalled = 0;

    if (!cap->pcap_path[0] || !cap->wire.analyzed)
        return;
    for (i = 0; i < ob->clients.nres; i++)
        stalled += ob->clients.res[i].stalls > 0;
    if (o->status != CASE_FAIL && !stalled)
        return;
    if (!strncmp(sum, "pcap: ", 6))
        sum += 6;             /* the path takes the "pcap:" label's place */
    l = strlen(o->diag);
    snprintf(o->diag + l, sizeof(o->diag) - l, "; pcap: %.1200s %.500s", cap->pcap_path, sum);
    l = strlen(o->details);
    snprintf(o->details + l, sizeof(o->details) - l, "pcap: %.1200s\n", cap->pcap_path);
    if (!strstr(o->details, cap->wire.summary))  /* a capture case's verdict already has it */
        ec_catf(o->details, sizeof(o->details), "%.500s\n",
                cap->wire.summary);
}

void verdict(const struct ec_case *c, const struct observations *obs, struct case_outcome *out)
{
    struct verdict_judge j = { .c = c, .ob = obs, .det = out->details, .detlen = sizeof(out->details) };

    verdict__backpressure(obs, &j.bp);
    j.stall_client = verdict_stall_client(&obs->clients);
    j.stall_cpu = verdict__stall_cpu(obs, j.stall_client);
    verdict__det(&j, "seed: %llu (this case: %llu)\n", (unsigned long long)obs->run_seed,
                 (unsigned long long)obs->case_seed);
    verdict__judge_all(&j);
    if (j.nf == 0) {
        out->status = CASE_PASS;
        verdict__pass_line(&j, out->diag, sizeof(out->diag));
    } else {
        out->status = CASE_FAIL;
        verdict__diagnose(&j, out);
    }
    verdict__point_pcap(obs, out);
}
