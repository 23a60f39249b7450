/* trace_read.c: the harness's side of the trace file: totals, a one-line diagnosis and a dump. */
#include "harness/inject/trace.h"
#include "harness/inject/trace_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A read-only view of a trace file, which may be short if its writer died
 * while creating it. */
struct trace_map {
    const char *base;
    size_t size;
    const struct trace_header *h;
    int nslots;                   /* slots fully inside the file */
};

/* Maps path and checks its header. Returns 0, or -1 with err (*absent = 1
 * when there is no usable trace: missing, empty, or never initialised). */
static int trace__map_open(const char *path, struct trace_map *m, int *absent, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    *absent = 1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "no trace at %s (%s): target not dynamically linked, or the injector never loaded",
                 path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || (size_t)st.st_size < TRACE_HEADER_SIZE) {
        snprintf(err, errlen, "trace %s is empty: the target died before the injector initialised it", path);
        close(fd);
        return -1;
    }
    m->size = (size_t)st.st_size < TRACE_FILE_SIZE ? (size_t)st.st_size : TRACE_FILE_SIZE;
    void *p = mmap(NULL, m->size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "trace %s: mmap: %s", path, strerror(errno));
        return -1;
    }
    m->base = p;
    m->h = p;
    if (atomic_load_explicit(&((struct trace_header *)p)->magic, memory_order_acquire) != TRACE_MAGIC) {
        snprintf(err, errlen, "trace %s has no header: the target died before the injector initialised it", path);
        goto fail;
    }
    *absent = 0;
    if (m->h->version != TRACE_VERSION || m->h->slot_size != TRACE_SLOT_SIZE ||
        m->h->max_fd != TRACE_MAX_FD || m->h->ring_size != TRACE_RING) {
        snprintf(err, errlen, "trace %s: version %u layout not understood by this reader (version %u)",
                 path, m->h->version, TRACE_VERSION);
        goto fail;
    }
    m->nslots = m->size > TRACE_SLOTS_OFF ? (int)((m->size - TRACE_SLOTS_OFF) / TRACE_SLOT_SIZE) : 0;
    return 0;
fail:
    munmap(p, m->size);
    m->base = NULL;
    return -1;
}

static void trace__map_close(struct trace_map *m)
{
    if (m->base)
        munmap((void *)m->base, m->size);
    m->base = NULL;
}

static const struct trace_slot *trace__slot_at(const struct trace_map *m, int fd)
{
    return (const struct trace_slot *)(m->base + TRACE_SLOTS_OFF + (size_t)fd * TRACE_SLOT_SIZE);
}

/* Sums the retired totals and every live slot into c. */
static uint64_t trace__sum(const struct trace_map *m, uint64_t *c)
{
    uint64_t open = 0;
    for (int k = 0; k < TC_COUNT; k++)
        c[k] = atomic_load_explicit(&m->h->retired[k], memory_order_relaxed);
    int64_t maxfd = atomic_load_explicit(&m->h->max_fd_seen, memory_order_relaxed);
    for (int fd = 0; fd <= maxfd && fd < m->nslots; fd++) {
        const struct trace_slot *sl = trace__slot_at(m, fd);
        if (atomic_load_explicit(&sl->ordinal, memory_order_acquire) == 0)
            continue;
        open++;
        for (int k = 0; k < TC_COUNT; k++)
            c[k] += atomic_load_explicit(&sl->c[k], memory_order_relaxed);
    }
    return open;
}

static int trace__ring_count(const struct trace_map *m)
{
    uint64_t head = atomic_load_explicit(&m->h->ring_head, memory_order_relaxed);
    return head < TRACE_RING ? (int)head : TRACE_RING;
}

