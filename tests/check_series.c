/* check_series.c: tests of the timeline's series (quantiles, bounds, stalls, series.tsv) and its SVG and page writers.
 * Run one case: make check TESTS=tests/check_series CK_RUN_CASE=svg; debug with CK_FORK=no gdb. */
#include "harness/report/series.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/report/report_html.h"
#include "harness/report/report_svg.h"
#include "tests/check_main.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ec-check-series-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Only reached when the test passed, so a failure keeps its files. */
static void cleanup(void)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* 10,000 clients holding 0..9999 bytes: exact quantiles, and no per-client columns. */
START_TEST(t_quantiles)
{
    struct series *s = series_new(10000);
    uint64_t *recv = malloc(10000 * sizeof(*recv));

    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 10000; i++)
        recv[i] = (uint64_t)(9999 - i);     /* reversed: the selection must not rely on order */
    series_sample_bytes(s, 5, recv, NULL, NULL);
    ck_assert_int_eq(s->nb, 1);
    ck_assert_uint_eq(s->b[0].q[0], 0);
    ck_assert_uint_eq(s->b[0].q[1], 1000);
    ck_assert_uint_eq(s->b[0].q[2], 5000);
    ck_assert_uint_eq(s->b[0].q[3], 8999);
    ck_assert_uint_eq(s->b[0].q[4], 9999);
    ck_assert_uint_eq(recv[0], 9999);       /* the caller's counts are left alone */
    free(recv);
    series_free(s);
}
END_TEST

/* A long run stays within SERIES_SAMPLES, spans it all, and keeps the newest value. */
START_TEST(t_bounded)
{
    struct series *s = series_new(3);
    uint64_t recv[3] = { 0, 0, 0 };

    for (int t = 0; t <= 100000; t += 10) {
        recv[0] = (uint64_t)t;
        series_sample_bytes(s, t, recv, NULL, NULL);
        series_sample_res(s, t, t / 1e4, 1000 + t / 100);
    }
    ck_assert_int_le(s->nb, SERIES_SAMPLES);
    ck_assert_int_ge(s->nb, SERIES_SAMPLES / 4);
    ck_assert_double_eq(s->b[0].t_ms, 0);
    ck_assert_double_eq(s->b[s->nb - 1].t_ms, 100000);
    ck_assert_uint_eq(s->b[s->nb - 1].per[0], 100000);
    ck_assert_int_le(s->nr, SERIES_SAMPLES);
    ck_assert_double_eq(s->r[s->nr - 1].t_ms, 100000);
    ck_assert(s->every_ms > 10);
    series_free(s);
}
END_TEST

/* A stall opens from the client's last progress when the engine counts it, and closes on progress. */
START_TEST(t_stalls)
{
    struct series *s = series_new(2);
    uint64_t recv[2] = { 100, 100 };
    int stalls[2] = { 0, 0 }, done[2] = { 0, 0 };

    series_sample_bytes(s, 10, recv, stalls, done);
    recv[1] = 200;
    series_sample_bytes(s, 20, recv, stalls, done);
    stalls[0] = 1;                          /* client 0: no progress since 10 ms */
    series_sample_bytes(s, 300, recv, stalls, done);
    ck_assert_int_eq(s->ns, 0);
    recv[0] = 150;
    series_sample_bytes(s, 400, recv, stalls, done);
    ck_assert_int_eq(s->ns, 1);
    ck_assert_int_eq(s->s[0].kind, SPAN_STALL);
    ck_assert_int_eq(s->s[0].client, 0);
    ck_assert_double_eq(s->s[0].t0_ms, 10);
    ck_assert_double_eq(s->s[0].t1_ms, 400);
    series_span_exact(s, 50, 390, 0);       /* the engine's measure replaces the guess */
    ck_assert_int_eq(s->ns, 1);
    ck_assert_double_eq(s->s[0].t0_ms, 50);
    stalls[1] = 1;
    series_sample_bytes(s, 500, recv, stalls, done);
    series_close_stalls(s, 600);
    ck_assert_int_eq(s->ns, 2);
    ck_assert_double_eq(s->s[1].t1_ms, 600);
    series_free(s);
}
END_TEST

