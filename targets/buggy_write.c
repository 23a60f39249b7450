/* buggy_write.c: buggy-server's output queue and its writev-based flush, right or wrong per bug switch. */
#include "targets/buggy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define BW_IOV 64
#define BW_CHUNK 16384

void bq_init(struct bq *q)
{
    q->head = q->tail = NULL;
    q->bytes = 0;
}

void bq_clear(struct bq *q)
{
    struct bq_chunk *c = q->head, *next;

    for (; c; c = next) {
        next = c->next;
        free(c);
    }
    bq_init(q);
}

int bq_append(struct bq *q, const void *p, size_t n)
{
    struct bq_chunk *t = q->tail;
    size_t room = t ? t->cap - t->len : 0;

    /* Fill the tail first so small replies do not cost one chunk each. */
    if (room > 0) {
        size_t k = n < room ? n : room;
        memcpy(t->data + t->len, p, k);
        t->len += k;
        q->bytes += k;
        p = (const char *)p + k;
        n -= k;
    }
    if (n == 0)
        return 0;
    size_t cap = n > BW_CHUNK ? n : BW_CHUNK;
    struct bq_chunk *c = malloc(sizeof(*c) + cap);
    if (!c)
        return -1;
    c->next = NULL;
    c->off = 0;
    c->len = n;
    c->cap = cap;
    memcpy(c->data, p, n);
    if (t)
        t->next = c;
    else
        q->head = c;
    q->tail = c;
    q->bytes += n;
    return 0;
}

/* Drops n bytes from the front of q (n <= q->bytes). */
static void bq__consume(struct bq *q, size_t n)
{
    while (n > 0) {
        struct bq_chunk *c = q->head;
        size_t k = c->len - c->off;
        if (k > n)
            k = n;
        c->off += k;
        q->bytes -= k;
        n -= k;
        if (c->off == c->len && (c->next || c->len == c->cap)) {
            q->head = c->next;
            if (!q->head)
                q->tail = NULL;
            free(c);
        }
    }
}

void bq_overwrite(struct bq *q, const void *p, size_t n)
{
    for (struct bq_chunk *c = q->head; c && n > 0; c = c->next) {
        size_t k = c->len - c->off < n ? c->len - c->off : n;

        memcpy(c->data + c->off, p, k);
        p = (const char *)p + k;
        n -= k;
    }
}

/* partial-writev-base: the partly sent iovec has its length cut by what was
 * sent but its base left where it was (h2o's bug before its fix): its first
 * bytes go out again in place of its last ones, the stream length unchanged. */
static void bq__consume_keep_base(struct bq *q, size_t n)
{
    while (n > 0) {
        struct bq_chunk *c = q->head;
        size_t k = c->len - c->off;

        if (k <= n) {
            bq__consume(q, k);
            n -= k;
            continue;
        }
        c->len -= n;
        q->bytes -= n;
        n = 0;
    }
}

/* Points iov at up to limit bytes of q. Returns the iovec count; *want gets the byte total. */
static int bw__fill(const struct bq *q, struct iovec *iov, size_t limit, size_t *want)
{
    const struct bq_chunk *c;
    int n = 0;

    *want = 0;
    for (c = q->head; c && n < BW_IOV && *want < limit; c = c->next) {
        size_t len = c->len - c->off;
        if (len == 0)
            continue;
        if (len > limit - *want)
            len = limit - *want;
        iov[n].iov_base = (char *)c->data + c->off;
        iov[n].iov_len = len;
        *want += len;
        n++;
    }
    return n;
}

/* One gather write. sigpipe uses plain writev, which cannot take MSG_NOSIGNAL:
 * that is how the bug is usually written. */
static ssize_t bw__send(const struct bloop *l, int fd, struct iovec *iov, int n)
{
    struct msghdr mh;

    if (bug_on(l->conf->bugs, BUG_SIGPIPE))
        return writev(fd, iov, n);
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = iov;
    mh.msg_iovlen = (size_t)n;
    return sendmsg(fd, &mh, MSG_NOSIGNAL);
}

/* writev-offset: counts only the iovecs sent whole; a partly sent one stays
 * queued from its start, so its sent prefix goes out twice. */
static void bw__consume_whole(struct bq *q, const struct iovec *iov, int n, size_t sent)
{
    for (int i = 0; i < n && sent >= iov[i].iov_len; i++) {
        sent -= iov[i].iov_len;
        bq__consume(q, iov[i].iov_len);
    }
}

/* requeue-back: the head chunk, partly sent, moves behind the rest, as a
 * server that "retries later" by appending to its queue does. */
static void bw__requeue_head(struct bq *q)
{
    struct bq_chunk *h = q->head;

    if (!h || !h->next || h->off == h->len)
        return;
    q->head = h->next;
    h->next = NULL;
    q->tail->next = h;
    q->tail = h;
}

/* Handles a failed write. Returns 1 to retry, 0 to stop (blocked), -1 to close. */
static int bw__failed(struct bloop *l, struct bconn *c)
{
    const uint32_t bugs = l->conf->bugs;

    if (errno == EINTR)
        return bug_on(bugs, BUG_EINTR_EXIT) ? -1 : 1;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        return -1;
    l->eagain++;
    if (bug_on(bugs, BUG_SPIN_EAGAIN))
        return 1;
    if (bug_on(bugs, BUG_EAGAIN_IS_ERROR))
        return -1;
    if (bug_on(bugs, BUG_DROP_TAIL) || (bug_on(bugs, BUG_EXACT_EAGAIN_DROP) && c->last_exact))
        bq_clear(c->q);
    if (bug_on(bugs, BUG_REQUEUE_BACK))
        bw__requeue_head(c->q);
    c->last_exact = 0;
    c->wr_ready = 0;
    return 0;
}

int bw_flush(struct bloop *l, struct bconn *c, size_t limit)
{
    const uint32_t bugs = l->conf->bugs;
    size_t done = 0;

    while (c->q->bytes > 0) {
        struct iovec iov[BW_IOV];
        size_t want;
        int n, r;
        ssize_t w;

        if (done >= limit)
            return 1;
        n = bw__fill(c->q, iov, limit - done, &want);
        w = bw__send(l, c->fd, iov, n);
        if (w > 0)
            l->bytes_out += (uint64_t)w;
        /* A failed write leaves the flag for bw__failed to see. */
        if (w >= 0)
            c->last_exact = (size_t)w == want;
        if (bug_on(bugs, BUG_IGNORE_WRITE_RETURN)) {
            bq__consume(c->q, want);
            done += want;
            continue;
        }
        if (w < 0) {
            r = bw__failed(l, c);
            if (r <= 0)
                return r;
            continue;
        }
        if (bug_on(bugs, BUG_WRITEV_OFFSET))
            bw__consume_whole(c->q, iov, n, (size_t)w);
        else if (bug_on(bugs, BUG_PARTIAL_WRITEV_BASE))
            bq__consume_keep_base(c->q, (size_t)w);
        else
            bq__consume(c->q, (size_t)w);
        done += (size_t)w;
        c->sent += (uint64_t)w;
        if ((size_t)w < want && bug_on(bugs, BUG_CHUNK_SIZE_OVERWRITE))
            bhttp_rechunk(c);
        if ((size_t)w < want && bug_on(bugs, BUG_DROP_TAIL)) {
            bq_clear(c->q);
            return 0;
        }
    }
    return 0;
}
