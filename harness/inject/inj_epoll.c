/* inj_epoll.c: epoll wrappers: interest-list tracking, EPOLLOUT counting and synthetic EPOLLOUT edges for held sockets. */
#include "harness/inject/inj.h"

#include <errno.h>
#include <string.h>

/* (epfd, data) -> fd, so an event's user data leads back to its connection.
 * Open addressing with linear probing; fd1 = fd + 1, 0 = empty. */
#define INJ_HCAP (1u << 17)
struct inj_hent {
    int32_t fd1, epfd;
    uint64_t data;
};
static struct inj_hent inj_hash[INJ_HCAP];
static int inj_plist[INJ_MAX_FD];         /* held fds awaiting a synthetic EPOLLOUT */
static int inj_pn;
static int inj_maxreg = -1;

static uint32_t inj_hhome(int epfd, uint64_t data)
{
    uint64_t h = data * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uint32_t)epfd * 0xc2b2ae3d27d4eb4fULL;
    return (uint32_t)(h >> 40) & (INJ_HCAP - 1);
}

static void inj_hput(int epfd, uint64_t data, int fd)
{
    uint32_t i = inj_hhome(epfd, data);
    while (inj_hash[i].fd1 != 0)
        i = (i + 1) & (INJ_HCAP - 1);
    inj_hash[i] = (struct inj_hent){fd + 1, epfd, data};
}

static int inj_hget(int epfd, uint64_t data)
{
    for (uint32_t i = inj_hhome(epfd, data); inj_hash[i].fd1 != 0; i = (i + 1) & (INJ_HCAP - 1))
        if (inj_hash[i].epfd == epfd && inj_hash[i].data == data)
            return inj_hash[i].fd1 - 1;
    return -1;
}

/* Removes fd's entry, shifting later entries of the probe run back. */
static void inj_hdel(int epfd, uint64_t data, int fd)
{
    uint32_t i = inj_hhome(epfd, data);
    while (inj_hash[i].fd1 != 0 && inj_hash[i].fd1 != fd + 1)
        i = (i + 1) & (INJ_HCAP - 1);
    if (inj_hash[i].fd1 == 0)
        return;
    for (uint32_t j = i;;) {
        j = (j + 1) & (INJ_HCAP - 1);
        if (inj_hash[j].fd1 == 0)
            break;
        uint32_t k = inj_hhome(inj_hash[j].epfd, inj_hash[j].data);
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue; /* j's home lies after the hole: it stays */
        inj_hash[i] = inj_hash[j];
        i = j;
    }
    inj_hash[i].fd1 = 0;
}

/* The connection an event of set epfd belongs to, or -1. Under inj_lock. */
static int inj_lookup(int epfd, uint64_t data)
{
    uint32_t c = (uint32_t)data; /* most servers put the fd in the data */
    if (c < INJ_MAX_FD && inj_fds[c].registered && inj_fds[c].reg_epfd == epfd && inj_fds[c].reg_data == data)
        return (int)c;
    return inj_hget(epfd, data);
}

static void inj_unhold_locked(int fd)
{
    if (!inj_fds[fd].held)
        return;
    inj_fds[fd].held = 0;
    for (int i = 0; i < inj_pn; i++) {
        if (inj_plist[i] == fd) {
            inj_plist[i] = inj_plist[--inj_pn];
            break;
        }
    }
    atomic_store(&inj_npending, inj_pn);
}

void inj__hold(int fd)
{
    pthread_mutex_lock(&inj_lock);
    if (!inj_fds[fd].held) {
        inj_fds[fd].held = 1;
        inj_fds[fd].held_spins = 0;
        inj_plist[inj_pn++] = fd;
        atomic_store(&inj_npending, inj_pn);
    }
    pthread_mutex_unlock(&inj_lock);
}

void inj__unhold(int fd)
{
    pthread_mutex_lock(&inj_lock);
    inj_unhold_locked(fd);
    pthread_mutex_unlock(&inj_lock);
}

static void inj_unregister_locked(int fd)
{
    struct inj_fd *st = &inj_fds[fd];
    if (st->registered)
        inj_hdel(st->reg_epfd, st->reg_data, fd);
    st->registered = 0;
}

void inj__epoll_forget(int fd)
{
    pthread_mutex_lock(&inj_lock);
    inj_unregister_locked(fd);
    inj_unhold_locked(fd);
    pthread_mutex_unlock(&inj_lock);
}

void inj__epoll_forget_set(int epfd)
{
    pthread_mutex_lock(&inj_lock);
    for (int fd = 0; fd <= inj_maxreg; fd++)
        if (inj_fds[fd].registered && inj_fds[fd].reg_epfd == epfd)
            inj_unregister_locked(fd);
    pthread_mutex_unlock(&inj_lock);
}

/* Counts what a MOD changed that an ET server must not change. Under inj_lock. */
static void inj_check_mod(int fd, struct inj_fd *st, uint32_t ne)
{
    if ((st->reg_events & EPOLLET) && !(ne & EPOLLET)) {
        inj__ctr(fd, TC_MOD_DROPPED_ET, 1);
        inj__event(fd, TE_MOD_DROP_ET, ne);
    }
    /* Dropping EPOLLOUT is fine once the output is flushed; not while a
     * write is stuck on EAGAIN (or injected fullness). */
    if ((st->reg_events & EPOLLOUT) && !(ne & EPOLLOUT) && (st->after_eagain || st->held)) {
        inj__ctr(fd, TC_MOD_DROPPED_OUT, 1);
        inj__event(fd, TE_MOD_DROP_OUT, ne);
    }
}

