/* srv_read.c: the read path, a leaf: read until EAGAIN, feed the protocol, stop at the high-water mark. */
#include "server/srv.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

/*
 * Turns complete request lines into queued replies while below the
 * high-water mark (a reply may be huge: it is generated lazily, but the
 * lines behind it wait). Returns 0 if c is still open, -1 if it was closed
 * (protocol error or out of memory).
 */
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

/* Stops reading at the high-water mark: the rest stays in the kernel, and its window closes. */
static void srv__pause(struct srv_conn *c)
{
    if (!c->rd_paused)
        c->loop->stats.backpressure_pauses++;
    c->rd_paused = 1;
}

/*
 * Reads while c is readable, until EAGAIN, EOF, the high-water mark or
 * *budget bytes, feeding the protocol as it goes. Never writes.
 * Returns 0 if c is still open after the call, -1 if it was closed.
 */
int srv_read(struct srv_conn *c, size_t *budget)
{
    struct srv_loop *l = c->loop;

    for (;;) {
        ssize_t n;

        if (l->conf->proto.kind != PROTO_ECHO && srv__requests(c) < 0)
            return -1;
        if (outq_pending(&c->out) >= l->conf->hwm) {
            srv__pause(c);
            return 0;
        }
        /* Budget spent while still readable: the caller requeues c, as no edge will come. */
        if (c->rd_eof || !c->readable || *budget == 0)
            return 0;
        n = read(c->h.fd, l->rbuf, sizeof(l->rbuf));
        if (n > 0) {
            l->stats.bytes_in += (uint64_t)n;
            *budget -= (size_t)n < *budget ? (size_t)n : *budget;
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
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->readable = 0;
            return 0;
        }
        srv_conn_close(c, NULL);
        return -1;
    }
}
