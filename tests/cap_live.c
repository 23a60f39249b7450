/* cap_live.c: check_cap's live test: capture a real stalled 4 MiB transfer on lo and analyze it. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "harness/capture/cap.h"
#include "harness/netns/probe.h"

#define LIVE_BYTES (4u << 20)
#define LIVE_SLEEP_US 1500000

TCase *cap_live_tcase(void);
int cap_live_possible(char *why, size_t len);
void cap_test_path(char *buf, size_t len, const char *name);

/* Captures go to $EC_CAP_DIR (tests/cap_tshark.sh sets it) or the build's tests/. */
void cap_test_path(char *buf, size_t len, const char *name)
{
    const char *dir = getenv("EC_CAP_DIR"), *top = getenv("EC_TOP_BUILDDIR");

    if (dir)
        snprintf(buf, len, "%s/cap-%s.pcap", dir, name);
    else
        snprintf(buf, len, "%s/tests/cap-%s.pcap", top ? top : ".", name);
}

/* Returns 1 if this process may capture on lo, else 0 with harness/netns/probe.h's reason. */
int cap_live_possible(char *why, size_t len)
{
    const char *missing = probe_missing(PROBE_CAPTURE);

    if (missing)
        snprintf(why, len, "%s", missing);
    return !missing;
}

struct live_srv {
    int lfd;
    long sent;
};

/* The in-test server: one client, LIVE_BYTES from a small send buffer, then close. */
static void *live_server(void *arg)
{
    struct live_srv *s = arg;
    static char buf[65536];
    int fd = accept(s->lfd, NULL, NULL), sndbuf = 65536;

    if (fd < 0)
        return NULL;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    memset(buf, 'x', sizeof buf);
    while (s->sent < (long)LIVE_BYTES) {
        ssize_t n = write(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        s->sent += n;
    }
    close(fd);
    return NULL;
}

/* Connects a client with a 4 KiB receive buffer that sleeps before reading;
 * returns the bytes it read. */
static long live_client(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct timeval tv = {.tv_sec = 10};
    int fd = socket(AF_INET, SOCK_STREAM, 0), rcvbuf = 4096;
    long got = 0;
    static char buf[65536];
    ssize_t n;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);  /* a stall fails, never hangs */
    ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0, "connect: %s",
                  strerror(errno));
    usleep(LIVE_SLEEP_US);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        got += n;
    close(fd);
    return got;
}

static int live_listen(int *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

START_TEST(t_live_stall)
{
    struct live_srv srv = {0};
    struct cap_report r;
    struct cap *c;
    pthread_t th;
    char path[4096], err[512];
    int port, denied = 0, resumed = 0;
    long got, pkts;
    const struct cap_flow *f;

    cap_test_path(path, sizeof path, "live-stall");
    srv.lfd = live_listen(&port);
    c = cap_start("lo", &port, 1, 128, path, &denied, err, sizeof err);
    ck_assert_msg(c != NULL, "cap_start: %s (denied %d)", err, denied);
    ck_assert_int_eq(pthread_create(&th, NULL, live_server, &srv), 0);
    got = live_client(port);
    pthread_join(th, NULL);
    close(srv.lfd);
    pkts = cap_stop(c);
    ck_assert_msg(got == (long)LIVE_BYTES, "client read %ld bytes, expected %u", got, LIVE_BYTES);
    ck_assert_msg(pkts > 10, "captured %ld packets (see %s)", pkts, path);
    ck_assert_msg(cap_analyze(path, port, 200, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(r.nflows == 1, "%u flows in %s, expected 1", r.nflows, path);
    f = &r.flows[0];
    ck_assert_msg(f->zero_window >= 1, "no zero window in %s", path);
    for (unsigned k = 0; k < f->nstalls && k < 16; k++)
        resumed |= f->stalls[k].dir == 1 && f->stalls[k].resumed && f->stalls[k].len_s > 0.5;
    ck_assert_msg(resumed, "no resumed server stall over 0.5 s in %s (%u stalls)", path,
                  f->nstalls);
    ck_assert_msg(f->resumed_after_zero_window, "data never resumed in %s", path);
    ck_assert_msg(f->bytes_ba == (uint64_t)got && f->acked_ba == (uint64_t)got,
                  "%s: server sent %llu, client acked %llu, client read %ld", path,
                  (unsigned long long)f->bytes_ba, (unsigned long long)f->acked_ba, got);
    cap_report_free(&r);
}
END_TEST

/* Over ::1: the server reads part of a request, then resets the connection
 * (SO_LINGER 0) with unread data pending. */
START_TEST(t_live_rst6)
{
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    socklen_t sl = sizeof sa;
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    struct cap_report r;
    struct cap *c;
    char path[4096], err[512], buf[4096] = {0}, want[64];
    int lfd = socket(AF_INET6, SOCK_STREAM, 0), cfd, sfd, port, denied = 0;

    cap_test_path(path, sizeof path, "live-rst6");
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(lfd, 4), 0);
    ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
    port = ntohs(sa.sin6_port);
    c = cap_start("lo", &port, 1, 0, path, &denied, err, sizeof err);
    ck_assert_msg(c != NULL, "cap_start: %s", err);
    cfd = socket(AF_INET6, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sa, sizeof sa), 0);
    sfd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(sfd, 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(write(cfd, buf, sizeof buf), (ssize_t)sizeof buf);
    ck_assert_int_eq(read(sfd, buf, 100), 100);
    setsockopt(sfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(sfd);
    usleep(50000);
    close(cfd);
    close(lfd);
    cap_stop(c);
    ck_assert_msg(cap_analyze(path, 0, 200, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(r.nflows == 1, "%u flows in %s", r.nflows, path);
    snprintf(want, sizeof want, "[::1]:%d", port);
    ck_assert_str_eq(r.flows[0].b, want);
    ck_assert_msg(r.flows[0].rst >= 1, "no RST in %s", path);
    ck_assert_msg(r.flows[0].bytes_ab == 4 * sizeof buf, "a>b %llu bytes in %s",
                  (unsigned long long)r.flows[0].bytes_ab, path);
    cap_report_free(&r);
}
END_TEST

TCase *cap_live_tcase(void)
{
    TCase *tc = tcase_create("live");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, t_live_stall);
    tcase_add_test(tc, t_live_rst6);
    return tc;
}