/* Records a successful epoll_ctl on connection fd. Under inj_lock. */
static void inj_reg_update(int epfd, int op, int fd, const struct epoll_event *ev)
{
    struct inj_fd *st = &inj_fds[fd];
    if (op == EPOLL_CTL_DEL) {
        if (st->registered && st->reg_epfd == epfd)
            inj_unregister_locked(fd);
        return;
    }
    uint32_t ne = ev->events;
    if (op == EPOLL_CTL_MOD && st->registered && st->reg_epfd == epfd)
        inj_check_mod(fd, st, ne);
    inj_unregister_locked(fd);
    st->registered = 1;
    st->armed = 1;
    st->reg_epfd = epfd;
    st->reg_events = ne;
    st->reg_data = ev->data.u64;
    inj_hput(epfd, st->reg_data, fd);
    if (fd > inj_maxreg)
        inj_maxreg = fd;
    inj__ctr(fd, (ne & EPOLLET) ? TC_REG_ET : TC_REG_LT, 1);
    if (ne & EPOLLONESHOT)
        inj__ctr(fd, TC_REG_ONESHOT, 1);
    if ((ne & EPOLLOUT) && !(ne & EPOLLET))
        inj__ctr(fd, TC_REG_LT_OUT, 1);
    inj__slot_reg(fd, ne);
    inj__event(fd, TE_REG, ne);
}

int epoll_create(int size)
{
    int fd = INJ_REAL(epoll_create)(size);
    if (fd >= 0 && fd < INJ_MAX_FD)
        inj_fds[fd].is_epoll = 1;
    return fd;
}

int epoll_create1(int flags)
{
    int fd = INJ_REAL(epoll_create1)(flags);
    if (fd >= 0 && fd < INJ_MAX_FD)
        inj_fds[fd].is_epoll = 1;
    return fd;
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
    int rc = INJ_REAL(epoll_ctl)(epfd, op, fd, ev);
    if (rc < 0 || INJ_BYPASS() || !inj_conn(fd) || (op != EPOLL_CTL_DEL && !ev))
        return rc;
    int saved = errno;
    pthread_mutex_lock(&inj_lock);
    inj_reg_update(epfd, op, fd, ev);
    pthread_mutex_unlock(&inj_lock);
    errno = saved;
    return rc;
}

/* 1 if a held fd registered in epfd can get its synthetic EPOLLOUT now. Under inj_lock. */
static int inj_eligible(int fd, int epfd)
{
    const struct inj_fd *st = &inj_fds[fd];
    return st->registered && st->reg_epfd == epfd && (st->reg_events & EPOLLOUT) && st->armed;
}

int inj__has_synth(int epfd)
{
    int found = 0;
    pthread_mutex_lock(&inj_lock);
    for (int i = 0; i < inj_pn && !found; i++)
        found = inj_eligible(inj_plist[i], epfd);
    pthread_mutex_unlock(&inj_lock);
    return found;
}

/* Accounts the real events the kernel returned. Under inj_lock. */
static void inj_note_real(int epfd, const struct epoll_event *ev, int n)
{
    for (int i = 0; i < n; i++) {
        int fd = inj_lookup(epfd, ev[i].data.u64);
        if (fd < 0)
            continue;
        struct inj_fd *st = &inj_fds[fd];
        if (st->reg_events & EPOLLONESHOT)
            st->armed = 0;
        if (ev[i].events & EPOLLOUT) {
            inj__ctr(fd, TC_EPOLLOUT_REAL, 1);
            inj__event(fd, TE_EPOLLOUT_REAL, ev[i].events);
            if (!(st->reg_events & EPOLLET) && !st->full && !st->held)
                inj__ctr(fd, TC_EPOLLOUT_LT_IDLE, 1);
            st->out_since = 1;
            inj_unhold_locked(fd);
        }
    }
}

/* Merges synthetic EPOLLOUT for held fds of epfd into ev (n real events,
 * room for max): OR-ed into the fd's real event, else appended. Returns the
 * new count. Under inj_lock. */
static int inj_merge_synth(int epfd, struct epoll_event *ev, int n, int max)
{
    for (int i = 0; i < inj_pn;) {
        int fd = inj_plist[i];
        struct inj_fd *st = &inj_fds[fd];
        if (!inj_eligible(fd, epfd)) { i++; continue; }
        int j = 0;
        while (j < n && ev[j].data.u64 != st->reg_data)
            j++;
        if (j == n && n == max) { i++; continue; } /* no room: next wait */
        if (j == n) {
            ev[n].events = 0;
            ev[n++].data.u64 = st->reg_data;
            if (st->reg_events & EPOLLONESHOT) {
                /* Disarm it in the kernel too, as a real event would have. */
                struct epoll_event d = {.events = EPOLLONESHOT | EPOLLET, .data.u64 = st->reg_data};
                INJ_REAL(epoll_ctl)(epfd, EPOLL_CTL_MOD, fd, &d);
            }
        }
        ev[j].events |= EPOLLOUT;
        if (st->reg_events & EPOLLONESHOT)
            st->armed = 0;
        st->out_since = 1;
        inj__ctr(fd, TC_EPOLLOUT_SYNTH, 1);
        inj__event(fd, TE_EPOLLOUT_SYNTH, ev[j].events);
        inj_unhold_locked(fd); /* removes plist[i]: do not advance */
    }
    return n;
}

int inj__wait_post(int epfd, struct epoll_event *ev, int n, int max)
{
    pthread_mutex_lock(&inj_lock);
    if (inj_maxreg >= 0)
        inj_note_real(epfd, ev, n);
    if (inj_pn > 0)
        n = inj_merge_synth(epfd, ev, n, max);
    pthread_mutex_unlock(&inj_lock);
    return n;
}
