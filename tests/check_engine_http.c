/* check_engine_http.c: the client engine speaking http against a fake file server (tests/check_http_srv.c): framings, pipelining, faults end to end.
 * One case: CK_RUN_CASE=framing make check TESTS=tests/check_engine_http. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "harness/client/engine.h"
#include "tests/check_http_srv.h"
#include "tests/check_main.h"

#define SEED 99

/* Runs one group of count clients against a fresh server in mode; fills res. */
static void run_http(enum hsrv_mode mode, struct client_spec g, struct client_result *res, int deadline_ms)
{
    int port = 0, n = -1;
    pid_t pid = hsrv_start(mode, SEED, &port);
    struct engine_opts o = {.host = "127.0.0.1", .port = port, .seed = SEED, .deadline_ms = deadline_ms,
                            .stall_ms = 1000};
    char err[256] = "";

    g.proto = PAT_HTTP;
    ck_assert_msg(engine_run(&o, &g, 1, res, &n, err, sizeof(err)) == 0, "engine_run: %s", err);
    hsrv_stop(pid);
    ck_assert_int_eq(n, g.count);
}

static void expect_complete(const struct client_result *res, int n)
{
    for (int i = 0; i < n; i++)
        ck_assert_msg(res[i].end == CE_COMPLETE, "client %d: %s: %s", i, engine_end_name(res[i].end), res[i].diag);
}

static void expect_fault(const struct client_result *r, enum pattern_fault f, const char *want)
{
    ck_assert_msg(r->end == CE_MISMATCH, "%s: %s", engine_end_name(r->end), r->diag);
    ck_assert_msg(r->fault == f, "fault %s, want %s: %s", pattern_fault_name(r->fault), pattern_fault_name(f), r->diag);
    ck_assert_msg(strstr(r->diag, want), "'%s' lacks '%s'", r->diag, want);
}

/* Content-Length heads and bodies in 7-byte pieces, read 13 bytes at a time: keep-alive, 5 GETs each. */
START_TEST(t_clen_split)
{
    struct client_result res[3];

    run_http(HSRV_CLEN, (struct client_spec){.count = 3, .send_bytes = 10007, .http_requests = 5, .read_size = 13},
             res, 10000);
    expect_complete(res, 3);
}
END_TEST

START_TEST(t_chunked)
{
    struct client_result res[2];

    run_http(HSRV_CHUNKED, (struct client_spec){.count = 2, .send_bytes = 300001, .http_requests = 3,
                                                .http_pipeline = 3}, res, 10000);
    expect_complete(res, 2);
}
END_TEST

/* One byte per read: every split of chunk headers, extensions and trailers, across 3 keep-alive responses. */
START_TEST(t_byte_reads)
{
    struct client_result res[1];

    run_http(HSRV_CHUNKED, (struct client_spec){.count = 1, .send_bytes = 6001, .http_requests = 3, .read_size = 1},
             res, 10000);
    expect_complete(res, 1);
}
END_TEST

START_TEST(t_close_delimited)
{
    struct client_result res[2];

    run_http(HSRV_CLOSE, (struct client_spec){.count = 2, .send_bytes = 65537, .read_rate = 4 << 20}, res, 10000);
    expect_complete(res, 2);
}
END_TEST

/* The server answers only once 4 requests are in: pipeline = 4 completes, one at a time hangs. */
START_TEST(t_pipeline)
{
    struct client_result res[2];

    run_http(HSRV_PIPELINED, (struct client_spec){.count = 2, .send_bytes = 4000, .http_requests = 4,
                                                  .http_pipeline = 4}, res, 5000);
    expect_complete(res, 2);
    run_http(HSRV_PIPELINED, (struct client_spec){.count = 1, .send_bytes = 4000, .http_requests = 4}, res, 1500);
    ck_assert_msg(res[0].end == CE_RUNNING, "%s: %s", engine_end_name(res[0].end), res[0].diag);
    ck_assert_msg(strstr(res[0].diag, "received 0 bytes: 0 of 4 responses complete (1 requests sent)"), "%s",
                  res[0].diag);
}
END_TEST

/* A probe over http: one GET of one record per round, one at a time, its round trips measured. */
START_TEST(t_probe)
{
    struct client_result res[1];

    run_http(HSRV_CLEN, (struct client_spec){.count = 1, .probe = 1, .probe_rounds = 5, .probe_interval_ms = 5},
             res, 5000);
    expect_complete(res, 1);
    ck_assert_uint_eq(res[0].received, 5 * (39 + 32));    /* 5 heads ("...Content-Length: 32") and bodies */
    ck_assert(res[0].probe_max_ms > 0);
}
END_TEST

START_TEST(t_bad_length)
{
    struct client_result res[1];

    run_http(HSRV_BADLEN, (struct client_spec){.count = 1, .send_bytes = 5000}, res, 5000);
    expect_fault(&res[0], PF_HTTP_LENGTH, "Content-Length 4999 of response 0 (head at stream offset 0) disagrees");
}
END_TEST

/* Every response twice: with one request, the copy was never asked for. */
START_TEST(t_unasked)
{
    struct client_result res[1];

    run_http(HSRV_TWICE, (struct client_spec){.count = 1, .send_bytes = 5000}, res, 5000);
    expect_fault(&res[0], PF_HTTP_UNASKED, "a response to a request that was never sent at stream offset 5041");
}
END_TEST

/* ... with two pipelined, the copy stands where the second was due: bytes the client already had. */
START_TEST(t_duplicate)
{
    struct client_result res[1];

    run_http(HSRV_TWICE, (struct client_spec){.count = 1, .send_bytes = 5000, .http_requests = 2, .http_pipeline = 2},
             res, 5000);
    expect_fault(&res[0], PF_DUPLICATION, "response 1 body (GET /c000000/000000002500-000000002500, head at "
                 "stream offset 2541): duplication at offset 2500");
}
END_TEST

START_TEST(t_body_loss)
{
    struct client_result res[1];

    run_http(HSRV_DROP, (struct client_spec){.count = 1, .send_bytes = 20000, .http_requests = 2}, res, 5000);
    expect_fault(&res[0], PF_LOSS, "response 0 body (GET /c000000/000000000000-000000010000, head at stream offset 0): "
                 "loss at offset 1000");
}
END_TEST

static Suite *engine_http_suite(void)
{
    Suite *s = suite_create("engine_http");
    TCase *framing = tcase_create("framing"), *faults = tcase_create("faults");

    tcase_set_timeout(framing, 30);
    tcase_set_timeout(faults, 30);
    tcase_add_test(framing, t_clen_split);
    tcase_add_test(framing, t_chunked);
    tcase_add_test(framing, t_byte_reads);
    tcase_add_test(framing, t_close_delimited);
    tcase_add_test(framing, t_pipeline);
    tcase_add_test(framing, t_probe);
    tcase_add_test(faults, t_bad_length);
    tcase_add_test(faults, t_unasked);
    tcase_add_test(faults, t_duplicate);
    tcase_add_test(faults, t_body_loss);
    suite_add_tcase(s, framing);
    suite_add_tcase(s, faults);
    return s;
}

int main(void)
{
    return check_main_run(engine_http_suite());
}
