/* inj_trace.c: the injector's side of the trace file: mapping, per-connection counters, event ring, PRNG. */
#include "harness/inject/inj.h"
#include "harness/inject/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static struct trace_header *inj_hdr;
static struct trace_ring_ent *inj_ring;
static struct trace_slot *inj_slots;

#define RLX memory_order_relaxed

static uint64_t inj__now_ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: a full-period generator whose output mixes well from any seed. */
static uint64_t inj__mix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Seeds fd's generator from the spec seed and a stream id (the accept
 * ordinal for connections), so decisions never depend on thread timing. */
static void inj__rng_seed(int fd, uint64_t stream)
{
    uint64_t s = inj_spec.seed ^ (stream * 0xd1342543de82ef95ULL);
    uint64_t v = inj__mix(&s);
    atomic_store_explicit(&inj_fds[fd].rng, v ? v : 1, RLX);
}

uint64_t inj__rng_next(int fd)
{
    if (fd < 0 || fd >= INJ_MAX_FD)
        return 0;
    uint64_t s = atomic_load_explicit(&inj_fds[fd].rng, RLX);
    if (s == 0) {
        /* Listeners and epoll sets: a stream per fd number, above any ordinal. */
        inj__rng_seed(fd, (1ULL << 40) + (uint64_t)fd);
        s = atomic_load_explicit(&inj_fds[fd].rng, RLX);
    }
    uint64_t v = inj__mix(&s);
    atomic_store_explicit(&inj_fds[fd].rng, s, RLX);
    return v;
}

int inj__chance(int fd, double p)
{
    if (p <= 0.0)
        return 0;
    return (double)(inj__rng_next(fd) >> 11) * 0x1.0p-53 < p;
}

/* Maps a fresh trace (truncating any old file) or, in a process exec'd by
 * the target, attaches to the one its ancestor created. */
