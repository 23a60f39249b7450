/* fuzz_shrink.c: greedy one-field-at-a-time reduction of a failing scenario; a candidate stays only if it fails 3 of 3 the same way. */
#include "harness/fuzz/fuzz_int.h"

#include <stdio.h>
#include <string.h>

#include "harness/util/clock.h"

#define FS_GROUP_OPS 20
#define FS_CASE_OPS 14
#define FS_CASE_EARLY 9   /* case ops 0..8 come before the group ops, 9.. (buffers, bounds) after */
#define FS_MAX_TRIES 80
#define FS_REPLAYS 5       /* runs of the final case, to say how reliably it fails */

/* Halves *v when it is above lo. Returns 1 if it changed. */
static int fs__halve_int(int *v, int lo)
{
    if (*v <= lo)
        return 0;
    *v = *v / 2 > lo ? *v / 2 : lo;
    return 1;
}

static int fs__zero_int(int *v)
{
    int had = *v != 0;

    *v = 0;
    return had;
}

static int fs__zero_u64(uint64_t *v)
{
    int had = *v != 0;

    *v = 0;
    return had;
}

static int fs__drop_group(struct ec_case *c, int g)
{
    if (c->ngroups < 2)
        return 0;
    memmove(&c->groups[g], &c->groups[g + 1], (size_t)(c->ngroups - g - 1) * sizeof(c->groups[0]));
    memmove(&c->send_echo[g], &c->send_echo[g + 1], (size_t)(c->ngroups - g - 1) * sizeof(c->send_echo[0]));
    c->ngroups--;
    return 1;
}

/* Fewer bytes: one at once (div 0), an eighth, a half; a repeat client keeps one message. */
static int fs__less_send(struct client_spec *s, int div)
{
    const uint64_t lo = 1;

    if (s->send_bytes <= lo || (div > 2 && s->send_bytes < 64 * 1024))
        return 0;
    s->send_bytes = div && s->send_bytes / (uint64_t)div > lo ? s->send_bytes / (uint64_t)div : lo;
    /* Offsets past the new end would never be reached. */
    if (s->pause_after > 0 && (uint64_t)s->pause_after >= s->send_bytes)
        s->pause_after = (int)(s->send_bytes / 2);
    return 1;
}

/* Mutation op of group g. Returns 1 if it changed the case. */
static int fs__group_op(struct ec_case *c, int g, int op)
{
    struct client_spec *s = &c->groups[g];

    switch (op) {
    case 0: return fs__drop_group(c, g);
    case 1: return s->count > 1 ? (s->count = 1, 1) : 0;
    case 2: return fs__halve_int(&s->count, 1);
    case 3: return fs__less_send(s, 0);
    case 4: return fs__less_send(s, 8);
    case 5: return fs__less_send(s, 2);
    case 6: return s->never_read ? (s->never_read = 0, 1) : 0;
    case 7: return fs__zero_u64(&s->reset_after) | fs__zero_u64(&s->close_after);
    case 8: return s->shut_wr ? (s->shut_wr = 0, 1) : 0;
    case 9: return s->pause_after ? (s->pause_after = s->pause_ms = s->pause_repeat = 0, 1) : 0;
    case 10: return fs__zero_int(&s->read_delay_ms);
    case 11: return fs__zero_int(&s->start_delay_ms);
    case 12: return fs__zero_u64(&s->read_rate);
    case 13: return fs__zero_u64(&s->write_rate);
    case 14: return fs__zero_int(&s->read_size);
    case 15: return fs__zero_int(&s->write_size);
    case 16: return fs__zero_int(&s->rcvbuf);
    case 17: return fs__zero_int(&s->window_clamp);
    case 18: return fs__halve_int(&s->read_delay_ms, 10) | fs__halve_int(&s->start_delay_ms, 10);
    case 19: return fs__halve_int(&s->pause_ms, 10);
    }
    return 0;
}

/* Drops one fault ("eintr", "short", "eagain") from the inject spec; drops the spec when none is left. */
static int fs__drop_fault(struct ec_case *c, const char *key)
{
    char out[sizeof(c->inject)] = "", buf[sizeof(c->inject)], *tok, *save = NULL;
    size_t klen = strlen(key);
    int dropped = 0, faults = 0;

    snprintf(buf, sizeof(buf), "%s", c->inject);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (!strncmp(tok, key, klen) && tok[klen] == '=') {
            dropped = 1;
            continue;
        }
        faults += strncmp(tok, "seed=", 5) != 0;
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? "," : "", tok);
    }
    if (dropped)
        snprintf(c->inject, sizeof(c->inject), "%s", faults ? out : "");
    return dropped;
}

/* Halves every step time: the same schedule, sooner and shorter. */
static int fs__sooner(struct ec_case *c)
{
    int changed = 0;

    for (int i = 0; i < c->nsteps; i++)
        changed |= fs__halve_int(&c->steps[i].when.ms, 1);
    return changed;
}

/* Every group at once: a big first cut, so fewer slow single steps follow. */
static int fs__all_less(struct ec_case *c)
{
    int changed = 0;

    for (int g = 0; g < c->ngroups; g++)
        changed |= fs__less_send(&c->groups[g], 8);
    return changed;
}

