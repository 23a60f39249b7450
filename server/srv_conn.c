/* srv_conn.c: a connection's lifecycle, and srv_conn_service, the one place that serves it. */
#include "server/srv.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
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
    /* Nothing has said otherwise yet; the EAGAIN that proves either wrong costs one syscall. */
    c->readable = 1;
    c->writable = 1;
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
    LIST_INSERT_HEAD(&l->conns, c, link);
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
        srv_ready_remove(l, c);
    LIST_REMOVE(c, link);
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
    LIST_INSERT_HEAD(&l->dead, c, link);
    l->stats.open--;
    l->fd_freed = 1;
}

void srv_conn_event(struct srv_conn *c, uint32_t events)
{
    if (c->closed)
        return;  /* closed earlier in this batch: only its memory is left, until the turn ends */
    /* EPOLLERR/EPOLLHUP count for both: the next read or send is what reports the error and closes c. */
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        c->readable = 1;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        c->writable = 1;
    /* A budget-stopped connection is served from the ready list, in its turn: fairness. */
    if (!c->on_ready)
        srv_conn_service(c);
}

/*
 * Below the low-water mark, resumes reading. Returns 1 if it did: the caller
 * must read now, since data already waiting in the kernel brings no new edge.
 */
static int srv__resume(struct srv_conn *c)
{
    if (!c->rd_paused || outq_pending(&c->out) > c->loop->conf->lwm)
        return 0;
    c->rd_paused = 0;
    return 1;
}

/*
 * Completes a half-close once nothing more can be sent: the peer shut its
 * side, every request is answered and the reply is gone. Returns 1 if c was
 * shut and closed, 0 if not yet.
 */
static int srv__finish(struct srv_conn *c)
{
    if (!c->rd_eof || c->rd_paused || !outq_empty(&c->out))
        return 0;
    shutdown(c->h.fd, SHUT_WR);
    srv_conn_close(c, NULL);
    return 1;
}

/*
 * Puts c on the ready list if a budget left work that no edge will announce:
 * a socket not yet read down to EAGAIN, or output left for a socket that has
 * not said EAGAIN. Only the second counts in budget_requeues, the write
 * budget's counter (class 9).
 */
static void srv__requeue(struct srv_conn *c)
{
    int more_in = c->readable && !c->rd_paused && !c->rd_eof;
    int more_out = c->writable && !outq_empty(&c->out);

    if (!more_in && !more_out)
        return;
    srv_ready_push(c->loop, c);
    if (more_out)
        c->loop->stats.budget_requeues++;
}

/*
 * The one place a connection is served, for an event or from the ready
 * list: read, write, read again if the write released backpressure,
 * complete a half-close, requeue if a budget stopped early. The leaves
 * below it (srv_read, srv_write) never call back up.
 * Returns 0 if c is still open after the call, -1 if it was closed.
 */
int srv_conn_service(struct srv_conn *c)
{
    /* Fairness both ways: a fast sender or a huge reply must not hold the loop. */
    size_t rd_budget = c->loop->conf->budget;
    size_t wr_budget = c->loop->conf->budget;

    do {
        if (!c->rd_paused && srv_read(c, &rd_budget) < 0)
            return -1;
        if (srv_write(c, &wr_budget) < 0)
            return -1;
    } while (srv__resume(c));
    if (srv__finish(c))
        return -1;
    srv__requeue(c);
    return 0;
}
