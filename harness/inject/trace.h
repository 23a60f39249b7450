/* trace.h: the injector's memory-mapped trace file, as written by the .so and read by the harness. */
#ifndef EC_INJECT_TRACE_H
#define EC_INJECT_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The harness starts a target with
 *   LD_PRELOAD=<libedgecase-inject.so>
 *   EDGECASE_INJECT="sndbuf=4096,eagain=0.01,short=0.05,eintr=0.01,seed=7"   (may be empty)
 *   EDGECASE_TRACE=<path of the trace file to create>
 * and reads the trace at any time, even after the target died.
 * The first process truncates and initialises the file; processes it execs
 * (which inherit LD_PRELOAD) attach to the same file instead, recognised by
 * INJ_ENV_ATTACH, which the injector sets. Give every run a fresh path. */
#define INJ_ENV_SPEC "EDGECASE_INJECT"
#define INJ_ENV_TRACE "EDGECASE_TRACE"
#define INJ_ENV_ATTACH "EDGECASE_TRACE_ATTACHED"

/* Totals over every connection of the target (the harness needs at least these). */
struct trace_totals {
    int present;                  /* 0 if the file never appeared (static or raw-syscall target) */
    uint64_t seed;
    uint64_t conns;               /* accepted sockets seen */
    uint64_t bytes_written, write_calls, short_writes;
    uint64_t eagain_real, eagain_injected;
    uint64_t epollout_real, epollout_synth;
    uint64_t resumptions;         /* write OK after found full (EAGAIN or short) and a following EPOLLOUT; once per wait */
    uint64_t spin_writes;         /* write retried after EAGAIN with no EPOLLOUT between */
    uint64_t eintr_injected;
    uint64_t reg_et, reg_lt, reg_oneshot;  /* registrations seen, by mode */
    uint64_t mod_dropped_et, mod_dropped_out;
    char spec[256];               /* the spec string the target ran with */
    /* Counters of the injector's short writes, reads, registrations and forks. */
    uint64_t short_injected;      /* short writes the injector made (included in short_writes) */
    uint64_t bytes_read, read_calls;
    uint64_t reg_lt_out;          /* registrations with EPOLLOUT but without EPOLLET */
    uint64_t app_setbuf;          /* the target set SO_SNDBUF/SO_RCVBUF itself on a connection */
    uint64_t hold_spin_releases;  /* injected "full" states given up after INJ_HOLD_MAX_SPINS retries */
    uint64_t forks;               /* fork() seen in the target (child and parent share the trace) */
    uint64_t untracked_conns;     /* connections with fd >= the slot bound: passed through, not counted */
    int64_t sndbuf_applied;       /* SO_SNDBUF read back after setting it on the last connection, or -1 */
    int64_t rcvbuf_applied;       /* same for SO_RCVBUF, or -1 */
    int32_t pid;                  /* the process that created the trace */
    int ring_events;              /* events currently in the ring */
    uint64_t spin_nowait;         /* those spin_writes with not even an epoll_wait between
                                   * (a retry loop, bug class 3); the rest are writes tried
                                   * on new input while waiting for EPOLLOUT: wasteful, not wrong */
    uint64_t open_conns;          /* connections not closed yet (or never closed: crash) */
    uint64_t epollout_lt_idle;    /* level-triggered EPOLLOUT delivered with no write blocked:
                                   * wake-ups for nothing (bug class 4 when large) */
};

/* Reads and sums the trace at path. Works on a trace whose writer was killed
 * at any point. Returns 0 (t->present = 1), or -1 with a reason in err; a
 * missing or never-initialised file gives -1 and t->present = 0. A reader
 * racing a close may count that one connection twice or not at all for an
 * instant; read after the target stopped for exact figures. Counts are
 * updated right after each call returns, so a target killed at that instant
 * (SIGKILL right after its peer got the data) may miss its last call. */
int trace_read_totals(const char *path, struct trace_totals *t, char *err, size_t errlen);

/* Validates a spec string without loading the .so: 0, or -1 with err naming
 * the bad key or value ("unknown key 'foo'", "eagain: '2' is not a probability"). */
int inj_spec_validate(const char *spec, char *err, size_t errlen);

/* Formats a one-line diagnosis from totals into buf (always terminated):
 * the suspicious findings first ("write after EAGAIN with no EPOLLOUT: 48213 times",
 * "MOD dropped EPOLLET 3 times", "EPOLLOUT registered level-triggered 5 times"),
 * then a short summary of the counts. */
void trace_describe(const struct trace_totals *t, char *buf, size_t len);

/* Writes into buf (always terminated) only the trace's evidence for a failed
 * case's one-line diagnosis: the signs of a bug ("write after EAGAIN with no
 * EPOLLOUT: 48213 times" for a retry loop, MOD dropping EPOLLET or EPOLLOUT,
 * level-triggered EPOLLOUT waking for nothing, an injected hold abandoned),
 * then the faults the injector made ("injected 302 short writes, 375 EAGAIN,
 * 225 EINTR"), then the write-side totals ("9 writes, 9 short, EAGAIN 3 real
 * + 0 injected"), so a diagnosis always shows what the write path met. Returns the number of bug signs (0 also when only faults were
 * listed, or when buf is empty). Thresholds keep a correct server's occasional
 * extra write out of it. */
int trace_evidence(const struct trace_totals *t, char *buf, size_t len);

/* Copies spec into out, appending ",seed=S" (or "seed=S" to an empty spec)
 * when spec names no seed, so a harness run's seed also drives the injected
 * faults. Returns 0, or -1 when out is too small. */
int inj_spec_with_seed(const char *spec, uint64_t seed, char *out, size_t len);

/* Writes into buf (always terminated) what the target's write path did
 * around a stall from CLOCK_MONOTONIC t0_ns to t1_ns, from the trace's event
 * ring: its last event before t0 and how many came during the stall
 * ("eagain on conn 3 (fd 9) 2 ms before it began; 1 event during it"), or
 * why it cannot say. Returns 0, or -1 when the ring holds nothing that early. */
int trace_stall_events(const char *path, uint64_t t0_ns, uint64_t t1_ns, char *buf, size_t len);

/* Writes a human-readable dump of the trace (header, live connections, ring of
 * the last events with timestamps) to out. Returns 0, or -1 with err. */
int trace_dump(const char *path, FILE *out, char *err, size_t errlen);

#endif
