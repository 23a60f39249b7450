/* fuzz_int.h: what the fuzzer's files share (not part of its API). */
#ifndef EC_FUZZ_INT_H
#define EC_FUZZ_INT_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness/fuzz/fuzz.h"
#include "harness/report/report.h"
#include "harness/run/run.h"

/* splitmix64: small, seedable, the same everywhere, so a seed replays a scenario. */
struct fuzz_rng {
    uint64_t s;
};
uint64_t fuzz_rng_next(struct fuzz_rng *r);
/* A number in [lo, hi]. */
long long fuzz_rng_range(struct fuzz_rng *r, long long lo, long long hi);
/* 1 with probability pct/100. */
int fuzz_rng_chance(struct fuzz_rng *r, int pct);
/* A size spread evenly over the powers of two between lo and hi. */
uint64_t fuzz_rng_log(struct fuzz_rng *r, uint64_t lo, uint64_t hi);

/* Re-derives what depends on the rest of the scenario (the deadline), then
 * validates c through the parser: write, parse, and c becomes the parsed
 * case. Returns 0 or -1 with err. */
int fuzz_settle(struct ec_case *c, char *err, size_t errlen);

/* What a failing run says: its class (0 when the diagnosis names none) and symptom word. */
struct fuzz_bug {
    int cls;
    char symptom[32];
};
/* Reads the bug out of a FAIL's diagnosis. Returns 1 for a FAIL, 0 otherwise. */
int fuzz_bug_of(const struct case_outcome *o, struct fuzz_bug *b);
int fuzz_bug_same(const struct fuzz_bug *a, const struct fuzz_bug *b);
/* "class 10 shared output buffer" or "stall (no class)". */
const char *fuzz_bug_str(const struct fuzz_bug *b, char *buf, size_t buflen);

/* One scenario running in a child process (run_case, as `edgecase run` does). */
struct fuzz_job {
    int busy;
    pid_t pid;
    int fd;                   /* the child writes its case_outcome here */
    size_t got;
    double started_ms, limit_ms;
    unsigned long long seed;
    struct ec_case c;
    char dir[4096];
    struct case_outcome o;
};
/* Starts c in a child with its logs in dir. Returns 0 or -1 (errno). */
int fuzz_job_start(struct fuzz_job *j, const struct run_conf *rc, const struct ec_case *c, const char *dir);
/* Waits up to timeout_ms for one of jobs[0..n) to finish; returns its index
 * (reaped, j->o filled, busy cleared) or -1. Overdue children are killed. */
int fuzz_job_wait(struct fuzz_job *jobs, int n, int timeout_ms);
/* Kills a running job's child (its guard takes the target along) and reaps it. */
void fuzz_job_kill(struct fuzz_job *j);
/* Makes SIGINT and SIGTERM only set *stop in this process; a child gets back
 * the handlers found here (cli/'s target guard, which kills its targets). */
void fuzz_job_signals(volatile sig_atomic_t *stop);
/* Once every job is reaped: reaps the targets of killed runners (we are their subreaper). */
void fuzz_job_reap_orphans(void);

/* The whole fuzzing session. */
struct fuzz_ctx {
    struct run_conf rc;
    struct case_proto proto;
    const char *target_cmd;   /* as given, for the replay line; NULL = reference server */
    char dir[4096];           /* the results folder of this session */
    unsigned long long seed;
    long long runs_max;       /* 0: until the time limit */
    double time_max_ms, t0_ms;
    double shrink_ms;         /* how long one shrink may take */
    int jobs;
    int tty;
    volatile sig_atomic_t *stop;
    /* counters */
    long long runs, fails, skips, errors;
    int shrinking;            /* the step of the current shrink, 0 when none */
    unsigned long shrink_runs;  /* names the shrink runs' folders */
    double last_progress_ms;
    int nfound;
    struct fuzz_finding {
        char name[64];
        struct fuzz_bug bug;
        unsigned long long seed;
        double t_found_s;     /* since the session began */
        int confirmed;        /* of 3 */
        int clients0, clients, steps0, steps;
        unsigned long long bytes0, bytes;
        int shrink_steps;
        int replays, replays_failed;  /* the final case run again after shrinking */
        char diag[2048];       /* the last failing run's diagnosis */
    } found[32];
};

/* Runs c once in the foreground (for shrinking), its logs under fx->dir/runs.
 * Returns 0 with o filled, or -1 when stopped. */
int fuzz_run_one(struct fuzz_ctx *fx, const struct ec_case *c, struct case_outcome *o);
/* Shrinks c, which failed with bug b, keeping only candidates that fail 3 of
 * 3 with the same bug; f gets the sizes. c becomes the smallest found. */
void fuzz_shrink(struct fuzz_ctx *fx, struct ec_case *c, const struct fuzz_bug *b, struct fuzz_finding *f);
/* Scenario size, for the report: clients, bytes sent by them, steps. */
void fuzz_size(const struct ec_case *c, int *clients, unsigned long long *bytes, int *steps);

/* Runs scenarios until the run or time limit or *fx->stop. Returns 1 if stopped by a signal. */
int fuzz_loop(struct fuzz_ctx *fx);

/* Writes the finding's case file with its header, and prints where. Returns 0 or -1. */
int fuzz_save(const struct fuzz_ctx *fx, const struct ec_case *c, const struct fuzz_finding *f);
/* The one-line replay command of a finding. */
const char *fuzz_replay(const struct fuzz_ctx *fx, const char *name, char *buf, size_t buflen);
/* Writes fx->dir/summary.json. Returns 0 or -1. */
int fuzz_summary(const struct fuzz_ctx *fx, int interrupted);

/* The progress line: in place on a tty, plain lines otherwise. */
void fuzz_progress(struct fuzz_ctx *fx, int force);
void fuzz_say(struct fuzz_ctx *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Removes a run's folder and everything in it. */
void fuzz_rmtree(const char *dir);

#endif
