/* check_proto.c: unit tests of the server's protocols (server/proto.c): line parser and reply generators. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/proto.h"
#include "tests/check_main.h"

/* Runs a generator to the end in fills of at most step bytes; returns a malloc'd buffer of *len bytes and destroys g. */
static char *gen_all(struct outq_gen *g, size_t step, size_t *len)
{
    size_t total = (size_t)g->remaining, got = 0;
    char *buf = malloc(total + 1);

    ck_assert_ptr_nonnull(buf);
    while (g->remaining > 0) {
        size_t want = step < g->remaining ? step : (size_t)g->remaining;
        size_t n = g->fill(g, buf + got, want);

        ck_assert_uint_gt(n, 0);
        ck_assert_uint_le(n, want);
        got += n;
        g->remaining -= n;
    }
    g->destroy(g);
    *len = got;
    return buf;
}

static const struct {
    const char *spec;
    int ok;
    enum proto_kind kind;
    uint32_t n;
} spec_table[] = {
    {"echo", 1, PROTO_ECHO, 0},
    {"stream", 1, PROTO_STREAM, 0},
    {"repeat:20000", 1, PROTO_REPEAT, 20000},
    {"repeat:1", 1, PROTO_REPEAT, 1},
    {"repeat", 1, PROTO_REPEAT, 0},
    {"repeat:0", 0, PROTO_REPEAT, 0},
    {"repeat:-3", 0, PROTO_REPEAT, 0},
    {"repeat:12x", 0, PROTO_REPEAT, 0},
    {"repeat:", 0, PROTO_REPEAT, 0},
    {"ECHO", 0, PROTO_ECHO, 0},
    {"", 0, PROTO_ECHO, 0},
};

START_TEST(t_spec)
{
    struct proto_conf c = {0};
    char err[160] = "";
    int r = proto_parse_spec(spec_table[_i].spec, &c, err, sizeof(err));

    ck_assert_msg((r == 0) == spec_table[_i].ok, "spec '%s': expected %s, got %d (%s)",
                  spec_table[_i].spec, spec_table[_i].ok ? "ok" : "error", r, err);
    if (r == 0) {
        ck_assert_int_eq(c.kind, spec_table[_i].kind);
        ck_assert_uint_eq(c.repeat_n, spec_table[_i].n);
    } else {
        ck_assert_msg(strlen(err) > 0, "spec '%s': error without a message", spec_table[_i].spec);
    }
}
END_TEST

static const char lines_in[] = "alpha\nbeta\n\nA much longer line, with spaces\r\nz\ntrailing";
static const char *const lines_out[] = {"alpha", "beta", "", "A much longer line, with spaces\r", "z"};
#define LINES_N (sizeof(lines_out) / sizeof(lines_out[0]))

/* Takes every complete line; checks them against lines_out from index *k on. */
static void take_lines(struct proto_parser *p, size_t *k)
{
    const char *line;
    size_t len;
    char err[160];
    int r;

    while ((r = proto_parser_next(p, &line, &len, err, sizeof(err))) == 1) {
        ck_assert_uint_lt(*k, LINES_N);
        ck_assert_uint_eq(len, strlen(lines_out[*k]));
        ck_assert_mem_eq(line, lines_out[*k], len);
        (*k)++;
    }
    ck_assert_int_eq(r, 0);
}

/* The input split in two reads at every offset, then in three at every pair: same lines every time. */
START_TEST(t_split_every_offset)
{
    size_t total = sizeof(lines_in) - 1, cut = (size_t)_i;

    for (size_t cut2 = cut; cut2 <= total; cut2++) {
        struct proto_parser p;
        size_t k = 0;

        proto_parser_init(&p, 1024);
        ck_assert_int_eq(proto_parser_feed(&p, lines_in, cut), 0);
        take_lines(&p, &k);
        ck_assert_int_eq(proto_parser_feed(&p, lines_in + cut, cut2 - cut), 0);
        take_lines(&p, &k);
        ck_assert_int_eq(proto_parser_feed(&p, lines_in + cut2, total - cut2), 0);
        take_lines(&p, &k);
        ck_assert_msg(k == LINES_N, "cuts %zu/%zu: expected %zu lines, got %zu", cut, cut2, LINES_N, k);
        ck_assert_uint_eq(proto_parser_buffered(&p), strlen("trailing"));
        proto_parser_free(&p);
    }
}
END_TEST

START_TEST(t_one_byte_reads)
{
    struct proto_parser p;
    size_t k = 0;

    proto_parser_init(&p, 1024);
    for (size_t i = 0; i < sizeof(lines_in) - 1; i++) {
        ck_assert_int_eq(proto_parser_feed(&p, lines_in + i, 1), 0);
        take_lines(&p, &k);
    }
    ck_assert_uint_eq(k, LINES_N);
    proto_parser_free(&p);
}
END_TEST

/* max_line 16: 16 bytes are fine, 17 without a newline are an error at once, and so is a long line with its newline. */
START_TEST(t_oversized)
{
    struct proto_parser p;
    const char *line;
    size_t len;
    char err[160] = "";

    proto_parser_init(&p, 16);
    ck_assert_int_eq(proto_parser_feed(&p, "0123456789abcdef\n", 17), 0);
    ck_assert_int_eq(proto_parser_next(&p, &line, &len, err, sizeof(err)), 1);
    ck_assert_uint_eq(len, 16);
    ck_assert_int_eq(proto_parser_feed(&p, "0123456789abcdefg", 17), 0);
    ck_assert_int_eq(proto_parser_next(&p, &line, &len, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "16") != NULL, "error should name the limit: '%s'", err);
    proto_parser_free(&p);

    proto_parser_init(&p, 16);
    ck_assert_int_eq(proto_parser_feed(&p, "0123456789abcdefghij\nok\n", 24), 0);
    ck_assert_int_eq(proto_parser_next(&p, &line, &len, err, sizeof(err)), -1);
    proto_parser_free(&p);
}
END_TEST

