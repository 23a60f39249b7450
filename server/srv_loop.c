/* srv_loop.c: the epoll loop, the ready list, accepting (with EMFILE shedding) and signals. */
#include "server/srv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define SRV_EVENTS 256
#define SRV_ACCEPT_RETRY_MS 100

void srv_ready_push(struct srv_loop *l, struct srv_conn *c)
{
    c->ready_next = l->ready;
    if (c->ready_next)
        c->ready_next->ready_pprev = &c->ready_next;
    c->ready_pprev = &l->ready;
    l->ready = c;
    c->on_ready = 1;
}

/* Works on whichever list c is on: the loop's, or a batch being run. */
void srv_ready_remove(struct srv_conn *c)
{
    *c->ready_pprev = c->ready_next;
    if (c->ready_next)
        c->ready_next->ready_pprev = c->ready_pprev;
    c->on_ready = 0;
}

/* Registers fd once, edge-triggered for input. Returns 0 or -1 with err. */
static int srv__watch(struct srv_loop *l, struct srv_handle *h, char *err, size_t errlen)
{
    struct epoll_event ev = {0};  /* avoid valgrind warning on the padding */

    ev.events = EPOLLIN | EPOLLET;
    ev.data.ptr = h;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, h->fd, &ev) < 0) {
        snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * Blocks the signals the loop reads from its signalfd, and ignores SIGPIPE.
 * main calls it before listening: a parent that sees "listening on" may send
 * SIGUSR1 at once, and an unblocked SIGUSR1 would kill us. Fills set.
 */
void srv_loop_block_signals(sigset_t *set)
{
    /* A write to a reset peer must fail with EPIPE, not kill us (MSG_NOSIGNAL is used too). */
    signal(SIGPIPE, SIG_IGN);
    /* Signals are read from a signalfd in the loop, so no stdio runs in a handler. */
    sigemptyset(set);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigprocmask(SIG_BLOCK, set, NULL);
}

int srv_loop_init(struct srv_loop *l, const struct srv_conf *conf, int listen_fd, char *err, size_t errlen)
{
    sigset_t set;

    memset(l, 0, sizeof(*l));
    l->conf = conf;
    l->listener.kind = SRV_H_LISTENER;
    l->listener.fd = listen_fd;
    l->sig.kind = SRV_H_SIGNAL;
    l->sig.fd = -1;
    srv_loop_block_signals(&set);
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (l->epfd < 0 || l->sig.fd < 0 || l->reserve_fd < 0) {
        snprintf(err, errlen, "epoll/signalfd/reserve fd: %s", strerror(errno));
        return -1;
    }
    if (srv__watch(l, &l->listener, err, errlen) < 0 || srv__watch(l, &l->sig, err, errlen) < 0)
        return -1;
    return 0;
}

/*
 * Out of fds: give up the reserve fd, accept one pending connection and
 * close it, so its client learns at once instead of hanging, then take the
 * reserve back. Returns 1 if one was shed, 0 if none was pending, -1 if
 * shedding is impossible (no reserve).
 */
static int srv__shed_one(struct srv_loop *l)
{
    int fd, saved;

    if (l->reserve_fd < 0)
        l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (l->reserve_fd < 0)
        return -1;
    close(l->reserve_fd);
    do {
        fd = accept4(l->listener.fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    saved = errno;  /* the open() below may change errno */
    if (fd >= 0)
        close(fd);
    l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        return 1;
    return saved == EAGAIN || saved == EWOULDBLOCK ? 0 : -1;
}

/*
 * Accepts until EAGAIN (one edge may stand for many connections). On a
 * resource error it sets accept_blocked, and the loop retries once a
 * connection closes: the listener gets no new edge for connections
 * already pending.
 */
static void srv__accept(struct srv_loop *l)
{
    l->accept_blocked = 0;
    for (;;) {
        int fd = accept4(l->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd >= 0) {
            if (l->stats.open >= l->conf->max_conns)
                close(fd);  /* over --max-conns: refuse promptly rather than let it hang */
            else
                srv_conn_open(l, fd);
            continue;
        }
        switch (errno) {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue;
        case EAGAIN:
            return;
        case EMFILE:
        case ENFILE:
            l->stats.accept_emfile++;
            switch (srv__shed_one(l)) {
            case 1:
                continue;
            case 0:
                return;  /* the backlog is empty: the next connection brings a new edge */
            }
            l->accept_blocked = 1;
            return;
        default:
            /* ENOBUFS, ENOMEM and the like: try again when something is freed. */
            l->accept_blocked = 1;
            return;
        }
    }
}

/* Handles the signalfd: SIGUSR1 prints the counters, SIGTERM/SIGINT stop the loop. */
static void srv__signals(struct srv_loop *l)
{
    struct signalfd_siginfo si;

    for (;;) {
        ssize_t n = read(l->sig.fd, &si, sizeof(si));

        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof(si))
            return;
        if (si.ssi_signo == SIGUSR1)
            srv_stats_print(stdout, &l->stats);
        else
            l->stopping = 1;
    }
}

/* Gives each connection stopped by its read or write budget another turn, in order. */
static void srv__run_ready(struct srv_loop *l)
{
    struct srv_conn *batch = l->ready;

    /* Take the whole list: connections requeued during this pass wait for the next one. */
    l->ready = NULL;
    if (batch)
        batch->ready_pprev = &batch;
    while (batch) {
        struct srv_conn *c = batch;

        srv_ready_remove(c);
        if (c->rd_more && srv_conn_read(c) < 0)
            continue;
        srv_write_conn(c);
    }
}

/* Frees the connections closed during this turn: no event or caller holds them any more. */
static void srv__reap(struct srv_loop *l)
{
    while (l->dead) {
        struct srv_conn *c = l->dead;

        l->dead = c->next;
        free(c);
    }
}

/*
 * How long epoll_wait may sleep: not at all while a connection has
 * budget-stopped output (no edge will wake us for it), a while when accept
 * is blocked on a resource error (connections already pending bring no new
 * edge, and nothing may close to free an fd), else until an event.
 */
static int srv__timeout(const struct srv_loop *l)
{
    if (l->ready)
        return 0;
    return l->accept_blocked ? SRV_ACCEPT_RETRY_MS : -1;
}

int srv_loop_run(struct srv_loop *l, char *err, size_t errlen)
{
    struct epoll_event ev[SRV_EVENTS];

    while (!l->stopping) {
        int n = epoll_wait(l->epfd, ev, SRV_EVENTS, srv__timeout(l));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
            return -1;
        }
        for (int i = 0; i < n; i++) {
            struct srv_handle *h = ev[i].data.ptr;

            switch (h->kind) {
            case SRV_H_LISTENER:
                srv__accept(l);
                break;
            case SRV_H_SIGNAL:
                srv__signals(l);
                break;
            case SRV_H_CONN:
                srv_conn_event((struct srv_conn *)h, ev[i].events);
                break;
            }
        }
        srv__run_ready(l);
        /* Retry a blocked accept once an fd was freed, or on the retry timer. */
        if (l->accept_blocked && (l->fd_freed || n == 0))
            srv__accept(l);
        l->fd_freed = 0;
        srv__reap(l);
    }
    return 0;
}

void srv_loop_destroy(struct srv_loop *l)
{
    while (l->conns)
        srv_conn_close(l->conns, NULL);
    srv__reap(l);
    if (l->sig.fd >= 0)
        close(l->sig.fd);
    if (l->reserve_fd >= 0)
        close(l->reserve_fd);
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->listener.fd >= 0)
        close(l->listener.fd);
}
