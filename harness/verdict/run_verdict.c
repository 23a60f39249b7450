/* run_verdict.c: the assertions of a case's [expect] on its observations, each failure with its candidate bug classes. */
#include "harness/verdict/verdict_int.h"
#include "harness/util/strbuf.h"

#include <stdio.h>
#include <string.h>

/* Symptom classes of a verifier fault, most likely first. */
static const enum bug_class *run__mismatch_cands(enum pattern_fault f)
{
    static const enum bug_class
        loss[] = { BC_UNSENT_TAIL, BC_WRITE_RETURN, BC_WRITEV_OFFSET, BC_EAGAIN_ERROR, BC_SHARED_BUFFER, BC_NONE },
        dup[] = { BC_WRITEV_OFFSET, BC_WRITE_RETURN, BC_SHARED_BUFFER, BC_NONE },
        xtalk[] = { BC_SHARED_BUFFER, BC_NONE },
        garbage[] = { BC_WRITE_RETURN, BC_WRITEV_OFFSET, BC_SHARED_BUFFER, BC_NONE },
        excess[] = { BC_SHARED_BUFFER, BC_WRITEV_OFFSET, BC_WRITE_RETURN, BC_NONE },
        trunc[] = { BC_EAGAIN_ERROR, BC_HALFCLOSE_DROP, BC_UNSENT_TAIL, BC_NONE },
        violation[] = { BC_NONE };

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

static void run__judge_alive(struct verdict_judge *j)
{
    static const enum bug_class pipe_c[] = { BC_SIGPIPE, BC_EINTR, BC_NONE },
                                died[] = { BC_EINTR, BC_SIGPIPE, BC_NONE };
    const struct obs_target *t = &j->ob->target;

    verdict__det(j, "target: %s\n", t->how);
    if (!j->c->expect.alive || t->alive)
        return;
    verdict__fail(j, 0, strstr(t->how, "SIGPIPE") ? pipe_c : died,
                  "server died during the case: %s (see target.stderr)", t->how);
}

/* Whether a client was meant to end on its own (reset/close after N bytes, never reading). */
static int run__ends_itself(const struct ec_case *c, int group)
{
    return c->groups[group].reset_after > 0 || c->groups[group].close_after > 0 || c->groups[group].never_read;
}

static void run__judge_one(struct verdict_judge *j, const struct client_result *r, int *shown)
{
    static const enum bug_class
        trunc[] = { BC_EAGAIN_ERROR, BC_HALFCLOSE_DROP, BC_UNSENT_TAIL, BC_SIGPIPE, BC_NONE },
        trunc_hc[] = { BC_HALFCLOSE_DROP, BC_EAGAIN_ERROR, BC_UNSENT_TAIL, BC_NONE },
        refused[] = { BC_EMFILE, BC_ACCEPT_ONCE, BC_NONE };
    const struct ec_case *c = j->c;
    int shut = c->groups[r->group].shut_wr;

    if (r->end == CE_COMPLETE && shut && !r->got_fin) {
        static const enum bug_class nofin[] = { BC_SHORT_READ, BC_HALFCLOSE_DROP, BC_NONE };

        if ((*shown)++ < 4)
            verdict__fail(j, 0, nofin, "client %u: full reply but no FIN after its shutdown(SHUT_WR): "
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
        verdict__fail(j, 0, run__mismatch_cands(r->fault), "client %u: %s", r->id, r->diag);
        if (r->hexdump[0] && *shown == 1)
            verdict__det(j, "%s\n", r->hexdump);
        break;
    case CE_SERVER_CLOSED: case CE_SERVER_RESET:
        verdict__fail(j, 0, shut ? trunc_hc : trunc, "client %u: truncated: server %s after %llu of %llu bytes",
                      r->id, r->end == CE_SERVER_CLOSED ? "closed" : "reset",
                      (unsigned long long)r->received, (unsigned long long)r->expected);
        break;
    case CE_CONNECT_FAILED:
        verdict__fail(j, 0, refused, "client %u: connect failed: %s", r->id, r->diag);
        break;
    case CE_CLIENT_ENDED: case CE_RUNNING: case CE_COMPLETE:
        verdict__fail(j, 0, NULL, "client %u ended on its own unexpectedly: %s", r->id, r->diag);
        break;
    }
}

/* Clients left running at the deadline: hung. Classes depend on whether the
 * server spun (CPU) and whether the hung clients ever got a byte. */
static void run__judge_hangs(struct verdict_judge *j)
{
    static const enum bug_class
        spin[] = { BC_SPIN_EAGAIN, BC_ONESHOT_REARM, BC_LT_EPOLLOUT, BC_EMFILE, BC_NONE },
        never[] = { BC_ACCEPT_ONCE, BC_EMFILE, BC_READ_ONCE, BC_SHORT_READ, BC_IF_ELSE_IF, BC_ONESHOT_REARM,
                    BC_NONE },
        stuck[] = { BC_READ_ONCE, BC_NO_READ_RESUME, BC_BUDGET_NO_REQUEUE, BC_IF_ELSE_IF, BC_ONESHOT_REARM,
                    BC_SHORT_READ, BC_EAGAIN_ERROR, BC_UNSENT_TAIL, BC_NONE };
    const struct obs_clients *cl = &j->ob->clients;
    const struct obs_target *t = &j->ob->target;
    const struct client_result *first = NULL;
    int i, hung = 0, zero = 0;
    double cpu = t->cpu_end_s - t->cpu_start_s, frac;
    char when[160];

    for (i = 0; i < cl->nres; i++)
        if (cl->res[i].end == CE_RUNNING) {
            hung++;
            zero += cl->res[i].received == 0;
            if (!first || first->received > cl->res[i].received)
                first = &cl->res[i];
        }
    if (!hung || !j->c->expect.no_hang)
        return;
    frac = cl->engine_ms > 0 ? cpu / (cl->engine_ms / 1e3) : 0;
    if (cl->ended_stalled)
        snprintf(when, sizeof(when), "%.0f ms, every one stalled past the %d ms limit (the run ended there)",
                 cl->engine_ms, j->c->stall_ms);
    else
        snprintf(when, sizeof(when), "the %.0f ms deadline", cl->engine_ms);
    verdict__fail(j, 0, frac > 0.5 ? spin : zero == hung ? never : stuck,
                  "hang: %d of %d clients unfinished at %s (server CPU %.2f s/s); "
                  "client %u got %llu of %llu bytes, longest stall %.0f ms",
                  hung, cl->nres, when, frac, first->id, (unsigned long long)first->received,
                  (unsigned long long)first->expected, first->longest_stall_ms);
}

/* A pause longer than the case's stall while the server owed a client
 * bytes fails the case even when the client finished before the deadline:
 * a correct server answers as soon as the socket lets it, so a long quiet
 * spell is a lost wakeup (or a busy loop, by its CPU). Pauses the harness
 * made on purpose (freezes, read delays, pacing) are not stalls. Clients
 * still running at the deadline are judged as a hang instead. */
static void run__judge_stalls(struct verdict_judge *j)
{
    static const enum bug_class
        idle[] = { BC_IF_ELSE_IF, BC_ONESHOT_REARM, BC_BUDGET_NO_REQUEUE, BC_NO_READ_RESUME, BC_NONE },
        busy[] = { BC_SPIN_EAGAIN, BC_LT_EPOLLOUT, BC_ONESHOT_REARM, BC_NONE };
    const struct obs_clients *cl = &j->ob->clients;
    const char *line = j->ob->trace.stall_line;
    const struct client_result *w;
    int i, n = 0;
    char cpu[64] = "", tr[300] = "";

    if (!j->c->expect.no_hang || j->stall_client < 0)
        return;
    for (i = 0; i < cl->nres; i++)
        n += cl->res[i].stalls > 0 && cl->res[i].end != CE_RUNNING;
    w = &cl->res[j->stall_client];
    if (n == 0 || w->end == CE_RUNNING)
        return;
    if (j->stall_cpu >= 0)
        snprintf(cpu, sizeof(cpu), "; server CPU %.2f s/s during it", j->stall_cpu);
    if (line[0])
        snprintf(tr, sizeof(tr), "; its write path: %s", line);
    verdict__fail(j, 0, j->stall_cpu > 0.5 ? busy : idle,
                  "stall: client %u got nothing for %.0f ms from %.0f ms (limit %d ms) with %llu bytes owed "
                  "after %llu received%s%s; %d client%s stalled", w->id, w->longest_stall_ms, w->stall_start_ms,
                  j->c->stall_ms, (unsigned long long)w->stall_owed, (unsigned long long)w->stall_received, cpu,
                  tr, n, n == 1 ? "" : "s");
}

static void run__judge_clients(struct verdict_judge *j)
{
    static const enum bug_class slow[] = { BC_BUDGET_NO_REQUEUE, BC_SPIN_EAGAIN, BC_ONESHOT_REARM, BC_STARVATION,
                                           BC_NONE };
    const struct obs_clients *cl = &j->ob->clients;
    const struct ec_case *c = j->c;
    unsigned long long bytes = 0;
    int i, shown = 0, done = 0, stalled = 0;
    double last = 0;

    for (i = 0; i < cl->nres; i++) {
        bytes += cl->res[i].received;
        done += cl->res[i].end == CE_COMPLETE;
        if (cl->res[i].t_done_ms > last)
            last = cl->res[i].t_done_ms;
        if (c->expect.delivered)
            run__judge_one(j, &cl->res[i], &shown);
    }
    verdict__det(j, "clients: %d of %d complete, %llu bytes received and verified, last done at %.0f ms\n",
                 done, cl->nres, bytes, last);
    for (i = 0; i < cl->nres; i++)
        if (cl->res[i].stalls > 0 && stalled++ < 4)
            verdict__det(j, "client %u: %d stalls over %d ms, longest %.0f ms from %.0f ms\n", cl->res[i].id,
                         cl->res[i].stalls, c->stall_ms, cl->res[i].longest_stall_ms, cl->res[i].stall_start_ms);
    run__judge_hangs(j);
    run__judge_stalls(j);
    if (c->expect.finish_within_ms && done == cl->nres && last > c->expect.finish_within_ms * j->ob->scale)
        verdict__fail(j, 0, slow, "slow: the last client finished at %.0f ms, bound %d ms", last,
                      (int)(c->expect.finish_within_ms * j->ob->scale));
}

/* Latency bounds per group: a small client must not wait behind bulk ones. */
static void run__judge_done(struct verdict_judge *j)
{
    static const enum bug_class late[] = { BC_STARVATION, BC_SPIN_EAGAIN, BC_BUDGET_NO_REQUEUE, BC_ONESHOT_REARM,
                                           BC_NONE };
    const struct obs_clients *cl = &j->ob->clients;
    const struct case_done_limit *d;
    double took, bound;
    int i, k;

    for (k = 0; k < j->c->expect.ndone; k++) {
        d = &j->c->expect.done[k];
        bound = d->max_ms * j->ob->scale;
        for (i = 0; i < cl->nres; i++) {
            if (cl->res[i].group != d->group || cl->res[i].end != CE_COMPLETE)
                continue;
            took = cl->res[i].t_done_ms - cl->res[i].t_connect_ms;
            verdict__det(j, "client %u (group %d): done %.1f ms after connecting (bound %.0f ms)\n",
                         cl->res[i].id, d->group + 1, took, bound);
            if (took > bound)
                verdict__fail(j, 0, late, "client %u of group %d took %.0f ms after connecting (bound %.0f ms): "
                              "it waited behind other connections", cl->res[i].id, d->group + 1, took, bound);
        }
    }
}

static void run__judge_cpu(struct verdict_judge *j)
{
    static const enum bug_class
        idle[] = { BC_LT_EPOLLOUT, BC_ONESHOT_REARM, BC_SPIN_EAGAIN, BC_EMFILE, BC_NONE },
        busy[] = { BC_SPIN_EAGAIN, BC_ONESHOT_REARM, BC_EMFILE, BC_LT_EPOLLOUT, BC_NONE };
    const struct ec_case *c = j->c;
    const struct obs_phase *p;
    const struct case_phase *cp;
    double wall, frac;
    int i;

    for (i = 0; i < c->expect.ncpu; i++) {
        cp = &c->phases[c->expect.cpu[i].phase];
        p = &j->ob->target.phase[c->expect.cpu[i].phase];
        wall = (p->t1_ms - p->t0_ms) / 1e3;
        if (!p->started || wall < 0.1) {
            verdict__fail(j, 1, NULL, "vacuous: phase '%s' was not reached or lasted under 100 ms "
                          "(clients ended at %.0f ms)", cp->name, j->ob->clients.engine_ms);
            continue;
        }
        if (p->cpu0_s < 0 || p->cpu1_s < 0) {
            verdict__det(j, "cpu %s: not observable (target gone)\n", cp->name);
            continue;
        }
        frac = (p->cpu1_s - p->cpu0_s) / wall;
        verdict__det(j, "cpu %s: %.3f s over %.2f s = %.2f s/s (limit %.2f)\n", cp->name,
                     p->cpu1_s - p->cpu0_s, wall, frac, c->expect.cpu[i].max_frac);
        if (frac > c->expect.cpu[i].max_frac)
            verdict__fail(j, 0, strstr(cp->name, "idle") ? idle : busy,
                          "server CPU %.2f s/s during phase '%s' (limit %.2f): busy loop", frac, cp->name,
                          c->expect.cpu[i].max_frac);
    }
}

static void run__judge_rss_probe(struct verdict_judge *j)
{
    static const enum bug_class rss[] = { BC_UNBOUNDED_OUTPUT, BC_NONE },
                                lat[] = { BC_STARVATION, BC_SPIN_EAGAIN, BC_ONESHOT_REARM, BC_NONE };
    const struct obs_clients *cl = &j->ob->clients;
    const struct obs_target *t = &j->ob->target;
    const struct case_expect *e = &j->c->expect;
    long long growth = (long long)(t->rss_max_kb - t->rss0_kb) * 1024;
    double worst = 0, scale = j->ob->scale;
    int i;

    verdict__det(j, "rss: %ld kB at start, peak %ld kB\n", t->rss0_kb, t->rss_max_kb);
    if (e->rss_growth_max >= 0 && growth > e->rss_growth_max)
        verdict__fail(j, 0, rss, "server RSS grew by %lld kB (limit %lld kB): output buffered without bound",
                      growth / 1024, e->rss_growth_max / 1024);
    for (i = 0; i < cl->nres; i++)
        if (j->c->groups[cl->res[i].group].probe && cl->res[i].probe_max_ms > worst)
            worst = cl->res[i].probe_max_ms;
    if (!e->probe_max_ms)
        return;
    verdict__det(j, "probe: worst round trip %.1f ms (limit %.0f ms)\n", worst, e->probe_max_ms * scale);
    if (worst > e->probe_max_ms * scale)
        verdict__fail(j, 0, lat, "probe client waited %.0f ms for a reply (limit %.0f ms): head-of-line blocking",
                      worst, e->probe_max_ms * scale);
}

/* What the capture and the injector's trace were, for the details: the
 * capture's note, then the trace's totals or why there are none. */
static void run__watch_note(const struct observations *ob, char *note, size_t len)
{
    char line[512];

    snprintf(note, len, "%s", ob->capture.note);
    if (!ob->trace.traced)
        return;
    if (!ob->trace.tr.present) {
        ec_catf(note, len, "trace: none (%.200s; a static or raw-syscall target?)\n",
                ob->trace.err);
        return;
    }
    trace_describe(&ob->trace.tr, line, sizeof(line));
    ec_catf(note, len, "trace: %.400s\n", line);
}

/* backpressure = yes and resumptions >= N: vacuous when the counters or the
 * trace show none, not observable when there are neither. */
static void run__judge_backpressure(struct verdict_judge *j)
{
    const struct case_expect *e = &j->c->expect;
    const struct verdict_bp *bp = &j->bp;

    if (e->backpressure && bp->have && bp->eagain == 0 && bp->short_writes > 0)
        verdict__det(j, "backpressure: no EAGAIN, but %lld short writes (trace)\n", bp->short_writes);
    else if (e->backpressure && bp->have && bp->eagain == 0)
        verdict__fail(j, 1, NULL, "vacuous: the server never saw EAGAIN, so no backpressure was exercised");
    else if (e->backpressure && !(bp->have && bp->eagain > 0))
        verdict__det(j, "backpressure: not observable (no counters or trace from this target)\n");
    if (e->resumptions_min < 0)
        return;
    if (!bp->have || bp->resumptions < 0)
        verdict__det(j, "resumptions: not observable (no counters or trace from this target)\n");
    else if (bp->resumptions < e->resumptions_min)
        verdict__fail(j, 1, NULL, "vacuous: %lld EPOLLOUT resumptions (writes after EAGAIN or a short write and then EPOLLOUT, from %s), expected at least %d",
                      bp->resumptions, bp->src, e->resumptions_min);
}

static void run__judge_counters(struct verdict_judge *j)
{
    static const enum bug_class after[] = { BC_EMFILE, BC_SIGPIPE, BC_EINTR, BC_NONE };
    const struct obs_target *t = &j->ob->target;
    char note[512];

    if (t->counters[0])
        verdict__det(j, "counters: %s\n", t->counters);
    run__watch_note(j->ob, note, sizeof(note));
    if (note[0])
        verdict__det(j, "%s", note);
    run__judge_backpressure(j);
    if (t->served_after == 0)
        verdict__fail(j, 0, after, "%s", t->serve_diag);
    else if (t->served_after == 1)
        verdict__det(j, "%s\n", t->serve_diag);
    if (t->step_err[0])
        verdict__fail(j, 0, NULL, "step failed: %s", t->step_err);
}

/* On the wire, from the case's capture: a zero window that reopened with
 * data resuming, RSTs only where expected, bytes ACKed == bytes verified. */
static void run__judge_wire(struct verdict_judge *j)
{
    static const enum bug_class
        stuck[] = { BC_ONESHOT_REARM, BC_EAGAIN_ERROR, BC_UNSENT_TAIL, BC_BUDGET_NO_REQUEUE, BC_NO_READ_RESUME,
                    BC_NONE },
        rst[] = { BC_EAGAIN_ERROR, BC_SIGPIPE, BC_EINTR, BC_UNSENT_TAIL, BC_NONE },
        acked[] = { BC_SHARED_BUFFER, BC_WRITEV_OFFSET, BC_WRITE_RETURN, BC_UNSENT_TAIL, BC_NONE };
    const struct obs_capture *cap = &j->ob->capture;
    const struct obs_wire *w = &cap->wire;
    const struct obs_clients *cl = &j->ob->clients;
    const struct case_expect *e = &j->c->expect;
    enum case_wire_rst want = case_wire_rst(j->c);
    unsigned long long verified = 0;
    int i;

    if (!j->c->capture)
        return;
    if (!w->analyzed) {
        if (cap->pcap_path[0] && case_has_wire(j->c))
            verdict__fail(j, 0, NULL, "wire: cannot analyze %s: %s", cap->pcap_path, w->err);
        else
            verdict__det(j, "wire: not observable (%s)\n", cap->pcap_path[0] ? w->err : "no capture");
        return;
    }
    for (i = 0; i < cl->nres; i++)
        verified += cl->res[i].received;
    verdict__det(j, "wire: %u flows, zero-window %u (reopened on %u flows), probes %u, RST %u, "
                 "clients ACKed %llu of %llu bytes sent to them, verified %llu\n", w->nflows, w->zero_window,
                 w->resumed_flows, w->probes, w->rst, w->acked_to_clients, w->bytes_to_clients, verified);
    if (w->summary[0])
        verdict__det(j, "%s\n", w->summary);
    if (e->wire_zero_window_resumed && w->zero_window == 0)
        verdict__fail(j, 1, NULL, "vacuous: no zero window on the wire (%u flows): the reader never closed its "
                      "window", w->nflows);
    else if (e->wire_zero_window_resumed && w->resumed_flows == 0)
        verdict__fail(j, 0, stuck, "wire: %u zero-window advertisements, but no flow's data resumed after its "
                      "window reopened", w->zero_window);
    if (want == CASE_RST_NO && w->rst > 0)
        verdict__fail(j, 0, rst, "wire: %u RST segments (wire_rst = no): a connection was reset", w->rst);
    else if (want == CASE_RST_YES && w->rst == 0)
        verdict__fail(j, 1, NULL, "vacuous: no RST on the wire (wire_rst = yes)");
    if (e->wire_acked_equals_verified && w->acked_to_clients != verified)
        verdict__fail(j, 0, acked, "wire: the clients ACKed %llu bytes but verified %llu", w->acked_to_clients,
                      verified);
}

void verdict__judge_all(struct verdict_judge *j)
{
    run__judge_alive(j);
    run__judge_clients(j);
    run__judge_done(j);
    run__judge_cpu(j);
    run__judge_rss_probe(j);
    run__judge_counters(j);
    run__judge_wire(j);
}

void verdict__pass_line(const struct verdict_judge *j, char *buf, size_t len)
{
    const struct obs_clients *cl = &j->ob->clients;
    const struct obs_wire *w = &j->ob->capture.wire;
    unsigned long long bytes = 0;
    int i;

    for (i = 0; i < cl->nres; i++)
        bytes += cl->res[i].received;
    snprintf(buf, len, "%d clients, %llu bytes verified in %.0f ms", cl->nres, bytes, cl->engine_ms);
    if (j->bp.have)
        ec_catf(buf, len, "; eagain %lld, resumptions %lld (%s)", j->bp.eagain,
                j->bp.resumptions, j->bp.src);
    if (j->c->capture && w->analyzed)
        ec_catf(buf, len, "; wire: zero-window %u, reopened on %u flows, RST %u",
                w->zero_window, w->resumed_flows, w->rst);
}
