/* run_series.c: records a case's timeline while it runs (engine ticks, steps, CPU/RSS) and writes its series.tsv. */
#include "harness/run/run_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "harness/report/series.h"

/* What the sampler reads every tick, kept apart from the engine's results. */
struct run_series {
    struct series *s;
    int n;
    uint64_t *recv;
    int *stalls, *done;
    double frozen_at;         /* -1: not frozen */
};

void run__series_begin(struct run_ctx *rx, int nclients)
{
    struct run_series *rs = calloc(1, sizeof(*rs));

    if (!rs)
        return;               /* no timeline, never a failed case */
    rs->n = nclients;
    rs->frozen_at = -1;
    rs->s = series_new(nclients);
    rs->recv = calloc((size_t)nclients + 1, sizeof(*rs->recv));
    rs->stalls = calloc((size_t)nclients + 1, sizeof(*rs->stalls));
    rs->done = calloc((size_t)nclients + 1, sizeof(*rs->done));
    if (!rs->s || !rs->recv || !rs->stalls || !rs->done) {
        series_free(rs->s);
        free(rs->recv);
        free(rs->stalls);
        free(rs->done);
        free(rs);
        return;
    }
    rx->series = rs;
    series_sample_bytes(rs->s, 0, rs->recv, NULL, NULL);  /* every line starts at 0 bytes, 0 ms */
}

void run__series_tick(struct run_ctx *rx, double now_ms)
{
    struct run_series *rs = rx->series;

    if (!rs || !rx->res)
        return;
    /* The engine fills rx->res as it goes: read, never write. */
    for (int i = 0; i < rs->n; i++) {
        rs->recv[i] = rx->res[i].received;
        rs->stalls[i] = rx->res[i].stalls;
        rs->done[i] = rx->res[i].end != CE_RUNNING;
    }
    series_sample_bytes(rs->s, now_ms, rs->recv, rs->stalls, rs->done);
}

void run__series_res(struct run_ctx *rx, double now_ms, double cpu_s, long rss_kb)
{
    if (rx->series)
        series_sample_res(rx->series->s, now_ms, cpu_s, rss_kb);
}

void run__series_step(struct run_ctx *rx, double now_ms, int freeze)
{
    struct run_series *rs = rx->series;

    if (!rs)
        return;
    if (freeze && rs->frozen_at < 0)
        rs->frozen_at = now_ms;
    if (!freeze && rs->frozen_at >= 0) {
        series_span(rs->s, SPAN_FROZEN, rs->frozen_at, now_ms, -1, -1, "SIGSTOP");
        rs->frozen_at = -1;
    }
}

/* "offset N" in a verifier's diagnosis, or -1. */
static long long run__diag_offset(const char *diag)
{
    const char *p = strstr(diag, "offset ");

    return p ? strtoll(p + 7, NULL, 10) : -1;
}

/* One client's ending as a mark: failures at their offset, resets, closes, half-closes. */
static void run__series_client(struct series *s, const struct client_spec *g, const struct client_result *r,
                               double end_ms, double merge)
{
    char label[160];

    snprintf(label, sizeof(label), "client %u: %.140s", r->id, r->diag);
    if (g->read_delay_ms > 0 && r->t_connect_ms > 0)
        series_mark(s, r->t_connect_ms + g->read_delay_ms, "reads", -1, merge,
                    "the client starts reading (its read_delay ends)");
    if (r->t_shut_ms > 0)
        series_mark(s, r->t_shut_ms, "shut_wr", (long long)r->received, merge, "client half-closed (shutdown SHUT_WR)");
    switch (r->end) {
    case CE_MISMATCH:
        series_mark(s, r->t_done_ms, "fail", run__diag_offset(r->diag), merge, label);
        break;
    case CE_SERVER_RESET:
        series_mark(s, r->t_done_ms, "srv-reset", (long long)r->received, merge, label);
        break;
    case CE_SERVER_CLOSED:
        series_mark(s, r->t_done_ms, "srv-close", (long long)r->received, merge, label);
        break;
    case CE_CLIENT_ENDED:
        if (g->reset_after || g->close_after)
            series_mark(s, r->t_done_ms, g->reset_after ? "reset" : "close", (long long)r->received, merge,
                        g->reset_after ? "client reset its connection (case step)" : "client closed (case step)");
        break;
    case CE_RUNNING:
        series_mark(s, end_ms, "hang", (long long)r->received, merge, label);
        break;
    case CE_CONNECT_FAILED:
        series_mark(s, r->t_done_ms, "no-connect", -1, merge, label);
        break;
    case CE_COMPLETE:
        break;
    }
    if (r->stalls > 0)      /* the engine's exact longest stall, over the sampled one */
        series_span_exact(s, r->stall_start_ms, r->stall_start_ms + r->longest_stall_ms, (int)r->id);
}

/* Group of client i (results come in group order). */
static const struct client_spec *run__group_of(const struct run_ctx *rx, const struct client_spec *groups, int i)
{
    int g = rx->res[i].group;

    return g >= 0 && g < rx->c->ngroups ? &groups[g] : &groups[0];
}

/* CPU phases with their limits, as spans. */
static void run__series_phases(const struct run_ctx *rx, struct series *s)
{
    for (int i = 0; i < rx->c->nphases; i++) {
        const struct obs_phase *p = &rx->obs.target.phase[i];
        double limit = -1;

        if (!p->started)
            continue;
        for (int k = 0; k < rx->c->expect.ncpu; k++)
            if (rx->c->expect.cpu[k].phase == i)
                limit = rx->c->expect.cpu[k].max_frac;
        series_span(s, SPAN_PHASE, p->t0_ms, p->ended ? p->t1_ms : rx->obs.clients.engine_ms, -1, limit, rx->c->phases[i].name);
    }
}

