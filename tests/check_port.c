/* check_port.c: a fixed port held by TIME_WAIT is waited for, reported by name, and blamed for a target's bind failure.
 * One test: CK_RUN_CASE=time_wait make check TESTS=tests/check_port. */
#include "harness/target/target.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char tdir[] = "/tmp/check_port.XXXXXX";

/* Leaves a TIME_WAIT on the server's side of a fresh port, as a server that
 * closes first does, and returns that port (the listener is closed). */
static int server_side_time_wait(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sin);
    int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), a;
    struct timespec ts = {0, 50 * 1000000L};
    char b;

    ck_assert(l >= 0 && c >= 0);
    ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_eq(listen(l, 1), 0);
    ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sin, &len), 0);
    ck_assert_int_eq(connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert((a = accept(l, NULL, NULL)) >= 0);
    close(l);
    close(a);                 /* the server's FIN first: its side will hold the TIME_WAIT */
    ck_assert_int_eq(read(c, &b, 1), 0);
    close(c);
    nanosleep(&ts, NULL);     /* let the last ACK arrive */
    return ntohs(sin.sin_port);
}

START_TEST(t_time_wait)
{
    int port = server_side_time_wait();
    struct target_port_use u;
    char err[512], want[128];
    double waited = 0;

    ck_assert_int_eq(target_port_bindable(port), 0);
    target_port_use(port, &u);
    ck_assert_msg(u.time_wait == 1 && u.closing == 0 && u.listening == 0 && u.other == 0, "port %d: %d TIME_WAIT, "
                  "%d closing, %d listening, %d other; want 1, 0, 0, 0", port, u.time_wait, u.closing, u.listening,
                  u.other);
    ck_assert_int_eq(target_port_wait(port, 100, 300, &waited, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "port %d still in TIME_WAIT from the previous case: 1 sockets; waited 0.", port);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s', want '%s...'", err, want);
    ck_assert_msg(waited >= 0.29 && waited < 2.0, "waited %.2f s, want the 0.3 s TIME_WAIT bound", waited);
}
END_TEST

START_TEST(t_free_port_at_once)
{
    int port = target_free_port();
    char err[512];
    double waited = 1;

    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(target_port_bindable(port), 1);
    ck_assert_msg(target_port_wait(port, 100, 300, &waited, err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(waited < 0.05, "waited %.3f s for a free port", waited);
}
END_TEST

/* A server that cannot bind exits before listening: the report says the port was held. */
START_TEST(t_bind_failure_explained)
{
    struct target_spec s = {.cmd = "sh -c \"exit 255\"", .logdir = tdir, .ready_timeout_ms = 5000};
    struct target t;
    char err[1024], want[160];

    s.port = server_side_time_wait();
    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "target exited with status 255 before listening (port %d cannot be bound without "
             "SO_REUSEADDR: 1 in TIME_WAIT", s.port);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s', want '%s...'", err, want);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("port");
    TCase *tc = tcase_create("time_wait");
    SRunner *sr;
    char cmd[64];
    int failed;

    if (!mkdtemp(tdir))
        return 99;
    tcase_add_test(tc, t_time_wait);
    suite_add_tcase(s, tc);
    tc = tcase_create("free_port");
    tcase_add_test(tc, t_free_port_at_once);
    suite_add_tcase(s, tc);
    tc = tcase_create("bind_failure");
    tcase_add_test(tc, t_bind_failure_explained);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
    if (system(cmd) != 0)
        fprintf(stderr, "check_port: could not remove %s\n", tdir);
    return failed ? 1 : 0;
}
