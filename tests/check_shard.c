/* check_shard.c: the --shard K/N split: every case in exactly one shard, the same split every time, shards balanced. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli/shard.h"
#include "tests/check_main.h"

#define NCASES 31

static char name_buf[NCASES][32];
static const char *names[NCASES];
static double durs[NCASES];

/* 31 names out of order, durations from 0.1 s to about 25 s, one unknown. */
static void shard_fixture(void)
{
    for (int i = 0; i < NCASES; i++) {
        snprintf(name_buf[i], sizeof(name_buf[i]), "case-%02d", (i * 7) % NCASES);
        names[i] = name_buf[i];
        durs[i] = 0.1 + (double)((i * 13) % NCASES) * 0.8;
    }
    durs[5] = -1;
}

/* Counts in how many of the n shards each case lands. */
static void shard_owners(const double *d, int n, int *owners)
{
    int keep[NCASES];

    memset(owners, 0, sizeof(int) * NCASES);
    for (int k = 1; k <= n; k++) {
        ck_assert_int_ge(shard_select(names, d, NCASES, k, n, keep), 0);
        for (int i = 0; i < NCASES; i++)
            owners[i] += keep[i];
    }
}

START_TEST(test_exactly_one)
{
    int owners[NCASES];

    for (int n = 1; n <= 40; n++)
        for (int with = 0; with < 2; with++) {
            shard_owners(with ? durs : NULL, n, owners);
            for (int i = 0; i < NCASES; i++)
                ck_assert_msg(owners[i] == 1, "n %d durations %d: %s in %d shards", n, with, names[i], owners[i]);
        }
}
END_TEST

/* Reversing the input changes nothing: the split depends on names and durations only. */
START_TEST(test_deterministic)
{
    const char *rev[NCASES];
    double rdur[NCASES];
    int a[NCASES], b[NCASES];

    for (int i = 0; i < NCASES; i++) {
        rev[i] = names[NCASES - 1 - i];
        rdur[i] = durs[NCASES - 1 - i];
    }
    for (int with = 0; with < 2; with++)
        for (int k = 1; k <= 4; k++) {
            shard_select(names, with ? durs : NULL, NCASES, k, 4, a);
            shard_select(rev, with ? rdur : NULL, NCASES, k, 4, b);
            for (int i = 0; i < NCASES; i++)
                ck_assert_int_eq(a[i], b[NCASES - 1 - i]);
        }
}
END_TEST

/* Without durations the counts differ by at most one; round robin in name order. */
START_TEST(test_balanced_by_count)
{
    int keep[NCASES], lo = NCASES, hi = 0;

    for (int k = 1; k <= 4; k++) {
        int c = shard_select(names, NULL, NCASES, k, 4, keep);

        lo = c < lo ? c : lo;
        hi = c > hi ? c : hi;
    }
    ck_assert_int_le(hi - lo, 1);
    shard_select(names, NULL, NCASES, 1, 4, keep);
    for (int i = 0; i < NCASES; i++)
        if (!strcmp(names[i], "case-00") || !strcmp(names[i], "case-04"))
            ck_assert_int_eq(keep[i], 1);
}
END_TEST

/* With durations (LPT) no shard exceeds the ideal share by more than the longest case. */
START_TEST(test_balanced_by_duration)
{
    int keep[NCASES];
    double total = 0, longest = 0, mean;
    int known = 0;

    for (int i = 0; i < NCASES; i++)
        if (durs[i] >= 0) {
            total += durs[i];
            known++;
            longest = durs[i] > longest ? durs[i] : longest;
        }
    mean = total / known;
    total += mean * (NCASES - known);
    for (int n = 2; n <= 5; n++)
        for (int k = 1; k <= n; k++) {
            double load = 0;

            shard_select(names, durs, NCASES, k, n, keep);
            for (int i = 0; i < NCASES; i++)
                load += keep[i] ? (durs[i] >= 0 ? durs[i] : mean) : 0;
            ck_assert_msg(load <= total / n + longest + 1e-9, "shard %d/%d: %.2f s of %.2f", k, n, load, total);
        }
}
END_TEST

START_TEST(test_parse)
{
    static const char *const bad[] = { "0/2", "3/2", "1/0", "x", "1/", "/2", "1/2x", "-1/2", "1/1001", "" };
    int k, n;

    ck_assert_int_eq(shard_parse("2/3", &k, &n), 0);
    ck_assert_int_eq(k, 2);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(shard_parse("1/1", &k, &n), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(shard_parse(bad[i], &k, &n) == -1, "'%s' accepted", bad[i]);
}
END_TEST

/* A summary.json as report.c writes it gives the durations; a case it lacks is -1. */
START_TEST(test_durations_file)
{
    char path[] = "/tmp/check_shard.XXXXXX", err[256];
    const char *want[] = { "b", "a", "zz" };
    double d[3];
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    fputs("{\"started\":\"x\",\"duration_s\":9.000,\"total\":2,\"cases\":[\n"
          "  {\"name\":\"a\",\"status\":\"pass\",\"duration_s\":1.250,\"diag\":\"\"},\n"
          "  {\"name\":\"b\",\"status\":\"fail\",\"duration_s\":7.500,\"diag\":\"\"}\n]}\n", f);
    fclose(f);
    ck_assert_int_eq(shard_durations(path, want, 3, d, err, sizeof(err)), 2);
    ck_assert(d[0] == 7.5 && d[1] == 1.25 && d[2] < 0);
    unlink(path);
    ck_assert_int_eq(shard_durations(path, want, 3, d, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "--shard-durations") != NULL, "%s", err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("shard");
    TCase *tc = tcase_create("split");

    tcase_add_checked_fixture(tc, shard_fixture, NULL);
    tcase_add_test(tc, test_exactly_one);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_balanced_by_count);
    tcase_add_test(tc, test_balanced_by_duration);
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_durations_file);
    suite_add_tcase(s, tc);
    return check_main_run(s);
}
