/* check_http.c: the HTTP response parser on synthetic byte streams (every split point, chunked, each framing fault with its offset). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/proto/http.h"
#include "tests/check_main.h"

#define SEED 7
#define ME 3

/* A response stream under construction. */
struct stream {
    char *b;
    size_t len, cap;
};

static void st_add(struct stream *s, const void *p, size_t n)
{
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2 + 64;
        s->b = realloc(s->b, s->cap);
        ck_assert_ptr_nonnull(s->b);
    }
    memcpy(s->b + s->len, p, n);
    s->len += n;
}

static void st_str(struct stream *s, const char *str)
{
    st_add(s, str, strlen(str));
}

/* Appends n bytes of client's body (its echo stream) from offset off. */
static void st_body(struct stream *s, uint32_t client, uint64_t off, size_t n)
{
    char *tmp = malloc(n + 1);

    pattern_echo_fill(SEED, client, off, tmp, n);
    st_add(s, tmp, n);
    free(tmp);
}

/* A Content-Length response: size bytes of client's echo stream from off. */
static void st_clen(struct stream *s, uint32_t client, uint64_t off, size_t size)
{
    char h[128];

    snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nServer: t\r\nContent-Length: %zu\r\n\r\n", size);
    st_str(s, h);
    st_body(s, client, off, size);
}

