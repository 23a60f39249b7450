/* check_outq.c: unit tests of the server's output queue (server/outq.c). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/outq.h"
#include "tests/check_main.h"

/* A generator of gen_byte(i) for i in [0, total), counting its destroy calls. */
struct test_gen {
    struct outq_gen gen;
    uint64_t pos;
    size_t max_step;          /* fill at most this much per call, to exercise partial fills */
    int *destroyed;
};

static char gen_byte(uint64_t i) { return (char)('a' + i % 23); }

static size_t test_gen_fill(struct outq_gen *g, char *buf, size_t len)
{
    struct test_gen *t = (struct test_gen *)g;

    if (t->max_step && len > t->max_step)
        len = t->max_step;
    for (size_t i = 0; i < len; i++)
        buf[i] = gen_byte(t->pos + i);
    t->pos += len;
    return len;
}

static void test_gen_destroy(struct outq_gen *g)
{
    struct test_gen *t = (struct test_gen *)g;

    (*t->destroyed)++;
    free(t);
}

static struct outq_gen *test_gen_new(uint64_t total, size_t max_step, int *destroyed)
{
    struct test_gen *t = calloc(1, sizeof(*t));

    ck_assert_ptr_nonnull(t);
    t->gen.fill = test_gen_fill;
    t->gen.destroy = test_gen_destroy;
    t->gen.remaining = total;
    t->max_step = max_step;
    t->destroyed = destroyed;
    return &t->gen;
}

/* Takes up to step bytes (all of them if step is 0) off the queue through iovecs of at most max entries into out. */
static size_t drain(struct outq *q, size_t step, int max, char *out, size_t outlen)
{
    size_t got = 0;

    while (!outq_empty(q) && got < outlen) {
        struct iovec iov[64];
        size_t limit = step ? step : outlen - got;
        int n = outq_iov(q, iov, max, limit);
        size_t took = 0;

        ck_assert_int_gt(n, 0);
        for (int i = 0; i < n; i++) {
            ck_assert_uint_le(got + took + iov[i].iov_len, outlen);
            memcpy(out + got + took, iov[i].iov_base, iov[i].iov_len);
            took += iov[i].iov_len;
        }
        ck_assert_uint_le(took, limit);
        outq_consume(q, took);
        got += took;
    }
    return got;
}

START_TEST(t_append_consume_all)
{
    struct outq q;
    char out[64];

    outq_init(&q, 0);
    ck_assert(outq_empty(&q));
    ck_assert_int_eq(outq_append(&q, "hello ", 6), 0);
    ck_assert_int_eq(outq_append(&q, "world", 5), 0);
    ck_assert_uint_eq(outq_pending(&q), 11);
    ck_assert_uint_eq(drain(&q, 0, 64, out, sizeof(out)), 11);
    ck_assert_mem_eq(out, "hello world", 11);
    ck_assert(outq_empty(&q));
    ck_assert_uint_eq(q.mem, 0);
    ck_assert_ptr_null(q.head);
    outq_free(&q);
}
END_TEST

/* Small chunks, every consume step from 1 to 13 bytes: order survives every chunk boundary. */
START_TEST(t_consume_across_chunks)
{
    struct outq q;
    char in[1000], out[1000];
    size_t step = (size_t)_i;

    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (char)(i * 7 + 3);
    outq_init(&q, 8);
    for (size_t off = 0; off < sizeof(in); off += 37)
        ck_assert_int_eq(outq_append(&q, in + off, off + 37 <= sizeof(in) ? 37 : sizeof(in) - off), 0);
    ck_assert_uint_eq(outq_pending(&q), sizeof(in));
    ck_assert_uint_eq(drain(&q, step, 3, out, sizeof(out)), sizeof(in));
    ck_assert_mem_eq(out, in, sizeof(in));
    ck_assert_uint_eq(q.mem, 0);
    outq_free(&q);
}
END_TEST

/* The iovec builder honours both the entry count and the byte limit, and a partial consume splits an iovec. */
START_TEST(t_iov_limits)
{
    struct outq q;
    struct iovec iov[8];
    int n;

    outq_init(&q, 4);
    ck_assert_int_eq(outq_append(&q, "abcd", 4), 0);
    ck_assert_int_eq(outq_append(&q, "efgh", 4), 0);
    ck_assert_int_eq(outq_append(&q, "ijkl", 4), 0);
    n = outq_iov(&q, iov, 2, 100);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(iov[0].iov_len + iov[1].iov_len, 8);
    n = outq_iov(&q, iov, 8, 6);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(iov[1].iov_len, 2);
    /* A short write of 6 bytes: the second chunk is half sent. */
    outq_consume(&q, 6);
    n = outq_iov(&q, iov, 8, 100);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(iov[0].iov_len, 2);
    ck_assert_mem_eq(iov[0].iov_base, "gh", 2);
    ck_assert_mem_eq(iov[1].iov_base, "ijkl", 4);
    ck_assert_uint_eq(outq_pending(&q), 6);
    outq_free(&q);
    ck_assert_uint_eq(q.mem, 0);
}
END_TEST

