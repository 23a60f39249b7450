/* check_fuzz.c: unit tests of edgecase fuzz's model: parse(write(c)) == c, generated scenarios pass the parser and replay from their seed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/case/case.h"
#include "harness/fuzz/fuzz.h"
#include "harness/fuzz/fuzz_int.h"
#include "tests/check_main.h"

#define NSEEDS 500

/* What the parser records about where it read things, which no writer reproduces. */
static void norm(struct ec_case *c)
{
    size_t n = strlen(c->name);

    /* The default name is cut out of the file name: what follows its NUL is left over. */
    memset(c->name + n, 0, sizeof(c->name) - n);
    memset(c->path, 0, sizeof(c->path));
    for (int i = 0; i < c->nsteps; i++)
        c->steps[i].line = 0;
    for (int i = 0; i < c->nphases; i++)
        c->phases[i].line = 0;
    for (int i = 0; i < c->expect.ncpu; i++)
        c->expect.cpu[i].line = 0;
    for (int i = 0; i < c->expect.ndone; i++)
        c->expect.done[i].line = 0;
    c->expect.wire_line = c->expect.wire_rst_line = c->netns_rate_line = 0;
}

/* parse(write(c)) must give c back, byte for byte once normalised. */
static void roundtrip(const struct ec_case *c0, const char *what)
{
    static char text[16384];
    static struct ec_case a, b;
    char err[1024] = "";

    a = *c0;
    ck_assert_msg(fuzz_write(&a, "a header\nover two lines", text, sizeof(text)) > 0, "%s: write failed", what);
    ck_assert_msg(case_parse_text(text, "x.case", &b, err, sizeof(err)) == 0, "%s: %s\n%s", what, err, text);
    norm(&a);
    norm(&b);
    for (size_t i = 0; i < sizeof(a); i++)
        ck_assert_msg(((unsigned char *)&a)[i] == ((unsigned char *)&b)[i],
                      "%s: parse(write(c)) != c from byte %zu of struct ec_case:\n%s", what, i, text);
}

START_TEST(t_generated_roundtrip)
{
    struct case_proto p[3];
    struct ec_case c;
    char err[1024], what[64];

    case_proto_parse("echo", &p[0], err, sizeof(err));
    case_proto_parse("repeat:20000", &p[1], err, sizeof(err));
    case_proto_parse("repeat:500:nonl", &p[2], err, sizeof(err));
    for (int k = 0; k < 3; k++)
        for (unsigned long long s = 0; s < NSEEDS; s++) {
            snprintf(what, sizeof(what), "proto %d seed %llu", k, s);
            ck_assert_msg(fuzz_gen(s, &p[k], &c, err, sizeof(err)) == 0, "%s: %s", what, err);
            roundtrip(&c, what);
        }
}
END_TEST

/* Every key the catalogue uses survives the trip, overrides aside (the writer does not emit them). */
START_TEST(t_catalogue_roundtrip)
{
    struct ec_case *all = NULL;
    const char *top = getenv("EC_TOP_SRCDIR");
    char err[4096], dir[4096];
    int n;

    snprintf(dir, sizeof(dir), "%s/cases", top && *top ? top : ".");
    ck_assert_msg(case_load_dir(dir, &all, &n, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_gt(n, 20);
    for (int i = 0; i < n; i++) {
        if (all[i].nover)
            continue;
        roundtrip(&all[i], all[i].name);
    }
    free(all);
}
END_TEST

START_TEST(t_seed_replays)
{
    static struct ec_case a, b;
    struct case_proto p;
    char err[1024];
    int differ = 0;

    case_proto_parse("echo", &p, err, sizeof(err));
    for (unsigned long long s = 1; s < 50; s++) {
        ck_assert(fuzz_gen(s, &p, &a, err, sizeof(err)) == 0);
        ck_assert(fuzz_gen(s, &p, &b, err, sizeof(err)) == 0);
        ck_assert_msg(memcmp(&a, &b, sizeof(a)) == 0, "seed %llu drew two scenarios", s);
        ck_assert(fuzz_gen(s + 1000, &p, &b, err, sizeof(err)) == 0);
        differ += memcmp(a.groups, b.groups, sizeof(a.groups)) != 0;
    }
    ck_assert_int_gt(differ, 40);
}
END_TEST

/* Only symptom assertions: no latency bounds a loaded machine could break. */
START_TEST(t_no_timing_bounds)
{
    struct case_proto p;
    struct ec_case c;
    char err[1024];

    case_proto_parse("echo", &p, err, sizeof(err));
    for (unsigned long long s = 0; s < NSEEDS; s++) {
        ck_assert(fuzz_gen(s, &p, &c, err, sizeof(err)) == 0);
        ck_assert_int_eq(c.expect.finish_within_ms, 0);
        ck_assert_int_eq(c.expect.probe_max_ms, 0);
        ck_assert_int_eq(c.expect.ndone, 0);
        ck_assert_int_eq(c.expect.backpressure, 0);
        ck_assert_int_eq(c.expect.resumptions_min, -1);
        ck_assert_int_le(c.deadline_ms, 60000);
    }
}
END_TEST

/* A shrink that moves a reader's delay keeps the CPU phase inside "every reader stalled". */
START_TEST(t_phase_fits_readers)
{
    struct case_proto p;
    struct ec_case c;
    char err[1024];
    int seen = 0;

    case_proto_parse("echo", &p, err, sizeof(err));
    for (unsigned long long s = 0; s < NSEEDS; s++) {
        ck_assert(fuzz_gen(s, &p, &c, err, sizeof(err)) == 0);
        if (!c.nphases)
            continue;
        seen++;
        c.groups[0].read_delay_ms /= (int)(s % 3 + 1);
        ck_assert_msg(fuzz_settle(&c, err, sizeof(err)) == 0, "%s", err);
        for (int g = 0; g < c.ngroups && c.nphases; g++)
            ck_assert_int_le(c.phases[0].to.ms, c.groups[g].read_delay_ms - 200);
        ck_assert_int_eq(c.nphases, c.expect.ncpu);
    }
    ck_assert_int_gt(seen, 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fuzz");
    TCase *tc = tcase_create("model");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, t_generated_roundtrip);
    tcase_add_test(tc, t_catalogue_roundtrip);
    tcase_add_test(tc, t_seed_replays);
    tcase_add_test(tc, t_no_timing_bounds);
    tcase_add_test(tc, t_phase_fits_readers);
    suite_add_tcase(s, tc);
    return check_main_run(s);
}
