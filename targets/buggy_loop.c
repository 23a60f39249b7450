/* buggy_loop.c: buggy-server's epoll loop: registration, event dispatch, per-turn fairness and requeueing. */
#include "targets/buggy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#define BLOOP_EVENTS 64
#define BLOOP_QUIET_MS 100     /* starvation: how long a connection must be quiet to be left */
#define BLOOP_IN_EVENTS (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)
#define BLOOP_OUT_EVENTS (EPOLLOUT | EPOLLHUP | EPOLLERR)

volatile sig_atomic_t bloop_stop, bloop_dump;

#define BLOOP_CONN(link, field) ((struct bconn *)((char *)(link) - offsetof(struct bconn, field)))

static void blink_init(struct blink *s) { s->prev = s->next = s; }
static int blink_empty(const struct blink *s) { return s->next == s; }

static void blink_add(struct blink *s, struct blink *n)
{
    n->prev = s->prev;
    n->next = s;
    s->prev->next = n;
    s->prev = n;
}

static void blink_del(struct blink *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    blink_init(n);
}

int bloop_init(struct bloop *l, const struct bconf *conf, int lfd, char *err, size_t errlen)
{
    struct epoll_event ee;

    memset(l, 0, sizeof(*l));
    l->conf = conf;
    l->lfd = lfd;
    blink_init(&l->pending);
    blink_init(&l->conns);
    bq_init(&l->shared_q);
    l->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
        return -1;
    }
    memset(&ee, 0, sizeof(ee));  /* avoid valgrind warning on the padding of data */
    /* emfile-spin needs the level-triggered listener that makes the spin. */
    ee.events = bug_on(conf->bugs, BUG_EMFILE_SPIN) ? EPOLLIN : EPOLLIN | EPOLLET;
    ee.data.ptr = &l->lfd;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, lfd, &ee) < 0) {
        snprintf(err, errlen, "epoll_ctl(listener): %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* The epoll mask of a connection at registration and re-arm time. */
static uint32_t bloop__mask(const struct bloop *l, const struct bconn *c)
{
    const uint32_t bugs = l->conf->bugs;

    if (bug_on(bugs, BUG_LT_EPOLLOUT))
        return c->out_armed ? EPOLLIN | EPOLLOUT | EPOLLRDHUP : EPOLLIN | EPOLLRDHUP | EPOLLET;
    if (bug_on(bugs, BUG_ONESHOT_NO_REARM))
        return EPOLLIN | EPOLLRDHUP | EPOLLET | EPOLLONESHOT | (c->q->bytes ? EPOLLOUT : 0);
    /* Both directions edge-triggered, once: no EPOLL_CTL_MOD ever needed. */
    return EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
}

static int bloop__ctl(struct bloop *l, struct bconn *c, int op)
{
    struct epoll_event ee;

    memset(&ee, 0, sizeof(ee));
    ee.events = bloop__mask(l, c);
    ee.data.ptr = c;
    return epoll_ctl(l->epfd, op, c->fd, &ee);
}

int bloop_add_conn(struct bloop *l, int fd)
{
    struct bconn *c = calloc(1, sizeof(*c));

    if (!c)
        return -1;
    c->fd = fd;
    bq_init(&c->own_q);
    c->q = bug_on(l->conf->bugs, BUG_SHARED_BUFFER) ? &l->shared_q : &c->own_q;
    c->wr_ready = 1;          /* a fresh socket is writable */
    blink_init(&c->pend);
    if (bloop__ctl(l, c, EPOLL_CTL_ADD) < 0) {
        free(c);
        return -1;
    }
    blink_add(&l->conns, &c->all);
    l->connections++;
    l->open++;
    return 0;
}

static void bloop__close(struct bloop *l, struct bconn *c)
{
    blink_del(&c->pend);
    blink_del(&c->all);
    close(c->fd);
    bio_free_conn(c);
    l->open--;
}

/* Serves c once: write, maybe resume reading, read, write. *got gets the bytes
 * read. Returns 1 if work is left for another turn, 0 if not, -1 if c must close. */
static int bloop__serve_once(struct bloop *l, struct bconn *c, size_t budget, size_t cap, long *got)
{
    const struct bconf *cf = l->conf;
    int more_out = 0;

    if (c->wr_ready && c->q->bytes > 0 && (more_out = bw_flush(l, c, budget)) < 0)
        return -1;
    if (c->paused && bug_on(cf->bugs, BUG_NO_READ_RESUME) && c->q->bytes == 0) {
        /* The bug, as a "drained" callback writes it: "read again on the next
         * EPOLLIN". The input is already waiting, so no edge will come. (Resuming
         * at lwm would hide it: the EPOLLOUT edges still to come carry EPOLLIN.) */
        c->paused = 0;
        c->rd_ready = 0;
    } else if (c->paused && !bug_on(cf->bugs, BUG_NO_READ_RESUME) && c->q->bytes <= cf->lwm) {
        c->paused = 0;
    }
    *got = bio_read(l, c, cap);
    if (*got < 0)
        return -1;
    if (c->q->bytes > 0 && bug_on(cf->bugs, BUG_LT_EPOLLOUT) && !c->out_armed) {
        c->out_armed = 1;     /* "tell me when I can write" - and never disarmed */
        if (bloop__ctl(l, c, EPOLL_CTL_MOD) < 0)
            return -1;
    }
    /* Output queued by this read, or by HTTP requests held back at the
     * high-water mark and answered now without a read: a writable socket
     * gives no new edge, so write it now. */
    if (!more_out && c->wr_ready && c->q->bytes > 0 && (more_out = bw_flush(l, c, budget)) < 0)
        return -1;
    if (c->eof && c->q->bytes == 0)
        return -1;            /* all answered: close after the peer's FIN */
    if (more_out && !bug_on(cf->bugs, BUG_BUDGET_NO_REQUEUE)) {
        l->requeues++;
        return 1;             /* stopped by the budget: no new edge will come */
    }
    if (c->rd_ready && !c->paused && !c->eof)
        return 1;             /* stopped by the read cap: no new edge will come */
    return c->paused && c->q->bytes <= cf->lwm;
}

/* starvation: waits up to BLOOP_QUIET_MS on c alone. Returns 1 if it has
 * something to do (flags set), 0 if it stayed quiet. */
static int bloop__wait_one(struct bconn *c)
{
    struct pollfd pfd = {.fd = c->fd, .events = (c->paused || c->eof ? 0 : POLLIN) | (c->q->bytes ? POLLOUT : 0)};

    if (poll(&pfd, 1, BLOOP_QUIET_MS) <= 0)
        return 0;
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
        c->rd_ready = 1;
    if (pfd.revents & (POLLOUT | POLLHUP | POLLERR))
        c->wr_ready = 1;
    return 1;
}

/* Serves c for this turn. Returns as bloop__serve_once. */
static int bloop__serve(struct bloop *l, struct bconn *c)
{
    long got;
    int r;

    if (!bug_on(l->conf->bugs, BUG_STARVATION))
        return bloop__serve_once(l, c, l->conf->budget, l->conf->read_cap, &got);
    /* The bug: stay with this connection, waiting on it alone, until it has
     * been quiet for a while; every other connection waits meanwhile. */
    for (;;) {
        uint64_t before = l->bytes_in + l->bytes_out;

        r = bloop__serve_once(l, c, SIZE_MAX, SIZE_MAX, &got);
        if (r < 0)
            return r;
        if (l->bytes_in + l->bytes_out == before && !bloop__wait_one(c))
            return r;
    }
}

/* Acts on serve's verdict: close, requeue, re-arm. */
static void bloop__settle(struct bloop *l, struct bconn *c, int r)
{
    if (r < 0) {
        bloop__close(l, c);
        return;
    }
    if (r > 0 && blink_empty(&c->pend))
        blink_add(&l->pending, &c->pend);
    if (bug_on(l->conf->bugs, BUG_ONESHOT_NO_REARM)) {
        /* The bug: blocked on EAGAIN, "EPOLLOUT will tell us" - but ONESHOT disarmed it. */
        if (!c->wr_ready && c->q->bytes > 0)
            return;
        if (bloop__ctl(l, c, EPOLL_CTL_MOD) < 0)
            bloop__close(l, c);
    }
}

static void bloop__event(struct bloop *l, struct bconn *c, uint32_t ev)
{
    uint32_t had_out = (ev & EPOLLOUT) && !c->wr_ready && c->q->bytes > 0;

    if (had_out && bug_on(l->conf->bugs, BUG_LOST_WAKEUP) && ++l->outs_seen % BUGGY_LOSE_EVERY == 0) {
        ev &= ~(uint32_t)EPOLLOUT; /* the bug: this wake-up never reaches the write path */
        had_out = 0;
    }

    if (bug_on(l->conf->bugs, BUG_IF_ELSE_IF)) {
        if (ev & BLOOP_IN_EVENTS)
            c->rd_ready = 1;
        else if (ev & EPOLLOUT)
            c->wr_ready = 1;
    } else {
        if (ev & BLOOP_IN_EVENTS)
            c->rd_ready = 1;
        if (ev & BLOOP_OUT_EVENTS)
            c->wr_ready = 1;
    }
    l->resumptions += had_out;
    blink_del(&c->pend);
    bloop__settle(l, c, bloop__serve(l, c));
}

/* lost-wakeup's housekeeping timer: retries every blocked write, the way
 * servers with a periodic sweep recover (late) from a lost EPOLLOUT. */
static void bloop__sweep(struct bloop *l)
{
    for (struct blink *k = l->conns.next, *next; k != &l->conns; k = next) {
        struct bconn *c = BLOOP_CONN(k, all);
        next = k->next;
        if (!c->wr_ready && c->q->bytes > 0) {
            c->wr_ready = 1;
            blink_del(&c->pend);
            bloop__settle(l, c, bloop__serve(l, c));
        }
    }
}

/* Runs the sweep when its period is over. Returns the ms until the next one. */
static int bloop__sweep_due(struct bloop *l)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (l->next_sweep_ms == 0)
        l->next_sweep_ms = now + BUGGY_SWEEP_MS;
    if (now >= l->next_sweep_ms) {
        bloop__sweep(l);
        l->next_sweep_ms = now + BUGGY_SWEEP_MS;
    }
    return (int)(l->next_sweep_ms - now);
}

/* Serves the connections left with work by the previous turn. */
static void bloop__run_pending(struct bloop *l)
{
    struct blink todo;

    if (blink_empty(&l->pending))
        return;
    /* Splice the list so requeues of this round wait for the next turn. */
    todo.next = l->pending.next;
    todo.prev = l->pending.prev;
    todo.next->prev = &todo;
    todo.prev->next = &todo;
    blink_init(&l->pending);
    while (!blink_empty(&todo)) {
        struct bconn *c = BLOOP_CONN(todo.next, pend);
        blink_del(&c->pend);
        bloop__settle(l, c, bloop__serve(l, c));
    }
}

static void bloop__dump(struct bloop *l)
{
    bloop_dump = 0;
    printf("{\"connections\":%" PRIu64 ",\"open\":%" PRIu64 ",\"bytes_in\":%" PRIu64
           ",\"bytes_out\":%" PRIu64 ",\"eagain\":%" PRIu64 ",\"epollout_resumptions\":%" PRIu64
           ",\"backpressure_pauses\":%" PRIu64 ",\"accept_emfile\":%" PRIu64
           ",\"budget_requeues\":%" PRIu64 "}\n", l->connections, l->open, l->bytes_in, l->bytes_out,
           l->eagain, l->resumptions, l->pauses, l->emfile, l->requeues);
    fflush(stdout);
}

int bloop_run(struct bloop *l, char *err, size_t errlen)
{
    struct epoll_event evs[BLOOP_EVENTS];
    sigset_t waitmask;

    /* main blocks the signals we handle; they are let in only inside
     * epoll_pwait, so one cannot land between the flag check and the wait. */
    sigprocmask(SIG_BLOCK, NULL, &waitmask);
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGINT);
    sigdelset(&waitmask, SIGUSR1);
    while (!bloop_stop) {
        int sweep_in = bug_on(l->conf->bugs, BUG_LOST_WAKEUP) ? bloop__sweep_due(l) : -1;
        int n = epoll_pwait(l->epfd, evs, BLOOP_EVENTS, !blink_empty(&l->pending) ? 0 : sweep_in, &waitmask);

        if (bloop_dump)
            bloop__dump(l);
        if (n < 0) {
            if (errno == EINTR && (bloop_stop || !bug_on(l->conf->bugs, BUG_EINTR_EXIT)))
                continue;
            snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &l->lfd) {
                if (bnet_accept_ready(l, err, errlen) < 0)
                    return -1;
            } else {
                bloop__event(l, evs[i].data.ptr, evs[i].events);
            }
        }
        bloop__run_pending(l);
    }
    return 0;
}

void bloop_destroy(struct bloop *l)
{
    while (!blink_empty(&l->conns))
        bloop__close(l, BLOOP_CONN(l->conns.next, all));
    bq_clear(&l->shared_q);
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->spare_fd >= 0)
        close(l->spare_fd);
    if (l->lfd >= 0)
        close(l->lfd);
}
