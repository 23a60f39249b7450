/* inj_epoll.c: held sockets and their synthetic EPOLLOUT edge, delivered through every epoll set the fd is in. */
#include "harness/inject/inj.h"

#include <errno.h>
#include <string.h>

static int inj_plist[INJ_MAX_FD];         /* fds owed a synthetic EPOLLOUT in some set */
static int inj_pn;

static void inj__plist_add(int fd)
{
    if (inj_fds[fd].pending)
        return;
    inj_fds[fd].pending = 1;
    inj_plist[inj_pn++] = fd;
    atomic_store(&inj_npending, inj_pn);
}

/* Removes fd from the list (the last entry takes its place). */
static void inj__plist_del(int fd)
{
    if (!inj_fds[fd].pending)
        return;
    inj_fds[fd].pending = 0;
    for (int i = 0; i < inj_pn; i++) {
        if (inj_plist[i] == fd) {
            inj_plist[i] = inj_plist[--inj_pn];
            break;
        }
    }
    atomic_store(&inj_npending, inj_pn);
}

/* An EPOLLOUT reached the server: the hold is over, in every set. Under inj_lock. */
static void inj__release_locked(int fd)
{
    struct inj_fd *st = &inj_fds[fd];
    st->held = 0;
    for (int i = 0; i < st->nreg; i++)
        st->reg[i].due = 0;
    inj__plist_del(fd);
}

void inj__hold(int fd)
{
    pthread_mutex_lock(&inj_lock);
    struct inj_fd *st = &inj_fds[fd];
    if (!st->held) {
        st->held = 1;
        st->held_spins = 0;
        /* The kernel would raise EPOLLOUT in every set watching fd. */
        for (int i = 0; i < st->nreg; i++)
            st->reg[i].due = 1;
        inj__plist_add(fd);
    }
    pthread_mutex_unlock(&inj_lock);
}

void inj__unhold(int fd)
{
    pthread_mutex_lock(&inj_lock);
    inj__release_locked(fd);
    pthread_mutex_unlock(&inj_lock);
}

void inj__hold_note_reg(int fd, struct inj_reg *r)
{
    if (inj_fds[fd].held) {
        r->due = 1;
        inj__plist_add(fd);
    }
}

void inj__epoll_forget(int fd)
{
    pthread_mutex_lock(&inj_lock);
    inj__reg_forget(fd);
    inj__release_locked(fd);
    pthread_mutex_unlock(&inj_lock);
}

void inj__epoll_forget_set(int epfd)
{
    pthread_mutex_lock(&inj_lock);
    inj__reg_forget_set(epfd);
    pthread_mutex_unlock(&inj_lock);
}

/* fd's registration in epfd when it wants EPOLLOUT and is owed a synthetic
 * one; NULL otherwise. Armed or not: see the callers. Under inj_lock. */
static struct inj_reg *inj__owed(int fd, int epfd)
{
    struct inj_reg *r = inj__reg_find(fd, epfd);
    return r && r->due && (r->events & EPOLLOUT) ? r : NULL;
}

int inj__has_synth(int epfd)
{
    int found = 0;
    pthread_mutex_lock(&inj_lock);
    for (int i = 0; i < inj_pn && !found; i++) {
        const struct inj_reg *r = inj__owed(inj_plist[i], epfd);
        found = r && r->armed;
    }
    pthread_mutex_unlock(&inj_lock);
    return found;
}

/* 1 if fd is still owed an EPOLLOUT in some set. Under inj_lock. */
static int inj__still_owed(int fd)
{
    const struct inj_fd *st = &inj_fds[fd];
    for (int i = 0; i < st->nreg; i++)
        if (st->reg[i].due)
            return 1;
    return 0;
}

/* An EPOLLOUT, real or synthetic, reached the server through r: the hold is
 * over and r's edge is paid. Other sets are still owed theirs (a real one
 * can ride on an EPOLLIN event of this set only). Returns 1 when fd left the
 * owed list (another fd took its place there). Under inj_lock. */
