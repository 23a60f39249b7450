/* inject_peer.c: a tiny ET echo server for the injector's tests, correct or with one chosen write-path bug. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PEER_MAX_FD 1024
#define PEER_READ_CHUNK 16384

/* How the server handles its write path. */
enum peer_mode {
    PEER_CORRECT,     /* ET, drain reads, writev until EAGAIN, wait for EPOLLOUT */
    PEER_IGNORE,      /* write() once per read chunk, return ignored (bug class 2) */
    PEER_SPIN,        /* retries write() in a loop on EAGAIN (bug class 3) */
    PEER_LT,          /* correct, but EPOLLIN|EPOLLOUT level-triggered (bug class 4) */
    PEER_ONESHOT,     /* correct ET with EPOLLONESHOT, re-armed by MOD after each event */
    PEER_DROPET,      /* like oneshot, but the re-arming MOD forgets EPOLLET (bug class 12) */
    PEER_SHORTWAIT    /* correct ET, but waits for EPOLLOUT after a short write (the seed's way) */
};

struct peer_conn {
    char *out;
    size_t off, len, cap;
    int open, blocked, eof;
};

static struct peer_conn peer_conns[PEER_MAX_FD];
static enum peer_mode peer_mode;
static int peer_epfd;

static const char peer_usage[] =
    "usage: inject_peer [--mode correct|ignore|spin|lt|oneshot|dropet|shortwait] [--max-seconds N]\n"
    "Echo server on 127.0.0.1:0; prints 'listening on 127.0.0.1:PORT' and, for\n"
    "every connection, 'sndbuf N' (SO_SNDBUF as the server sees it). Exits after\n"
    "--max-seconds (default 60) whatever happens.\n";

static void peer_close(int fd)
{
    free(peer_conns[fd].out);
    memset(&peer_conns[fd], 0, sizeof(peer_conns[fd]));
    close(fd);
}

/* Events to register for fd in the current mode (initial: the ADD at accept). */
static uint32_t peer_events(int fd, int initial)
{
    switch (peer_mode) {
    case PEER_CORRECT: case PEER_IGNORE: case PEER_SPIN: case PEER_SHORTWAIT:
        return EPOLLIN | EPOLLOUT | EPOLLET;
    case PEER_LT:
        return EPOLLIN | EPOLLOUT;
    case PEER_ONESHOT:
        return EPOLLIN | EPOLLET | EPOLLONESHOT | (peer_conns[fd].blocked ? EPOLLOUT : 0);
    case PEER_DROPET: /* the bug: only the first registration has EPOLLET */
        return EPOLLIN | EPOLLONESHOT | (initial ? EPOLLET : 0) | (peer_conns[fd].blocked ? EPOLLOUT : 0);
    }
    return EPOLLIN;
}

static int peer_append(struct peer_conn *c, const char *buf, size_t n)
{
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 65536;
        while (cap < c->len + n)
            cap *= 2;
        char *p = realloc(c->out, cap);
        if (!p)
            return -1;
        c->out = p;
        c->cap = cap;
    }
    memcpy(c->out + c->len, buf, n);
    c->len += n;
    return 0;
}

/* Writes the queue with writev in uneven pieces, so short writev cuts land
 * both inside and between iovecs. Returns 0, or -1 if the connection failed. */
static int peer_flush(int fd)
{
    static const size_t piece[] = {1000, 3001, 517, 65536};
    struct peer_conn *c = &peer_conns[fd];
    while (c->off < c->len) {
        struct iovec iov[4];
        size_t at = c->off;
        int n = 0;
        for (; n < 4 && at < c->len; n++) {
            size_t k = c->len - at < piece[n] ? c->len - at : piece[n];
            iov[n] = (struct iovec){c->out + at, k};
            at += k;
        }
        ssize_t w = writev(fd, iov, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->blocked = 1;
            return 0;
        }
        if (w < 0)
            return -1;
        c->off += (size_t)w;
        if (peer_mode == PEER_SHORTWAIT && c->off < at) {
            c->blocked = 1; /* short: the socket is full, wait for EPOLLOUT */
            return 0;
        }
    }
    c->off = c->len = 0;
    c->blocked = 0;
    return 0;
}