/* series.tsv round trip: samples, spans, marks, events, meta; tabs and newlines cannot split a record. */
START_TEST(t_roundtrip)
{
    struct series *s = series_new(2), *r;
    uint64_t recv[2] = { 0, 0 };
    char why[256];

    for (int t = 0; t <= 100; t += 10) {
        recv[0] = (uint64_t)t * 10;
        recv[1] = (uint64_t)t * 5;
        series_sample_bytes(s, t, recv, NULL, NULL);
    }
    series_span(s, SPAN_FROZEN, 20, 40, -1, -1, "SIGSTOP");
    series_span(s, SPAN_PHASE, 0, 100, -1, 0.5, "idle");
    series_mark(s, 90, "fail", 6144, 1, "client 1: loss\tat offset 6144\nand more");
    series_mark(s, 90.5, "fail", 6144, 1, "merged");
    series_event(s, 33, "eagain", 10);
    series_event(s, 37, "eagain", 10);
    series_meta(s, "expected", "%d", 1000);
    ck_assert_int_eq(series_write(s, dir), 0);
    r = series_read(dir, why, sizeof(why));
    ck_assert_msg(r != NULL, "%s", why);
    ck_assert_int_eq(r->nclients, 2);
    ck_assert_int_eq(r->nb, s->nb);
    ck_assert_uint_eq(r->b[r->nb - 1].per[0], 1000);
    ck_assert_uint_eq(r->b[r->nb - 1].per[1], 500);
    ck_assert_int_eq(r->ns, 2);
    ck_assert_double_eq(r->s[1].limit, 0.5);
    ck_assert_str_eq(r->s[0].label, "SIGSTOP");
    ck_assert_int_eq(r->nm, 1);
    ck_assert_int_eq(r->m[0].count, 2);
    ck_assert_int_eq(r->m[0].offset, 6144);
    ck_assert_str_eq(r->m[0].label, "client 1: loss at offset 6144 and more");
    ck_assert_int_eq(r->ne, 1);
    ck_assert_int_eq(r->e[0].count, 2);
    ck_assert_str_eq(series_get(r, "expected"), "1000");
    series_free(r);
    series_free(s);
    cleanup();
}
END_TEST

START_TEST(t_read_missing)
{
    char why[256];

    ck_assert_ptr_null(series_read(dir, why, sizeof(why)));
    ck_assert_ptr_nonnull(strstr(why, "no series.tsv"));
    cleanup();
}
END_TEST

/* report_svg's output for s, malloc'd. */
static char *draw(const struct series *s, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);

    ck_assert_ptr_nonnull(f);
    report_svg(f, s);
    fclose(f);
    return buf;
}

