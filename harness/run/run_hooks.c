/* run_hooks.c: drives a case's steps (freeze, resume) and CPU phases from the client engine's hooks. */
#include "harness/run/run_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include "harness/util/clock.h"


/* Returns the ms since start at which w falls, or -1 while it cannot be known
 * yet. Not stretched by --timeout-scale: steps and phases are part of the
 * scenario and keep time with the clients' own delays, which are not either;
 * the scale stretches bounds (deadline, stall, latency limits) only. */
static double run__when_ms(const struct run_ctx *rx, const struct case_when *w)
{
    double ms = w->ms;

    switch (w->anchor) {
    case CASE_AT_START:
        return ms;
    case CASE_AT_CONNECT:
        return rx->connect_ms < 0 ? -1 : rx->connect_ms + ms;
    }
    return -1;
}

static double run__cpu(const struct run_ctx *rx)
{
    struct target_sample s;

    if (target_sample(rx->t, &s) < 0)
        return -1;
    return s.cpu_s;
}

/* Runs every step and phase edge due at now_ms, in file order. */
static void run__advance(struct run_ctx *rx, double now_ms)
{
    const struct ec_case *c = rx->c;
    struct obs_phase *p;
    char err[256];
    double at;
    int i;

    for (i = 0; i < c->nsteps; i++) {
        if (rx->step_done[i])
            continue;
        at = run__when_ms(rx, &c->steps[i].when);
        if (at < 0 || at > now_ms)
            break;              /* steps are ordered: a later one waits for this one */
        rx->step_done[i] = 1;
        switch (c->steps[i].kind) {
        case CASE_STEP_FREEZE:
            if (target_freeze(rx->t, (int)(2000 * rx->obs.scale), err, sizeof(err)) < 0)
                snprintf(rx->obs.target.step_err, sizeof(rx->obs.target.step_err), "freeze (line %d): %.200s",
                         c->steps[i].line, err);
            else
                rx->frozen = 1;
            run__series_step(rx, now_ms, rx->frozen);
            break;
        case CASE_STEP_RESUME:
            target_resume(rx->t);
            rx->frozen = 0;
            run__series_step(rx, now_ms, 0);
            break;
        }
    }
    for (i = 0; i < c->nphases; i++) {
        p = &rx->obs.target.phase[i];
        at = run__when_ms(rx, &c->phases[i].from);
        if (!p->started && at >= 0 && at <= now_ms) {
            p->started = 1;
            p->t0_ms = now_ms;
            p->cpu0_s = run__cpu(rx);
        }
        at = run__when_ms(rx, &c->phases[i].to);
        if (p->started && !p->ended && at >= 0 && at <= now_ms) {
            p->ended = 1;
            p->t1_ms = now_ms;
            p->cpu1_s = run__cpu(rx);
        }
    }
}

/* Samples RSS at most every 20 ms, keeping the peak. */
static void run__rss(struct run_ctx *rx, double now_ms)
{
    struct target_sample s;

    if (now_ms - rx->last_rss_ms < 20 || target_sample(rx->t, &s) < 0)
        return;
    rx->last_rss_ms = now_ms;
    run__cpu_sample(rx, now_ms, s.cpu_s);
    run__series_res(rx, now_ms, s.cpu_s, s.rss_kb);
    if (s.rss_kb > rx->obs.target.rss_max_kb)
        rx->obs.target.rss_max_kb = s.rss_kb;
}

void run__hooks_begin(struct run_ctx *rx)
{
    struct target_sample s;

    rx->connect_ms = -1;
    if (target_sample(rx->t, &s) == 0) {
        rx->obs.target.rss0_kb = rx->obs.target.rss_max_kb = s.rss_kb;
        rx->obs.target.cpu_start_s = s.cpu_s;
        rx->obs.target.cpu.every_ms = 20;
        run__cpu_sample(rx, 0, s.cpu_s);
        run__series_res(rx, 0, s.cpu_s, s.rss_kb);
    }
    rx->t0_ms = ec_now_ms();
    run__advance(rx, 0);
}

void run__hook_connected(void *arg)
{
    struct run_ctx *rx = arg;
    double now = ec_now_ms() - rx->t0_ms;

    rx->connect_ms = now;
    run__advance(rx, now);
}

/* Whether the run may end once every client is stalled: the case forbids
 * hangs, and no step or phase is still to come (a freeze or a CPU phase
 * yet to run would be cut short). */
static int run__may_end_stalled(const struct run_ctx *rx)
{
    const struct ec_case *c = rx->c;

    if (!c->expect.no_hang || rx->frozen)
        return 0;
    for (int i = 0; i < c->nsteps; i++)
        if (!rx->step_done[i])
            return 0;
    for (int i = 0; i < c->nphases; i++)
        if (!rx->obs.target.phase[i].ended)
            return 0;
    return 1;
}

int run__hook_tick(void *arg, double now_ms)
{
    struct run_ctx *rx = arg;
    double now = ec_now_ms() - rx->t0_ms;

    run__advance(rx, now);
    run__rss(rx, now);
    run__series_tick(rx, now);
    rx->may_end_stalled = run__may_end_stalled(rx);
    return 0;
}

void run__hooks_end(struct run_ctx *rx, double now_ms)
{
    struct target_sample s;
    int i;

    if (rx->frozen) {
        target_resume(rx->t);
        rx->frozen = 0;
    }
    for (i = 0; i < rx->c->nphases; i++)
        if (rx->obs.target.phase[i].started && !rx->obs.target.phase[i].ended) {
            rx->obs.target.phase[i].ended = 1;
            rx->obs.target.phase[i].t1_ms = now_ms;
            rx->obs.target.phase[i].cpu1_s = run__cpu(rx);
        }
    if (target_sample(rx->t, &s) == 0) {
        rx->obs.target.cpu_end_s = s.cpu_s;
        rx->obs.target.cpu.every_ms = 0; /* the last sample always goes in */
        run__cpu_sample(rx, now_ms, s.cpu_s);
        run__series_res(rx, now_ms, s.cpu_s, s.rss_kb);
        if (s.rss_kb > rx->obs.target.rss_max_kb)
            rx->obs.target.rss_max_kb = s.rss_kb;
    }
    rx->obs.clients.engine_ms = now_ms;
}
