/* srv_loop.c: the epoll loop: dispatch of events, the FIFO ready list, signals, and freeing the dead. */
#include "server/srv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define SRV_EVENTS 256
#define SRV_ACCEPT_RETRY_MS 100

void srv_ready_push(struct srv_loop *l, struct srv_conn *c)
{
    if (c->on_ready)
        return;
    TAILQ_INSERT_TAIL(&l->ready, c, ready_link);
    l->nready++;
    c->on_ready = 1;
}

void srv_ready_remove(struct srv_loop *l, struct srv_conn *c)
{
    TAILQ_REMOVE(&l->ready, c, ready_link);
    l->nready--;
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
    LIST_INIT(&l->conns);
    TAILQ_INIT(&l->ready);
    LIST_INIT(&l->dead);
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

/*
 * Serves, in order, the connections a budget stopped before this pass began;
 * one requeued during the pass goes to the tail and waits for the next turn,
 * after everyone else's events.
 */
static void srv__run_ready(struct srv_loop *l)
{
    size_t n = l->nready;
    struct srv_conn *c;

    while (n-- > 0 && (c = TAILQ_FIRST(&l->ready)) != NULL) {
        srv_ready_remove(l, c);
        srv_conn_service(c);
    }
}

/* Frees the connections closed during this turn: no event or caller holds them any more. */
static void srv__reap(struct srv_loop *l)
{
    struct srv_conn *c;

    while ((c = LIST_FIRST(&l->dead)) != NULL) {
        LIST_REMOVE(c, link);
        free(c);
    }
}

/*
 * How long epoll_wait may sleep: not at all while a budget-stopped
 * connection waits on the ready list (no edge will wake us for it), a while when accept
 * is blocked on a resource error (connections already pending bring no new
 * edge, and nothing may close to free an fd), else until an event.
 */
static int srv__timeout(const struct srv_loop *l)
{
    if (!TAILQ_EMPTY(&l->ready))
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
                srv_accept(l);
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
            srv_accept(l);
        l->fd_freed = 0;
        srv__reap(l);
    }
    return 0;
}

void srv_loop_destroy(struct srv_loop *l)
{
    struct srv_conn *c;

    while ((c = LIST_FIRST(&l->conns)) != NULL)
        srv_conn_close(c, NULL);
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
