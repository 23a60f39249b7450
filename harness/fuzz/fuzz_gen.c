/* fuzz_gen.c: draws a random scenario from the case model, asserting only what every correct server does. */
#include "harness/fuzz/fuzz_int.h"

#include <stdio.h>
#include <string.h>

/* Per-client request sizes: echo and stream bytes; repeat messages are counted apart. */
#define FG_MIN_BYTES 1024ULL
#define FG_MAX_BYTES (4ULL << 20)
#define FG_MAX_TOTAL (32ULL << 20)

static const int fg_bufs[] = { 4096, 8192, 16384, 32768, 65536 };

static int fg__buf(struct fuzz_rng *r)
{
    return fg_bufs[fuzz_rng_range(r, 0, 4)];
}

/* Bytes the client gets back, roughly: what pause_after, reset_after and close_after are drawn below. */
static uint64_t fg__reply(const struct case_proto *p, uint64_t send)
{
    return p->kind == PAT_REPEAT ? send * p->repeat_n * 17 : send;
}

static void fg__size(struct fuzz_rng *r, const struct case_proto *p, struct client_spec *s)
{
    if (p->kind != PAT_REPEAT)
        s->send_bytes = fuzz_rng_log(r, FG_MIN_BYTES, FG_MAX_BYTES);
    else
        s->send_bytes = p->newline ? (uint64_t)fuzz_rng_range(r, 1, 3) : 1;
}

/* How the client reads: buffers, chunk sizes, rates, a late start, pauses. */
static void fg__reader(struct fuzz_rng *r, uint64_t reply, struct client_spec *s)
{
    if (fuzz_rng_chance(r, 40))
        s->rcvbuf = fg__buf(r);
    if (fuzz_rng_chance(r, 10))
        s->window_clamp = fg_bufs[fuzz_rng_range(r, 0, 2)];
    if (fuzz_rng_chance(r, 30))
        s->read_size = (int)fuzz_rng_range(r, (long long)(reply / 2000) + 7, 9000);
    if (fuzz_rng_chance(r, 30))
        s->read_rate = fuzz_rng_log(r, 512 << 10, 16 << 20);
    if (fuzz_rng_chance(r, 30))
        s->read_delay_ms = (int)fuzz_rng_range(r, 20, 1500);
    if (fuzz_rng_chance(r, 25) && reply > 2) {
        s->pause_after = (int)fuzz_rng_range(r, 1, (long long)reply - 1);
        s->pause_ms = (int)fuzz_rng_range(r, 20, 800);
        /* At most eight pauses: the schedule stays short. */
        s->pause_repeat = (uint64_t)s->pause_after >= reply / 8 && fuzz_rng_chance(r, 20);
    }
}

/* How the client writes and ends: chunks, pacing, half-close, reset or close part way. */
static void fg__writer(struct fuzz_rng *r, uint64_t reply, struct client_spec *s)
{
    if (fuzz_rng_chance(r, 30))
        s->write_size = (int)fuzz_rng_range(r, (long long)(s->send_bytes / 2000) + 7, 9000);
    if (fuzz_rng_chance(r, 20))
        s->write_rate = fuzz_rng_log(r, 256 << 10, 16 << 20);
    if (fuzz_rng_chance(r, 20))
        s->start_delay_ms = (int)fuzz_rng_range(r, 0, 800);
    if (fuzz_rng_chance(r, 20))
        s->shut_wr = 1;
    if (fuzz_rng_chance(r, 12) && reply > 2) {
        if (fuzz_rng_chance(r, 50))
            s->reset_after = (uint64_t)fuzz_rng_range(r, 1, (long long)reply - 1);
        else
            s->close_after = (uint64_t)fuzz_rng_range(r, 1, (long long)reply - 1);
    } else if (fuzz_rng_chance(r, 4)) {
        s->never_read = 1;
    }
}

/* Offsets into the reply stay inside it after a request was made smaller (echo and stream). */
static void fg__clamp(struct client_spec *s)
{
    if ((uint64_t)s->pause_after >= s->send_bytes)
        s->pause_after = (int)(s->send_bytes / 2);
    if (s->reset_after >= s->send_bytes)
        s->reset_after = s->send_bytes / 2 + 1;
    if (s->close_after >= s->send_bytes)
        s->close_after = s->send_bytes / 2 + 1;
}