/* The buggy writers: ignore the return, or spin until everything is sent. */
static void peer_write_buggy(int fd, const char *buf, size_t n, time_t deadline)
{
    if (peer_mode == PEER_IGNORE) {
        ssize_t w = write(fd, buf, n);
        (void)w; /* the bug under test */
        return;
    }
    while (n > 0 && time(NULL) < deadline) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            continue; /* the bug under test: no wait for EPOLLOUT */
        if (w < 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

/* Reads until EAGAIN (ET), queueing or echoing what arrives. Returns -1 to close. */
static int peer_on_read(int fd, time_t deadline)
{
    char buf[PEER_READ_CHUNK];
    struct peer_conn *c = &peer_conns[fd];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (r <= 0) {
            c->eof = 1;
            break;
        }
        if (peer_mode == PEER_IGNORE || peer_mode == PEER_SPIN)
            peer_write_buggy(fd, buf, (size_t)r, deadline);
        else if (peer_append(c, buf, (size_t)r) < 0)
            return -1;
        if (peer_mode == PEER_LT)
            break; /* level-triggered: one read per event is fine */
    }
    if (!c->blocked && peer_flush(fd) < 0)
        return -1;
    return c->eof && c->len == 0 ? -1 : 0;
}

static void peer_accept(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0 && errno == EINTR)
            continue;
        if (fd < 0)
            return;
        if (fd >= PEER_MAX_FD) {
            close(fd);
            continue;
        }
        int sb = 0;
        socklen_t sl = sizeof(sb);
        getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, &sl);
        printf("sndbuf %d\n", sb);
        fflush(stdout);
        peer_conns[fd].open = 1;
        struct epoll_event ev = {.events = peer_events(fd, 1), .data.fd = fd};
        if (epoll_ctl(peer_epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
            peer_close(fd);
    }
}

static void peer_on_event(int fd, uint32_t events, time_t deadline)
{
    struct peer_conn *c = &peer_conns[fd];
    int bad = 0;
    if (events & EPOLLOUT) {
        if (c->len > c->off)
            bad = peer_flush(fd) < 0;
        if (!bad && c->eof && c->len == 0)
            bad = 1;
    }
    if (!bad && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        bad = peer_on_read(fd, deadline) < 0;
    if (bad) {
        peer_close(fd);
        return;
    }
    if (peer_mode == PEER_ONESHOT || peer_mode == PEER_DROPET) {
        struct epoll_event ev = {.events = peer_events(fd, 0), .data.fd = fd};
        epoll_ctl(peer_epfd, EPOLL_CTL_MOD, fd, &ev);
    }
}

static int peer_listen(void)
{
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 64) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &al) < 0)
        return -1;
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return lfd;
}

static int peer_parse(int argc, char **argv, int *max_s)
{
    static const struct option opts[] = {
        {"mode", required_argument, NULL, 'm'}, {"max-seconds", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    static const char *const names[] = {"correct", "ignore", "spin", "lt", "oneshot", "dropet", "shortwait"};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'h') {
            fputs(peer_usage, stdout);
            exit(0);
        } else if (o == 's' && atoi(optarg) > 0) {
            *max_s = atoi(optarg);
        } else if (o == 'm') {
            size_t i = 0;
            while (i < sizeof(names) / sizeof(names[0]) && strcmp(names[i], optarg) != 0)
                i++;
            if (i == sizeof(names) / sizeof(names[0])) {
                fprintf(stderr, "inject_peer: --mode: unknown mode '%s'\n", optarg);
                return -1;
            }
            peer_mode = (enum peer_mode)i;
        } else {
            fprintf(stderr, "inject_peer: bad option or value '%s'\n%s", argv[optind - 1], peer_usage);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int max_s = 60;
    if (peer_parse(argc, argv, &max_s) < 0)
        return 2;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGPIPE, SIG_IGN);
    time_t deadline = time(NULL) + max_s;
    int lfd = peer_listen();
    peer_epfd = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.fd = lfd};
    if (lfd < 0 || peer_epfd < 0 || epoll_ctl(peer_epfd, EPOLL_CTL_ADD, lfd, &lev) < 0) {
        perror("inject_peer: listen");
        return 1;
    }
    while (time(NULL) < deadline) {
        struct epoll_event ev[64];
        int n = epoll_wait(peer_epfd, ev, 64, 200);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 1;
        for (int i = 0; i < n; i++) {
            if (ev[i].data.fd == lfd)
                peer_accept(lfd);
            else if (peer_conns[ev[i].data.fd].open)
                peer_on_event(ev[i].data.fd, ev[i].events, deadline);
        }
    }
    return 0;
}
