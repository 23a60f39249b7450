/* inject_util.h: helpers for the injector's tests: start a target under the preload, drive a checked echo transfer. */
#ifndef EC_INJECT_UTIL_H
#define EC_INJECT_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* A target started with LD_PRELOAD in its own envp only. */
struct iu_proc {
    pid_t pid;
    int out_fd;                   /* its stdout (pipe, non-blocking) */
    int port;
    int status;                   /* waitpid status once reaped */
    int reaped;
    char err_path[512];           /* its stderr */
};

/* What a transfer should look like. */
struct iu_xfer {
    size_t total;                 /* bytes to send and expect back */
    int rcvbuf;                   /* client SO_RCVBUF, 0 = default */
    int read_chunk;               /* bytes per recv (default 4096) */
    int slow_us;                  /* sleep after every recv */
    int stall_ms;                 /* no progress for this long = stalled (default 5000) */
    size_t stop_after;            /* stop reading once this much came back (0 = never) */
};

struct iu_result {
    size_t sent, received;
    int mismatch;                 /* 1 if a byte differed; first_bad is its offset */
    size_t first_bad;
    int stalled, eof;
    double seconds;
};

/* Paths of the built artefacts ($EC_TOP_BUILDDIR or "."), into buf. */
const char *iu_path(const char *rel, char *buf, size_t len);
/* A fresh temporary directory for traces and logs (into buf, 0 or -1). */
int iu_tmpdir(char *buf, size_t len);

/* Starts argv with the injector preloaded (so may be NULL: no preload),
 * EDGECASE_INJECT=spec, EDGECASE_TRACE=trace; stderr to dir/name.err.
 * If want_port, waits (10 s) for "listening on 127.0.0.1:PORT". Returns 0/-1. */
int iu_start(struct iu_proc *p, const char *const argv[], const char *so, const char *spec,
             const char *trace, const char *dir, int want_port, char *err, size_t errlen);
/* Reads one stdout line of p within timeout_ms into buf. Returns 0 or -1. */
int iu_line(struct iu_proc *p, int timeout_ms, char *buf, size_t len);
/* Waits up to timeout_ms for p to exit on its own. Returns 0 if it did. */
int iu_wait(struct iu_proc *p, int timeout_ms);
/* SIGTERM (or sig), then SIGKILL after 2 s; reaps. Safe to call twice. */
void iu_stop(struct iu_proc *p, int sig);
/* Reads p's stderr into buf (terminated). */
void iu_stderr(const struct iu_proc *p, char *buf, size_t len);

/* Echo transfer against 127.0.0.1:port, every byte checked. Returns 0 if it
 * could run at all (connect ok), -1 otherwise. */
int iu_transfer(int port, const struct iu_xfer *x, struct iu_result *r);

#endif