int trace_read_totals(const char *path, struct trace_totals *t, char *err, size_t errlen)
{
    struct trace_map m;
    int absent;
    memset(t, 0, sizeof(*t));
    t->sndbuf_applied = t->rcvbuf_applied = -1;
    if (trace__map_open(path, &m, &absent, err, errlen) < 0)
        return -1;
    uint64_t c[TRACE_NCTR];
    t->open_conns = trace__sum(&m, c);
    const struct trace_header *h = m.h;
    t->present = 1;
    t->seed = h->seed;
    t->pid = h->pid;
    t->conns = atomic_load_explicit(&h->conns, memory_order_relaxed);
    t->forks = atomic_load_explicit(&h->forks, memory_order_relaxed);
    t->untracked_conns = atomic_load_explicit(&h->untracked_conns, memory_order_relaxed);
    t->sndbuf_applied = atomic_load_explicit(&h->last_sndbuf, memory_order_relaxed);
    t->rcvbuf_applied = atomic_load_explicit(&h->last_rcvbuf, memory_order_relaxed);
    memcpy(t->spec, h->spec, sizeof(t->spec));
    t->spec[sizeof(t->spec) - 1] = '\0';
    t->bytes_written = c[TC_BYTES_WRITTEN];
    t->write_calls = c[TC_WRITE_CALLS];
    t->short_writes = c[TC_SHORT_WRITES];
    t->short_injected = c[TC_SHORT_INJ];
    t->eagain_real = c[TC_EAGAIN_REAL];
    t->eagain_injected = c[TC_EAGAIN_INJ];
    t->epollout_real = c[TC_EPOLLOUT_REAL];
    t->epollout_synth = c[TC_EPOLLOUT_SYNTH];
    t->resumptions = c[TC_RESUMPTIONS];
    t->spin_writes = c[TC_SPIN_WRITES];
    t->spin_nowait = c[TC_SPIN_NOWAIT];
    t->epollout_lt_idle = c[TC_EPOLLOUT_LT_IDLE];
    t->eintr_injected = c[TC_EINTR_INJ];
    t->bytes_read = c[TC_BYTES_READ];
    t->read_calls = c[TC_READ_CALLS];
    t->reg_et = c[TC_REG_ET];
    t->reg_lt = c[TC_REG_LT];
    t->reg_oneshot = c[TC_REG_ONESHOT];
    t->reg_lt_out = c[TC_REG_LT_OUT];
    t->mod_dropped_et = c[TC_MOD_DROPPED_ET];
    t->mod_dropped_out = c[TC_MOD_DROPPED_OUT];
    t->app_setbuf = c[TC_APP_SETBUF];
    t->hold_spin_releases = c[TC_HOLD_RELEASE];
    t->ring_events = trace__ring_count(&m);
    trace__map_close(&m);
    return 0;
}

/* Appends a formatted piece to buf at *off, keeping it terminated. */
__attribute__((format(printf, 4, 5)))
static void trace__cat(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
    if (*off >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *off, len - *off, fmt, ap);
    va_end(ap);
    if (n > 0)
        *off = *off + (size_t)n < len ? *off + (size_t)n : len - 1;
}

void trace_describe(const struct trace_totals *t, char *buf, size_t len)
{
    size_t off = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    if (!t->present) {
        trace__cat(buf, len, &off, "no injector trace (static or raw-syscall target, or it died at start)");
        return;
    }
    if (t->spin_writes)
        trace__cat(buf, len, &off, "write after EAGAIN with no EPOLLOUT: %" PRIu64 " times (%" PRIu64
                  " with no epoll_wait between); ", t->spin_writes, t->spin_nowait);
    if (t->mod_dropped_et)
        trace__cat(buf, len, &off, "MOD dropped EPOLLET %" PRIu64 " times; ", t->mod_dropped_et);
    if (t->mod_dropped_out)
        trace__cat(buf, len, &off, "MOD dropped EPOLLOUT with output pending %" PRIu64 " times; ", t->mod_dropped_out);
    if (t->reg_lt_out)
        trace__cat(buf, len, &off, "EPOLLOUT registered level-triggered %" PRIu64 " times; ", t->reg_lt_out);
    if (t->epollout_lt_idle)
        trace__cat(buf, len, &off, "level-triggered EPOLLOUT with nothing to write: %" PRIu64 " wake-ups; ",
                  t->epollout_lt_idle);
    if (t->hold_spin_releases)
        trace__cat(buf, len, &off, "injected EAGAIN abandoned after %d retries %" PRIu64 " times; ",
                  INJ_HOLD_MAX_SPINS, t->hold_spin_releases);
    if (t->app_setbuf)
        trace__cat(buf, len, &off, "target resized its socket buffers %" PRIu64 " times; ", t->app_setbuf);
    trace__cat(buf, len, &off,
              "%" PRIu64 " conns, %" PRIu64 " bytes in %" PRIu64 " writes (%" PRIu64 " short, %" PRIu64
              " injected), EAGAIN %" PRIu64 " real + %" PRIu64 " injected, EPOLLOUT %" PRIu64 " real + %" PRIu64
              " synthetic, %" PRIu64 " resumptions, %" PRIu64 " EINTR injected",
              t->conns, t->bytes_written, t->write_calls, t->short_writes, t->short_injected,
              t->eagain_real, t->eagain_injected, t->epollout_real, t->epollout_synth,
              t->resumptions, t->eintr_injected);
}

/* Retries with no epoll_wait between, and idle level-triggered wake-ups,
 * below these are a correct server's occasional extra call, not evidence. */