/* A chunked response: chunks of 1, 7, 13, ... bytes with extensions, then trailers. */
static void st_chunked(struct stream *s, uint32_t client, uint64_t base, size_t size)
{
    char h[64];
    size_t off = 0, k = 1;

    st_str(s, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    while (off < size) {
        if (k > size - off)
            k = size - off;
        snprintf(h, sizeof(h), "%zx;ext=\"v\";x\r\n", k);
        st_str(s, h);
        st_body(s, client, base + off, k);
        st_str(s, "\r\n");
        off += k;
        k = k * 2 + 5;
    }
    st_str(s, "0;last=1\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n");
}

struct fixture {
    struct http_plan plan;
    struct http_parser h;
    struct verifier out;
};

static void fx_init(struct fixture *f, uint64_t total, int nreq)
{
    http_plan_init(&f->plan, ME, total, nreq, "127.0.0.1");
    verifier_init(&f->out, PAT_HTTP, SEED, ME);
    http_parser_init(&f->h, &f->plan, SEED, &f->out);
}

/* Two responses (99 and 100 bytes: total 199 in 2 GETs), Content-Length then chunked. */
static struct stream two_responses(void)
{
    struct stream s = { 0 };

    st_clen(&s, ME, 0, 99);
    st_chunked(&s, ME, 99, 100);
    return s;
}

START_TEST(test_requests)
{
    struct http_plan p;
    char buf[256], path[48];

    http_plan_init(&p, ME, 10 * 1024 * 1024, 0, "10.200.0.2");
    ck_assert_uint_eq(p.nreq, 3);     /* one per 4 MiB */
    ck_assert_uint_eq(http_req_size(&p, 0) + http_req_size(&p, 1) + http_req_size(&p, 2), 10 * 1024 * 1024);
    http_req_path(&p, 2, path, sizeof(path));
    ck_assert_str_eq(path, "/c000003/000006990506-000003495254");
    http_req_fill(&p, p.req_len, buf, p.req_len);
    buf[p.req_len] = '\0';
    ck_assert_str_eq(buf, "GET /c000003/000003495253-000003495253 HTTP/1.1\r\nHost: 10.200.0.2\r\n\r\n");
    /* Any offset: the stream is the requests back to back. */
    http_req_fill(&p, p.req_len - 4, buf, 8);
    ck_assert_int_eq(memcmp(buf, "\r\n\r\nGET ", 8), 0);
    /* 40 MiB in 4 MiB GETs: the offsets wrap after HTTP_WRAP (16 MiB), bounding the files. */
    http_plan_init(&p, ME, 40 << 20, 10, NULL);
    ck_assert_uint_eq(p.wrap, 4);
    ck_assert_uint_eq(http_req_off(&p, 5), 4 << 20);
    ck_assert_uint_eq(http_req_off(&p, 9), 4 << 20);
}
END_TEST

/* Every split of the stream into two reads, and one byte at a time. */
START_TEST(test_every_split)
{
    struct stream s = two_responses();
    struct fixture f;

    for (size_t k = 0; k <= s.len; k++) {
        fx_init(&f, 199, 2);
        ck_assert_int_eq(http_feed(&f.h, s.b, k, 2), 0);
        ck_assert_msg(http_feed(&f.h, s.b + k, s.len - k, 2) == 0, "split %zu: %s", k, f.out.diag);
        ck_assert_msg(http_complete(&f.h), "split %zu: %u done", k, f.h.done);
        ck_assert_int_eq(http_finish(&f.h, 1), 0);
    }
    fx_init(&f, 199, 2);
    for (size_t i = 0; i < s.len; i++)
        ck_assert_msg(http_feed(&f.h, s.b + i, 1, 2) == 0, "byte %zu: %s", i, f.out.diag);
    ck_assert(http_complete(&f.h));
    free(s.b);
}
END_TEST

/* A body delimited by the server's close, fed a byte at a time. */
START_TEST(test_close_delimited)
{
    struct stream s = { 0 };
    struct fixture f;

    st_str(&s, "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n");
    st_body(&s, ME, 0, 777);
    fx_init(&f, 777, 1);
    for (size_t i = 0; i < s.len; i++)
        ck_assert_int_eq(http_feed(&f.h, s.b + i, 1, 1), 0);
    ck_assert(!http_complete(&f.h));
    ck_assert_msg(http_finish(&f.h, 1) == 0, "%s", f.out.diag);
    ck_assert(http_complete(&f.h));
    free(s.b);
}
END_TEST

/* Feeds s whole with sent requests; expects fault f at offset at and diag containing want. */
static void expect_fault(struct stream *s, uint64_t total, int nreq, uint32_t sent, int eof,
                         enum pattern_fault fault, uint64_t at, const char *want)
{
    struct fixture f;

    /* Every split must give the same diagnosis. */
    for (size_t k = 0; k <= s->len; k += (s->len > 400 ? 37 : 1)) {
        fx_init(&f, total, nreq);
        if (http_feed(&f.h, s->b, k, sent) == 0)
            http_feed(&f.h, s->b + k, s->len - k, sent);
        if (!f.out.failed)
            http_finish(&f.h, eof);
        ck_assert_msg(f.out.failed, "split %zu: no fault", k);
        ck_assert_msg(f.out.fault == fault, "split %zu: fault %s, expected %s: %s", k, pattern_fault_name(f.out.fault),
                      pattern_fault_name(fault), f.out.diag);
        ck_assert_msg(f.out.fault_offset == at, "split %zu: offset %llu, expected %llu: %s", k,
                      (unsigned long long)f.out.fault_offset, (unsigned long long)at, f.out.diag);
        ck_assert_msg(strstr(f.out.diag, want), "split %zu: '%s' lacks '%s'", k, f.out.diag, want);
    }
    free(s->b);
}

START_TEST(test_bad_status)
{
    struct stream s = { 0 };
    size_t at;

    st_clen(&s, ME, 0, 100);
    at = s.len;
    st_str(&s, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    expect_fault(&s, 200, 2, 2, 1, PF_HTTP_STATUS, at, "bad status of response 1 at stream offset");
}
END_TEST

START_TEST(test_bad_length)
{
    struct stream s = { 0 };

    st_str(&s, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
    st_body(&s, ME, 0, 99);
    expect_fault(&s, 100, 1, 1, 1, PF_HTTP_LENGTH, 0, "Content-Length 99 of response 0");
}
END_TEST

START_TEST(test_bad_chunk)
{
    struct stream s = { 0 };
    size_t at;

    st_str(&s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n");
    st_body(&s, ME, 0, 5);
    st_str(&s, "\r\n");
    at = s.len;
    st_str(&s, "zz\r\n");
    expect_fault(&s, 100, 1, 1, 1, PF_HTTP_CHUNK, at, "malformed chunk header at stream offset");
}
END_TEST

START_TEST(test_chunk_no_crlf)
{
    struct stream s = { 0 };
    size_t at;

    st_str(&s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n");
    st_body(&s, ME, 0, 5);
    at = s.len;
    st_str(&s, "xx\r\n");
    expect_fault(&s, 100, 1, 1, 1, PF_HTTP_CHUNK, at, "expected CRLF");
}
END_TEST

START_TEST(test_garbage_status)
{
    struct stream s = { 0 };
    size_t at;

    st_clen(&s, ME, 0, 100);
    at = s.len;
    st_str(&s, "XTTP/1.1 200 OK\r\n\r\n");
    expect_fault(&s, 200, 2, 2, 1, PF_HTTP_NOSTATUS, at, "garbage where the status line of response 1");
}
END_TEST

START_TEST(test_unasked)
{
    struct stream s = { 0 };
    size_t at;

    st_clen(&s, ME, 0, 100);
    at = s.len;
    st_clen(&s, ME, 100, 100);
    expect_fault(&s, 200, 2, 1, 1, PF_HTTP_UNASKED, at, "a response to a request that was never sent");
}
END_TEST

/* A response repeated where the next one was due: its body is bytes the client already had. */
START_TEST(test_duplicate_response)
{
    struct stream s = { 0 };

    st_clen(&s, ME, 0, 100);
    st_clen(&s, ME, 0, 100);
    expect_fault(&s, 200, 2, 2, 1, PF_DUPLICATION, 100, "response 1 body (GET /c000003/000000000100-000000000100");
}
END_TEST

START_TEST(test_header_cut)
{
    struct stream s = { 0 };

    st_str(&s, "HTTP/1.1 200 OK\r\nContent-Len");
    expect_fault(&s, 100, 1, 1, 1, PF_HTTP_HEADER_CUT, s.len, "closed inside the head of response 0");
}
END_TEST

/* Bytes lost from a Content-Length body: the next status line arrives inside it. */
START_TEST(test_body_loss)
{
    struct stream s = { 0 };

    st_str(&s, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    st_body(&s, ME, 0, 600);
    st_clen(&s, ME, 1000, 1000);
    st_clen(&s, ME, 2000, 1000);    /* padding: the first body takes 400 bytes of it */
    expect_fault(&s, 3000, 3, 3, 1, PF_LOSS, 600, "response 0 body (GET /c000003/000000000000-000000001000");
}
END_TEST

START_TEST(test_body_crosstalk)
{
    struct stream s = { 0 };
    struct fixture f;

    st_str(&s, "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n");
    st_body(&s, ME, 0, 1024);
    st_body(&s, 9, 1024, 3072);
    fx_init(&f, 4096, 1);
    ck_assert_int_eq(http_feed(&f.h, s.b, s.len, 1), -1);
    ck_assert_int_eq(f.out.fault, PF_CROSSTALK);
    ck_assert_uint_eq(f.out.fault_client, 9);
    ck_assert_msg(strstr(f.out.diag, "received bytes of client 9"), "%s", f.out.diag);
    free(s.b);
}
END_TEST

/* Another client's response bytes where this client's status line was due (one output buffer shared by
 * every connection): named as that client's bytes, also when they come in 1-byte reads, or end short. */
START_TEST(test_status_crosstalk)
{
    struct stream s = { 0 };
    struct fixture f;

    st_clen(&s, ME, 0, 100);
    st_body(&s, 9, 2051, 200);
    for (int mode = 0; mode < 3; mode++) {
        size_t n = mode == 2 ? s.len - 150 : s.len;
        int rc = 0;

        fx_init(&f, 200, 2);
        for (size_t i = 0; i < n && rc == 0; i += mode == 1 ? 1 : n)
            rc = http_feed(&f.h, s.b + i, mode == 1 ? 1 : n - i, 2);
        if (rc == 0)
            rc = http_finish(&f.h, 1);
        ck_assert_int_eq(rc, -1);
        ck_assert_msg(f.out.fault == PF_CROSSTALK || (mode == 2 && f.out.fault == PF_HTTP_NOSTATUS), "mode %d: %s",
                      mode, f.out.diag);
        if (mode < 2) {
            ck_assert_uint_eq(f.out.fault_client, 9);
            ck_assert_uint_eq(f.out.fault_their_offset, 2051);
            ck_assert_msg(strstr(f.out.diag, "received bytes of client 9 (its offset 2051) where the status line "
                                 "of response 1 was expected"), "%s", f.out.diag);
        }
    }
    free(s.b);
}
END_TEST

START_TEST(test_body_truncated)
{
    struct stream s = { 0 };

    st_str(&s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    st_body(&s, ME, 0, 60);
    expect_fault(&s, 100, 1, 1, 1, PF_TRUNCATED, s.len, "received 60 of 100 body bytes");
}
END_TEST

START_TEST(test_owed)
{
    struct fixture f;
    struct stream s = { 0 };

    fx_init(&f, 199, 2);
    ck_assert_uint_eq(http_owed(&f.h, 0), 0);
    ck_assert_uint_eq(http_owed(&f.h, 2), 199 + 1);
    st_clen(&s, ME, 0, 99);
    ck_assert_int_eq(http_feed(&f.h, s.b, s.len, 2), 0);
    ck_assert_uint_eq(http_owed(&f.h, 2), 100 + 1);
    free(s.b);
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("parser");

    tcase_add_test(tc, test_requests);
    tcase_add_test(tc, test_every_split);
    tcase_add_test(tc, test_close_delimited);
    tcase_add_test(tc, test_bad_status);
    tcase_add_test(tc, test_bad_length);
    tcase_add_test(tc, test_bad_chunk);
    tcase_add_test(tc, test_chunk_no_crlf);
    tcase_add_test(tc, test_garbage_status);
    tcase_add_test(tc, test_unasked);
    tcase_add_test(tc, test_duplicate_response);
    tcase_add_test(tc, test_header_cut);
    tcase_add_test(tc, test_body_loss);
    tcase_add_test(tc, test_body_crosstalk);
    tcase_add_test(tc, test_status_crosstalk);
    tcase_add_test(tc, test_body_truncated);
    tcase_add_test(tc, test_owed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_main_run(http_suite());
}
