/* trace_layout.h: the binary layout of the trace file, shared by the injector (writer) and the reader. */
#ifndef EC_INJECT_TRACE_LAYOUT_H
#define EC_INJECT_TRACE_LAYOUT_H

#include <stdatomic.h>
#include <stdint.h>

/* File = header (4 KiB) + ring + one slot per fd below TRACE_MAX_FD. It is
 * created at full size with ftruncate, so untouched slots cost no disk. */
#define TRACE_MAGIC 0x3152544a4e494345ULL /* "ECINJTR1" little-endian */
#define TRACE_VERSION 1u
#define TRACE_MAX_FD 65536
#define TRACE_RING 4096
#define TRACE_HEADER_SIZE 4096u
#define TRACE_SLOT_SIZE 512u
#define TRACE_NCTR 32
/* A spinning server that never waits would otherwise stay "full" forever: a
 * real send buffer drains on its own, so after this many rejected retries the
 * injected fullness is given up (and counted as TC_HOLD_RELEASE). */
#define INJ_HOLD_MAX_SPINS 1000

/* Per-connection counters; the same indices are used for the folded totals. */
enum trace_ctr {
    TC_BYTES_WRITTEN, TC_WRITE_CALLS, TC_SHORT_WRITES, TC_SHORT_INJ,
    TC_EAGAIN_REAL, TC_EAGAIN_INJ, TC_EPOLLOUT_REAL, TC_EPOLLOUT_SYNTH,
    TC_RESUMPTIONS, TC_SPIN_WRITES, TC_EINTR_INJ, TC_BYTES_READ, TC_READ_CALLS,
    TC_REG_ET, TC_REG_LT, TC_REG_ONESHOT, TC_REG_LT_OUT,
    TC_MOD_DROPPED_ET, TC_MOD_DROPPED_OUT, TC_APP_SETBUF, TC_HOLD_RELEASE,
    TC_SPIN_NOWAIT, TC_EPOLLOUT_LT_IDLE,
    TC_COUNT
};

/* What a ring entry records. */
enum trace_ev {
    TE_NONE, TE_ACCEPT, TE_CLOSE, TE_EAGAIN_REAL, TE_EAGAIN_INJ, TE_SHORT_REAL,
    TE_SHORT_INJ, TE_EINTR_INJ, TE_EPOLLOUT_REAL, TE_EPOLLOUT_SYNTH, TE_RESUME,
    TE_SPIN, TE_REG, TE_MOD_DROP_ET, TE_MOD_DROP_OUT, TE_APP_SETBUF,
    TE_HOLD_RELEASE, TE_FORK,
    TE_COUNT
};

/* One ring entry; seq (index + 1) is stored last so a reader can tell a
 * finished entry from one being written. */
struct trace_ring_ent {
    uint64_t ts_ns;               /* CLOCK_MONOTONIC */
    int64_t arg;                  /* bytes, events mask, value: depends on kind */
    uint32_t ordinal;             /* connection's accept ordinal, 0 if none */
    int32_t fd;
    uint16_t kind;                /* enum trace_ev */
    uint16_t pad;
    _Atomic uint32_t seq;
};

struct trace_slot {
    _Atomic uint64_t ordinal;     /* accept ordinal (1-based); 0 = free */
    uint64_t accept_ns;
    int32_t fd;
    uint32_t reg_events;          /* last registered epoll events */
    int32_t sndbuf, rcvbuf;       /* read back after accept (-1 if not set) */
    int32_t app_sndbuf;           /* last SO_SNDBUF the target set itself, 0 if none */
    int32_t pad;
    _Atomic uint64_t c[TRACE_NCTR];
    uint8_t reserved[TRACE_SLOT_SIZE - 40 - 8 * TRACE_NCTR];
};

struct trace_header {
    _Atomic uint64_t magic;       /* stored last at creation */
    uint32_t version, header_size;
    uint32_t slot_size, max_fd;
    uint32_t ring_size, ring_ent_size;
    uint64_t seed;
    int32_t pid;
    int32_t sndbuf_req, rcvbuf_req;
    int32_t pad;
    uint64_t start_realtime_ns;
    char spec[256];
    _Atomic uint64_t conns;       /* accept ordinals handed out */
    _Atomic uint64_t forks;
    _Atomic uint64_t untracked_conns;
    _Atomic int64_t max_fd_seen;
    _Atomic uint64_t ring_head;
    _Atomic int64_t last_sndbuf, last_rcvbuf;
    _Atomic uint64_t retired[TRACE_NCTR]; /* counters folded in from closed connections */
};

#define TRACE_RING_OFF TRACE_HEADER_SIZE
#define TRACE_SLOTS_OFF (TRACE_RING_OFF + TRACE_RING * sizeof(struct trace_ring_ent))
#define TRACE_FILE_SIZE (TRACE_SLOTS_OFF + (uint64_t)TRACE_MAX_FD * TRACE_SLOT_SIZE)

_Static_assert(sizeof(struct trace_slot) == TRACE_SLOT_SIZE, "slot size");
_Static_assert(sizeof(struct trace_header) <= TRACE_HEADER_SIZE, "header size");
_Static_assert(sizeof(struct trace_ring_ent) == 32, "ring entry size");
_Static_assert(TC_COUNT <= TRACE_NCTR, "counters");

#endif
