/* check_engine.c: the client engine against small servers forked here (correct, lossy, silent) and the reference server.
 * One case: CK_RUN_CASE=behaviours make check TESTS=tests/check_engine; debug: CK_FORK=no gdb tests/check_engine.
 * EC_ENGINE_MANY=10000 makes the "scale" case open that many connections (default 2000). */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "harness/client/engine.h"
#include "tests/check_engine_srv.h"
#include "tests/check_main.h"

/* Open fds of this process, to prove the engine closes all of its own. */
static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");

    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs the engine against port; asserts setup succeeded. Returns the run's wall time in ms. */
static double run(int port, const struct client_spec *g, int ng, struct client_result *res, int deadline_ms,
                  int stall_ms, const struct engine_hooks *hooks)
{
    struct engine_opts o = {.host = "127.0.0.1", .port = port, .seed = 99, .deadline_ms = deadline_ms,
                            .stall_ms = stall_ms, .hooks = hooks};
    char err[256] = "";
    int n = -1, fds = count_fds();
    double t = now_ms();

    ck_assert_msg(engine_run(&o, g, ng, res, &n, err, sizeof(err)) == 0, "engine_run: %s", err);
    ck_assert_msg(count_fds() == fds, "engine_run left %d fds open", count_fds() - fds);
    int total = 0;

    for (int i = 0; i < ng; i++)
        total += g[i].count;
    ck_assert_int_eq(n, total);
    return now_ms() - t;
}

static void expect_end(const struct client_result *r, enum client_end want)
{
    ck_assert_msg(r->end == want, "client %u (group %d): end %s, want %s; diag: %s\n%s", r->id, r->group,
                  engine_end_name(r->end), engine_end_name(want), r->diag, r->hexdump);
}

static void expect_complete(const struct client_result *r, int n)
{
    for (int i = 0; i < n; i++) {
        expect_end(&r[i], CE_COMPLETE);
        ck_assert_uint_eq(r[i].received, r[i].expected);
    }
}

