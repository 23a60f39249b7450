/* srv_write.c: the ET write path in three layers that never call up: policy, mechanics (drain), iovecs (sendv). */
#include "server/srv.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define SRV_IOV_MAX 64

/* How the mechanics layer stopped. */
enum srv_wr {
    SRV_WR_EMPTY,             /* the queue is empty */
    SRV_WR_AGAIN,             /* the socket is full: c->writable is cleared, EPOLLOUT will come */
    SRV_WR_LIMIT,             /* the byte limit is spent: the socket may still take more */
    SRV_WR_ERROR,             /* the connection is dead (EPIPE, ECONNRESET, ENOMEM...) */
};

/*
 * The iovec layer: one sendmsg() of up to limit bytes from the head of the
 * queue, consuming exactly what the kernel took, however the short write
 * splits the iovecs. EINTR is retried here. MSG_NOSIGNAL: a reset peer
 * gives EPIPE, never SIGPIPE.
 * Returns the bytes sent (> 0), 0 if nothing could be listed, -1 with errno.
 */
static ssize_t srv__sendv(struct srv_conn *c, size_t limit)
{
    struct iovec iov[SRV_IOV_MAX];
    struct msghdr msg = {0};
    int n = outq_iov(&c->out, iov, SRV_IOV_MAX, limit);
    ssize_t w;

    if (n <= 0)
        return n;
    msg.msg_iov = iov;
    msg.msg_iovlen = (size_t)n;
    do {
        w = sendmsg(c->h.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (w < 0 && errno == EINTR);
    if (w > 0)
        outq_consume(&c->out, (size_t)w);
    return w;
}

/*
 * The mechanics layer: sends until the queue is empty, the kernel says
 * EAGAIN (which clears c->writable), or *limit is spent (it is decremented
 * by what was sent). Counts bytes, EAGAIN hits and EPOLLOUT resumptions.
 * Returns how it stopped; never closes c.
 */
static enum srv_wr srv__drain(struct srv_conn *c, size_t *limit)
{
    struct srv_stats *st = &c->loop->stats;

    while (!outq_empty(&c->out)) {
        ssize_t w;

        if (*limit == 0)
            return SRV_WR_LIMIT;
        w = srv__sendv(c, *limit);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            st->eagain++;
            c->writable = 0;
            c->stalled = 1;
            return SRV_WR_AGAIN;
        }
        if (w <= 0)
            return SRV_WR_ERROR;
        /* Only an event sets writable again after EAGAIN, so this send was resumed by EPOLLOUT. */
        if (c->stalled)
            st->epollout_resumptions++;
        c->stalled = 0;
        st->bytes_out += (uint64_t)w;
        *limit -= (size_t)w < *limit ? (size_t)w : *limit;
    }
    return SRV_WR_EMPTY;
}

/*
 * The policy layer: whether to send at all (only while writable), how much
 * (the caller's per-turn budget, for fairness), and what a failed send means
 * (the connection is dead: close it).
 * Returns 0 if c is still open after the call, -1 if it was closed.
 */
int srv_write(struct srv_conn *c, size_t *budget)
{
    /*
     * After EAGAIN only EPOLLOUT says there is room again: writing on
     * another event (EPOLLIN) would be a wasted syscall and another EAGAIN,
     * and would make the counters count one stall many times.
     */
    if (!c->writable)
        return 0;
    switch (srv__drain(c, budget)) {
    case SRV_WR_ERROR:
        srv_conn_close(c, NULL);
        return -1;
    case SRV_WR_EMPTY:
    case SRV_WR_AGAIN:
    case SRV_WR_LIMIT:
        break;
    }
    return 0;
}
