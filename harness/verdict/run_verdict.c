/* run_verdict.c: judges a case's observations against its [expect] and names the likely bug class. */
#include "harness/run/run_int.h"
#include "harness/verdict/run_evidence.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RUN_MAX_CANDS 8
#define RUN_MAX_FAILS 16

/* One failed assertion: what was seen, and which bug classes produce that symptom. */
struct run_fail {
    char msg[640];
    int cands[RUN_MAX_CANDS];
    int ncands;
    int vacuous;              /* the case did not exercise what it claims */
};

struct run_judge {
    const struct run_obs *ob;
    struct run_fail f[RUN_MAX_FAILS];
    int nf;
    char *det;                /* the outcome's details, appended to */
    size_t detlen;
};

static void run__det(struct run_judge *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run__det(struct run_judge *j, const char *fmt, ...)
{
    size_t l = strlen(j->det);
    va_list ap;

    if (l + 1 >= j->detlen)
        return;
    va_start(ap, fmt);
    vsnprintf(j->det + l, j->detlen - l, fmt, ap);
    va_end(ap);
}

/* Records a failure; cands is a 0-terminated list of bug classes, most likely first. */
static void run__fail(struct run_judge *j, int vacuous, const int *cands, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void run__fail(struct run_judge *j, int vacuous, const int *cands, const char *fmt, ...)
{
    struct run_fail *f;
    va_list ap;

    if (j->nf == RUN_MAX_FAILS)
        return;
    f = &j->f[j->nf++];
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
    va_end(ap);
    f->vacuous = vacuous;
    for (f->ncands = 0; cands && cands[f->ncands] && f->ncands < RUN_MAX_CANDS; f->ncands++)
        f->cands[f->ncands] = cands[f->ncands];
    run__det(j, "FAIL %s\n", f->msg);
}

/* Symptom classes of a verifier fault, most likely first. */
static const int *run__mismatch_cands(enum pattern_fault f)
{
    static const int loss[] = { 1, 2, 17, 14, 10, 0 }, dup[] = { 17, 2, 10, 0 }, xtalk[] = { 10, 0 },
                     garbage[] = { 2, 17, 10, 0 }, excess[] = { 10, 17, 2, 0 }, trunc[] = { 14, 15, 1, 0 },
                     violation[] = { 0 };

    switch (f) {
    case PF_CROSSTALK: return xtalk;
    case PF_LOSS: return loss;
    case PF_DUPLICATION: return dup;
    case PF_EXCESS: return excess;
    case PF_TRUNCATED: return trunc;
    /* HTTP framing: a chunk header or status line out of place is bytes lost or
     * repeated in the stream; an unasked response is bytes repeated; a cut head a
     * truncation. A bad status or length is the server's protocol, no write-path class. */
    case PF_HTTP_CHUNK: return loss;
    case PF_HTTP_NOSTATUS: return garbage;
    case PF_HTTP_UNASKED: return dup;
    case PF_HTTP_HEADER_CUT: return trunc;
    case PF_HTTP_STATUS: case PF_HTTP_LENGTH: return violation;
    case PF_GARBAGE: case PF_NONE: break;
    }
    return garbage;
}

static void run__judge_alive(struct run_judge *j)
{
    static const int pipe_c[] = { 13, 16, 0 }, died[] = { 16, 13, 0 };
    const struct run_obs *ob = j->ob;

    run__det(j, "target: %s\n", ob->how);
    if (!ob->c->expect.alive || ob->alive)
        return;
    run__fail(j, 0, strstr(ob->how, "SIGPIPE") ? pipe_c : died,
              "server died during the case: %s (see target.stderr)", ob->how);
}

/* Whether a client was meant to end on its own (reset/close after N bytes, never reading). */
static int run__ends_itself(const struct ec_case *c, int group)
{
    return c->groups[group].reset_after > 0 || c->groups[group].close_after > 0 || c->groups[group].never_read;
}

static void run__judge_one(struct run_judge *j, const struct client_result *r, int *shown)
{
    static const int trunc[] = { 14, 15, 1, 13, 0 }, trunc_hc[] = { 15, 14, 1, 0 },
                     refused[] = { 18, 6, 0 };
    const struct ec_case *c = j->ob->c;
    int shut = c->groups[r->group].shut_wr;

    if (r->end == CE_COMPLETE && shut && !r->got_fin) {
        static const int nofin[] = { 20, 15, 0 };

        if ((*shown)++ < 4)
            run__fail(j, 0, nofin, "client %u: full reply but no FIN after its shutdown(SHUT_WR): "
                      "the server never saw the EOF", r->id);
        return;
    }
    if (r->end == CE_COMPLETE || (r->end == CE_CLIENT_ENDED && run__ends_itself(c, r->group)))
        return;
    if (r->end == CE_RUNNING)
        return;               /* hangs are judged together */
    /* Cross-talk is the one symptom that proves its class: always keep it. */
    if ((*shown)++ >= 4 && r->fault != PF_CROSSTALK)
        return;
    switch (r->end) {
    case CE_MISMATCH:
        run__fail(j, 0, run__mismatch_cands(r->fault), "client %u: %s", r->id, r->diag);
        if (r->hexdump[0] && *shown == 1)
            run__det(j, "%s\n", r->hexdump);
        break;
    case CE_SERVER_CLOSED: case CE_SERVER_RESET:
        run__fail(j, 0, shut ? trunc_hc : trunc, "client %u: truncated: server %s after %llu of %llu bytes",
                  r->id, r->end == CE_SERVER_CLOSED ? "closed" : "reset",
                  (unsigned long long)r->received, (unsigned long long)r->expected);
        break;
    case CE_CONNECT_FAILED:
        run__fail(j, 0, refused, "client %u: connect failed: %s", r->id, r->diag);
        break;
    case CE_CLIENT_ENDED: case CE_RUNNING: case CE_COMPLETE:
        run__fail(j, 0, NULL, "client %u ended on its own unexpectedly: %s", r->id, r->diag);
        break;
    }
}

/* Clients left running at the deadline: hung. Classes depend on whether the
 * server spun (CPU) and whether the hung clients ever got a byte. */
static void run__judge_hangs(struct run_judge *j)
{
    static const int spin[] = { 3, 12, 4, 18, 0 }, never[] = { 6, 18, 5, 20, 11, 12, 0 },
                     stuck[] = { 5, 8, 9, 11, 12, 20, 14, 1, 0 };
    const struct run_obs *ob = j->ob;
    const struct client_result *first = NULL;
    int i, hung = 0, zero = 0;
    double cpu = ob->cpu_end_s - ob->cpu_start_s, frac;
    char when[160];

    for (i = 0; i < ob->nres; i++)
        if (ob->res[i].end == CE_RUNNING) {
            hung++;
            zero += ob->res[i].received == 0;
            if (!first || first->received > ob->res[i].received)
                first = &ob->res[i];
        }
    if (!hung || !ob->c->expect.no_hang)
        return;
    frac = ob->engine_ms > 0 ? cpu / (ob->engine_ms / 1e3) : 0;
    if (ob->ended_stalled)
        snprintf(when, sizeof(when), "%.0f ms, every one stalled past the %d ms limit (the run ended there)",
                 ob->engine_ms, ob->c->stall_ms);
    else
        snprintf(when, sizeof(when), "the %.0f ms deadline", ob->engine_ms);
    run__fail(j, 0, frac > 0.5 ? spin : zero == hung ? never : stuck,
              "hang: %d of %d clients unfinished at %s (server CPU %.2f s/s); "
              "client %u got %llu of %llu bytes, longest stall %.0f ms",
              hung, ob->nres, when, frac, first->id, (unsigned long long)first->received,
              (unsigned long long)first->expected, first->longest_stall_ms);
}

/* A pause longer than the case's stall while the server owed a client
 * bytes fails the case even when the client finished before the deadline:
 * a correct server answers as soon as the socket lets it, so a long quiet
 * spell is a lost wakeup (or a busy loop, by its CPU). Pauses the harness
 * made on purpose (freezes, read delays, pacing) are not stalls. Clients
 * still running at the deadline are judged as a hang instead. */
static void run__judge_stalls(struct run_judge *j)
{
    static const int idle[] = { 11, 12, 9, 8, 0 }, busy[] = { 3, 4, 12, 0 };
    const struct run_obs *ob = j->ob;
    const struct client_result *w;
    int i, n = 0;
    char cpu[64] = "", tr[300] = "";

    if (!ob->c->expect.no_hang || ob->stall_client < 0)
        return;
    for (i = 0; i < ob->nres; i++)
        n += ob->res[i].stalls > 0 && ob->res[i].end != CE_RUNNING;
    w = &ob->res[ob->stall_client];
    if (n == 0 || w->end == CE_RUNNING)
        return;
    if (ob->stall_cpu >= 0)
        snprintf(cpu, sizeof(cpu), "; server CPU %.2f s/s during it", ob->stall_cpu);
    if (ob->stall_trace[0])
        snprintf(tr, sizeof(tr), "; its write path: %s", ob->stall_trace);
    run__fail(j, 0, ob->stall_cpu > 0.5 ? busy : idle,
              "stall: client %u got nothing for %.0f ms from %.0f ms (limit %d ms) with %llu bytes owed "
              "after %llu received%s%s; %d client%s stalled", w->id, w->longest_stall_ms, w->stall_start_ms,
              ob->c->stall_ms, (unsigned long long)w->stall_owed, (unsigned long long)w->stall_received, cpu, tr,
              n, n == 1 ? "" : "s");
}

static void run__judge_clients(struct run_judge *j)
{
    const struct run_obs *ob = j->ob;
    unsigned long long bytes = 0;
    int i, shown = 0, done = 0, stalled = 0;
    double last = 0;

    for (i = 0; i < ob->nres; i++) {
        bytes += ob->res[i].received;
        done += ob->res[i].end == CE_COMPLETE;
        if (ob->res[i].t_done_ms > last)
            last = ob->res[i].t_done_ms;
        if (ob->c->expect.delivered)
            run__judge_one(j, &ob->res[i], &shown);
    }
    run__det(j, "clients: %d of %d complete, %llu bytes received and verified, last done at %.0f ms\n",
             done, ob->nres, bytes, last);
    for (i = 0; i < ob->nres; i++)
        if (ob->res[i].stalls > 0 && stalled++ < 4)
            run__det(j, "client %u: %d stalls over %d ms, longest %.0f ms from %.0f ms\n", ob->res[i].id,
                     ob->res[i].stalls, ob->c->stall_ms, ob->res[i].longest_stall_ms, ob->res[i].stall_start_ms);
    run__judge_hangs(j);
    run__judge_stalls(j);
    if (ob->c->expect.finish_within_ms && done == ob->nres &&
        last > ob->c->expect.finish_within_ms * ob->scale) {
        static const int slow[] = { 9, 3, 12, 19, 0 };

        run__fail(j, 0, slow, "slow: the last client finished at %.0f ms, bound %d ms", last,
                  (int)(ob->c->expect.finish_within_ms * ob->scale));
    }
}

/* Latency bounds per group: a small client must not wait behind bulk ones. */
static void run__judge_done(struct run_judge *j)
{
    static const int late[] = { 19, 3, 9, 12, 0 };
    const struct run_obs *ob = j->ob;
    const struct case_done_limit *d;
    double took, bound;
    int i, k;

    for (k = 0; k < ob->c->expect.ndone; k++) {
        d = &ob->c->expect.done[k];
        bound = d->max_ms * ob->scale;
        for (i = 0; i < ob->nres; i++) {
            if (ob->res[i].group != d->group || ob->res[i].end != CE_COMPLETE)
                continue;
            took = ob->res[i].t_done_ms - ob->res[i].t_connect_ms;
            run__det(j, "client %u (group %d): done %.1f ms after connecting (bound %.0f ms)\n", ob->res[i].id,
                     d->group + 1, took, bound);
            if (took > bound)
                run__fail(j, 0, late, "client %u of group %d took %.0f ms after connecting (bound %.0f ms): "
                          "it waited behind other connections", ob->res[i].id, d->group + 1, took, bound);
        }
    }
}

static void run__judge_cpu(struct run_judge *j)
{
    static const int idle[] = { 4, 12, 3, 18, 0 }, busy[] = { 3, 12, 18, 4, 0 };
    const struct ec_case *c = j->ob->c;
    const struct run_phase_obs *p;
    const struct case_phase *cp;
    double wall, frac;
    int i;

    for (i = 0; i < c->expect.ncpu; i++) {
        cp = &c->phases[c->expect.cpu[i].phase];
        p = &j->ob->phase[c->expect.cpu[i].phase];
        wall = (p->t1_ms - p->t0_ms) / 1e3;
        if (!p->started || wall < 0.1) {
            run__fail(j, 1, NULL, "vacuous: phase '%s' was not reached or lasted under 100 ms "
                      "(clients ended at %.0f ms)", cp->name, j->ob->engine_ms);
            continue;
        }
        if (p->cpu0_s < 0 || p->cpu1_s < 0) {
            run__det(j, "cpu %s: not observable (target gone)\n", cp->name);
            continue;
        }
        frac = (p->cpu1_s - p->cpu0_s) / wall;
        run__det(j, "cpu %s: %.3f s over %.2f s = %.2f s/s (limit %.2f)\n", cp->name,
                 p->cpu1_s - p->cpu0_s, wall, frac, c->expect.cpu[i].max_frac);
        if (frac > c->expect.cpu[i].max_frac)
            run__fail(j, 0, strstr(cp->name, "idle") ? idle : busy,
                      "server CPU %.2f s/s during phase '%s' (limit %.2f): busy loop", frac, cp->name,
                      c->expect.cpu[i].max_frac);
    }
}

static void run__judge_rss_probe(struct run_judge *j)
{
    static const int rss[] = { 7, 0 }, lat[] = { 19, 3, 12, 0 };
    const struct run_obs *ob = j->ob;
    long long growth = (long long)(ob->rss_max_kb - ob->rss0_kb) * 1024;
    double worst = 0;
    int i;

    run__det(j, "rss: %ld kB at start, peak %ld kB\n", ob->rss0_kb, ob->rss_max_kb);
    if (ob->c->expect.rss_growth_max >= 0 && growth > ob->c->expect.rss_growth_max)
        run__fail(j, 0, rss, "server RSS grew by %lld kB (limit %lld kB): output buffered without bound",
                  growth / 1024, ob->c->expect.rss_growth_max / 1024);
    for (i = 0; i < ob->nres; i++)
        if (ob->c->groups[ob->res[i].group].probe && ob->res[i].probe_max_ms > worst)
            worst = ob->res[i].probe_max_ms;
    if (!ob->c->expect.probe_max_ms)
        return;
    run__det(j, "probe: worst round trip %.1f ms (limit %.0f ms)\n", worst, ob->c->expect.probe_max_ms * ob->scale);
    if (worst > ob->c->expect.probe_max_ms * ob->scale)
        run__fail(j, 0, lat, "probe client waited %.0f ms for a reply (limit %.0f ms): head-of-line blocking",
                  worst, ob->c->expect.probe_max_ms * ob->scale);
}

static void run__judge_counters(struct run_judge *j)
{
    static const int after[] = { 18, 13, 16, 0 };
    const struct run_obs *ob = j->ob;
    const struct case_expect *e = &ob->c->expect;

    if (ob->counters[0])
        run__det(j, "counters: %s\n", ob->counters);
    if (ob->watch_note[0])
        run__det(j, "%s", ob->watch_note);
    if (e->backpressure && ob->have_counters && ob->eagain == 0 && ob->short_writes > 0)
        run__det(j, "backpressure: no EAGAIN, but %lld short writes (trace)\n", ob->short_writes);
    else if (e->backpressure && ob->have_counters && ob->eagain == 0)
        run__fail(j, 1, NULL, "vacuous: the server never saw EAGAIN, so no backpressure was exercised");
    else if (e->backpressure && !(ob->have_counters && ob->eagain > 0))
        run__det(j, "backpressure: not observable (no counters or trace from this target)\n");
    if (e->resumptions_min >= 0) {
        if (ob->have_counters && ob->resumptions >= 0) {
            if (ob->resumptions < e->resumptions_min)
                run__fail(j, 1, NULL, "vacuous: %lld EPOLLOUT resumptions (writes after EAGAIN or a short write and then EPOLLOUT, from %s), expected at least %d",
                          ob->resumptions, ob->src, e->resumptions_min);
        } else {
            run__det(j, "resumptions: not observable (no counters or trace from this target)\n");
        }
    }
    if (ob->served_after == 0)
        run__fail(j, 0, after, "%s", ob->serve_diag);
    else if (ob->served_after == 1)
        run__det(j, "%s\n", ob->serve_diag);
    if (ob->step_err[0])
        run__fail(j, 0, NULL, "step failed: %s", ob->step_err);
}

/* On the wire, from the case's capture: a zero window that reopened with
 * data resuming, RSTs only where expected, bytes ACKed == bytes verified. */
static void run__judge_wire(struct run_judge *j)
{
    static const int stuck[] = { 12, 14, 1, 9, 8, 0 }, rst[] = { 14, 13, 16, 1, 0 },
                     acked[] = { 10, 17, 2, 1, 0 };
    const struct run_obs *ob = j->ob;
    const struct run_wire_obs *w = &ob->wire;
    const struct case_expect *e = &ob->c->expect;
    enum case_wire_rst want = case_wire_rst(ob->c);
    unsigned long long verified = 0;
    int i;

    if (!ob->c->capture)
        return;
    if (!w->analyzed) {
        if (ob->pcap_path[0] && case_has_wire(ob->c))
            run__fail(j, 0, NULL, "wire: cannot analyze %s: %s", ob->pcap_path, w->err);
        else
            run__det(j, "wire: not observable (%s)\n", ob->pcap_path[0] ? w->err : "no capture");
        return;
    }
    for (i = 0; i < ob->nres; i++)
        verified += ob->res[i].received;
    run__det(j, "wire: %u flows, zero-window %u (reopened on %u flows), probes %u, RST %u, "
             "clients ACKed %llu of %llu bytes sent to them, verified %llu\n", w->nflows, w->zero_window,
             w->resumed_flows, w->probes, w->rst, w->acked_to_clients, w->bytes_to_clients, verified);
    if (w->summary[0])
        run__det(j, "%s\n", w->summary);
    if (e->wire_zero_window_resumed && w->zero_window == 0)
        run__fail(j, 1, NULL, "vacuous: no zero window on the wire (%u flows): the reader never closed its window",
                  w->nflows);
    else if (e->wire_zero_window_resumed && w->resumed_flows == 0)
        run__fail(j, 0, stuck, "wire: %u zero-window advertisements, but no flow's data resumed after its "
                  "window reopened", w->zero_window);
    if (want == CASE_RST_NO && w->rst > 0)
        run__fail(j, 0, rst, "wire: %u RST segments (wire_rst = no): a connection was reset", w->rst);
    else if (want == CASE_RST_YES && w->rst == 0)
        run__fail(j, 1, NULL, "vacuous: no RST on the wire (wire_rst = yes)");
    if (e->wire_acked_equals_verified && w->acked_to_clients != verified)
        run__fail(j, 0, acked, "wire: the clients ACKed %llu bytes but verified %llu", w->acked_to_clients,
                  verified);
}

/* The one-line summary of a passing case. */
static void run__pass_line(const struct run_obs *ob, char *buf, size_t len)
{
    unsigned long long bytes = 0;
    int i;

    for (i = 0; i < ob->nres; i++)
        bytes += ob->res[i].received;
    snprintf(buf, len, "%d clients, %llu bytes verified in %.0f ms", ob->nres, bytes, ob->engine_ms);
    if (ob->have_counters)
        snprintf(buf + strlen(buf), len - strlen(buf), "; eagain %lld, resumptions %lld (%s)", ob->eagain,
                 ob->resumptions, ob->src);
    if (ob->c->capture && ob->wire.analyzed)
        snprintf(buf + strlen(buf), len - strlen(buf), "; wire: zero-window %u, reopened on %u flows, RST %u",
                 ob->wire.zero_window, ob->wire.resumed_flows, ob->wire.rst);
}

/* Names the class: the evidence decides (run_rank.c), else the case's fit. Returns the leading failure or -1. */
static int run__rank(const struct run_judge *j, char *cls, size_t len)
{
    struct rank_fail rf[RUN_MAX_FAILS];
    struct rank_obs ro;
    struct rank_ev ev;
    struct rank_out out;

    for (int i = 0; i < j->nf; i++)
        rf[i] = (struct rank_fail){ .cands = j->f[i].cands, .ncands = j->f[i].ncands, .vacuous = j->f[i].vacuous };
    run__rank_obs(j->ob, &ro);
    rank_facts(&ro, &ev);
    rank_classes(&ev, rf, j->nf, j->ob->c->classes, j->ob->c->nclasses, &out);
    rank_format(&out, cls, len);
    return out.fail;
}

void run__verdict(const struct run_obs *ob, struct case_outcome *o)
{
    struct run_judge j = { .ob = ob, .det = o->details, .detlen = sizeof(o->details) };
    char cls[1024], ev[400] = "", tr[420] = "";
    int first;

    run__det(&j, "seed: %llu (this case: %llu)\n", (unsigned long long)ob->rc->seed, (unsigned long long)ob->seed);
    run__judge_alive(&j);
    run__judge_clients(&j);
    run__judge_done(&j);
    run__judge_cpu(&j);
    run__judge_rss_probe(&j);
    run__judge_counters(&j);
    run__judge_wire(&j);
    if (j.nf == 0) {
        o->status = CASE_PASS;
        run__pass_line(ob, o->diag, sizeof(o->diag));
        return;
    }
    o->status = CASE_FAIL;
    /* The injector's trace backs the diagnosis: bug signs (a retry loop on
     * EAGAIN, MOD dropping EPOLLET...) and the faults it injected. */
    if (ob->tr.present)
        trace_evidence(&ob->tr, ev, sizeof(ev));
    if (ev[0])
        snprintf(tr, sizeof(tr), " (trace: %.400s)", ev);
    first = run__rank(&j, cls, sizeof(cls));
    if (first < 0) {
        snprintf(o->diag, sizeof(o->diag), "%s%s [seed %llu]", j.f[0].msg, tr, (unsigned long long)ob->rc->seed);
        return;
    }
    run__det(&j, "diagnosis: %s\n", cls[0] ? cls : "no candidate class");
    snprintf(o->diag, sizeof(o->diag), "%s%s%s%s%s [seed %llu]", cls, cls[0] ? ": " : "", j.f[first].msg, tr,
             j.nf > 1 ? " (and more, see result.txt)" : "", (unsigned long long)ob->rc->seed);
}