#define TRACE_EV_SPIN_MIN 100
#define TRACE_EV_LT_IDLE_MIN 100

int trace_evidence(const struct trace_totals *t, char *buf, size_t len)
{
    size_t off = 0;
    int signs = 0;
    if (len == 0)
        return 0;
    buf[0] = '\0';
    if (!t->present)
        return 0;
    if (t->spin_nowait >= TRACE_EV_SPIN_MIN) {
        trace__cat(buf, len, &off, "write after EAGAIN with no EPOLLOUT: %" PRIu64 " times (%" PRIu64
                  " with no epoll_wait between); ", t->spin_writes, t->spin_nowait);
        signs++;
    }
    if (t->mod_dropped_et) {
        trace__cat(buf, len, &off, "MOD dropped EPOLLET %" PRIu64 " times; ", t->mod_dropped_et);
        signs++;
    }
    if (t->mod_dropped_out) {
        trace__cat(buf, len, &off, "MOD dropped EPOLLOUT with output pending %" PRIu64 " times; ",
                  t->mod_dropped_out);
        signs++;
    }
    if (t->reg_lt_out && t->epollout_lt_idle >= TRACE_EV_LT_IDLE_MIN) {
        trace__cat(buf, len, &off, "EPOLLOUT registered level-triggered, %" PRIu64 " wake-ups with nothing to write; ",
                  t->epollout_lt_idle);
        signs++;
    }
    if (t->hold_spin_releases) {
        trace__cat(buf, len, &off, "injected EAGAIN given up after %d retries with no wait: %" PRIu64 " times; ",
                  INJ_HOLD_MAX_SPINS, t->hold_spin_releases);
        signs++;
    }
    const char *sep = "injected ";
    if (t->short_injected) {
        trace__cat(buf, len, &off, "%s%" PRIu64 " short writes", sep, t->short_injected);
        sep = ", ";
    }
    if (t->eagain_injected) {
        trace__cat(buf, len, &off, "%s%" PRIu64 " EAGAIN", sep, t->eagain_injected);
        sep = ", ";
    }
    if (t->eintr_injected)
        trace__cat(buf, len, &off, "%s%" PRIu64 " EINTR", sep, t->eintr_injected);
    if (sep[0] == ',')
        trace__cat(buf, len, &off, "; ");
    /* What the kernel did to the writes: a bug can strike on a real short
     * write or EAGAIN before any fault is injected. */
    trace__cat(buf, len, &off, "%" PRIu64 " writes, %" PRIu64 " short, EAGAIN %" PRIu64 " real + %" PRIu64
              " injected", t->write_calls, t->short_writes, t->eagain_real, t->eagain_injected);
    if (off >= 2 && buf[off - 1] == ' ' && buf[off - 2] == ';')
        buf[off - 2] = '\0';
    return signs;
}

