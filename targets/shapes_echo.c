/* shapes_echo.c: a plain, correct epoll echo server in three registration shapes (ET, LT, ONESHOT), a target of other shapes than server/. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "targets/tnet.h"

#define SE_BUF (256 * 1024)     /* per-connection echo buffer: reading stops when full */
#define SE_TURN (64 * 1024)     /* bytes moved per connection per turn (fairness) */
#define SE_MAXEV 64
#define SE_MAXFD 65536

enum se_mode { SE_ET, SE_LT, SE_ONESHOT };

static const char se_usage[] =
    "Usage: shapes-echo [OPTION]...\n"
    "A correct epoll echo server written the plain way, in one of three shapes.\n"
    "\n"
    "  --mode et|lt|oneshot  et: IN|OUT|ET registered once, read and write until\n"
    "                        EAGAIN; lt: level-triggered, EPOLLOUT armed only while\n"
    "                        output is pending; oneshot: ET|ONESHOT re-armed after\n"
    "                        every event with what is pending (default et)\n"
    "  --listen ADDR:PORT    listen here (default 127.0.0.1:0); prints\n"
    "                        'listening on ADDR:PORT' on stdout\n"
    "  --proto echo          the only protocol: every byte read is written back\n"
    "  --sndbuf BYTES        SO_SNDBUF of accepted sockets (default: kernel's)\n"
    "  --help                show this help\n";

/* One connection: bytes [head, tail) of buf are read and not yet written. */
struct se_conn {
    int fd;
    size_t head, tail;
    unsigned rd_ready : 1, wr_ready : 1, eof : 1, queued : 1;
    char buf[SE_BUF];
};

struct se_server {
    enum se_mode mode;
    int ep, lfd, sndbuf, spare_fd;
    struct se_conn *conns[SE_MAXFD];
    int ready[SE_MAXFD];        /* FIFO of connections stopped by the turn cap */
    int nready;
};

static volatile sig_atomic_t se_stop;

static void se_on_signal(int sig)
{
    (void)sig;
    se_stop = 1;
}

/* The interest set a connection needs now; ET asks for everything once. */
static uint32_t se_interest(const struct se_server *s, const struct se_conn *c)
{
    uint32_t ev = 0;
    if (s->mode == SE_ET)
        return EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    if (!c->eof && c->tail < SE_BUF)
        ev |= EPOLLIN | EPOLLRDHUP;
    if (c->tail > c->head)
        ev |= EPOLLOUT;
    return s->mode == SE_ONESHOT ? ev | EPOLLET | EPOLLONESHOT : ev;
}

static void se_close(struct se_server *s, struct se_conn *c)
{
    s->conns[c->fd] = NULL;
    close(c->fd); /* also removes it from the epoll set */
    free(c);
}

/* Reads until EAGAIN, EOF, a full buffer or the turn cap. Returns -1 on a
 * connection error, else 0. */
