/* srv_conn.c: connection lifecycle, the read path and backpressure. */
#include "server/srv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

int srv_conn_open(struct srv_loop *l, int fd)
{
    struct epoll_event ev = {0};  /* avoid valgrind warning on the padding */
    struct srv_conn *c = calloc(1, sizeof(*c));
    char err[128];

    if (!c || srv_net_bufsizes(fd, l->conf, err, sizeof(err)) < 0) {
        free(c);
        close(fd);
        return -1;
    }
    c->h.kind = SRV_H_CONN;
    c->h.fd = fd;
    c->loop = l;
    c->id = ++l->next_id;
    outq_init(&c->out, 0);
    proto_parser_init(&c->in, l->conf->proto.max_line);
    /* Registered once, for good: edge-triggered, both directions, and peer half-close. */
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &c->h;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        free(c);
        close(fd);
        return -1;
    }
    c->next = l->conns;
    if (c->next)
        c->next->pprev = &c->next;
    c->pprev = &l->conns;
    l->conns = c;
    l->stats.connections++;
    l->stats.open++;
    return 0;
}

void srv_conn_close(struct srv_conn *c, const char *why)
{
    struct srv_loop *l = c->loop;

    if (c->closed)
        return;
    if (why)
        fprintf(stderr, "edgecase-server: connection %llu: %s; closing it\n", (unsigned long long)c->id, why);
    if (c->on_ready)
        srv_ready_remove(c);
    *c->pprev = c->next;
    if (c->next)
        c->next->pprev = c->pprev;
    /* close() also removes the fd from the epoll set: we never dup it. */
    close(c->h.fd);
    outq_free(&c->out);
    proto_parser_free(&c->in);
    /*
     * Not freed yet: a later event of the same epoll_wait batch, or a caller
     * up the stack, may still hold c. The loop frees the dead at the end of
     * the turn (srv__reap in srv_loop.c).
     */
    c->closed = 1;
    c->next = l->dead;
    l->dead = c;
    l->stats.open--;
    l->fd_freed = 1;
}

/* Turns complete request lines into queued replies while below the high-water mark. Returns 0, or -1 if c was closed. */
static int srv__requests(struct srv_conn *c)
{
    const struct srv_conf *conf = c->loop->conf;
    char err[160], why[200];

    while (outq_pending(&c->out) < conf->hwm) {
        const char *line;
        size_t len;
        struct outq_gen *g = NULL;
        int r = proto_parser_next(&c->in, &line, &len, err, sizeof(err));

        if (r == 0)
            return 0;
        errno = 0;
        if (r > 0) {
            g = proto_reply(&conf->proto, line, len, err, sizeof(err));
            if (g && outq_append_gen(&c->out, g) == 0)
                continue;
        }
        if (errno == ENOMEM) {
            srv_conn_close(c, "out of memory");
            return -1;
        }
        c->loop->stats.protocol_errors++;
        snprintf(why, sizeof(why), "protocol error: %s", err);
        srv_conn_close(c, why);
        return -1;
    }
    return 0;
}

/* Hands n bytes just read to the protocol. Returns 0, or -1 on ENOMEM. */
static int srv__input(struct srv_conn *c, const char *data, size_t n)
{
    switch (c->loop->conf->proto.kind) {
    case PROTO_ECHO:
        return outq_append(&c->out, data, n);
    case PROTO_REPEAT:
    case PROTO_STREAM:
        return proto_parser_feed(&c->in, data, n);
    }
    return -1;
}

/* The read budget is spent: no edge will come for what is still in the kernel, so requeue c. */
static void srv__read_requeue(struct srv_conn *c)
{
    c->rd_more = 1;
    /* Not counted in budget_requeues: that counter is about the write budget (class 9). */
    if (!c->on_ready)
        srv_ready_push(c->loop, c);
}

int srv_conn_read(struct srv_conn *c)
{
    struct srv_loop *l = c->loop;
    /* Fairness on input too: a peer that sends faster than we parse must not hold the loop. */
    size_t budget = l->conf->budget;

    c->rd_more = 0;
    for (;;) {
        ssize_t n;

        if (l->conf->proto.kind != PROTO_ECHO && srv__requests(c) < 0)
            return -1;
        if (outq_pending(&c->out) >= l->conf->hwm) {
            /* Backpressure: leave the rest in the kernel; srv_write_conn() resumes us below lwm. */
            if (!c->rd_paused)
                l->stats.backpressure_pauses++;
            c->rd_paused = 1;
            return 0;
        }
        if (c->rd_eof)
            return 0;
        if (budget == 0) {
            srv__read_requeue(c);
            return 0;
        }
        n = read(c->h.fd, l->rbuf, sizeof(l->rbuf));
        if (n > 0) {
            l->stats.bytes_in += (uint64_t)n;
            budget -= (size_t)n < budget ? (size_t)n : budget;
            if (srv__input(c, l->rbuf, (size_t)n) < 0) {
                srv_conn_close(c, "out of memory");
                return -1;
            }
            continue;
        }
        if (n == 0) {
            c->rd_eof = 1;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        srv_conn_close(c, NULL);
        return -1;
    }
}

void srv_conn_event(struct srv_conn *c, uint32_t events)
{
    if (c->closed)
        return;  /* closed earlier in this batch: only its memory is left, until the turn ends */
    /* EPOLLERR/EPOLLHUP too: the next write attempt is what reports the error and frees c. */
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && c->wait_out)
        c->got_out = 1;
    /* Not if/else: one event may carry input and output, and both need handling. */
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !c->rd_paused) {
        if (srv_conn_read(c) < 0)
            return;
    }
    /* A budget-stopped connection is written from the ready list, in turn. */
    if (!c->on_ready)
        srv_write_conn(c);
}
