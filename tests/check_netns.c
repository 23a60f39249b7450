/* check_netns.c: a transfer across a shaped veth pair between two namespaces, captured on the wire.
 * Needs what harness/netns/probe.h finds (namespaces; shaping and capture for the transfer), else SKIPs (77)
 * with the probe's reason. Run one case with CK_RUN_CASE=veth; CK_FORK=no for gdb. */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/capture/cap.h"
#include "harness/netns/netns.h"
#include "harness/netns/probe.h"
#include "tests/check_main.h"

#define NN_PORT 5000
#define NN_BYTES (1u << 20)
#define NN_RATE_KBIT 40000         /* 40 Mbit/s: 1 MiB in about 0.2 s */
#define NN_CHILD_TIMEOUT_S 30

struct nn_ctx {
    struct netns_pair pair;
    int ready[2];                 /* the server writes one byte once it listens */
    char pcap[4096];
};

static int nn_server(void *arg)
{
    struct nn_ctx *c = arg;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(NN_PORT)};
    static char buf[65536];
    int lfd = socket(AF_INET, SOCK_STREAM, 0), fd, one = 1;
    size_t sent = 0;

    inet_pton(AF_INET, c->pair.addr[1], &sa.sin_addr);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1) < 0)
        return 10;
    if (write(c->ready[1], "r", 1) != 1)
        return 11;
    fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return 12;
    while (sent < NN_BYTES) {
        ssize_t n = write(fd, buf, sizeof buf < NN_BYTES - sent ? sizeof buf : NN_BYTES - sent);
        if (n <= 0)
            return 13;
        sent += (size_t)n;
    }
    close(fd);
    close(lfd);
    return 0;
}

/* Captures on its veth end while it reads everything; exits 0 if all arrived
 * and the capture shows all of it acknowledged. */
static int nn_client(void *arg)
{
    struct nn_ctx *c = arg;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(NN_PORT)};
    struct timeval tv = {.tv_sec = 10};
    static char buf[65536];
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = NN_PORT, denied;
    char err[512];
    size_t got = 0;
    ssize_t n;
    struct cap *cap;
    struct cap_report r;

    cap = cap_start(c->pair.dev[0], &port, 1, 128, c->pcap, &denied, err, sizeof err);
    if (!cap)
        return fprintf(stderr, "cap_start: %s\n", err), 20;
    inet_pton(AF_INET, c->pair.addr[1], &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return fprintf(stderr, "connect: %s\n", strerror(errno)), 21;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        got += (size_t)n;
    close(fd);
    cap_stop(cap);
    if (got != NN_BYTES)
        return fprintf(stderr, "client read %zu of %u\n", got, NN_BYTES), 22;
    if (cap_analyze(c->pcap, NN_PORT, 200, &r, err, sizeof err) < 0)
        return fprintf(stderr, "%s\n", err), 23;
    /* A 1500-byte MTU means at least one segment per 1448 bytes (loopback would
     * carry 64 KiB segments). */
    n = r.nflows == 1 && r.flows[0].acked_ba == NN_BYTES &&
        r.flows[0].packets > NN_BYTES / 1448 ? 0 : 24;
    if (n)
        fprintf(stderr, "%u flows, acked %llu in %llu segments, in %s\n", r.nflows,
                r.nflows ? (unsigned long long)r.flows[0].acked_ba : 0ULL,
                r.nflows ? (unsigned long long)r.flows[0].packets : 0ULL, c->pcap);
    cap_report_free(&r);
    return (int)n;
}

/* Waits for a child at most NN_CHILD_TIMEOUT_S; returns its exit status or 128+signal. */
static int nn_wait(pid_t pid)
{
    int st;

    for (int i = 0; i < NN_CHILD_TIMEOUT_S * 100; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return 128 + SIGKILL;
}

/* All the work between create and destroy records results instead of
 * asserting, so the namespaces are deleted even when the test fails. */
START_TEST(t_veth_transfer)
{
    struct nn_ctx c;
    char err[512], path[64], rbyte;
    const char *top = getenv("EC_TOP_BUILDDIR"), *dir = getenv("EC_CAP_DIR");
    int denied, srv_rc = -1, cli_rc = -1, ready;
    pid_t srv, cli;
    struct stat st;

    netns_sweep();
    if (dir)  /* tests/cap_tshark.sh collects captures there */
        snprintf(c.pcap, sizeof c.pcap, "%s/cap-netns.pcap", dir);
    else
        snprintf(c.pcap, sizeof c.pcap, "%s/tests/cap-netns.pcap", top ? top : ".");
    ck_assert_int_eq(pipe(c.ready), 0);
    ck_assert_msg(netns_create(&c.pair, NN_RATE_KBIT, &denied, err, sizeof err) == 0,
                  "netns_create: %s", err);
    srv = netns_spawn(&c.pair, 1, nn_server, &c, err, sizeof err);
    ready = srv > 0 && read(c.ready[0], &rbyte, 1) == 1;
    cli = ready ? netns_spawn(&c.pair, 0, nn_client, &c, err, sizeof err) : -1;
    if (cli > 0)
        cli_rc = nn_wait(cli);
    if (srv > 0)
        srv_rc = nn_wait(srv);
    netns_destroy(&c.pair);
    snprintf(path, sizeof path, "/run/netns/%s", c.pair.ns[0]);
    ck_assert_msg(stat(path, &st) < 0, "%s still exists after netns_destroy", path);
    ck_assert_msg(ready, "server in %s never listened (exit %d)", c.pair.ns[1], srv_rc);
    ck_assert_msg(cli_rc == 0, "client exit %d (see stderr and %s)", cli_rc, c.pcap);
    ck_assert_msg(srv_rc == 0, "server exit %d", srv_rc);
}
END_TEST

START_TEST(t_destroy_twice)
{
    struct netns_pair p;
    char err[512];
    int denied;

    ck_assert_msg(netns_create(&p, 0, &denied, err, sizeof err) == 0, "netns_create: %s", err);
    netns_destroy(&p);
    netns_destroy(&p);
    ck_assert_int_eq(p.made[0] + p.made[1], 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("netns");
    TCase *tc;
    const char *why = probe_missing(PROBE_NETNS);

    if (why) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    tc = tcase_create("veth");
    tcase_set_timeout(tc, 90);
    /* The transfer is shaped and captured: each needs its own probe. */
    why = probe_missing(PROBE_SHAPE) ? probe_missing(PROBE_SHAPE) : probe_missing(PROBE_CAPTURE);
    if (why)
        printf("check_netns: t_veth_transfer not run: %s\n", why);
    else
        tcase_add_test(tc, t_veth_transfer);
    tcase_add_test(tc, t_destroy_twice);
    suite_add_tcase(s, tc);
    return check_main_run(s);
}
