/* check_pattern.c: unit tests of the stream generators and of the verifier's diagnoses.
 * Run one case: CK_RUN_CASE=diagnose make check TESTS=tests/check_pattern; debug with CK_FORK=no. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/verify/pattern.h"
#include "tests/check_main.h"

#define SEED 0x5eedULL
#define ME 1u

/* A received stream under construction. */
struct rx {
    char *b;
    size_t len, cap;
};

static void rx_put(struct rx *r, const char *d, size_t n)
{
    if (r->len + n > r->cap) {
        r->cap = (r->len + n) * 2;
        r->b = realloc(r->b, r->cap);
        ck_assert_ptr_nonnull(r->b);
    }
    memcpy(r->b + r->len, d, n);
    r->len += n;
}

/* Appends [from, to) of client's stream of the given kind. */
static void rx_stream(struct rx *r, enum pattern_kind k, uint32_t client, uint32_t n, uint64_t from, uint64_t to)
{
    char *tmp = malloc(to - from + 1);

    ck_assert_ptr_nonnull(tmp);
    switch (k) {
    case PAT_ECHO:
    case PAT_HTTP:            /* an http body is its client's echo stream */
        pattern_echo_fill(SEED, client, from, tmp, to - from);
        break;
    case PAT_STREAM:
        pattern_stream_fill(from, tmp, to - from);
        break;
    case PAT_REPEAT:
        pattern_repeat_fill(client, n, from, tmp, to - from);
        break;
    }
    rx_put(r, tmp, to - from);
    free(tmp);
}

START_TEST(t_echo_bytes)
{
    char rec[64], part[10];

    pattern_echo_fill(SEED, 3, 0, rec, 64);
    ck_assert_mem_eq(rec, "c000003 o0000000000000000 ", 26);
    ck_assert_mem_eq(rec + 32, "c000003 o0000000000000020 ", 26);
    ck_assert_int_eq(rec[31], '\n');
    for (int i = 26; i < 31; i++)
        ck_assert_msg((rec[i] >= 'a' && rec[i] <= 'z') || (rec[i] >= 'A' && rec[i] <= 'F'), "filler byte %d", i);
    /* Any offset reproduces the same bytes. */
    pattern_echo_fill(SEED, 3, 40, part, sizeof(part));
    ck_assert_mem_eq(part, rec + 40, sizeof(part));
    /* The filler depends on the seed. */
    pattern_echo_fill(SEED + 1, 3, 0, part, sizeof(part));
    pattern_echo_fill(SEED, 0xabcdef, 0x1000, rec, 32);
    ck_assert_mem_eq(rec, "cabcdef o0000000000001000 ", 26);
}
END_TEST

START_TEST(t_stream_bytes)
{
    char b[40];

    pattern_stream_fill(0, b, 32);
    ck_assert_mem_eq(b, "000000000000000\n000000000000010\n", 32);
    pattern_stream_fill(0x12345 * 16 + 3, b, 16);
    ck_assert_mem_eq(b, "000000123450\n", 13);
    ck_assert_mem_eq(b + 13, "000", 3);
}
END_TEST

START_TEST(t_repeat_bytes)
{
    const uint32_t n = 20000;
    uint64_t rlen = pattern_repeat_reply_len(n);
    struct rx naive = {0};
    char msg[16], *gen;

    ck_assert_uint_eq(rlen, 348890);
    ck_assert_uint_eq(pattern_repeat_msg(3, 5, msg, sizeof(msg)), 10);
    ck_assert_mem_eq(msg, "c0003m0005", 10);
    for (uint32_t m = 0; m < 2; m++) {
        for (uint32_t i = 0; i < n; i++) {
            char l[32];
            int k = snprintf(l, sizeof(l), "%u:c0003m%04x\r\n", i, m);

            rx_put(&naive, l, (size_t)k);
        }
    }
    ck_assert_uint_eq(naive.len, 2 * rlen);
    gen = malloc(naive.len);
    pattern_repeat_fill(3, n, 0, gen, naive.len);
    ck_assert_mem_eq(gen, naive.b, 64);
    ck_assert_int_eq(memcmp(gen, naive.b, naive.len), 0);
    /* From arbitrary offsets too. */
    srand(7);
    for (int t = 0; t < 200; t++) {
        uint64_t off = (uint64_t)rand() % (naive.len - 100);

        pattern_repeat_fill(3, n, off, gen, 100);
        ck_assert_msg(memcmp(gen, naive.b + off, 100) == 0, "repeat fill differs at offset %llu",
                      (unsigned long long)off);
    }
    pattern_repeat_req_fill(3, 1, 11, msg, 11);
    ck_assert_mem_eq(msg, "c0003m0001\n", 11);
    free(gen);
    free(naive.b);
}
END_TEST

