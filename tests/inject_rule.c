/* inject_rule.c: checks the injector's wake-up rule from inside a process it is preloaded into (run by tests/inject_rule.sh). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define IR_NPIPES 3

static int ir_fails;

#define IR_CHECK(cond, ...)                                  \
    do {                                                     \
        if (!(cond)) {                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                    \
            fputc('\n', stderr);                             \
            ir_fails++;                                      \
        }                                                    \
    } while (0)

/* A connected pair: *srv comes from accept4, so the injector tracks it;
 * *cli is ours, with a large receive buffer so writes never really fill. */
static int ir_pair(int *srv, int *cli)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    int big = 4 << 20, l = socket(AF_INET, SOCK_STREAM, 0);

    *cli = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || *cli < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 4) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &al) < 0)
        return -1;
    setsockopt(*cli, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    if (connect(*cli, (struct sockaddr *)&a, sizeof(a)) < 0)
        return -1;
    *srv = accept4(l, NULL, NULL, SOCK_NONBLOCK);
    close(l);
    return *srv < 0 ? -1 : 0;
}

/* Makes srv held: with short=1 every write is cut short, then EAGAIN. */
static void ir_hold(int srv)
{
    static char buf[1000];
    ssize_t a = write(srv, buf, sizeof(buf)), b = write(srv, buf, sizeof(buf));

    IR_CHECK(a > 0 && a < (ssize_t)sizeof(buf), "first write: %zd (want a short write)", a);
    IR_CHECK(b < 0 && errno == EAGAIN, "second write: %zd (want EAGAIN while held)", b);
}

/* Waits once on ep; returns the events for data fd, 0 if none came. */
static uint32_t ir_wait_for(int ep, int fd, int max)
{
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, max, 1000);
    uint32_t got = 0;

    for (int i = 0; i < n; i++)
        if (ev[i].data.fd == fd)
            got |= ev[i].events;
    return got;
}

static void ir_drain(int ep)
{
    struct epoll_event ev[8];
    while (epoll_wait(ep, ev, 8, 0) > 0)
        ;
}

/* A socket in two epoll sets: each set gets the held socket's EPOLLOUT. */
static void ir_two_sets(void)
{
    int srv, cli, a = epoll_create1(0), b = epoll_create1(0);
    struct epoll_event ea = {.events = EPOLLIN | EPOLLOUT | EPOLLET}, eb = {.events = EPOLLOUT | EPOLLET};

    IR_CHECK(ir_pair(&srv, &cli) == 0, "socket pair: %s", strerror(errno));
    ea.data.fd = eb.data.fd = srv;
    epoll_ctl(a, EPOLL_CTL_ADD, srv, &ea);
    epoll_ctl(b, EPOLL_CTL_ADD, srv, &eb);
    ir_drain(a);
    ir_drain(b);
    ir_hold(srv);
    IR_CHECK(ir_wait_for(a, srv, 8) & EPOLLOUT, "set A got no EPOLLOUT for the held socket");
    IR_CHECK(ir_wait_for(b, srv, 8) & EPOLLOUT, "set B got no EPOLLOUT for the held socket");
    IR_CHECK(write(srv, "x", 1) == 1, "write after the EPOLLOUT: %s", strerror(errno));
    close(srv);
    close(cli);
    close(a);
    close(b);
}

/* maxevents = 1 while level-triggered pipes are always ready: the held
 * socket's EPOLLOUT must still come, at once. */
static void ir_few_events(void)
{
    int srv, cli, ep = epoll_create1(0), p[IR_NPIPES][2];
    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLET};

    IR_CHECK(ir_pair(&srv, &cli) == 0, "socket pair: %s", strerror(errno));
    e.data.fd = srv;
    epoll_ctl(ep, EPOLL_CTL_ADD, srv, &e);
    ir_drain(ep);
    for (int i = 0; i < IR_NPIPES; i++) {
        struct epoll_event pe = {.events = EPOLLIN};
        if (pipe(p[i]) < 0)
            return;
        IR_CHECK(write(p[i][1], "x", 1) == 1, "pipe write");
        pe.data.fd = p[i][0];
        epoll_ctl(ep, EPOLL_CTL_ADD, p[i][0], &pe);
    }
    ir_hold(srv);
    IR_CHECK(ir_wait_for(ep, srv, 1) & EPOLLOUT,
             "maxevents 1 with ready pipes: the held socket's EPOLLOUT did not come at the first wait");
    for (int i = 0; i < IR_NPIPES; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
    close(srv);
    close(cli);
    close(ep);
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fputs("usage: inject_rule (run under libedgecase-inject.so with EDGECASE_INJECT=short=1)\n", stderr);
        return 2;
    }
    ir_two_sets();
    ir_few_events();
    if (ir_fails)
        return 1;
    puts("PASS: two epoll sets each got the held socket's EPOLLOUT; maxevents 1 did not starve it");
    return 0;
}
