/* check_engine_srv.c: servers for the engine tests: small ones forked in-test (correct, lossy, duplicating, silent) and the reference server. */
#include "tests/check_engine_srv.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* One connection of the test server: echo with backpressure (read only when the buffer is empty). */
struct tconn {
    int fd;
    char buf[16384];
    size_t len, off;
    uint64_t echoed;          /* stream offset of buf[0] */
    int eof;
    int again;                /* TSRV_DUP: the chunk was sent once already */
};

static void tsrv_set(int ep, struct tconn *c, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};

    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes what is buffered; in TSRV_DROP mode skips the dropped range. Returns -1 when c is gone. */
static int tsrv_flush(int ep, struct tconn *c, enum tsrv_mode mode)
{
    while (c->off < c->len) {
        uint64_t at = c->echoed + c->off;
        size_t n = c->len - c->off;
        ssize_t w;

        if (mode == TSRV_DROP && at >= TSRV_DROP_AT && at < TSRV_DROP_AT + TSRV_DROP_LEN) {
            size_t skip = (size_t)(TSRV_DROP_AT + TSRV_DROP_LEN - at);

            c->off += skip < n ? skip : n;
            continue;
        }
        if (mode == TSRV_DROP && at < TSRV_DROP_AT && at + n > TSRV_DROP_AT)
            n = (size_t)(TSRV_DROP_AT - at);
        w = write(c->fd, c->buf + c->off, n);
        if (w < 0 && errno == EAGAIN) {
            tsrv_set(ep, c, EPOLLOUT);
            return 0;
        }
        if (w <= 0)
            return -1;
        c->off += (size_t)w;
        if (c->off == c->len && mode == TSRV_DUP && !c->again) {
            c->again = 1;
            c->off = 0;
        }
    }
    c->again = 0;
    c->echoed += c->len;
    c->len = c->off = 0;
    if (c->eof)
        return -1;    /* all echoed: close, which sends our FIN */
    tsrv_set(ep, c, EPOLLIN);
    return 0;
}

static void tsrv_event(int ep, struct tconn *c, enum tsrv_mode mode)
{
    if (c->len == 0 && !c->eof) {
        ssize_t r = read(c->fd, c->buf, sizeof(c->buf));

        if (r < 0 && errno == EAGAIN)
            return;
        if (r <= 0)
            c->eof = 1;
        else if (mode != TSRV_SILENT)
            c->len = (size_t)r;
        if (r > 0 && mode == TSRV_SILENT)
            return;
    }
    if ((mode == TSRV_SILENT && c->eof) || (mode != TSRV_SILENT && tsrv_flush(ep, c, mode) < 0)) {
        close(c->fd);
        free(c);
    }
}

/* The server's body: level-triggered epoll, never returns. */
static void tsrv_main(int lfd, enum tsrv_mode mode, int sndbuf)
{
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, evs[64];

    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        int n = epoll_wait(ep, evs, 64, -1);

        for (int i = 0; i < n; i++) {
            struct tconn *c = evs[i].data.ptr;

            if (c) {
                tsrv_event(ep, c, mode);
                continue;
            }
            int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);

            if (fd < 0)
                continue;
            if (sndbuf)
                setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
            c = calloc(1, sizeof(*c));
            c->fd = fd;
            ev.events = EPOLLIN;
            ev.data.ptr = c;
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        }
    }
}

/* Forks a test server on 127.0.0.1. Returns its pid; *port is set. */
pid_t tsrv_start(enum tsrv_mode mode, int sndbuf, int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    pid_t pid;

    ck_assert_int_ge(lfd, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(lfd, 4096), 0);
    ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
    *port = ntohs(a.sin_port);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct rlimit rl;

        prctl(PR_SET_PDEATHSIG, SIGKILL);    /* never outlive the test */
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        tsrv_main(lfd, mode, sndbuf);
        _exit(0);
    }
    close(lfd);
    return pid;
}

void tsrv_stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Starts the reference server. Returns its pid; a missing binary fails the test. */
pid_t ref_start(const char *proto, int *port)
{
    const char *top = getenv("EC_TOP_BUILDDIR");
    char path[4096], line[256];
    int pfd[2];
    pid_t pid;
    FILE *f;

    snprintf(path, sizeof(path), "%s/server/edgecase-server", top ? top : ".");
    ck_assert_msg(access(path, X_OK) == 0, "%s is not built (make check builds it)", path);
    ck_assert_int_eq(pipe(pfd), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pfd[1], 1);
        close(pfd[0]);
        execl(path, path, "--listen", "127.0.0.1:0", "--proto", proto, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    f = fdopen(pfd[0], "r");
    ck_assert_msg(fgets(line, sizeof(line), f) != NULL, "%s printed no 'listening on' line", path);
    ck_assert_msg(sscanf(line, "listening on 127.0.0.1:%d", port) == 1, "unexpected first line: %s", line);
    fclose(f);
    return pid;
}