int inj__trace_open(const char *path, const char *spec_str, char *err, size_t errlen)
{
    const char *att = getenv(INJ_ENV_ATTACH);
    int attach = att && strcmp(att, path) == 0;
    int fd = open(path, O_RDWR | O_CLOEXEC | (attach ? 0 : O_CREAT | O_TRUNC), 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (!attach && ftruncate(fd, (off_t)TRACE_FILE_SIZE) < 0) {
        snprintf(err, errlen, "%s: ftruncate: %s", path, strerror(errno));
        inj_real.close(fd);
        return -1;
    }
    if (attach && (fstat(fd, &st) < 0 || (uint64_t)st.st_size < TRACE_FILE_SIZE)) {
        snprintf(err, errlen, "%s: inherited trace is not a full trace file", path);
        inj_real.close(fd);
        return -1;
    }
    void *m = mmap(NULL, TRACE_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    inj_real.close(fd);
    if (m == MAP_FAILED) {
        snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
        return -1;
    }
    inj_hdr = m;
    inj_ring = (struct trace_ring_ent *)((char *)m + TRACE_RING_OFF);
    inj_slots = (struct trace_slot *)((char *)m + TRACE_SLOTS_OFF);
    if (attach)
        return 0;
    inj_hdr->version = TRACE_VERSION;
    inj_hdr->header_size = TRACE_HEADER_SIZE;
    inj_hdr->slot_size = TRACE_SLOT_SIZE;
    inj_hdr->max_fd = TRACE_MAX_FD;
    inj_hdr->ring_size = TRACE_RING;
    inj_hdr->ring_ent_size = sizeof(struct trace_ring_ent);
    inj_hdr->seed = inj_spec.seed;
    inj_hdr->pid = (int32_t)getpid();
    inj_hdr->sndbuf_req = inj_spec.sndbuf;
    inj_hdr->rcvbuf_req = inj_spec.rcvbuf;
    inj_hdr->start_realtime_ns = inj__now_ns(CLOCK_REALTIME);
    snprintf(inj_hdr->spec, sizeof(inj_hdr->spec), "%s", spec_str);
    atomic_store_explicit(&inj_hdr->max_fd_seen, -1, RLX);
    atomic_store_explicit(&inj_hdr->last_sndbuf, -1, RLX);
    atomic_store_explicit(&inj_hdr->last_rcvbuf, -1, RLX);
    /* The magic goes last: a reader that sees it sees a complete header. */
    atomic_store_explicit(&inj_hdr->magic, TRACE_MAGIC, memory_order_release);
    setenv(INJ_ENV_ATTACH, path, 1);
    return 0;
}

void inj__ctr(int fd, enum trace_ctr c, uint64_t n)
{
    if (!inj_hdr)
        return;
    if (inj_conn(fd))
        atomic_fetch_add_explicit(&inj_slots[fd].c[c], n, RLX);
    else
        atomic_fetch_add_explicit(&inj_hdr->retired[c], n, RLX);
}

void inj__event(int fd, enum trace_ev kind, int64_t arg)
{
    if (!inj_hdr)
        return;
    uint64_t idx = atomic_fetch_add_explicit(&inj_hdr->ring_head, 1, RLX);
    struct trace_ring_ent *e = &inj_ring[idx % TRACE_RING];
    atomic_store_explicit(&e->seq, 0, RLX);
    atomic_signal_fence(memory_order_seq_cst);
    e->ts_ns = inj__now_ns(CLOCK_MONOTONIC);
    e->arg = arg;
    e->fd = fd;
    e->ordinal = (fd >= 0 && fd < INJ_MAX_FD) ? inj_fds[fd].ordinal : 0;
    e->kind = (uint16_t)kind;
    atomic_store_explicit(&e->seq, (uint32_t)(idx + 1), memory_order_release);
}

uint32_t inj__next_ordinal(void)
{
    static _Atomic uint64_t local;
    if (inj_hdr) /* shared with forked children, so ordinals stay unique */
        return (uint32_t)atomic_fetch_add_explicit(&inj_hdr->conns, 1, RLX) + 1;
    return (uint32_t)atomic_fetch_add_explicit(&local, 1, RLX) + 1;
}

/* Folds a slot's counters into the header's retired totals and frees it. */
static void inj__slot_fold(struct trace_slot *sl)
{
    for (int c = 0; c < TC_COUNT; c++) {
        uint64_t v = atomic_load_explicit(&sl->c[c], RLX);
        if (v == 0)
            continue;
        atomic_fetch_add_explicit(&inj_hdr->retired[c], v, RLX);
        atomic_fetch_sub_explicit(&sl->c[c], v, RLX);
    }
    atomic_store_explicit(&sl->ordinal, 0, memory_order_release);
}

void inj__slot_open(int fd, uint32_t ordinal, int sndbuf, int rcvbuf)
{
    inj__rng_seed(fd, ordinal);
    if (!inj_hdr)
        return;
    struct trace_slot *sl = &inj_slots[fd];
    if (atomic_load_explicit(&sl->ordinal, RLX) != 0)
        inj__slot_fold(sl); /* closed behind our back (close_range, raw syscall) */
    sl->accept_ns = inj__now_ns(CLOCK_MONOTONIC);
    sl->fd = fd;
    sl->reg_events = 0;
    sl->sndbuf = sndbuf;
    sl->rcvbuf = rcvbuf;
    sl->app_sndbuf = 0;
    atomic_store_explicit(&sl->ordinal, ordinal, memory_order_release);
    int64_t m = atomic_load_explicit(&inj_hdr->max_fd_seen, RLX);
    while (fd > m && !atomic_compare_exchange_weak_explicit(&inj_hdr->max_fd_seen, &m, fd, RLX, RLX)) {
    }
}

void inj__slot_close(int fd)
{
    if (inj_hdr && fd >= 0 && fd < INJ_MAX_FD && atomic_load_explicit(&inj_slots[fd].ordinal, RLX))
        inj__slot_fold(&inj_slots[fd]);
}

void inj__slot_setbuf(int fd, int value)
{
    if (inj_hdr && inj_conn(fd))
        inj_slots[fd].app_sndbuf = value;
}

void inj__slot_reg(int fd, uint32_t events)
{
    if (inj_hdr && inj_conn(fd))
        inj_slots[fd].reg_events = events;
}

void inj__note_fork(void)
{
    if (!inj_hdr)
        return;
    atomic_fetch_add_explicit(&inj_hdr->forks, 1, RLX);
    inj__event(-1, TE_FORK, getpid());
}

void inj__note_untracked(void)
{
    if (inj_hdr)
        atomic_fetch_add_explicit(&inj_hdr->untracked_conns, 1, RLX);
}

void inj__note_bufs(int sndbuf, int rcvbuf)
{
    if (!inj_hdr)
        return;
    atomic_store_explicit(&inj_hdr->last_sndbuf, sndbuf, RLX);
    atomic_store_explicit(&inj_hdr->last_rcvbuf, rcvbuf, RLX);
}