static int fs__case_op(struct ec_case *c, int op)
{
    switch (op) {
    case 0: return c->ngroups > 1 ? (c->ngroups = 1, 1) : 0;
    case 1: return fs__all_less(c);
    case 2: return c->nsteps ? (c->nsteps = 0, 1) : 0;
    case 3: return c->inject[0] ? (c->inject[0] = '\0', 1) : 0;
    case 4: return c->nsteps >= 4 ? (c->nsteps -= 2, 1) : 0;
    case 5: return fs__sooner(c);
    case 6: return fs__drop_fault(c, "eintr");
    case 7: return fs__drop_fault(c, "short");
    case 8: return fs__drop_fault(c, "eagain");
    case 9: return fs__zero_int(&c->sndbuf);
    case 10: return fs__zero_int(&c->rcvbuf);
    case 11: return c->expect.serve_after ? (c->expect.serve_after = 0, 1) : 0;
    case 12: return c->nphases ? (c->nphases = c->expect.ncpu = 0, 1) : 0;
    case 13: return c->expect.rss_growth_max >= 0 ? (c->expect.rss_growth_max = -1, 1) : 0;
    }
    return 0;
}

/* Candidate k of c into out: the case ops that cut whole groups, steps and faults first, then
 * group by group, then the server's buffers last: a small buffer left in place lets the
 * requests shrink further, and shows what the bug needs.
 * Returns 1 for a valid, changed candidate, 0 to skip k, -1 past the last k. */
static int fs__candidate(const struct ec_case *c, int k, struct ec_case *out)
{
    int ngroup_ops = c->ngroups * FS_GROUP_OPS;
    char err[1024];
    int changed;

    if (k >= FS_CASE_OPS + ngroup_ops)
        return -1;
    *out = *c;
    if (k < FS_CASE_EARLY)
        changed = fs__case_op(out, k);
    else if (k < FS_CASE_EARLY + ngroup_ops)
        changed = fs__group_op(out, (k - FS_CASE_EARLY) / FS_GROUP_OPS, (k - FS_CASE_EARLY) % FS_GROUP_OPS);
    else
        changed = fs__case_op(out, k - ngroup_ops);
    return changed && fuzz_settle(out, err, sizeof(err)) == 0;
}

/* Runs c up to n times; returns how many failed with bug b (stops at the first that did not).
 * The last such diagnosis goes to diag. */
static int fs__fails(struct fuzz_ctx *fx, const struct ec_case *c, const struct fuzz_bug *b, int n,
                     char *diag, size_t diaglen)
{
    struct case_outcome o;
    struct fuzz_bug got;
    int k;

    for (k = 0; k < n && !*fx->stop; k++) {
        if (fuzz_run_one(fx, c, &o) < 0 || !fuzz_bug_of(&o, &got) || !fuzz_bug_same(&got, b))
            break;
        snprintf(diag, diaglen, "%s", o.diag);
    }
    return k;
}

void fuzz_shrink(struct fuzz_ctx *fx, struct ec_case *c, const struct fuzz_bug *b, struct fuzz_finding *f)
{
    struct ec_case cand;
    char diag[sizeof(f->diag)];
    double t_end = ec_now_ms() + fx->shrink_ms;
    int k = 0, tries = 0, r, improved = 1;

    fuzz_size(c, &f->clients0, &f->bytes0, &f->steps0);
    /* The scenario's own failure counts as the first of three. */
    f->confirmed = 1 + fs__fails(fx, c, b, 2, f->diag, sizeof(f->diag));
    fx->shrinking = 1;
    while (f->confirmed == 3 && improved && tries < FS_MAX_TRIES && !*fx->stop && ec_now_ms() < t_end) {
        improved = 0;
        for (k = 0; tries < FS_MAX_TRIES && !*fx->stop && ec_now_ms() < t_end; ) {
            if ((r = fs__candidate(c, k, &cand)) < 0)
                break;
            if (r == 0) {
                k++;
                continue;
            }
            tries++;
            fuzz_progress(fx, 0);
            if (fs__fails(fx, &cand, b, 3, diag, sizeof(diag)) == 3 && !*fx->stop) {
                snprintf(f->diag, sizeof(f->diag), "%s", diag);
                *c = cand;
                improved = 1;
                f->shrink_steps++;
                fx->shrinking++;
                fuzz_say(fx, "shrink step %d: kept candidate %d (%d tries)", f->shrink_steps, k, tries);
                continue;      /* the same op may apply again (the next group moved into g) */
            }
            k++;
        }
    }
    fx->shrinking = 0;
    fuzz_size(c, &f->clients, &f->bytes, &f->steps);
    /* 3 of 3 is a filter, not a guarantee: a timing-dependent bug says so here. */
    for (int i = 0; i < FS_REPLAYS && f->confirmed == 3 && !*fx->stop; i++) {
        struct case_outcome o;
        struct fuzz_bug got;

        if (fuzz_run_one(fx, c, &o) < 0)
            break;
        f->replays++;
        f->replays_failed += fuzz_bug_of(&o, &got) && fuzz_bug_same(&got, b);
    }
}
