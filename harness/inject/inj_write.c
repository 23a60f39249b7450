/* inj_write.c: write-family wrappers: counting, spin/resumption tracking, injected EINTR/EAGAIN/short writes. */
#include "harness/inject/inj.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>

/* The socket was just found full: by EAGAIN (eagain=1, which also starts a
 * spin watch) or by a short write. The wait for EPOLLOUT starts (again). */
static void inj__mark_full(struct inj_fd *st, int eagain)
{
    st->full = 1;
    st->out_since = 0;
    if (eagain) {
        st->after_eagain = 1;
        st->eagain_gen = atomic_load_explicit(&inj_wait_gen, memory_order_relaxed);
    }
}

/* Decides what happens before a write of len bytes on connection fd.
 * Returns -1 with errno set when the call must fail without sending, else 0
 * with *allow the bytes it may send (less than len for an injected short). */
static int inj__write_pre(int fd, struct inj_fd *st, size_t len, size_t *allow)
{
    *allow = len;
    if (st->after_eagain && !st->out_since) {
        inj__ctr(fd, TC_SPIN_WRITES, 1);
        if (atomic_load_explicit(&inj_wait_gen, memory_order_relaxed) == st->eagain_gen)
            inj__ctr(fd, TC_SPIN_NOWAIT, 1);
        if (!st->spin_logged) {
            st->spin_logged = 1; /* one ring entry per streak, not per retry */
            inj__event(fd, TE_SPIN, (int64_t)len);
        }
    }
    if (st->held) {
        if (++st->held_spins <= INJ_HOLD_MAX_SPINS || !st->after_eagain) {
            inj__mark_full(st, 1);
            inj__ctr(fd, TC_EAGAIN_INJ, 1);
            inj__event(fd, TE_EAGAIN_INJ, (int64_t)len);
            errno = EAGAIN;
            return -1;
        }
        inj__ctr(fd, TC_HOLD_RELEASE, 1);
        inj__event(fd, TE_HOLD_RELEASE, st->held_spins);
        inj__unhold(fd);
    }
    if (len == 0)
        return 0;
    if ((inj_spec.eintr_calls & INJ_CALL_WRITE) && inj__chance(fd, inj_spec.eintr_p)) {
        inj__ctr(fd, TC_EINTR_INJ, 1);
        inj__event(fd, TE_EINTR_INJ, 1);
        errno = EINTR;
        return -1;
    }
    if (!inj_faults)
        return 0;
    if (inj__chance(fd, inj_spec.eagain_p)) {
        inj__mark_full(st, 1);
        inj__ctr(fd, TC_EAGAIN_INJ, 1);
        inj__event(fd, TE_EAGAIN_INJ, (int64_t)len);
        inj__hold(fd);
        errno = EAGAIN;
        return -1;
    }
    if (len > 1 && inj__chance(fd, inj_spec.short_p))
        *allow = 1 + (size_t)(inj__rng_next(fd) % (len - 1));
    return 0;
}

/* Counts the outcome of a write-family call that asked for len bytes.
 * A resumption is a write that succeeds after the socket was found full (by
 * EAGAIN or by a short write) and an EPOLLOUT came: once per wait, so the
 * short-then-EAGAIN pattern of a write-until-EAGAIN loop counts one, and a
 * server that waits for EPOLLOUT right after a short write (never seeing
 * EAGAIN) counts too. A write that succeeds with no EPOLLOUT ends the wait
 * uncounted. */
static void inj__write_post(int fd, struct inj_fd *st, size_t len, size_t allow, ssize_t rc, int err)
{
    if (rc < 0) {
        if (err == EAGAIN || err == EWOULDBLOCK) {
            inj__mark_full(st, 1);
            inj__ctr(fd, TC_EAGAIN_REAL, 1);
            inj__event(fd, TE_EAGAIN_REAL, (int64_t)len);
        }
        return;
    }
    inj__ctr(fd, TC_WRITE_CALLS, 1);
    inj__ctr(fd, TC_BYTES_WRITTEN, (uint64_t)rc);
    if (len == 0)
        return; /* says nothing about the socket's room */
    if (st->full && st->out_since) {
        inj__ctr(fd, TC_RESUMPTIONS, 1);
        inj__event(fd, TE_RESUME, rc);
    }
    st->full = 0;
    st->after_eagain = 0;
    st->spin_logged = 0;
    if ((size_t)rc >= len)
        return;
    inj__ctr(fd, TC_SHORT_WRITES, 1);
    inj__mark_full(st, 0);
    if (allow < len && (size_t)rc == allow) {
        inj__ctr(fd, TC_SHORT_INJ, 1);
        inj__event(fd, TE_SHORT_INJ, rc);
        inj__hold(fd); /* as a real short write: the buffer is now "full" */
    } else {
        inj__event(fd, TE_SHORT_REAL, rc);
    }
}