/* One verifier scenario: how to build the received bytes and what must be diagnosed. */
struct scenario {
    const char *name;
    enum pattern_kind kind;
    uint32_t repeat_n;
    uint64_t total;           /* expected_total */
    void (*build)(struct rx *r, const struct scenario *s);
    enum pattern_fault fault;
    uint64_t off_lo, off_hi;  /* fault offset must lie in [off_lo, off_hi] */
    uint64_t bytes;           /* fault_bytes (0: not checked) */
    const char *diag;         /* prefix the diagnosis must start with */
};

static void b_clean(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, s->total);
}

static void b_loss(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, 65536);
    rx_stream(r, s->kind, ME, s->repeat_n, 65536 + 4096, s->total);
}

static void b_loss_odd(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, 65546);
    rx_stream(r, s->kind, ME, s->repeat_n, 65546 + 100, s->total);
}

static void b_dup(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, 65536);
    rx_stream(r, s->kind, ME, s->repeat_n, 65536 - 4096, s->total);
}

static void b_cross(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, 65536);
    rx_stream(r, s->kind, 3, s->repeat_n, 1024, 1024 + 8192);
    rx_stream(r, s->kind, ME, s->repeat_n, 65536, s->total - 8192);
}

/* A reply cut right after a gap: 20 bytes, too few for a record header. */
static void b_loss_short_tail(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, 65546);
    rx_stream(r, s->kind, ME, s->repeat_n, 70005, 70025);
}

static void b_dup_short_tail(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, 65546);
    rx_stream(r, s->kind, ME, s->repeat_n, 60005, 60025);
}

static void b_garbage(struct rx *r, const struct scenario *s)
{
    b_clean(r, s);
    memset(r->b + 65541, 'Z', 45);
}

static void b_excess(struct rx *r, const struct scenario *s)
{
    b_clean(r, s);
    rx_put(r, "twelve bytes", 12);
}

static void b_trunc(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, 1000);
}

static void b_tail(struct rx *r, const struct scenario *s)
{
    b_clean(r, s);
    r->b[r->len - 3] = 'Q';    /* too late for a full window: diagnosed at finish */
}

/* Repeat streams: line boundaries of message 0. */
static uint64_t rl(uint32_t i)
{
    char tmp[32];
    uint64_t t = 0;

    for (uint32_t k = 0; k < i; k++)
        t += (uint64_t)snprintf(tmp, sizeof(tmp), "%u:c0001m0000\r\n", k);
    return t;
}

static void b_rep_loss(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, rl(100));
    rx_stream(r, s->kind, ME, s->repeat_n, rl(110), s->total);
}

static void b_rep_dup(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, rl(100));
    rx_stream(r, s->kind, ME, s->repeat_n, rl(90), s->total);
}

static void b_rep_cross(struct rx *r, const struct scenario *s)
{
    rx_stream(r, s->kind, ME, s->repeat_n, 0, rl(100));
    rx_stream(r, s->kind, 7, s->repeat_n, rl(100), rl(150));
    rx_stream(r, s->kind, ME, s->repeat_n, rl(150), s->total);
}