static int se_read(struct se_conn *c, size_t *moved)
{
    while (c->rd_ready && !c->eof && c->tail < SE_BUF && *moved < SE_TURN) {
        if (c->head == c->tail)
            c->head = c->tail = 0;
        ssize_t n = read(c->fd, c->buf + c->tail, SE_BUF - c->tail);
        if (n > 0) {
            c->tail += (size_t)n;
            *moved += (size_t)n;
        } else if (n == 0) {
            c->eof = 1;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->rd_ready = 0;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

/* Writes until EAGAIN, an empty buffer or the turn cap. Returns -1 on a
 * connection error, else 0. */
static int se_write(struct se_conn *c, size_t *moved)
{
    while (c->wr_ready && c->tail > c->head && *moved < SE_TURN) {
        ssize_t n = send(c->fd, c->buf + c->head, c->tail - c->head, MSG_NOSIGNAL);
        if (n >= 0) {
            c->head += (size_t)n;
            *moved += (size_t)n;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->wr_ready = 0;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    if (c->head == c->tail)
        c->head = c->tail = 0; /* room again: a reader stopped by a full buffer goes on */
    return 0;
}

/* 1 if the connection could move bytes now without waiting for an event. */
static int se_can_move(const struct se_conn *c)
{
    return (c->rd_ready && !c->eof && c->tail < SE_BUF) || (c->wr_ready && c->tail > c->head);
}

/* Services one connection for one turn. Returns -1 when it was closed. */
static int se_service(struct se_server *s, struct se_conn *c)
{
    size_t moved = 0;
    do {
        if (se_read(c, &moved) < 0 || se_write(c, &moved) < 0) {
            se_close(s, c);
            return -1;
        }
    } while (se_can_move(c) && moved < SE_TURN);
    if (c->eof && c->tail == c->head) {
        se_close(s, c);
        return -1;
    }
    if (se_can_move(c) && !c->queued) {
        c->queued = 1; /* under ET no new edge will come: come back next turn */
        s->ready[s->nready++] = c->fd;
    }
    if (s->mode != SE_ET) {
        struct epoll_event ev = {.events = se_interest(s, c), .data.fd = c->fd};
        epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    return 0;
}

/* Out of fds: accepts the oldest pending connection with the spare fd's
 * slot and closes it, so the level-triggered listener does not spin. */
static void se_shed(struct se_server *s)
{
    if (s->spare_fd < 0)
        return;
    close(s->spare_fd);
    int fd = accept(s->lfd, NULL, NULL);
    if (fd >= 0)
        close(fd);
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Accepts until EAGAIN. */
static void se_accept(struct se_server *s)
{
    for (;;) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && (errno == EMFILE || errno == ENFILE))
            se_shed(s);
        if (fd < 0)
            return;
        struct se_conn *c = fd < SE_MAXFD ? calloc(1, sizeof *c) : NULL;
        if (!c) {
            close(fd);
            continue;
        }
        if (s->sndbuf > 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf, sizeof s->sndbuf);
        c->fd = fd;
        /* LT and ONESHOT learn readiness from each event; ET starts writable. */
        c->wr_ready = s->mode == SE_ET;
        s->conns[fd] = c;
        struct epoll_event ev = {.events = se_interest(s, c), .data.fd = fd};
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
            se_close(s, c);
    }
}

/* Applies one event to its connection and services it. */
static void se_event(struct se_server *s, const struct epoll_event *e)
{
    struct se_conn *c = s->conns[e->data.fd];
    if (!c)
        return;
    if (e->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        c->rd_ready = 1;
    if (e->events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        c->wr_ready = 1;
    if (!c->queued)
        se_service(s, c);
}

/* Gives the connections stopped by the turn cap their next turn, in order. */
static void se_run_ready(struct se_server *s)
{
    int n = s->nready;
    int fds[SE_MAXEV * 4];
    if (n > (int)(sizeof fds / sizeof fds[0]))
        n = (int)(sizeof fds / sizeof fds[0]);
    memcpy(fds, s->ready, (size_t)n * sizeof fds[0]);
    memmove(s->ready, s->ready + n, (size_t)(s->nready - n) * sizeof fds[0]);
    s->nready -= n;
    for (int i = 0; i < n; i++) {
        struct se_conn *c = s->conns[fds[i]];
        if (c) {
            c->queued = 0;
            se_service(s, c);
        }
    }
}

static int se_loop(struct se_server *s)
{
    struct epoll_event ev[SE_MAXEV];
    while (!se_stop) {
        int n = epoll_wait(s->ep, ev, SE_MAXEV, s->nready ? 0 : -1);
        if (n < 0 && errno != EINTR) {
            perror("shapes-echo: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (ev[i].data.fd == s->lfd)
                se_accept(s);
            else
                se_event(s, &ev[i]);
        }
        se_run_ready(s);
    }
    return 0;
}

/* Parses the command line into s and *listen. Returns 0, or 2 after a message. */
static int se_options(int argc, char **argv, struct se_server *s, const char **listen)
{
    static const struct option opts[] = {
        {"mode", required_argument, NULL, 'm'},   {"listen", required_argument, NULL, 'l'},
        {"proto", required_argument, NULL, 'p'},  {"sndbuf", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int opt;
    char *end;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'm':
            if (!strcmp(optarg, "et")) s->mode = SE_ET;
            else if (!strcmp(optarg, "lt")) s->mode = SE_LT;
            else if (!strcmp(optarg, "oneshot")) s->mode = SE_ONESHOT;
            else goto bad;
            break;
        case 'l':
            *listen = optarg;
            break;
        case 'p':
            if (strcmp(optarg, "echo"))
                goto bad;
            break;
        case 's':
            s->sndbuf = (int)strtol(optarg, &end, 10);
            if (*end || s->sndbuf <= 0)
                goto bad;
            break;
        case 'h':
            fputs(se_usage, stdout);
            exit(0);
        default:
            fputs(se_usage, stderr);
            return 2;
        }
    }
    if (optind == argc)
        return 0;
    fprintf(stderr, "shapes-echo: unexpected argument '%s'\n", argv[optind]);
    return 2;
bad:
    fprintf(stderr, "shapes-echo: bad value for --%s: '%s'\n",
            opt == 'm' ? "mode" : opt == 'p' ? "proto" : "sndbuf", optarg);
    return 2;
}

int main(int argc, char **argv)
{
    static struct se_server s = {.lfd = -1};
    const char *listen = "127.0.0.1:0";
    char err[256];
    int rc = se_options(argc, argv, &s, &listen);
    if (rc)
        return rc;
    signal(SIGPIPE, SIG_IGN);
    s.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    signal(SIGTERM, se_on_signal);
    signal(SIGINT, se_on_signal);
    s.ep = epoll_create1(EPOLL_CLOEXEC);
    s.lfd = tnet_listen(listen, stdout, err, sizeof err);
    if (s.lfd < 0 || s.ep < 0) {
        fprintf(stderr, "shapes-echo: %s\n", s.lfd < 0 ? err : strerror(errno));
        return 1;
    }
    struct epoll_event lev = {.events = EPOLLIN, .data.fd = s.lfd};
    epoll_ctl(s.ep, EPOLL_CTL_ADD, s.lfd, &lev);
    rc = se_loop(&s);
    for (int fd = 0; fd < SE_MAXFD; fd++)
        if (s.conns[fd])
            se_close(&s, s.conns[fd]);
    close(s.lfd);
    close(s.ep);
    if (s.spare_fd >= 0)
        close(s.spare_fd);
    return rc;
}