/* The drawing: a line per client, the stall, the freeze, the failure; every text escaped. */
START_TEST(t_svg)
{
    struct series *s = series_new(2);
    uint64_t recv[2] = { 0, 0 };
    size_t len = 0;
    char *buf;

    for (int t = 0; t <= 1000; t += 10) {
        recv[0] = t < 300 ? (uint64_t)t * 100 : 30000;
        series_sample_bytes(s, t, recv, NULL, NULL);
        series_sample_res(s, t, t / 2e3, 2000);
    }
    series_span_exact(s, 300, 1000, 0);
    series_span(s, SPAN_FROZEN, 100, 200, -1, -1, "SIGSTOP");
    series_mark(s, 1000, "hang", 30000, 1, "client 0: <script>alert(1)</script> & \"more\"");
    series_event(s, 299, "eagain", 10);
    series_event(s, 310, "epollout", 10);
    series_meta(s, "expected", "100000");
    series_meta(s, "t_end_ms", "1000");
    series_meta(s, "rss_limit_kb", "4096");
    buf = draw(s, &len);
    ck_assert_ptr_nonnull(strstr(buf, "<svg class=\"timeline\""));
    ck_assert_int_eq(strncmp(buf + len - 7, "</svg>\n", 7), 0);
    ck_assert_ptr_nonnull(strstr(buf, "<polyline class=\"client\""));
    ck_assert_ptr_nonnull(strstr(buf, "<rect class=\"stall\""));
    ck_assert_ptr_nonnull(strstr(buf, "<rect class=\"frozen\""));
    ck_assert_ptr_nonnull(strstr(buf, "client 0 stalled at 300 ms for 700 ms"));
    ck_assert_ptr_nonnull(strstr(buf, "class=\"mark bad\""));
    ck_assert_ptr_nonnull(strstr(buf, "data-kind=\"eagain\""));
    ck_assert_ptr_nonnull(strstr(buf, "data-kind=\"epollout\""));
    ck_assert_ptr_nonnull(strstr(buf, "RSS limit 4.0 MiB"));
    ck_assert_ptr_nonnull(strstr(buf, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;"));
    ck_assert_ptr_null(strstr(buf, "<script"));
    free(buf);
    series_free(s);
}
END_TEST

/* Many clients: a band of quantiles and a median, no line per client. */
START_TEST(t_svg_band)
{
    struct series *s = series_new(100);
    uint64_t recv[100];
    size_t len = 0;
    char *buf;

    for (int t = 0; t <= 100; t += 10) {
        for (int i = 0; i < 100; i++)
            recv[i] = (uint64_t)(t * i);
        series_sample_bytes(s, t, recv, NULL, NULL);
    }
    buf = draw(s, &len);
    ck_assert_ptr_nonnull(strstr(buf, "class=\"band\""));
    ck_assert_ptr_nonnull(strstr(buf, "class=\"median\""));
    ck_assert_ptr_null(strstr(buf, "class=\"client\""));
    free(buf);
    series_free(s);
}
END_TEST

/* The page from a folder: a row per case, failures first, a timeline or why not, names escaped. */
START_TEST(t_page)
{
    char path[512], *page = malloc(1 << 20);
    struct series *s = series_new(1);
    uint64_t recv[1] = { 0 };
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/summary.json", dir);
    f = fopen(path, "w");
    fputs("{\"started\":\"2026-01-01T00:00:00Z\",\"seed\":7,\"target\":\"./srv --x \\\"<b>\\\"\",\"cases\":[\n]}\n", f);
    fclose(f);
    const char *cases[][3] = { { "a-pass", "pass", "ok" }, { "b-fail", "fail", "loss at offset 5 <&>" },
                               { "c-skip", "skip", "needs root" } };
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, cases[i][0]);
        mkdir(path, 0755);
        if (i == 1) {
            series_sample_bytes(s, 0, recv, NULL, NULL);
            ck_assert_int_eq(series_write(s, path), 0);
        }
        snprintf(path, sizeof(path), "%s/%s/result.txt", dir, cases[i][0]);
        f = fopen(path, "w");
        fprintf(f, "case: %s\nstatus: %s\nduration_s: 1.5\nseed: 7\ndiag: %s\n\ndetails\n", cases[i][0], cases[i][1],
                cases[i][2]);
        fclose(f);
    }
    char err[256];
    ck_assert_int_eq(report_html_write(dir, err, sizeof(err)), 3);
    snprintf(path, sizeof(path), "%s/index.html", dir);
    f = fopen(path, "r");
    n = fread(page, 1, (1 << 20) - 1, f);
    page[n] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(page, "./srv --x &quot;&lt;b&gt;&quot;"));
    ck_assert_ptr_nonnull(strstr(page, "loss at offset 5 &lt;&amp;&gt;"));
    ck_assert(strstr(page, "id=\"case-b-fail\"") < strstr(page, "id=\"case-a-pass\""));
    ck_assert(strstr(page, "id=\"case-a-pass\"") < strstr(page, "id=\"case-c-skip\""));
    ck_assert_ptr_nonnull(strstr(page, "no timeline: no series.tsv"));
    ck_assert_ptr_nonnull(strstr(page, "no timeline: the case was skipped"));
    ck_assert_ptr_nonnull(strstr(page, "1 pass, 1 fail, 0 error, 1 skip"));
    ck_assert_int_eq((int)(strstr(page, "<svg class=\"timeline\"") != NULL), 1);
    free(page);
    series_free(s);
    cleanup();
}
END_TEST

#define ADD(name, fn) check_main_add(s, name, fn, setup, 30)

int main(void)
{
    Suite *s = suite_create("series");

    ADD("quantiles", t_quantiles);
    ADD("bounded", t_bounded);
    ADD("stalls", t_stalls);
    ADD("roundtrip", t_roundtrip);
    ADD("read_missing", t_read_missing);
    ADD("svg", t_svg);
    ADD("svg_band", t_svg_band);
    ADD("page", t_page);
    return check_main_run(s);
}
