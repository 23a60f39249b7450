/* buggy_io.c: buggy-server's read path and protocols (echo, repeat:N; http in buggy_http.c), right or wrong per bug switch. */
#include "targets/buggy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Moves the staged replies to the queue. Returns 0 or -1. */
static int bio__unstage(struct bloop *l, struct bconn *c)
{
    int r = bq_append(c->q, l->stage, l->stage_len);

    l->stage_len = 0;
    return r;
}

/* Queues the N reply lines "i:M\r\n" to message M. Returns 0 or -1 (ENOMEM). */
static int bio__reply(struct bloop *l, struct bconn *c, const char *m, size_t mlen)
{
    for (uint32_t i = 0; i < l->conf->repeat_n; i++) {
        char pfx[16];
        int k = snprintf(pfx, sizeof(pfx), "%u:", i);
        size_t total = (size_t)k + mlen + 2;

        if (total > sizeof(l->stage)) {
            /* A long message bypasses the stage. */
            if (bio__unstage(l, c) < 0 || bq_append(c->q, pfx, (size_t)k) < 0 ||
                bq_append(c->q, m, mlen) < 0 || bq_append(c->q, "\r\n", 2) < 0)
                return -1;
            continue;
        }
        if (l->stage_len + total > sizeof(l->stage) && bio__unstage(l, c) < 0)
            return -1;
        memcpy(l->stage + l->stage_len, pfx, (size_t)k);
        memcpy(l->stage + l->stage_len + k, m, mlen);
        memcpy(l->stage + l->stage_len + k + mlen, "\r\n", 2);
        l->stage_len += total;
    }
    return bio__unstage(l, c);
}

/* Splits bytes into messages and queues each one's replies. Returns 0, or -1
 * on ENOMEM or a message longer than BUGGY_MAX_LINE. */
static int bio__repeat(struct bloop *l, struct bconn *c, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;

        if (c->line_len + take > BUGGY_MAX_LINE)
            return -1;
        if (!c->line && !(c->line = malloc(BUGGY_MAX_LINE)))
            return -1;
        memcpy(c->line + c->line_len, p, take);
        c->line_len += take;
        if (!nl)
            return 0;
        if (bio__reply(l, c, c->line, c->line_len) < 0)
            return -1;
        c->line_len = 0;
        p += take + 1;
        n -= take + 1;
    }
    return 0;
}

/* Turns bytes read into queued output. Returns 0 or -1. */
static int bio__consume(struct bloop *l, struct bconn *c, const char *p, size_t n)
{
    switch (l->conf->proto) {
    case BPROTO_ECHO: return bq_append(c->q, p, n);
    case BPROTO_REPEAT: return bio__repeat(l, c, p, n);
    case BPROTO_HTTP: return bhttp_consume(l, c, p, n);
    }
    return -1;
}

/* Updates the flags after a read of n > 0 bytes. */
static void bio__after_read(struct bloop *l, struct bconn *c, size_t n)
{
    const struct bconf *cf = l->conf;

    if (!bug_on(cf->bugs, BUG_UNBOUNDED_OUTPUT) && c->q->bytes >= cf->hwm) {
        c->paused = 1;
        l->pauses++;
    }
    if (bug_on(cf->bugs, BUG_READ_ONCE))
        c->rd_ready = 0;
    if (bug_on(cf->bugs, BUG_SHORT_READ) && n < sizeof(((struct bloop *)0)->rbuf))
        c->rd_ready = 0;
}

long bio_read(struct bloop *l, struct bconn *c, size_t cap)
{
    const uint32_t bugs = l->conf->bugs;
    size_t total = 0;

    /* Pipelined requests held back at the high-water mark come before new input. */
    if (l->conf->proto == BPROTO_HTTP && !c->paused && bhttp_resume(l, c) < 0)
        return -1;
    while (c->rd_ready && !c->paused && !c->eof && total < cap) {
        ssize_t n = read(c->fd, l->rbuf, sizeof(l->rbuf));

        if (n < 0) {
            if (errno == EINTR && !bug_on(bugs, BUG_EINTR_EXIT))
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                c->rd_ready = 0;
                break;
            }
            return -1;
        }
        if (n == 0) {
            c->eof = 1;
            c->rd_ready = 0;
            if (bug_on(bugs, BUG_HALFCLOSE_DROP))
                return -1;
            break;
        }
        if (bio__consume(l, c, l->rbuf, (size_t)n) < 0)
            return -1;
        total += (size_t)n;
        l->bytes_in += (uint64_t)n;
        bio__after_read(l, c, (size_t)n);
    }
    return (long)total;
}

void bio_free_conn(struct bconn *c)
{
    bq_clear(&c->own_q);
    bhttp_free(c);
    free(c->line);
    free(c);
}