/* A paced client moves at most about 2 s of bytes: scenarios stay short, so many run. */
static void fg__pace_cap(const struct case_proto *p, struct client_spec *s)
{
    uint64_t rate = s->read_rate && (!s->write_rate || s->read_rate < s->write_rate) ? s->read_rate : s->write_rate;

    if (p->kind == PAT_REPEAT || !rate || s->send_bytes <= 2 * rate)
        return;
    s->send_bytes = 2 * rate;
    fg__clamp(s);
}

static void fg__group(struct fuzz_rng *r, const struct case_proto *p, struct client_spec *s)
{
    int k = (int)fuzz_rng_range(r, 0, 99);

    memset(s, 0, sizeof(*s));
    s->count = k < 50 ? 1 : k < 85 ? (int)fuzz_rng_range(r, 2, 4) : (int)fuzz_rng_range(r, 5, 12);
    fg__size(r, p, s);
    fg__reader(r, fg__reply(p, s->send_bytes), s);
    fg__writer(r, fg__reply(p, s->send_bytes), s);
    fg__pace_cap(p, s);
}

/* Keeps the scenario's total bytes bounded: halves the largest requests. */
static void fg__cap(struct ec_case *c)
{
    uint64_t total;

    for (int round = 0; round < 16; round++) {
        total = 0;
        for (int g = 0; g < c->ngroups; g++)
            total += c->groups[g].send_bytes * (uint64_t)c->groups[g].count;
        if (total <= FG_MAX_TOTAL || c->protos[0].kind == PAT_REPEAT)
            return;
        for (int g = 0; g < c->ngroups; g++)
            if (c->groups[g].send_bytes > FG_MIN_BYTES) {
                c->groups[g].send_bytes /= 2;
                fg__clamp(&c->groups[g]);
            }
    }
}

/* Server-side buffers and preload-injected faults (EINTR, short writes, EAGAIN). */
static void fg__target(struct fuzz_rng *r, struct ec_case *c)
{
    char *p = c->inject;
    size_t left = sizeof(c->inject);
    int n, any = 0;

    if (fuzz_rng_chance(r, 50))
        c->sndbuf = fg__buf(r);
    if (fuzz_rng_chance(r, 15))
        c->rcvbuf = fg__buf(r);
    if (!fuzz_rng_chance(r, 25))
        return;
    while (!any) {
        static const char *const key[] = { "eintr", "short", "eagain" };
        static const int maxp[] = { 30, 50, 20 };

        for (int k = 0; k < 3; k++)
            if (fuzz_rng_chance(r, 50)) {
                n = snprintf(p, left, "%s=0.%02d,", key[k], (int)fuzz_rng_range(r, 1, maxp[k]));
                p += n;
                left -= (size_t)n;
                any = 1;
            }
    }
    snprintf(p, left, "seed=%lld", fuzz_rng_range(r, 1, 999999));
}

/* Freeze and resume cycles (SIGSTOP/SIGCONT), or a burst into a frozen server. */
static void fg__steps(struct fuzz_rng *r, struct ec_case *c)
{
    int t = 0, cycles;

    if (fuzz_rng_chance(r, 25)) {
        c->steps[0] = (struct case_step){ .kind = CASE_STEP_FREEZE, .when = { CASE_AT_START, 0 } };
        c->steps[1] = (struct case_step){ .kind = CASE_STEP_RESUME,
                                          .when = { CASE_AT_START, (int)fuzz_rng_range(r, 50, 400) } };
        c->nsteps = 2;
        return;
    }
    cycles = (int)fuzz_rng_range(r, 1, 5);
    for (int i = 0; i < cycles; i++) {
        t += (int)fuzz_rng_range(r, 20, 400);
        c->steps[c->nsteps++] = (struct case_step){ .kind = CASE_STEP_FREEZE, .when = { CASE_AT_START, t } };
        t += (int)fuzz_rng_range(r, 20, 500);
        c->steps[c->nsteps++] = (struct case_step){ .kind = CASE_STEP_RESUME, .when = { CASE_AT_START, t } };
    }
}

/* Every reader holds off its first read: no busy loop allowed while all of them are stalled.
 * The phase starts after the clients connect and ends before the first reader wakes. */
