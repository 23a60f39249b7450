/* outq.h: a per-connection output queue of data chunks and lazy generator chunks. */
#ifndef EC_OUTQ_H
#define EC_OUTQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * A generator produces a reply lazily, so that "1000000000\n" on the stream
 * protocol never materialises a gigabyte. The queue owns it once appended.
 * fill() writes between 1 and len bytes of the next part of the reply into
 * buf (len is never more than remaining) and returns how many; destroy()
 * frees the generator. The queue decrements remaining itself.
 */
struct outq_gen {
    size_t (*fill)(struct outq_gen *g, char *buf, size_t len);
    void (*destroy)(struct outq_gen *g);
    uint64_t remaining;       /* bytes not generated yet */
};

struct outq_chunk;

struct outq {
    struct outq_chunk *head;
    struct outq_chunk *tail;
    uint64_t pending;         /* bytes still to send, generated or not */
    size_t mem;               /* bytes of chunk storage held (the RSS part) */
    size_t chunk_size;        /* allocation unit of data chunks */
};

/* Size of the buffer a generator chunk is materialised into. */
#define OUTQ_GEN_BUF (64 * 1024)
/* Replies up to this size are generated at once into data chunks when appended. */
#define OUTQ_GEN_INLINE 4096
#define OUTQ_CHUNK_DEFAULT (64 * 1024)

void outq_init(struct outq *q, size_t chunk_size);
/* Frees every chunk and generator; the queue is empty and reusable after. */
void outq_free(struct outq *q);

static inline uint64_t outq_pending(const struct outq *q) { return q->pending; }
static inline int outq_empty(const struct outq *q) { return q->pending == 0; }

/* Copies len bytes to the end of the queue. Returns 0, or -1 on ENOMEM (queue unchanged). */
int outq_append(struct outq *q, const void *data, size_t len);

/* Appends a generator; the queue owns it from now on, even on failure. A reply of up to
 * OUTQ_GEN_INLINE bytes is generated at once (and the generator destroyed). Returns 0 or -1. */
int outq_append_gen(struct outq *q, struct outq_gen *g);

/*
 * Fills iov[0..max) with the bytes at the head of the queue, in order, up to
 * limit bytes in all, generating lazily as needed. It never lists bytes that
 * come after a generator's ungenerated part. Returns the number of iovecs
 * (0 when the queue is empty), or -1 on ENOMEM.
 */
int outq_iov(struct outq *q, struct iovec *iov, int max, size_t limit);

/* Drops n bytes from the head (n no more than the bytes outq_iov() listed), freeing spent chunks. */
void outq_consume(struct outq *q, size_t n);

#endif
