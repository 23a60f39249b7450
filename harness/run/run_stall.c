/* run_stall.c: what the server was doing while a client stalled: its CPU over the stall, and its last write-path event. */
#include "harness/run/run_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void run__cpu_sample(struct run_obs *ob, double now_ms, double cpu_s)
{
    struct run_cpu_series *s = &ob->cpu;

    if (s->n > 0 && now_ms - s->t_ms[s->n - 1] < s->every_ms)
        return;
    if (s->n == RUN_CPU_SAMPLES) {
        /* Full: keep every other sample and sample half as often, so a
         * long case still spans its whole run in bounded memory. */
        for (int i = 0; i < RUN_CPU_SAMPLES / 2; i++) {
            s->t_ms[i] = s->t_ms[2 * i];
            s->cpu_s[i] = s->cpu_s[2 * i];
        }
        s->n = RUN_CPU_SAMPLES / 2;
        s->every_ms *= 2;
    }
    s->t_ms[s->n] = now_ms;
    s->cpu_s[s->n++] = cpu_s;
}

/* CPU seconds per second the target used over [a, b] ms, from the samples
 * that bracket it; -1 when fewer than two samples fall around it. */
static double run__cpu_over(const struct run_cpu_series *s, double a, double b)
{
    int i0 = -1, i1 = -1;

    for (int i = 0; i < s->n; i++) {
        if (s->t_ms[i] <= a || i0 < 0)
            i0 = i;
        if (i1 < 0 && s->t_ms[i] >= b)
            i1 = i;
    }
    if (i1 < 0)
        i1 = s->n - 1;
    if (i0 < 0 || i1 <= i0 || s->t_ms[i1] - s->t_ms[i0] < 1)
        return -1;
    return (s->cpu_s[i1] - s->cpu_s[i0]) / ((s->t_ms[i1] - s->t_ms[i0]) / 1e3);
}

void run__stall_context(struct run_obs *ob)
{
    const struct client_result *w = NULL;

    ob->stall_client = -1;
    ob->stall_cpu = -1;
    ob->stall_trace[0] = '\0';
    for (int i = 0; i < ob->nres; i++)
        if (ob->res[i].stalls > 0 && (!w || ob->res[i].longest_stall_ms > w->longest_stall_ms))
            w = &ob->res[i];
    if (!w)
        return;
    ob->stall_client = (int)(w - ob->res);
    ob->stall_cpu = run__cpu_over(&ob->cpu, w->stall_start_ms, w->stall_start_ms + w->longest_stall_ms);
    if (ob->traced && ob->tr.present) {
        /* The engine's clock and ob->t0_ms share CLOCK_MONOTONIC; the trace's too. */
        double from_ms = ob->t0_ms + w->stall_start_ms;
        trace_stall_events(ob->trace_path, (uint64_t)(from_ms * 1e6), (uint64_t)((from_ms + w->longest_stall_ms) * 1e6),
                           ob->stall_trace, sizeof(ob->stall_trace));
    }
}