#define ECHO_TOTAL 200000
static const struct scenario scenarios[] = {
    {"echo clean", PAT_ECHO, 0, ECHO_TOTAL, b_clean, PF_NONE, 0, 0, 0, ""},
    {"stream clean", PAT_STREAM, 0, 100003, b_clean, PF_NONE, 0, 0, 0, ""},
    {"repeat clean", PAT_REPEAT, 20000, 2 * 348890, b_clean, PF_NONE, 0, 0, 0, ""},
    {"echo loss", PAT_ECHO, 0, ECHO_TOTAL, b_loss, PF_LOSS, 65536, 65536, 4096,
     "loss at offset 65536: 4096 bytes skipped"},
    {"echo loss unaligned", PAT_ECHO, 0, ECHO_TOTAL, b_loss_odd, PF_LOSS, 65540, 65546, 100, "loss at offset 6554"},
    {"echo duplication", PAT_ECHO, 0, ECHO_TOTAL, b_dup, PF_DUPLICATION, 65536, 65536, 4096,
     "duplication at offset 65536: 4096 bytes repeated"},
    {"echo cross-talk", PAT_ECHO, 0, ECHO_TOTAL, b_cross, PF_CROSSTALK, 65536, 65536, 0,
     "cross-talk at offset 65536: received bytes of client 3 (its offset 1024)"},
    {"echo loss, short tail", PAT_ECHO, 0, ECHO_TOTAL, b_loss_short_tail, PF_LOSS, 65546, 65546, 4459,
     "loss at offset 65546: 4459 bytes skipped"},
    {"echo duplication, short tail", PAT_ECHO, 0, ECHO_TOTAL, b_dup_short_tail, PF_DUPLICATION, 65546, 65547, 5541,
     "duplication at offset 6554"},
    {"repeat loss, short tail", PAT_REPEAT, 20000, 348890, b_loss_short_tail, PF_LOSS, 65546, 65546, 4459,
     "loss at offset 65546"},
    {"echo garbage", PAT_ECHO, 0, ECHO_TOTAL, b_garbage, PF_GARBAGE, 65541, 65541, 0, "garbage at offset 65541"},
    {"echo truncated", PAT_ECHO, 0, 2000, b_trunc, PF_TRUNCATED, 1000, 1000, 1000,
     "truncated: received 1000 of 2000 bytes"},
    {"echo bad tail", PAT_ECHO, 0, ECHO_TOTAL, b_tail, PF_GARBAGE, ECHO_TOTAL - 3, ECHO_TOTAL - 3, 0,
     "garbage at offset 199997"},
    {"stream loss", PAT_STREAM, 0, 200000, b_loss, PF_LOSS, 65536, 65536, 4096, "loss at offset 65536"},
    {"stream duplication", PAT_STREAM, 0, 200000, b_dup, PF_DUPLICATION, 65536, 65536, 4096,
     "duplication at offset 65536"},
    {"repeat excess", PAT_REPEAT, 20000, 348890, b_excess, PF_EXCESS, 348890, 348890, 12,
     "excess: 12 bytes after the expected 348890"},
    {"repeat loss", PAT_REPEAT, 20000, 348890, b_rep_loss, PF_LOSS, 1490, 1490, 160,
     "loss at offset 1490: 160 bytes skipped"},
    {"repeat duplication", PAT_REPEAT, 20000, 348890, b_rep_dup, PF_DUPLICATION, 1490, 1490, 150,
     "duplication at offset 1490: 150 bytes repeated"},
    {"repeat cross-talk", PAT_REPEAT, 20000, 348890, b_rep_cross, PF_CROSSTALK, 1490, 1490, 0,
     "cross-talk at offset 1490: received bytes of client 7 (its offset 1490)"},
};
#define NSCEN ((int)(sizeof(scenarios) / sizeof(scenarios[0])))
#define NMODES 4

