/* trace.h: the injector's memory-mapped trace file, as written by the .so and read by the harness. */
#ifndef EC_INJECT_TRACE_H
#define EC_INJECT_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* The harness starts a target with
 *   LD_PRELOAD=<libedgecase-inject.so>
 *   EDGECASE_INJECT="sndbuf=4096,eagain=0.01,short=0.05,eintr=0.01,seed=7"   (may be empty)
 *   EDGECASE_TRACE=<path of the trace file to create>
 * and reads the trace at any time, even after the target died. */
#define INJ_ENV_SPEC "EDGECASE_INJECT"
#define INJ_ENV_TRACE "EDGECASE_TRACE"

/* Totals over every connection of the target (the harness needs at least these). */
struct trace_totals {
    int present;                  /* 0 if the file never appeared (static or raw-syscall target) */
    uint64_t seed;
    uint64_t conns;               /* accepted sockets seen */
    uint64_t bytes_written, write_calls, short_writes;
    uint64_t eagain_real, eagain_injected;
    uint64_t epollout_real, epollout_synth;
    uint64_t resumptions;         /* write OK after EAGAIN and a following EPOLLOUT */
    uint64_t spin_writes;         /* write retried after EAGAIN with no EPOLLOUT between */
    uint64_t eintr_injected;
    uint64_t reg_et, reg_lt, reg_oneshot;  /* registrations seen, by mode */
    uint64_t mod_dropped_et, mod_dropped_out;
    char spec[256];               /* the spec string the target ran with */
};

/* Reads and sums the trace at path. Returns 0 (t->present = 1), or -1 with a
 * reason in err; a missing file gives -1 and t->present = 0. */
int trace_read_totals(const char *path, struct trace_totals *t, char *err, size_t errlen);

/* Validates a spec string without loading the .so: 0, or -1 with err naming
 * the bad key or value ("unknown key 'foo'", "eagain: '2' is not a probability"). */
int inj_spec_validate(const char *spec, char *err, size_t errlen);

#endif