static void fg__stalled_readers(struct fuzz_rng *r, struct ec_case *c)
{
    int lo = 1300 + (int)fuzz_rng_range(r, 0, 700);

    for (int g = 0; g < c->ngroups; g++) {
        c->groups[g].read_delay_ms = lo + (int)fuzz_rng_range(r, 0, 300);
        c->groups[g].start_delay_ms = 0;
        c->groups[g].never_read = 0;
    }
    c->phases[0] = (struct case_phase){ .name = "stalled", .from = { CASE_AT_START, 300 },
                                        .to = { CASE_AT_START, lo - 200 } };
    c->nphases = 1;
    c->expect.cpu[0] = (struct case_cpu_limit){ .phase_name = "stalled", .max_frac = 0.5 };
    c->expect.ncpu = 1;
}

/* A client that pushes hundreds of MiB and never reads: memory must stay bounded. */
static void fg__never_reader(struct fuzz_rng *r, const struct case_proto *p, struct ec_case *c)
{
    struct client_spec *s = &c->groups[c->ngroups++];

    memset(s, 0, sizeof(*s));
    s->count = 1;
    s->never_read = 1;
    s->send_bytes = p->kind == PAT_ECHO ? fuzz_rng_log(r, 256ULL << 20, 512ULL << 20) : 1;
    c->expect.rss_growth_max = 96LL << 20;
}

static int fg__clients(const struct ec_case *c)
{
    int n = 0;

    for (int g = 0; g < c->ngroups; g++)
        n += c->groups[g].count;
    return n;
}

static void fg__expect(struct fuzz_rng *r, const struct case_proto *p, struct ec_case *c)
{
    int plain = c->inject[0] == '\0' && c->nsteps == 0;

    c->expect.serve_after = fuzz_rng_chance(r, 40);
    if (plain && fuzz_rng_chance(r, 15))
        fg__stalled_readers(r, c);
    else if (p->kind == PAT_ECHO && fg__clients(c) <= 8 && c->ngroups < CASE_MAX_GROUPS && fuzz_rng_chance(r, 6))
        fg__never_reader(r, p, c);
}

/* More clients than the target may open fds: each must be served or closed, none left
 * hanging, and a fresh client served after. Delivery is not asserted: a correct server may shed. */
static void fg__crowd(struct fuzz_rng *r, const struct case_proto *p, struct ec_case *c)
{
    struct client_spec *s = &c->groups[0];

    c->ngroups = 1;
    c->nofile = fuzz_rng_range(r, 24, 48);
    memset(s, 0, sizeof(*s));
    s->count = (int)c->nofile + (int)fuzz_rng_range(r, 8, 40);
    s->send_bytes = p->kind == PAT_REPEAT ? 1 : fuzz_rng_log(r, 1024, 4096);
    if (fuzz_rng_chance(r, 50))
        s->read_delay_ms = (int)fuzz_rng_range(r, 100, 1000);
    c->expect.delivered = 0;
    c->expect.serve_after = 1;
}

int fuzz_gen(unsigned long long seed, const struct case_proto *p, struct ec_case *c, char *err, size_t errlen)
{
    struct fuzz_rng r = { .s = seed };
    int k;

    /* Start from the parser's own defaults. */
    if (case_parse_text("[clients]\n", "fuzz.case", c, err, errlen) < 0)
        return -1;
    memset(c->groups, 0, sizeof(c->groups));
    snprintf(c->name, sizeof(c->name), "fuzz-%llu", seed);
    snprintf(c->description, sizeof(c->description), "edgecase fuzz scenario, seed %llu", seed);
    c->protos[0] = *p;
    c->stall_ms = 3000;
    k = (int)fuzz_rng_range(&r, 0, 99);
    c->ngroups = k < 40 ? 1 : k < 70 ? 2 : k < 90 ? 3 : 4;
    for (int g = 0; g < c->ngroups; g++)
        fg__group(&r, p, &c->groups[g]);
    fg__cap(c);
    fg__target(&r, c);
    if (fuzz_rng_chance(&r, 20))
        fg__steps(&r, c);
    if (fuzz_rng_chance(&r, 4))
        fg__crowd(&r, p, c);
    else
        fg__expect(&r, p, c);
    return fuzz_settle(c, err, errlen);
}