/* data, generator, data: bytes after the generator are never listed before it is done. */
START_TEST(t_generator_order)
{
    static const size_t total = 200000;
    struct outq q;
    char *out = malloc(total + 10);
    int destroyed = 0;

    outq_init(&q, 0);
    ck_assert_int_eq(outq_append(&q, "HEAD:", 5), 0);
    ck_assert_int_eq(outq_append_gen(&q, test_gen_new(total, 1000, &destroyed)), 0);
    ck_assert_int_eq(outq_append(&q, ":TAIL", 5), 0);
    ck_assert_uint_eq(outq_pending(&q), total + 10);
    ck_assert_uint_eq(drain(&q, 4099, 64, out, total + 10), total + 10);
    ck_assert_mem_eq(out, "HEAD:", 5);
    for (size_t i = 0; i < total; i++)
        ck_assert_msg(out[5 + i] == gen_byte(i), "generated byte %zu: expected %c, got %c", i, gen_byte(i), out[5 + i]);
    ck_assert_mem_eq(out + 5 + total, ":TAIL", 5);
    ck_assert_int_eq(destroyed, 1);
    ck_assert_uint_eq(q.mem, 0);
    outq_free(&q);
    free(out);
}
END_TEST

/* A 1 GiB generator costs one materialisation buffer, and outq_free destroys it unfinished. */
START_TEST(t_generator_lazy)
{
    struct outq q;
    static char out[1 << 20];
    int destroyed = 0;

    outq_init(&q, 0);
    ck_assert_int_eq(outq_append_gen(&q, test_gen_new(1ULL << 30, 0, &destroyed)), 0);
    ck_assert_uint_eq(q.mem, 0);
    ck_assert_uint_eq(drain(&q, 0, 64, out, sizeof(out)), sizeof(out));
    ck_assert_uint_le(q.mem, OUTQ_GEN_BUF);
    ck_assert_uint_eq(outq_pending(&q), (1ULL << 30) - sizeof(out));
    ck_assert_int_eq(out[sizeof(out) - 1], gen_byte(sizeof(out) - 1));
    outq_free(&q);
    ck_assert_int_eq(destroyed, 1);
    ck_assert_uint_eq(q.mem, 0);
}
END_TEST

START_TEST(t_generator_empty)
{
    struct outq q;
    int destroyed = 0;

    outq_init(&q, 0);
    ck_assert_int_eq(outq_append_gen(&q, test_gen_new(0, 0, &destroyed)), 0);
    ck_assert_int_eq(destroyed, 1);
    ck_assert(outq_empty(&q));
    ck_assert_ptr_null(q.head);
    outq_free(&q);
}
END_TEST

/* Memory held tracks what is queued: filled to a high-water mark it stays within one chunk of it, and returns to 0. */
START_TEST(t_memory_vs_hwm)
{
    static const size_t hwm = 512 * 1024, chunk = 16 * 1024;
    struct outq q;
    char block[3000];
    static char out[512 * 1024 + 3000];

    memset(block, 'x', sizeof(block));
    outq_init(&q, chunk);
    while (outq_pending(&q) < hwm)
        ck_assert_int_eq(outq_append(&q, block, sizeof(block)), 0);
    ck_assert_uint_ge(q.mem, outq_pending(&q));
    ck_assert_uint_le(q.mem, outq_pending(&q) + chunk);
    /* Draining frees chunks as they are sent. */
    ck_assert_uint_eq(drain(&q, 0, 64, out, hwm / 2), hwm / 2);
    ck_assert_uint_le(q.mem, outq_pending(&q) + 2 * chunk);
    drain(&q, 0, 64, out, sizeof(out));
    ck_assert(outq_empty(&q));
    ck_assert_uint_eq(q.mem, 0);
    outq_free(&q);
}
END_TEST

/* A small reply is generated at once into the data chunk; a medium one gets a buffer no bigger than itself. */
START_TEST(t_generator_sizes)
{
    struct outq q;
    char out[6000];
    int destroyed = 0;

    outq_init(&q, 0);
    ck_assert_int_eq(outq_append(&q, "<", 1), 0);
    ck_assert_int_eq(outq_append_gen(&q, test_gen_new(100, 7, &destroyed)), 0);
    ck_assert_int_eq(destroyed, 1);
    ck_assert_ptr_eq(q.head, q.tail);
    ck_assert_int_eq(outq_append(&q, ">", 1), 0);
    ck_assert_uint_eq(drain(&q, 0, 64, out, sizeof(out)), 102);
    ck_assert_int_eq(out[0], '<');
    ck_assert_int_eq(out[100], gen_byte(99));
    ck_assert_int_eq(out[101], '>');

    ck_assert_int_eq(outq_append_gen(&q, test_gen_new(5000, 0, &destroyed)), 0);
    ck_assert_int_eq(destroyed, 1);
    ck_assert_uint_eq(drain(&q, 10, 64, out, sizeof(out)), 5000);
    ck_assert_int_eq(destroyed, 2);
    ck_assert_int_eq(out[4999], gen_byte(4999));
    ck_assert_uint_eq(q.mem, 0);
    outq_free(&q);
}
END_TEST

static Suite *outq_suite(void)
{
    Suite *s = suite_create("outq");
    TCase *tc;

    tc = tcase_create("basic");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, t_append_consume_all);
    tcase_add_test(tc, t_iov_limits);
    tcase_add_test(tc, t_memory_vs_hwm);
    suite_add_tcase(s, tc);

    tc = tcase_create("boundaries");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, t_consume_across_chunks, 1, 14);
    suite_add_tcase(s, tc);

    tc = tcase_create("generator");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, t_generator_order);
    tcase_add_test(tc, t_generator_lazy);
    tcase_add_test(tc, t_generator_empty);
    tcase_add_test(tc, t_generator_sizes);
    suite_add_tcase(s, tc);
    return s;
}

/* Run one case with CK_RUN_CASE=basic|boundaries|generator; debug with CK_FORK=no. */
int main(void)
{
        return check_main_run(outq_suite());
}