/* The seed's figure: N = 20000, M = 1234567890 gives 348,890 bytes, built lazily in odd-sized pieces. */
START_TEST(t_repeat_seed_figure)
{
    struct proto_conf c = {.kind = PROTO_REPEAT, .repeat_n = 20000, .max_line = 1024};
    char err[160];
    struct outq_gen *g = proto_reply(&c, "1234567890", 10, err, sizeof(err));
    size_t len, off = 0;
    char *got, line[64];

    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->remaining, 348890);
    got = gen_all(g, 777, &len);
    ck_assert_uint_eq(len, 348890);
    for (unsigned i = 0; i < 20000; i++) {
        int n = snprintf(line, sizeof(line), "%u:1234567890\r\n", i);

        ck_assert_msg(memcmp(got + off, line, (size_t)n) == 0, "line %u differs at reply offset %zu", i, off);
        off += (size_t)n;
    }
    ck_assert_uint_eq(off, 348890);
    free(got);
}
END_TEST

/* The closed-form length against counting, for several message sizes and counts. */
START_TEST(t_repeat_len)
{
    static const uint32_t ns[] = {1, 9, 10, 11, 99, 100, 101, 12345};
    char buf[32];

    for (size_t j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
        for (size_t mlen = 0; mlen < 4; mlen++) {
            uint64_t want = 0;

            for (uint32_t i = 0; i < ns[j]; i++)
                want += (uint64_t)snprintf(buf, sizeof(buf), "%u:", i) + mlen + 2;
            ck_assert_uint_eq(proto_repeat_reply_len(mlen, ns[j]), want);
        }
    }
}
END_TEST

/* Records are "%015llx\n" of their offset, and a fill from any offset is the same slice. */
START_TEST(t_stream_records)
{
    char whole[16 * 300], part[200], rec[17];

    proto_stream_fill(0, whole, sizeof(whole));
    for (unsigned k = 0; k < 300; k++) {
        snprintf(rec, sizeof(rec), "%015llx\n", 16ULL * k);
        ck_assert_mem_eq(whole + 16 * k, rec, 16);
    }
    for (size_t off = 0; off < 40; off++) {
        proto_stream_fill(off, part, sizeof(part));
        ck_assert_mem_eq(part, whole + off, sizeof(part));
    }
    proto_stream_fill(0xabcdef0123450ULL, rec, 16);
    ck_assert_mem_eq(rec, "00abcdef0123450\n", 16);
}
END_TEST

static const struct {
    const char *req;
    int ok;
    uint64_t n;
} stream_table[] = {
    {"1000", 1, 1000}, {"1000\r", 1, 1000}, {"0", 1, 0}, {"7", 1, 7},
    {"1000000000", 1, 1000000000}, {"", 0, 0}, {"12x", 0, 0}, {"-5", 0, 0},
    {" 5", 0, 0}, {"99999999999999999999", 0, 0}, {"abc", 0, 0}, {"\r", 0, 0}, {"1\r\r", 0, 0},
    {"18446744073709551615", 1, UINT64_MAX}, {"18446744073709551616", 0, 0},
    {"0000000000000000000000042", 1, 42}, {"+5", 0, 0}, {"5 ", 0, 0},
};

/* Stream replies: the exact length, truncated mid-record, and clear errors for bad requests. */
START_TEST(t_stream_reply)
{
    struct proto_conf c = {.kind = PROTO_STREAM, .max_line = 1024};
    char err[160] = "";
    const char *req = stream_table[_i].req;
    struct outq_gen *g = proto_reply(&c, req, strlen(req), err, sizeof(err));

    if (!stream_table[_i].ok) {
        ck_assert_msg(g == NULL, "request '%s' should be a protocol error", req);
        ck_assert_msg(strlen(err) > 0, "request '%s': error without a message", req);
        return;
    }
    ck_assert_msg(g != NULL, "request '%s': %s", req, err);
    ck_assert_uint_eq(g->remaining, stream_table[_i].n);
    if (g->remaining <= 100000) {
        size_t len;
        char *got = gen_all(g, 333, &len);
        char *want = malloc(len + 1);

        proto_stream_fill(0, want, len);
        ck_assert_uint_eq(len, stream_table[_i].n);
        ck_assert_mem_eq(got, want, len);
        free(got);
        free(want);
    } else {
        g->destroy(g);
    }
}
END_TEST

static Suite *proto_suite(void)
{
    Suite *s = suite_create("proto");
    TCase *tc;

    tc = tcase_create("spec");
    tcase_add_loop_test(tc, t_spec, 0, sizeof(spec_table) / sizeof(spec_table[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("parser");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, t_split_every_offset, 0, sizeof(lines_in));
    tcase_add_test(tc, t_one_byte_reads);
    tcase_add_test(tc, t_oversized);
    suite_add_tcase(s, tc);

    tc = tcase_create("repeat");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, t_repeat_seed_figure);
    tcase_add_test(tc, t_repeat_len);
    suite_add_tcase(s, tc);

    tc = tcase_create("stream");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, t_stream_records);
    tcase_add_loop_test(tc, t_stream_reply, 0, sizeof(stream_table) / sizeof(stream_table[0]));
    suite_add_tcase(s, tc);
    return s;
}

/* Run one case with CK_RUN_CASE=spec|parser|repeat|stream; debug with CK_FORK=no. */
int main(void)
{
        return check_main_run(proto_suite());
}