/* Appends s to buf (holding *n bytes) in single quotes for a shell. */
static void run__quote(char *buf, size_t len, size_t *n, const char *s)
{
    if (*n + 1 < len)
        buf[(*n)++] = '\'';
    for (; *s && *n + 5 < len; s++) {
        if (*s == '\'') {
            memcpy(buf + *n, "'\\''", 4);
            *n += 4;
        } else {
            buf[(*n)++] = *s;
        }
    }
    if (*n + 1 < len)
        buf[(*n)++] = '\'';
    buf[*n] = '\0';
}

/* Appends a formatted option to buf, never past len. */
static void run__opt(char *buf, size_t len, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void run__opt(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
    va_list ap;
    int w;

    if (*n >= len)
        return;
    va_start(ap, fmt);
    w = vsnprintf(buf + *n, len - *n, fmt, ap);
    va_end(ap);
    *n = w < 0 ? *n : *n + (size_t)w < len ? *n + (size_t)w : len - 1;
}

/* The run's options that replay it (after "edgecase run [CASE]"). */
static void run__series_replay(const struct run_ctx *rx, struct series *s, const char *proto)
{
    const struct run_conf *rc = rx->rc;
    char buf[1024];
    size_t n = 0;

    run__opt(buf, sizeof(buf), &n, "--seed %llu", (unsigned long long)rc->seed);
    if (rc->target_cmd) {
        run__opt(buf, sizeof(buf), &n, " --target ");
        run__quote(buf, sizeof(buf), &n, rc->target_cmd);
        run__opt(buf, sizeof(buf), &n, " --protocol %s", proto);
    }
    if (rc->fixed_port)
        run__opt(buf, sizeof(buf), &n, " --port %d", rc->fixed_port);
    if (rc->inject_spec) {
        run__opt(buf, sizeof(buf), &n, " --inject ");
        run__quote(buf, sizeof(buf), &n, rc->inject_spec);
    }
    if (rc->timeout_scale != 1.0)
        run__opt(buf, sizeof(buf), &n, " --timeout-scale %g", rc->timeout_scale);
    if (!rc->inject_so)
        run__opt(buf, sizeof(buf), &n, " --no-preload");
    series_meta(s, "replay", "%s", buf);
}

/* What the page shows beside the timeline. */
static void run__series_meta(const struct run_ctx *rx, struct series *s, const struct client_spec *groups)
{
    struct case_proto pr = { groups[0].proto, groups[0].repeat_n, groups[0].repeat_newline };
    uint64_t emax = 0, emin = UINT64_MAX;
    struct utsname u;
    char p[64];

    for (int i = 0; i < rx->obs.clients.nres; i++) {
        emax = rx->res[i].expected > emax ? rx->res[i].expected : emax;
        emin = rx->res[i].expected < emin ? rx->res[i].expected : emin;
    }
    series_meta(s, "case", "%s", rx->c->name);
    series_meta(s, "proto", "%s", case_proto_str(&pr, p, sizeof(p)));
    series_meta(s, "expected", "%llu", (unsigned long long)emax);
    series_meta(s, "expected_min", "%llu", (unsigned long long)(rx->obs.clients.nres ? emin : 0));
    series_meta(s, "stall_ms", "%.0f", rx->c->stall_ms * rx->obs.scale);
    series_meta(s, "t_end_ms", "%.1f", rx->obs.clients.engine_ms);
    series_meta(s, "rss0_kb", "%ld", rx->obs.target.rss0_kb);
    if (rx->c->expect.rss_growth_max >= 0)
        series_meta(s, "rss_limit_kb", "%lld", rx->obs.target.rss0_kb + rx->c->expect.rss_growth_max / 1024);
    if (uname(&u) == 0)
        series_meta(s, "kernel", "%s %s %s", u.sysname, u.release, u.machine);
    series_meta(s, "trace", "%s", !rx->obs.trace.traced ? "not preloaded" : rx->obs.trace.tr.present ? "present" : "none (static target?)");
    run__series_replay(rx, s, p);
    if (!rx->obs.target.alive)
        series_mark(s, rx->obs.clients.engine_ms, "exit", -1, 0, rx->obs.target.how);
}

void run__series_end(struct run_ctx *rx, const char *casedir, const struct client_spec *groups)
{
    struct run_series *rs = rx->series;
    double merge = rx->obs.clients.engine_ms / 100;

    if (!rs)
        return;
    run__series_tick(rx, rx->obs.clients.engine_ms);
    series_close_stalls(rs->s, rx->obs.clients.engine_ms);
    run__series_step(rx, rx->obs.clients.engine_ms, 0);
    for (int i = 0; i < rx->obs.clients.nres; i++)
        run__series_client(rs->s, run__group_of(rx, groups, i), &rx->res[i], rx->obs.clients.engine_ms, merge);
    run__series_phases(rx, rs->s);
    run__series_meta(rx, rs->s, groups);
    run__series_trace(rx, rs->s);
    run__series_wire(rx, rs->s);
    series_write(rs->s, casedir);
    series_free(rs->s);
    free(rs->recv);
    free(rs->stalls);
    free(rs->done);
    free(rs);
    rx->series = NULL;
}
