/* case_set.c: the case parser's structured values: class and protocol lists, steps, phases and bounds. */
#include "harness/case/case_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/verdict/classes.h"

int case__set_classes(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    char *end;
    long n;

    c->nclasses = 0;
    while (*v) {
        errno = 0;
        n = strtol(v, &end, 10);
        if (end == v || n < 1 || n > BC_COUNT || (*end && !isspace((unsigned char)*end))) {
            snprintf(err, errlen, "classes: '%.200s' is not a list of class numbers 1..%d", v, BC_COUNT);
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

/* [clients] send_echo: what the group sends when the case runs with echo, for
 * a case listing echo next to repeat (whose send counts messages). */
int case__set_send_echo(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    unsigned long long n;

    (void)line;
    if (case__size(v, &n) < 0 || n == 0) {
        snprintf(err, errlen, "send_echo: bad value '%.200s' (expected bytes > 0, e.g. 350k)", v);
        return -1;
    }
    c->send_echo[c->ngroups - 1] = n;
    return 0;
}

/* netns_rate = N{kbit,mbit,gbit}: tc's units (bits per second, powers of 1000). */
int case__set_netns_rate(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    static const char *const units[] = { "kbit", "mbit", "gbit" };
    static const long mult[] = { 1, 1000, 1000000 };
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    for (int i = 0; i < 3 && errno == 0 && end != v && n > 0; i++)
        if (!strcmp(end, units[i]) && n <= 100000000 / mult[i]) {
            c->netns_rate_kbit = (int)(n * mult[i]);
            c->netns_rate_line = line;
            return 0;
        }
    snprintf(err, errlen, "netns_rate: bad value '%.200s' (expected e.g. 500kbit, 10mbit, 1gbit; at most 100gbit)", v);
    return -1;
}

/* Remembers where the first wire assertion is, for "needs capture = yes". */
static void case__wire_at(struct ec_case *c, int line)
{
    if (!c->expect.wire_line)
        c->expect.wire_line = line;
}

static int case__wire_bool(const char *key, const char *v, int *out, char *err, size_t errlen)
{
    if (case__bool(v, out) < 0) {
        snprintf(err, errlen, "%s: bad value '%.200s' (expected yes or no)", key, v);
        return -1;
    }
    return 0;
}

int case__set_wire_zw(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    case__wire_at(c, line);
    return case__wire_bool("wire_zero_window_resumed", v, &c->expect.wire_zero_window_resumed, err, errlen);
}

int case__set_wire_acked(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    case__wire_at(c, line);
    return case__wire_bool("wire_acked_equals_verified", v, &c->expect.wire_acked_equals_verified, err, errlen);
}

int case__set_wire_rst(struct ec_case *c, const char *v, int line, char *err, size_t errlen)
{
    case__wire_at(c, line);
    c->expect.wire_rst_line = line;
    if (!strcmp(v, "no"))
        c->expect.wire_rst = CASE_RST_NO;
    else if (!strcmp(v, "yes"))
        c->expect.wire_rst = CASE_RST_YES;
    else if (!strcmp(v, "any"))
        c->expect.wire_rst = CASE_RST_ANY;
    else {
        snprintf(err, errlen, "wire_rst: bad value '%.200s' (expected no, yes or any)", v);
        return -1;
    }
    return 0;
}

int case_has_wire(const struct ec_case *c)
{
    return c->expect.wire_zero_window_resumed || c->expect.wire_acked_equals_verified ||
           c->expect.wire_rst != CASE_RST_DEFAULT;
}

enum case_wire_rst case_wire_rst(const struct ec_case *c)
{
    if (c->expect.wire_rst != CASE_RST_DEFAULT)
        return c->expect.wire_rst;
    for (int i = 0; i < c->ngroups; i++)
        if (c->groups[i].reset_after > 0)
            return CASE_RST_ANY;
    return CASE_RST_NO;
}