/* Feeds r to v in chunks: mode 0 one byte, 1 random 1..5000, 2 all at once, 3 random 1..40. */
static int feed_chunks(struct verifier *v, const struct rx *r, int mode)
{
    size_t at = 0;
    int rc = 0;

    srand(42 + (unsigned)mode);
    while (at < r->len && rc == 0) {
        size_t n = mode == 0 ? 1 : mode == 1 ? 1 + (size_t)rand() % 5000 : mode == 2 ? r->len
                                                                          : 1 + (size_t)rand() % 40;

        if (n > r->len - at)
            n = r->len - at;
        rc = verifier_feed(v, r->b + at, n);
        at += n;
    }
    return rc == 0 ? verifier_finish(v) : rc;
}

START_TEST(t_diagnose)
{
    const struct scenario *s = &scenarios[_i / NMODES];
    struct rx r = {0};
    struct verifier v;
    int rc;

    s->build(&r, s);
    verifier_init(&v, s->kind, SEED, ME);
    v.repeat_n = s->repeat_n;
    v.expected_total = s->total;
    rc = feed_chunks(&v, &r, _i % NMODES);
    if (s->fault == PF_NONE) {
        ck_assert_msg(rc == 0, "%s (mode %d): unexpected failure: %s\n%s", s->name, _i % NMODES, v.diag, v.hexdump);
        ck_assert_uint_eq(v.pos, s->total);
    } else {
        ck_assert_msg(rc == -1, "%s (mode %d): mismatch not reported", s->name, _i % NMODES);
        ck_assert_msg(v.fault == s->fault, "%s (mode %d): fault %s, want %s: %s\n%s", s->name, _i % NMODES,
                      pattern_fault_name(v.fault), pattern_fault_name(s->fault), v.diag, v.hexdump);
        ck_assert_msg(v.fault_offset >= s->off_lo && v.fault_offset <= s->off_hi,
                      "%s: fault offset %llu, want %llu..%llu: %s", s->name,
                      (unsigned long long)v.fault_offset, (unsigned long long)s->off_lo,
                      (unsigned long long)s->off_hi, v.diag);
        if (s->bytes)
            ck_assert_uint_eq(v.fault_bytes, s->bytes);
        ck_assert_msg(strncmp(v.diag, s->diag, strlen(s->diag)) == 0, "%s: diag '%s', want '%s...'", s->name,
                      v.diag, s->diag);
        ck_assert_msg(strstr(v.hexdump, " <\n") != NULL, "%s: hexdump marks no row:\n%s", s->name, v.hexdump);
        /* Once failed, it stays failed. */
        ck_assert_int_eq(verifier_feed(&v, "x", 1), -1);
    }
    free(r.b);
}
END_TEST

START_TEST(t_repeat_grows)
{
    struct verifier v;
    char *b = malloc(2 * 348890);

    verifier_init(&v, PAT_REPEAT, SEED, ME);
    v.repeat_n = 20000;
    verifier_set_repeat_msgs(&v, 1);
    pattern_repeat_fill(ME, 20000, 0, b, 2 * 348890);
    ck_assert_int_eq(verifier_feed(&v, b, 348890), 0);
    verifier_set_repeat_msgs(&v, 2);
    ck_assert_int_eq(verifier_feed(&v, b + 348890, 348890), 0);
    ck_assert_int_eq(verifier_finish(&v), 0);
    free(b);
}
END_TEST

static Suite *pattern_suite(void)
{
    Suite *s = suite_create("pattern");
    TCase *gen = tcase_create("generators");
    TCase *diag = tcase_create("diagnose");

    tcase_add_test(gen, t_echo_bytes);
    tcase_add_test(gen, t_stream_bytes);
    tcase_add_test(gen, t_repeat_bytes);
    tcase_add_test(gen, t_repeat_grows);
    tcase_set_timeout(gen, 30);
    tcase_add_loop_test(diag, t_diagnose, 0, NSCEN * NMODES);
    tcase_set_timeout(diag, 60);
    suite_add_tcase(s, gen);
    suite_add_tcase(s, diag);
    return s;
}

int main(void)
{
        return check_main_run(pattern_suite());
}
