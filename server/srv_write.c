/* srv_write.c: the ET write path in three layers: policy (srv_write_conn), mechanics (drain), iovecs (sendv). */
#include "server/srv.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define SRV_IOV_MAX 64

/* How the mechanics layer stopped. */
enum srv_wr {
    SRV_WR_EMPTY,             /* the queue is empty */
    SRV_WR_AGAIN,             /* the socket is full: EPOLLOUT will come */
    SRV_WR_BUDGET,            /* this turn's budget is spent: nobody will wake us, requeue */
    SRV_WR_ERROR,             /* the connection is dead (EPIPE, ECONNRESET, ENOMEM...) */
};

/*
 * The iovec layer: one sendmsg() of up to limit bytes from the head of the
 * queue, consuming exactly what the kernel took, however the short write
 * splits the iovecs. EINTR is retried here. MSG_NOSIGNAL: a reset peer
 * gives EPIPE, never SIGPIPE. Returns the bytes sent (> 0), 0 if nothing
 * could be listed, -1 with errno.
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
 * EAGAIN, or *budget is spent (it is decremented by what was sent).
 * Counts EAGAIN hits and EPOLLOUT resumptions. Never closes c.
 */
static enum srv_wr srv__drain(struct srv_conn *c, size_t *budget)
{
    struct srv_stats *st = &c->loop->stats;

    while (!outq_empty(&c->out)) {
        ssize_t w;

        /*
         * After EAGAIN only EPOLLOUT says there is room again: writing on
         * another event (EPOLLIN) would be a wasted syscall and another
         * EAGAIN, and would make the counters count one stall many times.
         */
        if (c->wait_out && !c->got_out)
            return SRV_WR_AGAIN;
        if (*budget == 0)
            return SRV_WR_BUDGET;
        w = srv__sendv(c, *budget);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            st->eagain++;
            c->wait_out = 1;
            return SRV_WR_AGAIN;
        }
        if (w <= 0)
            return SRV_WR_ERROR;
        if (c->wait_out && c->got_out)
            st->epollout_resumptions++;
        c->wait_out = 0;
        c->got_out = 0;
        st->bytes_out += (uint64_t)w;
        *budget -= (size_t)w < *budget ? (size_t)w : *budget;
    }
    return SRV_WR_EMPTY;
}

/* Completes a half-close: everything queued was sent, so shut the write side and let go. */
static void srv__finish(struct srv_conn *c)
{
    shutdown(c->h.fd, SHUT_WR);
    srv_conn_close(c, NULL);
}

int srv_write_conn(struct srv_conn *c)
{
    const struct srv_conf *conf = c->loop->conf;
    size_t budget = conf->budget;

    for (;;) {
        enum srv_wr r = srv__drain(c, &budget);

        switch (r) {
        case SRV_WR_ERROR:
            srv_conn_close(c, NULL);
            return -1;
        case SRV_WR_BUDGET:
            /* Still writable, but no new edge will say so: requeue ourselves. */
            if (!c->on_ready) {
                srv_ready_push(c->loop, c);
                c->loop->stats.budget_requeues++;
            }
            break;
        case SRV_WR_AGAIN:
        case SRV_WR_EMPTY:
            break;
        }
        /* Below the low-water mark read again at once: data already queued in the kernel brings no new edge. */
        if (c->rd_paused && outq_pending(&c->out) <= conf->lwm) {
            c->rd_paused = 0;
            if (srv_conn_read(c) < 0)
                return -1;
            if (r == SRV_WR_EMPTY && !outq_empty(&c->out))
                continue;
        }
        if (r == SRV_WR_EMPTY && c->rd_eof && !c->rd_paused && outq_empty(&c->out)) {
            srv__finish(c);
            return -1;
        }
        return 0;
    }
}
