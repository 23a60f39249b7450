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
static double run__when_ms(const struct run_obs *ob, const struct case_when *w)
{
    double ms = w->ms;

    switch (w->anchor) {
    case CASE_AT_START:
        return ms;
    case CASE_AT_CONNECT:
        return ob->connect_ms < 0 ? -1 : ob->connect_ms + ms;
    }
    return -1;
}

static double run__cpu(const struct run_obs *ob)
{
    struct target_sample s;

    if (target_sample(ob->t, &s) < 0)
        return -1;
    return s.cpu_s;
}

/* Runs every step and phase edge due at now_ms, in file order. */
static void run__advance(struct run_obs *ob, double now_ms)
{
    const struct ec_case *c = ob->c;
    struct run_phase_obs *p;
    char err[256];
    double at;
    int i;

    for (i = 0; i < c->nsteps; i++) {
        if (ob->step_done[i])
            continue;
        at = run__when_ms(ob, &c->steps[i].when);
        if (at < 0 || at > now_ms)
            break;              /* steps are ordered: a later one waits for this one */
        ob->step_done[i] = 1;
        switch (c->steps[i].kind) {
        case CASE_STEP_FREEZE:
            if (target_freeze(ob->t, (int)(2000 * ob->scale), err, sizeof(err)) < 0)
                snprintf(ob->step_err, sizeof(ob->step_err), "freeze (line %d): %.200s", c->steps[i].line, err);
            else
                ob->frozen = 1;
            run__series_step(ob, now_ms, ob->frozen);
            break;
        case CASE_STEP_RESUME:
            target_resume(ob->t);
            ob->frozen = 0;
            run__series_step(ob, now_ms, 0);
            break;
        }
    }
    for (i = 0; i < c->nphases; i++) {
        p = &ob->phase[i];
        at = run__when_ms(ob, &c->phases[i].from);
        if (!p->started && at >= 0 && at <= now_ms) {
            p->started = 1;
            p->t0_ms = now_ms;
            p->cpu0_s = run__cpu(ob);
        }
        at = run__when_ms(ob, &c->phases[i].to);
        if (p->started && !p->ended && at >= 0 && at <= now_ms) {
            p->ended = 1;
            p->t1_ms = now_ms;
            p->cpu1_s = run__cpu(ob);
        }
    }
}

/* Samples RSS at most every 20 ms, keeping the peak. */
static void run__rss(struct run_obs *ob, double now_ms)
{
    struct target_sample s;

    if (now_ms - ob->last_rss_ms < 20 || target_sample(ob->t, &s) < 0)
        return;
    ob->last_rss_ms = now_ms;
    run__cpu_sample(ob, now_ms, s.cpu_s);
    run__series_res(ob, now_ms, s.cpu_s, s.rss_kb);
    if (s.rss_kb > ob->rss_max_kb)
        ob->rss_max_kb = s.rss_kb;
}

void run__hooks_begin(struct run_obs *ob)
{
    struct target_sample s;

    ob->connect_ms = -1;
    if (target_sample(ob->t, &s) == 0) {
        ob->rss0_kb = ob->rss_max_kb = s.rss_kb;
        ob->cpu_start_s = s.cpu_s;
        ob->cpu.every_ms = 20;
        run__cpu_sample(ob, 0, s.cpu_s);
        run__series_res(ob, 0, s.cpu_s, s.rss_kb);
    }
    ob->t0_ms = ec_now_ms();
    run__advance(ob, 0);
}

void run__hook_connected(void *arg)
{
    struct run_obs *ob = arg;
    double now = ec_now_ms() - ob->t0_ms;

    ob->connect_ms = now;
    run__advance(ob, now);
}

/* Whether the run may end once every client is stalled: the case forbids
 * hangs, and no step or phase is still to come (a freeze or a CPU phase
 * yet to run would be cut short). */
static int run__may_end_stalled(const struct run_obs *ob)
{
    const struct ec_case *c = ob->c;

    if (!c->expect.no_hang || ob->frozen)
        return 0;
    for (int i = 0; i < c->nsteps; i++)
        if (!ob->step_done[i])
            return 0;
    for (int i = 0; i < c->nphases; i++)
        if (!ob->phase[i].ended)
            return 0;
    return 1;
}

int run__hook_tick(void *arg, double now_ms)
{
    struct run_obs *ob = arg;
    double now = ec_now_ms() - ob->t0_ms;

    run__advance(ob, now);
    run__rss(ob, now);
    run__series_tick(ob, now);
    ob->may_end_stalled = run__may_end_stalled(ob);
    return 0;
}

void run__hooks_end(struct run_obs *ob, double now_ms)
{
    struct target_sample s;
    int i;

    if (ob->frozen) {
        target_resume(ob->t);
        ob->frozen = 0;
    }
    for (i = 0; i < ob->c->nphases; i++)
        if (ob->phase[i].started && !ob->phase[i].ended) {
            ob->phase[i].ended = 1;
            ob->phase[i].t1_ms = now_ms;
            ob->phase[i].cpu1_s = run__cpu(ob);
        }
    if (target_sample(ob->t, &s) == 0) {
        ob->cpu_end_s = s.cpu_s;
        ob->cpu.every_ms = 0; /* the last sample always goes in */
        run__cpu_sample(ob, now_ms, s.cpu_s);
        run__series_res(ob, now_ms, s.cpu_s, s.rss_kb);
        if (s.rss_kb > ob->rss_max_kb)
            ob->rss_max_kb = s.rss_kb;
    }
    ob->engine_ms = now_ms;
}
