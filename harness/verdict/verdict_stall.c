/* verdict_stall.c: which stall a diagnosis reports, and the CPU the target burned over it. */
#include "harness/verdict/verdict_int.h"

int verdict_stall_client(const struct obs_clients *cl)
{
    int w = -1;

    for (int i = 0; i < cl->nres; i++)
        if (cl->res[i].stalls > 0 && (w < 0 || cl->res[i].longest_stall_ms > cl->res[w].longest_stall_ms))
            w = i;
    return w;
}

/* CPU s/s over [a, b] ms from the samples that bracket it: -1 when fewer than two fall around it. */
static double verdict__cpu_over(const struct obs_cpu_series *s, double a, double b)
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

double verdict__stall_cpu(const struct observations *ob, int w)
{
    const struct client_result *r;

    if (w < 0)
        return -1;
    r = &ob->clients.res[w];
    return verdict__cpu_over(&ob->target.cpu, r->stall_start_ms, r->stall_start_ms + r->longest_stall_ms);
}
