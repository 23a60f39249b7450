/* case_set.c: the case parser's structured values: class and protocol lists, steps, phases and bounds. */
#include "harness/case_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int case__set_classes(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    char *end;
    long n;

    c->nclasses = 0;
    while (*v) {
        errno = 0;
        n = strtol(v, &end, 10);
        if (end == v || n < 1 || n > 20 || (*end && !isspace((unsigned char)*end))) {
            snprintf(err, errlen, "classes: '%.200s' is not a list of class numbers 1..20", v);
            return -1;
        }
        if (c->nclasses == CASE_MAX_CLASSES) {
            snprintf(err, errlen, "classes: more than %d classes", CASE_MAX_CLASSES);
            return -1;
        }
        c->classes[c->nclasses++] = (int)n;
        for (v = end; isspace((unsigned char)*v); v++)
            ;
    }
    return 0;
}

int case__set_protos(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    char buf[256], *tok, *save = NULL, perr[160];

    snprintf(buf, sizeof(buf), "%s", v);
    c->nprotos = 0;
    for (tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
        if (c->nprotos == CASE_MAX_PROTOS) {
            snprintf(err, errlen, "protocols: more than %d", CASE_MAX_PROTOS);
            return -1;
        }
        if (case_proto_parse(tok, &c->protos[c->nprotos], perr, sizeof(perr)) < 0) {
            snprintf(err, errlen, "protocols: %s", perr);
            return -1;
        }
        c->nprotos++;
    }
    if (c->nprotos == 0) {
        snprintf(err, errlen, "protocols: empty list");
        return -1;
    }
    return 0;
}

static int case__add_step(struct ec_case *c, enum case_step_kind k, const char *v, int line,
                          char *err, size_t errlen)
{
    struct case_step *s;

    if (c->nsteps == CASE_MAX_STEPS) {
        snprintf(err, errlen, "more than %d steps", CASE_MAX_STEPS);
        return -1;
    }
    s = &c->steps[c->nsteps];
    if (case__when(v, &s->when) < 0) {
        snprintf(err, errlen, "'%.200s' is not a time (start, connect, 300ms, connect+300ms)", v);
        return -1;
    }
    s->kind = k;
    s->line = line;
    c->nsteps++;
    return 0;
}

int case__set_freeze(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    return case__add_step(c, CASE_STEP_FREEZE, v, line, err, errlen);
}

int case__set_resume(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    return case__add_step(c, CASE_STEP_RESUME, v, line, err, errlen);
}

/* "phase = NAME FROM TO": a CPU measurement interval. */
int case__set_phase(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    char name[64], from[64], to[64], extra[2];
    struct case_phase *p;

    if (sscanf(v, "%63s %63s %63s %1s", name, from, to, extra) != 3) {
        snprintf(err, errlen, "phase: expected 'NAME FROM TO', got '%.200s'", v);
        return -1;
    }
    if (c->nphases == CASE_MAX_PHASES || strlen(name) >= sizeof(p->name)) {
        snprintf(err, errlen, "phase: too many phases or name too long");
        return -1;
    }
    p = &c->phases[c->nphases];
    if (case__when(from, &p->from) < 0 || case__when(to, &p->to) < 0) {
        snprintf(err, errlen, "phase %s: bad time '%.200s' or '%.200s'", name, from, to);
        return -1;
    }
    if (p->from.anchor == p->to.anchor && p->to.ms <= p->from.ms) {
        snprintf(err, errlen, "phase %s: ends before it starts", name);
        return -1;
    }
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->line = line;
    c->nphases++;
    return 0;
}

/* "cpu_max = PHASE FRACTION": CPU-seconds per wall second over that phase. */
int case__set_cpu(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    struct case_cpu_limit *l;
    char name[64], extra[2];
    double f;

    if (sscanf(v, "%63s %lf %1s", name, &f, extra) != 2 || f <= 0 || f > 64) {
        snprintf(err, errlen, "cpu_max: expected 'PHASE FRACTION' (e.g. 'stalled 0.3'), got '%.200s'", v);
        return -1;
    }
    if (c->expect.ncpu == CASE_MAX_CPU || strlen(name) >= sizeof(l->phase_name)) {
        snprintf(err, errlen, "cpu_max: too many limits or phase name too long");
        return -1;
    }
    l = &c->expect.cpu[c->expect.ncpu++];
    snprintf(l->phase_name, sizeof(l->phase_name), "%s", name);
    l->max_frac = f;
    l->line = line;
    return 0;
}

/* "done_within = GROUP DURATION": clients of [clients] section GROUP (from 1) finish in time. */
int case__set_done(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    struct case_done_limit *d;
    char dur[64], extra[2];
    int g;

    if (sscanf(v, "%d %63s %1s", &g, dur, extra) != 2 || g < 1 || g > CASE_MAX_GROUPS) {
        snprintf(err, errlen, "done_within: expected 'GROUP DURATION' (e.g. '2 100ms'), got '%.200s'", v);
        return -1;
    }
    if (c->expect.ndone == CASE_MAX_GROUPS) {
        snprintf(err, errlen, "done_within: more than %d bounds", CASE_MAX_GROUPS);
        return -1;
    }
    d = &c->expect.done[c->expect.ndone];
    if (case__ms(dur, &d->max_ms) < 0) {
        snprintf(err, errlen, "done_within: bad duration '%.200s'", dur);
        return -1;
    }
    d->group = g - 1;
    d->line = line;
    c->expect.ndone++;
    return 0;
}
