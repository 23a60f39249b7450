/* inj_sock.c: accept/accept4, setsockopt and close wrappers: which fds are connections, and their buffers. */
#include "harness/inject/inj.h"

#include <errno.h>
#include <string.h>

/* Reads a socket buffer size back, or -1. */
static int inj__getbuf(int fd, int opt)
{
    int v = -1;
    socklen_t len = sizeof(v);
    if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
        return -1;
    return v;
}

_Atomic int inj_serving;

/* Makes a freshly accepted fd a tracked connection: buffers set before the
 * server sees it, a new ordinal, a clean slot. */
static void inj__on_accept(int fd)
{
    atomic_store(&inj_serving, 1);
    if (fd >= INJ_MAX_FD) {
        inj__note_untracked();
        return;
    }
    if (inj_spec.sndbuf > 0)
        INJ_REAL(setsockopt)(fd, SOL_SOCKET, SO_SNDBUF, &inj_spec.sndbuf, sizeof(int));
    if (inj_spec.rcvbuf > 0)
        INJ_REAL(setsockopt)(fd, SOL_SOCKET, SO_RCVBUF, &inj_spec.rcvbuf, sizeof(int));
    int snd = inj_spec.sndbuf > 0 ? inj__getbuf(fd, SO_SNDBUF) : -1;
    int rcv = inj_spec.rcvbuf > 0 ? inj__getbuf(fd, SO_RCVBUF) : -1;
    inj__epoll_forget(fd); /* a stale state if the old fd was closed behind our back */
    struct inj_fd *st = &inj_fds[fd];
    st->is_epoll = 0;
    st->after_eagain = st->full = st->out_since = st->held = 0;
    st->spin_logged = 0;
    st->held_spins = 0;
    uint32_t ord = inj__next_ordinal();
    st->ordinal = ord;
    inj__slot_open(fd, ord, snd, rcv);
    if (inj_spec.sndbuf > 0 || inj_spec.rcvbuf > 0)
        inj__note_bufs(snd, rcv);
    inj__event(fd, TE_ACCEPT, snd);
}

/* EINTR on accept targets the listener, the one non-connection fault. */
static int inj__accept_eintr(int lfd)
{
    if (!(inj_spec.eintr_calls & INJ_CALL_ACCEPT) || !atomic_load(&inj_serving) ||
        !inj__chance(lfd, inj_spec.eintr_p))
        return 0;
    inj__ctr(lfd, TC_EINTR_INJ, 1);
    inj__event(lfd, TE_EINTR_INJ, 0);
    errno = EINTR;
    return 1;
}

int accept(int lfd, struct sockaddr *addr, socklen_t *alen)
{
    if (INJ_BYPASS())
        return INJ_REAL(accept)(lfd, addr, alen);
    if (inj__accept_eintr(lfd))
        return -1;
    int fd = INJ_REAL(accept)(lfd, addr, alen);
    if (fd >= 0) {
        int saved = errno;
        inj__on_accept(fd);
        errno = saved;
    }
    return fd;
}

int accept4(int lfd, struct sockaddr *addr, socklen_t *alen, int flags)
{
    if (INJ_BYPASS())
        return INJ_REAL(accept4)(lfd, addr, alen, flags);
    if (inj__accept_eintr(lfd))
        return -1;
    int fd = INJ_REAL(accept4)(lfd, addr, alen, flags);
    if (fd >= 0) {
        int saved = errno;
        inj__on_accept(fd);
        errno = saved;
    }
    return fd;
}

/* A server that sets SO_SNDBUF/SO_RCVBUF on a connection itself wins (it is
 * its buffer to size); the trace records that it did and the value. */
int setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
    int rc = INJ_REAL(setsockopt)(fd, level, opt, val, len);
    if (INJ_BYPASS() || rc < 0 || !inj_conn(fd) || level != SOL_SOCKET)
        return rc;
    if ((opt == SO_SNDBUF || opt == SO_RCVBUF) && val && len >= sizeof(int)) {
        int v;
        memcpy(&v, val, sizeof(v));
        int saved = errno;
        inj__ctr(fd, TC_APP_SETBUF, 1);
        if (opt == SO_SNDBUF)
            inj__slot_setbuf(fd, v);
        inj__event(fd, TE_APP_SETBUF, opt == SO_SNDBUF ? v : -v);
        errno = saved;
    }
    return rc;
}

int close(int fd)
{
    if (INJ_BYPASS() || fd < 0 || fd >= INJ_MAX_FD)
        return INJ_REAL(close)(fd);
    struct inj_fd *st = &inj_fds[fd];
    if (st->ordinal) {
        inj__event(fd, TE_CLOSE, 0);
        inj__epoll_forget(fd);
        inj__slot_close(fd);
        st->ordinal = 0;
    } else if (st->is_epoll) {
        inj__epoll_forget_set(fd);
        st->is_epoll = 0;
    }
    atomic_store_explicit(&st->rng, 0, memory_order_relaxed);
    return INJ_REAL(close)(fd);
}