int inj_spec_with_seed(const char *spec, uint64_t seed, char *out, size_t len)
{
    int n;
    /* A key is at the start or after a comma (the parser allows no spaces). */
    if (strncmp(spec, "seed=", 5) == 0 || strstr(spec, ",seed=") != NULL)
        n = snprintf(out, len, "%s", spec);
    else
        n = snprintf(out, len, "%s%sseed=%" PRIu64, spec, spec[0] ? "," : "", seed);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static const char *const trace_ev_names[TE_COUNT] = {
    [TE_NONE] = "none", [TE_ACCEPT] = "accept", [TE_CLOSE] = "close",
    [TE_EAGAIN_REAL] = "eagain", [TE_EAGAIN_INJ] = "eagain-injected",
    [TE_SHORT_REAL] = "short", [TE_SHORT_INJ] = "short-injected",
    [TE_EINTR_INJ] = "eintr-injected", [TE_EPOLLOUT_REAL] = "epollout",
    [TE_EPOLLOUT_SYNTH] = "epollout-synthetic", [TE_RESUME] = "resume",
    [TE_SPIN] = "spin", [TE_REG] = "register", [TE_MOD_DROP_ET] = "mod-dropped-et",
    [TE_MOD_DROP_OUT] = "mod-dropped-out", [TE_APP_SETBUF] = "app-setbuf",
    [TE_HOLD_RELEASE] = "hold-given-up", [TE_FORK] = "fork",
};

/* The ring's entries still held, oldest first, as [*first, head): the return value. */
static uint64_t trace__ring_span(const struct trace_map *m, uint64_t *first)
{
    uint64_t head = atomic_load_explicit(&m->h->ring_head, memory_order_acquire);
    *first = head > TRACE_RING ? head - TRACE_RING : 0;
    return m->size < TRACE_SLOTS_OFF ? *first : head;
}

/* Entry i of the ring, or NULL while it is being written (or overwritten). */
static const struct trace_ring_ent *trace__ring_at(const struct trace_map *m, uint64_t i)
{
    const struct trace_ring_ent *e = (const struct trace_ring_ent *)(m->base + TRACE_RING_OFF) + i % TRACE_RING;
    return atomic_load_explicit(&e->seq, memory_order_acquire) == (uint32_t)(i + 1) ? e : NULL;
}

static const char *trace__ev_name(const struct trace_ring_ent *e)
{
    return e->kind < TE_COUNT && trace_ev_names[e->kind] ? trace_ev_names[e->kind] : "?";
}

/* Prints the ring oldest first; entries being written at the time are skipped. */
static void trace__dump_ring(const struct trace_map *m, FILE *out)
{
    uint64_t first, head = trace__ring_span(m, &first), t0 = 0;
    for (uint64_t i = first; i < head; i++) {
        const struct trace_ring_ent *e = trace__ring_at(m, i);
        if (!e)
            continue;
        if (t0 == 0)
            t0 = e->ts_ns;
        fprintf(out, "  +%10.6f fd %-5d conn %-6u %-20s %" PRId64 "\n",
                (double)(e->ts_ns - t0) / 1e9, e->fd, e->ordinal, trace__ev_name(e), e->arg);
    }
}

int trace_stall_events(const char *path, uint64_t t0_ns, uint64_t t1_ns, char *buf, size_t len)
{
    struct trace_map m;
    int absent;
    char err[256];
    if (trace__map_open(path, &m, &absent, err, sizeof(err)) < 0) {
        snprintf(buf, len, "no trace: %s", err);
        return -1;
    }
    uint64_t first, head = trace__ring_span(&m, &first), during = 0;
    const struct trace_ring_ent *last = NULL;
    for (uint64_t i = first; i < head; i++) {
        const struct trace_ring_ent *e = trace__ring_at(&m, i);
        /* Registrations say little about what the server waits for. */
        if (!e || e->kind == TE_REG)
            continue;
        if (e->ts_ns <= t0_ns)
            last = e;
        else if (e->ts_ns <= t1_ns)
            during++;
    }
    if (last)
        snprintf(buf, len, "%s on conn %u (fd %d) %.0f ms before it began; %" PRIu64 " event%s on any connection during it",
                 trace__ev_name(last), last->ordinal, last->fd, (double)(t0_ns - last->ts_ns) / 1e6, during,
                 during == 1 ? "" : "s");
    else
        snprintf(buf, len, "the trace's ring holds no event from before it (%" PRIu64 " during it)", during);
    trace__map_close(&m);
    return last ? 0 : -1;
}

int trace_dump(const char *path, FILE *out, char *err, size_t errlen)
{
    struct trace_totals t;
    if (trace_read_totals(path, &t, err, errlen) < 0)
        return -1;
    char line[1024];
    trace_describe(&t, line, sizeof(line));
    fprintf(out, "trace %s: pid %d, spec '%s', seed %" PRIu64 ", forks %" PRIu64 "\n  %s\n",
            path, (int)t.pid, t.spec, t.seed, t.forks, line);
    struct trace_map m;
    int absent;
    if (trace__map_open(path, &m, &absent, err, errlen) < 0)
        return -1;
    int64_t maxfd = atomic_load_explicit(&m.h->max_fd_seen, memory_order_relaxed);
    fprintf(out, "open connections:\n");
    for (int fd = 0; fd <= maxfd && fd < m.nslots; fd++) {
        const struct trace_slot *sl = trace__slot_at(&m, fd);
        uint64_t ord = atomic_load_explicit(&sl->ordinal, memory_order_acquire);
        if (ord == 0)
            continue;
        fprintf(out, "  fd %d conn %" PRIu64 ": events 0x%x sndbuf %d written %" PRIu64 " in %" PRIu64
                " writes, eagain %" PRIu64 "+%" PRIu64 ", epollout %" PRIu64 "+%" PRIu64 ", spin %" PRIu64 "\n",
                fd, ord, sl->reg_events, sl->sndbuf, sl->c[TC_BYTES_WRITTEN], sl->c[TC_WRITE_CALLS],
                sl->c[TC_EAGAIN_REAL], sl->c[TC_EAGAIN_INJ], sl->c[TC_EPOLLOUT_REAL],
                sl->c[TC_EPOLLOUT_SYNTH], sl->c[TC_SPIN_WRITES]);
    }
    fprintf(out, "last events (seconds from the oldest shown):\n");
    trace__dump_ring(&m, out);
    trace__map_close(&m);
    return 0;
}
