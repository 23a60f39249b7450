/* outq.c: the output queue: append, lazy generation, iovec building and consumption. */
#include "server/outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * A data chunk holds bytes [start, end) of buf; a generator chunk holds the
 * generated-but-unsent bytes [start, end) of its materialisation buffer plus
 * gen->remaining bytes still to generate.
 */
struct outq_chunk {
    struct outq_chunk *next;
    struct outq_gen *gen;     /* NULL for a data chunk */
    char *buf;                /* data chunks: points into data[] */
    size_t start, end, cap;
    char data[];
};

void outq_init(struct outq *q, size_t chunk_size)
{
    memset(q, 0, sizeof(*q));
    q->chunk_size = chunk_size ? chunk_size : OUTQ_CHUNK_DEFAULT;
}

static void outq__chunk_free(struct outq *q, struct outq_chunk *c)
{
    q->mem -= c->cap;
    if (c->gen) {
        free(c->buf);
        c->gen->destroy(c->gen);
    }
    free(c);
}

void outq_free(struct outq *q)
{
    struct outq_chunk *c = q->head;
    while (c) {
        struct outq_chunk *next = c->next;
        outq__chunk_free(q, c);
        c = next;
    }
    q->head = q->tail = NULL;
    q->pending = 0;
}

static void outq__link(struct outq *q, struct outq_chunk *c)
{
    c->next = NULL;
    if (q->tail)
        q->tail->next = c;
    else
        q->head = c;
    q->tail = c;
}

int outq_append(struct outq *q, const void *data, size_t len)
{
    const char *p = data;
    struct outq_chunk *t = q->tail;
    size_t room = (t && !t->gen) ? t->cap - t->end : 0;
    size_t first = len < room ? len : room;
    struct outq_chunk *c = NULL;

    /* Allocate before copying anything, so that failure leaves the queue unchanged. */
    if (len > first) {
        size_t cap = len - first > q->chunk_size ? len - first : q->chunk_size;
        c = malloc(sizeof(*c) + cap);
        if (!c) {
            errno = ENOMEM;
            return -1;
        }
        c->gen = NULL;
        c->buf = c->data;
        c->start = c->end = 0;
        c->cap = cap;
    }
    if (first) {
        memcpy(t->buf + t->end, p, first);
        t->end += first;
    }
    if (c) {
        memcpy(c->buf, p + first, len - first);
        c->end = len - first;
        q->mem += c->cap;
        outq__link(q, c);
    }
    q->pending += len;
    return 0;
}

/* Generates a small reply at once into data chunks: a chunk per tiny reply would cost more than its bytes. */
static int outq__gen_inline(struct outq *q, struct outq_gen *g)
{
    char buf[OUTQ_GEN_INLINE];
    size_t len = 0;

    while (g->remaining > 0) {
        size_t n = g->fill(g, buf + len, (size_t)g->remaining);

        if (n == 0 || n > g->remaining)
            break;
        len += n;
        g->remaining -= n;
    }
    g->destroy(g);
    return outq_append(q, buf, len);
}

int outq_append_gen(struct outq *q, struct outq_gen *g)
{
    struct outq_chunk *c;

    if (g->remaining <= OUTQ_GEN_INLINE)
        return outq__gen_inline(q, g);
    c = calloc(1, sizeof(*c));
    if (!c) {
        g->destroy(g);
        errno = ENOMEM;
        return -1;
    }
    c->gen = g;
    q->pending += g->remaining;
    outq__link(q, c);
    return 0;
}

/* Refills a generator chunk's buffer once it is spent. Returns 0 or -1 on ENOMEM. */
static int outq__gen_refill(struct outq *q, struct outq_chunk *c)
{
    if (c->start < c->end || c->gen->remaining == 0)
        return 0;
    if (!c->buf) {
        /* Allocated only once the generator reaches the head, and no bigger than the reply. */
        size_t cap = c->gen->remaining < OUTQ_GEN_BUF ? (size_t)c->gen->remaining : OUTQ_GEN_BUF;

        c->buf = malloc(cap);
        if (!c->buf) {
            errno = ENOMEM;
            return -1;
        }
        c->cap = cap;
        q->mem += c->cap;
    }
    c->start = c->end = 0;
    while (c->end < c->cap && c->gen->remaining > 0) {
        size_t want = c->cap - c->end;
        size_t n;

        if (want > c->gen->remaining)
            want = (size_t)c->gen->remaining;
        n = c->gen->fill(c->gen, c->buf + c->end, want);
        /* A generator that makes no progress would loop forever: treat it as spent. */
        if (n == 0 || n > want) {
            q->pending -= c->gen->remaining;
            c->gen->remaining = 0;
            break;
        }
        c->end += n;
        c->gen->remaining -= n;
    }
    return 0;
}

int outq_iov(struct outq *q, struct iovec *iov, int max, size_t limit)
{
    int n = 0;

    for (struct outq_chunk *c = q->head; c && n < max && limit > 0; c = c->next) {
        size_t len;

        if (c->gen && outq__gen_refill(q, c) < 0)
            return -1;
        len = c->end - c->start;
        if (len > limit)
            len = limit;
        if (len > 0) {
            iov[n].iov_base = c->buf + c->start;
            iov[n].iov_len = len;
            n++;
            limit -= len;
        }
        /* Bytes after a generator's ungenerated part cannot be sent yet. */
        if (c->gen && c->gen->remaining > 0)
            break;
    }
    return n;
}

void outq_consume(struct outq *q, size_t n)
{
    q->pending -= n;
    while (q->head) {
        struct outq_chunk *c = q->head;
        size_t k = c->end - c->start;

        if (k > n)
            k = n;
        c->start += k;
        n -= k;
        if (c->start < c->end || (c->gen && c->gen->remaining > 0))
            break;
        /* Spent: all its bytes were sent and nothing is left to generate. */
        q->head = c->next;
        if (!q->head)
            q->tail = NULL;
        outq__chunk_free(q, c);
    }
}
