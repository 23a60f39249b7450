/* run_ring.c: replays the injector's event ring to where each connection stood when the clients ended. */
#include "harness/run/run_int.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "harness/inject/trace_layout.h"

/* Where one connection stood at the end of the ring, by its accept ordinal. */
struct ev_conn {
    uint32_t reg;             /* last registered events */
    int reg_at, blocked_at;   /* ring positions; blocked_at -1: not blocked */
    int out_at;               /* an EPOLLOUT delivered while blocked, -1 none */
    uint32_t out_ev;
    int closed;
    uint64_t eagain_ns;       /* when the last write met EAGAIN, 0 when something came after */
    int eagain_at;            /* its ring position */
    int closed_on_eagain;     /* the close came right after that EAGAIN */
};

/* "Right after": what a server that closes on EAGAIN takes, with room for a loaded machine. */
#define EV_CLOSE_AFTER_NS 2000000u

/* Applies one ring entry at position i to its connection. */
static void ev__apply(struct ev_conn *c, const struct trace_ring_ent *e, int i)
{
    uint64_t eagain_ns = c->eagain_ns;

    c->eagain_ns = 0;
    switch ((enum trace_ev)e->kind) {
    case TE_REG:
        c->reg = (uint32_t)e->arg;
        c->reg_at = i;
        break;
    case TE_EAGAIN_REAL: case TE_EAGAIN_INJ:
        c->eagain_ns = e->ts_ns;
        c->eagain_at = i;
        /* fall through */
    case TE_SHORT_REAL: case TE_SHORT_INJ:
        c->blocked_at = i;    /* found full (again): any earlier EPOLLOUT was answered by this write */
        c->out_at = -1;
        break;
    case TE_RESUME:
        c->blocked_at = c->out_at = -1;
        break;
    case TE_EPOLLOUT_REAL: case TE_EPOLLOUT_SYNTH:
        if (c->blocked_at >= 0 && c->out_at < 0) {
            c->out_at = i;
            c->out_ev = (uint32_t)e->arg;
        }
        break;
    case TE_CLOSE:
        c->closed = 1;
        /* The very next thing the server did, on any fd: a server that
         * exits on an EINTR from epoll_wait closes its connections too,
         * right after whatever its last write met. */
        c->closed_on_eagain = eagain_ns && e->ts_ns - eagain_ns <= EV_CLOSE_AFTER_NS && i == c->eagain_at + 1;
        break;
    case TE_NONE: case TE_ACCEPT: case TE_EINTR_INJ: case TE_SPIN: case TE_MOD_DROP_ET: case TE_MOD_DROP_OUT:
    case TE_APP_SETBUF: case TE_HOLD_RELEASE: case TE_FORK: case TE_COUNT:
        break;
    }
}

/* Counts the connections the ring shows stuck: blocked under a ONESHOT
 * registration made before the block (never re-armed), or blocked and handed
 * an event with IN and OUT that no write followed. */
static void ev__tally(const struct ev_conn *c, uint32_t n, struct obs_ring *o)
{
    for (uint32_t k = 1; k <= n; k++) {
        o->closed_on_eagain += c[k].closed_on_eagain;
        if (c[k].closed || c[k].blocked_at < 0)
            continue;
        if ((c[k].reg & EPOLLONESHOT) && c[k].reg_at < c[k].blocked_at && c[k].out_at < 0)
            o->oneshot_unarmed++;
        if (c[k].out_at >= 0 && (c[k].out_ev & (EPOLLIN | EPOLLRDHUP)))
            o->inout_unserved++;
    }
}

/* Applies the ring's entries up to end_ms, oldest first, to conns connections; 0, or -1 out of memory. */
static int ev__replay(const struct trace_ring_ent *ring, uint64_t head, uint64_t conns, double end_ms,
                      struct obs_ring *o)
{
    uint64_t from = head > TRACE_RING ? head - TRACE_RING : 0;
    struct ev_conn *c = calloc(conns + 1, sizeof(*c));

    if (!c)
        return -1;
    for (uint64_t k = 0; k <= conns; k++)
        c[k].reg_at = c[k].blocked_at = c[k].out_at = -1;
    for (uint64_t i = from; i < head; i++) {
        const struct trace_ring_ent *e = &ring[i % TRACE_RING];
        if (e->seq == (uint32_t)(i + 1) && e->ordinal > 0 && e->ordinal <= conns && e->ts_ns / 1e6 <= end_ms)
            ev__apply(&c[e->ordinal], e, (int)(i - from));
    }
    ev__tally(c, (uint32_t)conns, o);
    free(c);
    return 0;
}

void run__trace_ring(const char *path, uint64_t conns, double end_ms, struct obs_ring *o)
{
    struct trace_ring_ent *ring;
    struct trace_header h;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    /* On the heap: cases of a -j run read their rings at once. */
    ring = malloc(sizeof(*ring) * TRACE_RING);
    if (ring && conns > 0 && conns <= TRACE_MAX_FD * 4ULL &&
        pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) && h.magic == TRACE_MAGIC &&
        pread(fd, ring, sizeof(*ring) * TRACE_RING, TRACE_RING_OFF) == (ssize_t)(sizeof(*ring) * TRACE_RING))
        ev__replay(ring, h.ring_head, conns, end_ms, o);
    free(ring);
    close(fd);
}