static size_t inj__iov_len(const struct iovec *iov, int n)
{
    size_t t = 0;
    for (int i = 0; i < n; i++)
        t += iov[i].iov_len;
    return t;
}

/* For a short writev: half the time moves the cut back to an iovec boundary
 * (if one lies inside), so both "inside an iovec" and "on a boundary" occur. */
static size_t inj__iov_cut(int fd, const struct iovec *iov, int n, size_t allow)
{
    if (n < 2 || (inj__rng_next(fd) & 1))
        return allow;
    size_t sum = 0, best = 0;
    for (int i = 0; i < n - 1; i++) {
        sum += iov[i].iov_len;
        if (sum > 0 && sum <= allow)
            best = sum;
    }
    return best ? best : allow;
}

/* Copies the first allow bytes' worth of iov into out; returns the count. */
static int inj__iov_trim(const struct iovec *iov, int n, size_t allow, struct iovec *out)
{
    int k = 0;
    for (int i = 0; i < n && allow > 0; i++) {
        out[k] = iov[i];
        if (out[k].iov_len > allow)
            out[k].iov_len = allow;
        allow -= out[k].iov_len;
        k++;
    }
    return k;
}

/* The body every plain-buffer write wrapper shares. CALL uses n as the length. */
#define INJ_WRITE_BODY(CALL, fd, len)                                   \
    struct inj_fd *st = INJ_BYPASS() ? NULL : inj_conn(fd);             \
    size_t n = (len);                                                   \
    if (!st)                                                            \
        return CALL;                                                    \
    size_t allow;                                                       \
    if (inj__write_pre(fd, st, n, &allow) < 0)                           \
        return -1;                                                      \
    size_t asked = n;                                                   \
    n = allow;                                                          \
    ssize_t rc = CALL;                                                  \
    int err = errno;                                                    \
    inj__write_post(fd, st, asked, allow, rc, err);                      \
    errno = err;                                                        \
    return rc;

ssize_t write(int fd, const void *buf, size_t len)
{
    INJ_WRITE_BODY(INJ_REAL(write)(fd, buf, n), fd, len)
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    INJ_WRITE_BODY(INJ_REAL(send)(fd, buf, n, flags), fd, len)
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *a, socklen_t alen)
{
    INJ_WRITE_BODY(INJ_REAL(sendto)(fd, buf, n, flags, a, alen), fd, len)
}

ssize_t sendfile(int out, int in, off_t *off, size_t count)
{
    INJ_WRITE_BODY(INJ_REAL(sendfile)(out, in, off, n), out, count)
}

ssize_t sendfile64(int out, int in, off_t *off, size_t count)
{
    INJ_WRITE_BODY(INJ_REAL(sendfile64)(out, in, off, n), out, count)
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    struct inj_fd *st = INJ_BYPASS() ? NULL : inj_conn(fd);
    if (!st || cnt <= 0 || cnt > IOV_MAX)
        return INJ_REAL(writev)(fd, iov, cnt);
    size_t len = inj__iov_len(iov, cnt), allow;
    if (inj__write_pre(fd, st, len, &allow) < 0)
        return -1;
    ssize_t rc;
    if (allow < len) {
        struct iovec cut[IOV_MAX];
        allow = inj__iov_cut(fd, iov, cnt, allow);
        rc = INJ_REAL(writev)(fd, cut, inj__iov_trim(iov, cnt, allow, cut));
    } else {
        rc = INJ_REAL(writev)(fd, iov, cnt);
    }
    int err = errno;
    inj__write_post(fd, st, len, allow, rc, err);
    errno = err;
    return rc;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    struct inj_fd *st = INJ_BYPASS() ? NULL : inj_conn(fd);
    if (!st || !msg || msg->msg_iovlen == 0 || msg->msg_iovlen > IOV_MAX)
        return INJ_REAL(sendmsg)(fd, msg, flags);
    int cnt = (int)msg->msg_iovlen;
    size_t len = inj__iov_len(msg->msg_iov, cnt), allow;
    if (inj__write_pre(fd, st, len, &allow) < 0)
        return -1;
    ssize_t rc;
    if (allow < len) {
        struct iovec cut[IOV_MAX];
        struct msghdr m = *msg;
        allow = inj__iov_cut(fd, msg->msg_iov, cnt, allow);
        m.msg_iov = cut;
        m.msg_iovlen = (size_t)inj__iov_trim(msg->msg_iov, cnt, allow, cut);
        rc = INJ_REAL(sendmsg)(fd, &m, flags);
    } else {
        rc = INJ_REAL(sendmsg)(fd, msg, flags);
    }
    int err = errno;
    inj__write_post(fd, st, len, allow, rc, err);
    errno = err;
    return rc;
}
