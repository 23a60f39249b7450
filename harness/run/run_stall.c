/* run_stall.c: the target's CPU series through the run, and its last write-path events around the longest stall. */
#include "harness/run/run_int.h"

#include "harness/verdict/verdict.h"

void run__cpu_sample(struct run_ctx *rx, double now_ms, double cpu_s)
{
    struct obs_cpu_series *s = &rx->obs.target.cpu;

    if (s->n > 0 && now_ms - s->t_ms[s->n - 1] < s->every_ms)
        return;
    if (s->n == OBS_CPU_SAMPLES) {
        /* Full: keep every other sample and sample half as often, so a
         * long case still spans its whole run in bounded memory. */
        for (int i = 0; i < OBS_CPU_SAMPLES / 2; i++) {
            s->t_ms[i] = s->t_ms[2 * i];
            s->cpu_s[i] = s->cpu_s[2 * i];
        }
        s->n = OBS_CPU_SAMPLES / 2;
        s->every_ms *= 2;
    }
    s->t_ms[s->n] = now_ms;
    s->cpu_s[s->n++] = cpu_s;
}

void run__stall_trace(struct run_ctx *rx)
{
    struct obs_trace *tr = &rx->obs.trace;
    /* The stall the verdict will report, so the events match it. */
    int i = verdict_stall_client(&rx->obs.clients);
    const struct client_result *w = i < 0 ? NULL : &rx->obs.clients.res[i];
    double from_ms;

    tr->stall_line[0] = '\0';
    if (!w || !tr->traced || !tr->tr.present)
        return;
    /* The engine's clock and rx->t0_ms share CLOCK_MONOTONIC; the trace's too. */
    from_ms = rx->t0_ms + w->stall_start_ms;
    trace_stall_events(rx->trace_path, (uint64_t)(from_ms * 1e6), (uint64_t)((from_ms + w->longest_stall_ms) * 1e6),
                       tr->stall_line, sizeof(tr->stall_line));
}
