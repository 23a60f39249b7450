/* run_evidence.c: flattens a run's observations (clients, counters, the injector's trace and its event ring) for the ranking. */
#include "harness/verdict/run_evidence.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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
static void ev__tally(const struct ev_conn *c, uint32_t n, struct rank_obs *o)
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

/* Reads the ring of the (stopped) target's trace at path, oldest entry first,
 * up to end_ms (CLOCK_MONOTONIC, as ec_now_ms): the state when the clients
 * ended, before stopping the target closed every connection. */
static void ev__ring(const char *path, uint64_t conns, double end_ms, struct rank_obs *o)
{
    static struct trace_ring_ent ring[TRACE_RING];
    struct trace_header h;
    struct ev_conn *c;
    uint64_t head, from;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    if (conns == 0 || conns > TRACE_MAX_FD * 4ULL ||
        pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.magic != TRACE_MAGIC ||
        pread(fd, ring, sizeof(ring), TRACE_RING_OFF) != (ssize_t)sizeof(ring) ||
        !(c = calloc(conns + 1, sizeof(*c)))) {
        close(fd);
        return;
    }
    close(fd);
    for (uint64_t k = 0; k <= conns; k++)
        c[k].reg_at = c[k].blocked_at = c[k].out_at = -1;
    head = h.ring_head;
    from = head > TRACE_RING ? head - TRACE_RING : 0;
    for (uint64_t i = from; i < head; i++) {
        const struct trace_ring_ent *e = &ring[i % TRACE_RING];
        if (e->seq == (uint32_t)(i + 1) && e->ordinal > 0 && e->ordinal <= conns && e->ts_ns / 1e6 <= end_ms)
            ev__apply(&c[e->ordinal], e, (int)(i - from));
    }
    ev__tally(c, (uint32_t)conns, o);
    free(c);
}

/* What the clients saw: cross-talk, hangs, truncations by a close. */
static void ev__clients(const struct run_obs *ob, struct rank_obs *o)
{
    for (int i = 0; i < ob->nres; i++) {
        const struct client_result *r = &ob->res[i];
        const struct client_spec *g = &ob->c->groups[r->group];
        int ends_itself = g->reset_after > 0 || g->close_after > 0 || g->never_read;

        if (r->end == CE_MISMATCH && r->fault == PF_CROSSTALK && o->xtalk_client < 0) {
            o->xtalk_client = (int)r->id;
            snprintf(o->xtalk_diag, sizeof(o->xtalk_diag), "%.190s", r->diag);
        }
        if (r->end == CE_MISMATCH && r->fault == PF_DUPLICATION && o->dup_client < 0) {
            o->dup_client = (int)r->id;
            snprintf(o->dup_diag, sizeof(o->dup_diag), "%.190s", r->diag);
        }
        if (r->end == CE_RUNNING) {
            o->hung++;
            o->hung_zero += r->received == 0;
        }
        if ((r->end == CE_SERVER_CLOSED || r->end == CE_SERVER_RESET) && !ends_itself)
            *(g->shut_wr ? &o->closed_trunc_shut : &o->closed_trunc) += 1;
    }
}

void run__rank_obs(const struct run_obs *ob, struct rank_obs *o)
{
    const struct trace_totals *t = &ob->tr;

    memset(o, 0, sizeof(*o));
    o->xtalk_client = o->dup_client = -1;
    o->eagain = ob->have_counters ? ob->eagain : -1;
    o->accepted = -1;
    o->connected = ob->nres;
    o->nofile = ob->c->nofile > 0 ? ob->c->nofile : 0;
    o->died = ob->alive ? 0 : strstr(ob->how, "SIGPIPE") ? 1 : 2;
    o->hang_cpu = ob->engine_ms > 0 ? (ob->cpu_end_s - ob->cpu_start_s) / (ob->engine_ms / 1e3) : 0;
    ev__clients(ob, o);
    if (!t->present)
        return;
    o->have_trace = 1;
    o->spin_nowait = t->spin_nowait;
    o->writes = t->write_calls;
    o->reg_lt_out = t->reg_lt_out;
    o->epollout_lt_idle = t->epollout_lt_idle;
    o->mod_dropped_et = t->mod_dropped_et;
    o->mod_dropped_out = t->mod_dropped_out;
    o->reg_oneshot = t->reg_oneshot;
    o->accepted = (long long)t->conns;
    if (ob->traced)
        ev__ring(ob->trace_path, t->conns, ob->t0_ms + ob->engine_ms, o);
}
