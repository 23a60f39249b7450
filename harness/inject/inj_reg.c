/* inj_reg.c: epoll_create/epoll_ctl wrappers: which epoll sets each connection is registered in, and with what. */
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
static int inj_maxreg = -1;       /* highest fd ever registered: bounds set sweeps */

static uint32_t inj__hhome(int epfd, uint64_t data)
{
    uint64_t h = data * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uint32_t)epfd * 0xc2b2ae3d27d4eb4fULL;
    return (uint32_t)(h >> 40) & (INJ_HCAP - 1);
}

static void inj__hput(int epfd, uint64_t data, int fd)
{
    uint32_t i = inj__hhome(epfd, data);
    while (inj_hash[i].fd1 != 0)
        i = (i + 1) & (INJ_HCAP - 1);
    inj_hash[i] = (struct inj_hent){fd + 1, epfd, data};
}

static int inj__hget(int epfd, uint64_t data)
{
    for (uint32_t i = inj__hhome(epfd, data); inj_hash[i].fd1 != 0; i = (i + 1) & (INJ_HCAP - 1))
        if (inj_hash[i].epfd == epfd && inj_hash[i].data == data)
            return inj_hash[i].fd1 - 1;
    return -1;
}

/* Removes fd's entry for (epfd, data), shifting later entries of the probe run back. */
static void inj__hdel(int epfd, uint64_t data, int fd)
{
    uint32_t i = inj__hhome(epfd, data);
    while (inj_hash[i].fd1 != 0 &&
           !(inj_hash[i].fd1 == fd + 1 && inj_hash[i].epfd == epfd && inj_hash[i].data == data))
        i = (i + 1) & (INJ_HCAP - 1);
    if (inj_hash[i].fd1 == 0)
        return;
    for (uint32_t j = i;;) {
        j = (j + 1) & (INJ_HCAP - 1);
        if (inj_hash[j].fd1 == 0)
            break;
        uint32_t k = inj__hhome(inj_hash[j].epfd, inj_hash[j].data);
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue; /* j's home lies after the hole: it stays */
        inj_hash[i] = inj_hash[j];
        i = j;
    }
    inj_hash[i].fd1 = 0;
}

struct inj_reg *inj__reg_find(int fd, int epfd)
{
    struct inj_fd *st = &inj_fds[fd];
    for (int i = 0; i < st->nreg; i++)
        if (st->reg[i].epfd == epfd)
            return &st->reg[i];
    return NULL;
}

int inj__reg_lookup(int epfd, uint64_t data)
{
    uint32_t c = (uint32_t)data; /* most servers put the fd in the data */
    if (c < INJ_MAX_FD && inj_fds[c].nreg) {
        const struct inj_reg *r = inj__reg_find((int)c, epfd);
        if (r && r->data == data)
            return (int)c;
    }
    return inj__hget(epfd, data);
}

/* Removes registration r of fd, keeping reg[] dense. */
static void inj__reg_drop(int fd, struct inj_reg *r)
{
    struct inj_fd *st = &inj_fds[fd];
    inj__hdel(r->epfd, r->data, fd);
    *r = st->reg[--st->nreg];
}

void inj__reg_forget(int fd)
{
    while (inj_fds[fd].nreg)
        inj__reg_drop(fd, &inj_fds[fd].reg[0]);
}

void inj__reg_forget_set(int epfd)
{
    for (int fd = 0; fd <= inj_maxreg; fd++) {
        struct inj_reg *r = inj_fds[fd].nreg ? inj__reg_find(fd, epfd) : NULL;
        if (r)
            inj__reg_drop(fd, r);
    }
}

/* Counts what a MOD changed that an ET server must not change. */
static void inj__check_mod(int fd, const struct inj_fd *st, uint32_t old, uint32_t ne)
{
    if ((old & EPOLLET) && !(ne & EPOLLET)) {
        inj__ctr(fd, TC_MOD_DROPPED_ET, 1);
        inj__event(fd, TE_MOD_DROP_ET, ne);
    }
    /* Dropping EPOLLOUT is fine once the output is flushed; not while a
     * write is stuck on EAGAIN (or injected fullness). */
    if ((old & EPOLLOUT) && !(ne & EPOLLOUT) && (st->after_eagain || st->held)) {
        inj__ctr(fd, TC_MOD_DROPPED_OUT, 1);
        inj__event(fd, TE_MOD_DROP_OUT, ne);
    }
}

/* Counts a registration's mode for the trace. */
static void inj__count_reg(int fd, uint32_t ne)
{
    inj__ctr(fd, (ne & EPOLLET) ? TC_REG_ET : TC_REG_LT, 1);
    if (ne & EPOLLONESHOT)
        inj__ctr(fd, TC_REG_ONESHOT, 1);
    if ((ne & EPOLLOUT) && !(ne & EPOLLET))
        inj__ctr(fd, TC_REG_LT_OUT, 1);
    inj__slot_reg(fd, ne);
    inj__event(fd, TE_REG, ne);
}

/* Records a successful epoll_ctl on connection fd. Under inj_lock. */
static void inj__reg_update(int epfd, int op, int fd, const struct epoll_event *ev)
{
    struct inj_fd *st = &inj_fds[fd];
    struct inj_reg *r = inj__reg_find(fd, epfd);
    if (op == EPOLL_CTL_DEL) {
        if (r)
            inj__reg_drop(fd, r);
        return;
    }
    if (r && op == EPOLL_CTL_MOD)
        inj__check_mod(fd, st, r->events, ev->events);
    if (r) {
        inj__hdel(r->epfd, r->data, fd);
    } else if (st->nreg < INJ_MAX_SETS) {
        r = &st->reg[st->nreg++];
        r->due = 0;
    } else {
        return; /* a fifth set: not tracked (never seen in practice) */
    }
    r->epfd = epfd;
    r->events = ev->events;
    r->data = ev->data.u64;
    r->armed = 1;
    inj__hput(epfd, r->data, fd);
    if (fd > inj_maxreg)
        inj_maxreg = fd;
    inj__hold_note_reg(fd, r);
    inj__count_reg(fd, ev->events);
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
    inj__reg_update(epfd, op, fd, ev);
    pthread_mutex_unlock(&inj_lock);
    errno = saved;
    return rc;
}