static int inj__paid(int fd, struct inj_reg *r)
{
    inj_fds[fd].held = 0;
    inj_fds[fd].out_since = 1;
    r->due = 0;
    if (inj__still_owed(fd))
        return 0;
    inj__plist_del(fd);
    return 1;
}

/* Accounts the real events the kernel returned. Under inj_lock. */
static void inj__note_real(int epfd, const struct epoll_event *ev, int n)
{
    for (int i = 0; i < n; i++) {
        int fd = inj__reg_lookup(epfd, ev[i].data.u64);
        struct inj_reg *r = fd < 0 ? NULL : inj__reg_find(fd, epfd);
        if (!r)
            continue;
        struct inj_fd *st = &inj_fds[fd];
        if (r->events & EPOLLONESHOT)
            r->armed = 0;
        if (ev[i].events & EPOLLOUT) {
            inj__ctr(fd, TC_EPOLLOUT_REAL, 1);
            inj__event(fd, TE_EPOLLOUT_REAL, ev[i].events);
            if (!(r->events & EPOLLET) && !st->full && !st->held)
                inj__ctr(fd, TC_EPOLLOUT_LT_IDLE, 1);
            inj__paid(fd, r);
        }
    }
}

/* Index of the event carrying data in ev[0..n), or n. */
static int inj__find_event(const struct epoll_event *ev, int n, uint64_t data)
{
    int j = 0;
    while (j < n && ev[j].data.u64 != data)
        j++;
    return j;
}

/* Delivers fd's owed EPOLLOUT through registration r of set epfd, into
 * ev[j] (j == *n: appended). Returns inj__paid's answer. Under inj_lock. */
static int inj__deliver(int fd, struct inj_reg *r, int epfd, struct epoll_event *ev, int j, int *n)
{
    if (j == *n) {
        ev[j].events = 0;
        ev[j].data.u64 = r->data;
        (*n)++;
        if (r->events & EPOLLONESHOT) {
            /* Disarm it in the kernel too, as a real event would have. */
            struct epoll_event d = {.events = EPOLLONESHOT | EPOLLET, .data.u64 = r->data};
            INJ_REAL(epoll_ctl)(epfd, EPOLL_CTL_MOD, fd, &d);
        }
    }
    ev[j].events |= EPOLLOUT;
    if (r->events & EPOLLONESHOT)
        r->armed = 0;
    inj__ctr(fd, TC_EPOLLOUT_SYNTH, 1);
    inj__event(fd, TE_EPOLLOUT_SYNTH, ev[j].events);
    return inj__paid(fd, r);
}

/* Merges synthetic EPOLLOUT for fds owed one in epfd into ev (n real events,
 * room for max): OR-ed into the fd's real event, else appended while there
 * is room (inj_wait keeps one slot free for this). A real event of a
 * ONESHOT fd in this very batch consumed its arming, so it still carries the
 * EPOLLOUT. Returns the new count. Under inj_lock. */
static int inj__merge_synth(int epfd, struct epoll_event *ev, int n, int max)
{
    for (int i = 0; i < inj_pn;) {
        int fd = inj_plist[i];
        struct inj_reg *r = inj__owed(fd, epfd);
        int j = r ? inj__find_event(ev, n, r->data) : n;
        if (!r || (j == n && (!r->armed || n == max))) {
            i++;
            continue;
        }
        if (!inj__deliver(fd, r, epfd, ev, j, &n))
            i++; /* else another fd moved to plist[i]: do not advance */
    }
    return n;
}

int inj__wait_post(int epfd, struct epoll_event *ev, int n, int max)
{
    pthread_mutex_lock(&inj_lock);
    inj__note_real(epfd, ev, n);
    if (inj_pn > 0)
        n = inj__merge_synth(epfd, ev, n, max);
    pthread_mutex_unlock(&inj_lock);
    return n;
}