START_TEST(t_echo_exact)
{
    struct client_spec g[] = {
        {.count = 4, .proto = PAT_ECHO, .send_bytes = 300000},
        {.count = 4, .proto = PAT_ECHO, .send_bytes = 100003, .write_size = 777, .read_size = 1},
    };
    struct client_result r[8];
    int port;
    pid_t srv = tsrv_start(TSRV_ECHO, 0, &port);

    run(port, g, 2, r, 20000, 2000, NULL);
    expect_complete(r, 8);
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(r[i].sent, g[i / 4].send_bytes);
        ck_assert_int_eq(r[i].stalls, 0);
        ck_assert_uint_eq(r[i].id, (uint32_t)i);
    }
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_never_read)
{
    struct client_spec g[] = {
        {.count = 3, .proto = PAT_ECHO, .send_bytes = 100000},
        {.count = 2, .proto = PAT_ECHO, .send_bytes = 50000, .never_read = 1},
    };
    struct client_result r[5];
    int port;
    pid_t srv = tsrv_start(TSRV_ECHO, 0, &port);
    double ms = run(port, g, 2, r, 20000, 2000, NULL);

    expect_complete(r, 3);
    for (int i = 3; i < 5; i++) {
        expect_end(&r[i], CE_CLIENT_ENDED);
        ck_assert_uint_eq(r[i].sent, 50000);
        ck_assert_uint_eq(r[i].received, 0);
        ck_assert_int_eq(r[i].stalls, 0);
    }
    ck_assert_msg(ms < 15000, "run took %.0f ms: never_read clients kept it to the deadline", ms);
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_reset_close_after)
{
    struct client_spec g[] = {
        {.count = 2, .proto = PAT_ECHO, .send_bytes = 400000, .reset_after = 10000},
        {.count = 2, .proto = PAT_ECHO, .send_bytes = 400000, .close_after = 12345},
        {.count = 2, .proto = PAT_ECHO, .send_bytes = 100000},
    };
    struct client_result r[6];
    int port;
    pid_t srv = tsrv_start(TSRV_ECHO, 0, &port);

    run(port, g, 3, r, 20000, 2000, NULL);
    for (int i = 0; i < 4; i++) {
        expect_end(&r[i], CE_CLIENT_ENDED);
        ck_assert_uint_eq(r[i].received, i < 2 ? 10000 : 12345);
    }
    ck_assert_ptr_nonnull(strstr(r[0].diag, "reset"));
    expect_complete(r + 4, 2);
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_shut_wr)
{
    struct client_spec g[] = {{.count = 3, .proto = PAT_ECHO, .send_bytes = 200000, .shut_wr = 1}};
    struct client_result r[3];
    int port;
    pid_t srv = tsrv_start(TSRV_ECHO, 0, &port);

    run(port, g, 1, r, 20000, 2000, NULL);
    expect_complete(r, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(r[i].got_fin == 1, "client %d: no FIN after the full reply: %s", i, r[i].diag);
    tsrv_stop(srv);
}
END_TEST

static double cpu_ms(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

START_TEST(t_slow_reader)
{
    /* Small buffers both sides, paced reads, a pause and a delayed start: all on purpose, so no stall. */
    struct client_spec g[] = {
        {.count = 2, .proto = PAT_ECHO, .send_bytes = 150000, .rcvbuf = 4096, .window_clamp = 4096,
         .read_rate = 200000, .read_size = 1000},
        {.count = 1, .proto = PAT_ECHO, .send_bytes = 100000, .rcvbuf = 4096, .read_delay_ms = 300,
         .pause_after = 20000, .pause_ms = 200, .pause_repeat = 1},
        {.count = 1, .proto = PAT_ECHO, .send_bytes = 50000, .write_rate = 100000, .start_delay_ms = 100},
    };
    struct client_result r[4];
    int port;
    pid_t srv = tsrv_start(TSRV_ECHO, 4096, &port);
    double cpu = cpu_ms(), ms = run(port, g, 3, r, 30000, 150, NULL);

    cpu = cpu_ms() - cpu;
    expect_complete(r, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(r[i].stalls == 0, "client %d: %d stalls (longest %.0f ms at %.0f) though all waits were ours", i,
                      r[i].stalls, r[i].longest_stall_ms, r[i].stall_start_ms);
    /* Lower bounds only: pacing must not run faster than asked. */
    ck_assert_msg(r[0].t_done_ms - r[0].t_connect_ms >= 600, "read_rate ignored: %.0f ms",
                  r[0].t_done_ms - r[0].t_connect_ms);
    ck_assert_msg(r[3].t_connect_ms >= 100, "start_delay ignored: connected at %.0f ms", r[3].t_connect_ms);
    ck_assert_msg(r[3].t_done_ms - r[3].t_connect_ms >= 400, "write_rate ignored: %.0f ms",
                  r[3].t_done_ms - r[3].t_connect_ms);
    /* Pauses at 20000, 40000, 60000 and 80000 bytes (the one at 100000 comes with completion). */
    ck_assert_msg(r[2].t_done_ms - r[2].t_connect_ms >= 300 + 4 * 200, "pauses ignored: %.0f ms",
                  r[2].t_done_ms - r[2].t_connect_ms);
    /* The harness must not spin while it waits on its own timers. */
    ck_assert_msg(cpu < ms * 0.5, "harness used %.0f ms CPU in %.0f ms: it spins", cpu, ms);
    fprintf(stderr, "slow reader: %.0f ms wall, %.0f ms CPU\n", ms, cpu);
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_loss_diagnosed)
{
    struct client_spec g[] = {{.count = 2, .proto = PAT_ECHO, .send_bytes = 50000}};
    struct client_result r[2];
    int port;
    pid_t srv = tsrv_start(TSRV_DROP, 0, &port);

    run(port, g, 1, r, 10000, 1000, NULL);
    for (int i = 0; i < 2; i++) {
        expect_end(&r[i], CE_MISMATCH);
        ck_assert_int_eq(r[i].fault, PF_LOSS);
        ck_assert_msg(strcmp(r[i].diag, "loss at offset 4096: 1024 bytes skipped") == 0, "diag: %s", r[i].diag);
        ck_assert_msg(strstr(r[i].hexdump, "exp") && strstr(r[i].hexdump, "got"), "no hexdump");
    }
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_dup_diagnosed)
{
    /* Every chunk the server reads comes back twice: the first repeat is the diagnosis. */
    struct client_spec g[] = {{.count = 1, .proto = PAT_ECHO, .send_bytes = 40000, .write_size = 10000}};
    struct client_result r[1];
    int port;
    pid_t srv = tsrv_start(TSRV_DUP, 0, &port);
    double ms = run(port, g, 1, r, 20000, 300, NULL);

    expect_end(&r[0], CE_MISMATCH);
    ck_assert_int_eq(r[0].fault, PF_DUPLICATION);
    ck_assert_msg(strncmp(r[0].diag, "duplication at offset ", 22) == 0, "diag: %s", r[0].diag);
    fprintf(stderr, "dup server: %s\n%s", r[0].diag, r[0].hexdump);
    ck_assert_msg(ms < 15000, "mismatch found only at the deadline (%.0f ms)", ms);
    tsrv_stop(srv);
}
END_TEST

static int ticks, connected_calls;
static int count_tick(void *arg, double now)
{
    (void)arg;
    (void)now;
    return ++ticks >= 1000;
}
static void count_connected(void *arg)
{
    (void)arg;
    connected_calls++;
}
static int stop_at_5(void *arg, double now)
{
    (void)arg;
    (void)now;
    return ++ticks >= 5;
}

START_TEST(t_silent_stall)
{
    struct client_spec g[] = {{.count = 2, .proto = PAT_ECHO, .send_bytes = 1000}};
    struct client_result r[2];
    struct engine_hooks h = {.on_connected = count_connected, .on_tick = count_tick, .tick_ms = 50};
    int port;
    pid_t srv = tsrv_start(TSRV_SILENT, 0, &port);
    double ms;

    ticks = connected_calls = 0;
    ms = run(port, g, 1, r, 1500, 300, &h);
    ck_assert_msg(ms >= 1450 && ms < 3000, "deadline 1500 ms, run took %.0f ms", ms);
    ck_assert_int_eq(connected_calls, 1);
    ck_assert_msg(ticks >= 10, "only %d ticks of 50 ms in %.0f ms while no socket was active", ticks, ms);
    for (int i = 0; i < 2; i++) {
        expect_end(&r[i], CE_RUNNING);
        ck_assert_uint_eq(r[i].sent, 1000);
        ck_assert_int_eq(r[i].stalls, 1);
        ck_assert_msg(r[i].longest_stall_ms >= 1000, "longest stall %.0f ms", r[i].longest_stall_ms);
        ck_assert_msg(r[i].stall_start_ms < 300, "stall start %.0f ms", r[i].stall_start_ms);
        ck_assert_msg(strncmp(r[i].diag, "no progress for", 15) == 0, "diag: %s", r[i].diag);
    }
    /* on_tick can stop a run early. */
    h.on_tick = stop_at_5;
    ticks = 0;
    ms = run(port, g, 1, r, 10000, 300, &h);
    ck_assert_msg(ticks == 5 && ms < 2000, "stop from on_tick: %d ticks, %.0f ms", ticks, ms);
    expect_end(&r[0], CE_RUNNING);
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_probe)
{
    struct client_spec g[] = {
        {.count = 1, .proto = PAT_ECHO, .probe = 1, .probe_rounds = 20, .probe_interval_ms = 5},
        {.count = 2, .proto = PAT_ECHO, .send_bytes = 2000000},
    };
    struct client_result r[3];
    int port;
    pid_t srv = tsrv_start(TSRV_ECHO, 0, &port);

    run(port, g, 2, r, 20000, 2000, NULL);
    expect_complete(r, 3);
    ck_assert_uint_eq(r[0].sent, 20 * 32);
    ck_assert_msg(r[0].probe_max_ms > 0, "no round trip measured");
    fprintf(stderr, "probe: max RTT %.3f ms\n", r[0].probe_max_ms);
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_reference_protocols)
{
    struct client_spec rep[] = {{.count = 3, .proto = PAT_REPEAT, .repeat_n = 20000, .repeat_newline = 1,
                                 .send_bytes = 2, .rcvbuf = 8192}};
    struct client_spec str[] = {{.count = 3, .proto = PAT_STREAM, .send_bytes = 1000003},
                                {.count = 2, .proto = PAT_ECHO, .send_bytes = 500000, .shut_wr = 1}};
    struct client_result r[5];
    int port;
    pid_t srv = ref_start("repeat:20000", &port);

    run(port, rep, 1, r, 30000, 3000, NULL);
    expect_complete(r, 3);
    ck_assert_uint_eq(r[0].received, 2 * 348890);
    tsrv_stop(srv);
    srv = ref_start("stream", &port);
    run(port, str, 1, r, 30000, 3000, NULL);
    expect_complete(r, 3);
    ck_assert_uint_eq(r[0].received, 1000003);
    tsrv_stop(srv);
    srv = ref_start("echo", &port);
    run(port, str + 1, 1, r, 30000, 3000, NULL);
    expect_complete(r, 2);
    ck_assert_int_eq(r[0].got_fin, 1);
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_scale)
{
    const char *env = getenv("EC_ENGINE_MANY");
    int many = env ? atoi(env) : 2000;
    struct rlimit rl;

    /* Both ends live in this test: stay within the hard fd limit, whoever runs it. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && (rlim_t)many + 200 > rl.rlim_max) {
        fprintf(stderr, "scale: RLIMIT_NOFILE hard limit %llu: %d clients instead of %d\n",
                (unsigned long long)rl.rlim_max, (int)rl.rlim_max - 200, many);
        many = (int)rl.rlim_max - 200;
    }
    /* The read delay holds every connection open until all are connected: they are concurrent. */
    struct client_spec g[] = {{.count = many, .proto = PAT_ECHO, .send_bytes = 4096, .read_delay_ms = 3000}};
    struct client_result *r = calloc((size_t)many, sizeof(*r));
    int port, done = 0, open_at_last = 0;
    double last = 0, first_done = 1e300;
    pid_t srv = tsrv_start(TSRV_ECHO, 0, &port);
    double ms, cpu = cpu_ms();

    ck_assert_ptr_nonnull(r);
    ms = run(port, g, 1, r, 120000, 10000, NULL);
    cpu = cpu_ms() - cpu;
    for (int i = 0; i < many; i++) {
        done += r[i].end == CE_COMPLETE;
        if (r[i].t_connect_ms > last)
            last = r[i].t_connect_ms;
        if (r[i].t_done_ms < first_done)
            first_done = r[i].t_done_ms;
    }
    if (done != many)
        expect_complete(r, many);    /* names the first failure */
    for (int i = 0; i < many; i++)
        open_at_last += r[i].t_connect_ms <= last && r[i].t_done_ms >= last;
    fprintf(stderr, "scale: %d clients complete in %.0f ms (all connected at %.0f ms, first done at %.0f ms, "
            "%d open at once; harness CPU %.0f ms)\n", many, ms, last, first_done, open_at_last, cpu);
    ck_assert_msg(open_at_last == many, "only %d of %d connections were open at once (connects took %.0f ms)",
                  open_at_last, many, last);
    free(r);
    tsrv_stop(srv);
}
END_TEST

START_TEST(t_refused_and_empty)
{
    struct client_spec g[] = {{.count = 3, .proto = PAT_ECHO, .send_bytes = 1000}};
    struct client_spec none[] = {{.count = 2, .proto = PAT_ECHO, .send_bytes = 0}};
    struct engine_hooks h = {.on_connected = count_connected};
    struct client_result r[3];
    int port;
    pid_t srv = tsrv_start(TSRV_ECHO, 0, &port);
    double ms;

    /* Clients with nothing to send and nothing to expect are complete at once. */
    run(port, none, 1, r, 10000, 1000, NULL);
    expect_complete(r, 2);
    tsrv_stop(srv);
    /* The server is gone: its port now refuses. */
    connected_calls = 0;
    ms = run(port, g, 1, r, 10000, 1000, &h);
    for (int i = 0; i < 3; i++) {
        expect_end(&r[i], CE_CONNECT_FAILED);
        ck_assert_msg(strstr(r[i].diag, "refused") != NULL, "diag: %s", r[i].diag);
    }
    ck_assert_int_eq(connected_calls, 1);
    ck_assert_msg(ms < 5000, "refused connects took %.0f ms", ms);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *basic = tcase_create("behaviours");
    TCase *faults = tcase_create("faults");
    TCase *ref = tcase_create("reference");
    TCase *scale = tcase_create("scale");

    tcase_add_test(basic, t_echo_exact);
    tcase_add_test(basic, t_never_read);
    tcase_add_test(basic, t_reset_close_after);
    tcase_add_test(basic, t_shut_wr);
    tcase_add_test(basic, t_slow_reader);
    tcase_add_test(basic, t_probe);
    tcase_add_test(faults, t_loss_diagnosed);
    tcase_add_test(faults, t_silent_stall);
    tcase_add_test(faults, t_dup_diagnosed);
    tcase_add_test(faults, t_refused_and_empty);
    tcase_add_test(ref, t_reference_protocols);
    tcase_add_test(scale, t_scale);
    tcase_set_timeout(basic, 60);
    tcase_set_timeout(faults, 60);
    tcase_set_timeout(ref, 120);
    tcase_set_timeout(scale, 300);
    suite_add_tcase(s, basic);
    suite_add_tcase(s, faults);
    suite_add_tcase(s, ref);
    suite_add_tcase(s, scale);
    return s;
}

int main(void)
{
        signal(SIGPIPE, SIG_IGN);
    return check_main_run(engine_suite());
}
