/* fuzz_model.c: what a scenario implies: reply sizes, its deadline, its size, and its validation by the parser. */
#include "harness/fuzz/fuzz_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loopback throughput assumed for the deadline, far below what tiny buffers give on a loaded machine. */
#define FUZZ_SLOW_BPS (8.0 * 1024 * 1024)

/* Bytes a client of group g receives: its echo, its stream, or its repeat replies (about 17.5 bytes a line). */
static double fm__reply(const struct ec_case *c, int g)
{
    const struct client_spec *s = &c->groups[g];

    if (c->protos[0].kind == PAT_REPEAT)
        return (double)s->send_bytes * c->protos[0].repeat_n * 17.5;
    return (double)s->send_bytes;
}

/* How long a correct server needs for group g, in ms, on a machine with time to spare. */
static double fm__group_ms(const struct ec_case *c, int g, double all_bytes)
{
    const struct client_spec *s = &c->groups[g];
    double reply = fm__reply(c, g), t = s->start_delay_ms + s->read_delay_ms;

    if (s->never_read)
        return s->start_delay_ms;
    if (s->read_rate)
        t += reply * 1000.0 / (double)s->read_rate;
    if (s->write_rate)
        t += (double)s->send_bytes * 1000.0 / (double)s->write_rate;
    if (s->pause_after > 0)
        t += s->pause_ms * (s->pause_repeat ? reply / s->pause_after + 1 : 1);
    return t + all_bytes * 1000.0 / FUZZ_SLOW_BPS;
}

/* Frozen time and the last step: the clients wait through them. */
static double fm__steps_ms(const struct ec_case *c)
{
    double t = 0, frozen = 0, at = 0;

    for (int i = 0; i < c->nsteps; i++) {
        at = c->steps[i].when.ms;
        if (c->steps[i].kind == CASE_STEP_RESUME && i > 0)
            frozen += at - c->steps[i - 1].when.ms;
        t = at > t ? at : t;
    }
    return t + frozen;
}

static int fm__deadline(const struct ec_case *c)
{
    double all = 0, worst = 0, t;
    int ms;

    for (int g = 0; g < c->ngroups; g++)
        if (!c->groups[g].never_read)
            all += fm__reply(c, g) * c->groups[g].count;
    for (int g = 0; g < c->ngroups; g++)
        if ((t = fm__group_ms(c, g, all)) > worst)
            worst = t;
    /* Three times the work and 4 s more: a loaded machine is slow, never that slow. */
    ms = (int)(3.0 * (worst + fm__steps_ms(c)) + 4000.0);
    ms = (ms + 99) / 100 * 100;
    return ms > 60000 ? 60000 : ms;
}

/* The CPU phase must end 200 ms before the first reader wakes (a correct server may then
 * work flat out): after a shrink moved a delay, end it sooner, or drop it and its bound. */
static void fm__fit_phase(struct ec_case *c)
{
    int end, wake;

    if (!c->nphases)
        return;
    end = c->phases[0].to.ms;
    for (int g = 0; g < c->ngroups; g++) {
        const struct client_spec *s = &c->groups[g];

        wake = s->start_delay_ms || s->never_read ? 0 : s->read_delay_ms - 200;
        end = wake < end ? wake : end;
    }
    if (end >= c->phases[0].from.ms + 300) {
        c->phases[0].to.ms = end;
        return;
    }
    c->nphases = 0;
    c->expect.ncpu = 0;
}

int fuzz_settle(struct ec_case *c, char *err, size_t errlen)
{
    char text[16384], fname[128], why[1024];
    struct ec_case *back;
    int rc;

    fm__fit_phase(c);
    c->deadline_ms = fm__deadline(c);
    if (fuzz_write(c, NULL, text, sizeof(text)) < 0) {
        snprintf(err, errlen, "scenario too large to write");
        return -1;
    }
    if (!(back = malloc(sizeof(*back)))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(fname, sizeof(fname), "%.60s.case", c->name);
    /* The parser's own checks: a scenario it would reject is never run. */
    rc = case_parse_text(text, fname, back, why, sizeof(why));
    if (rc == 0)
        *c = *back;
    else
        snprintf(err, errlen, "generated case rejected: %s", why);
    free(back);
    return rc;
}

void fuzz_size(const struct ec_case *c, int *clients, unsigned long long *bytes, int *steps)
{
    *clients = 0;
    *bytes = 0;
    for (int g = 0; g < c->ngroups; g++) {
        *clients += c->groups[g].count;
        *bytes += (unsigned long long)c->groups[g].count * c->groups[g].send_bytes;
    }
    *steps = c->nsteps;
}
