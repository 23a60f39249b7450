/* run_int.h: the runner's private context while a case runs, and what its files share. */
#ifndef EC_RUN_INT_H
#define EC_RUN_INT_H

#include "harness/case/case.h"
#include "harness/client/engine.h"
#include "harness/report/report.h"
#include "harness/run/run.h"
#include "harness/target/target.h"
#include "harness/inject/trace.h"
#include "harness/verdict/obs.h"

struct cap;

/* A running case: the live objects and bookkeeping the observers need, and
 * the observations they gather for the verdict (obs). */
struct run_ctx {
    const struct ec_case *c;
    const struct run_conf *rc;
    struct target *t;
    double t0_ms;             /* ec_now_ms() when the clients started */
    double t_ready_ms;        /* since the case began: the target was listening */
    /* during the engine run */
    double connect_ms;        /* when every client had connected; -1 before */
    int step_done[CASE_MAX_STEPS];
    int frozen;
    int may_end_stalled;      /* no_hang, and every step and phase is behind: a stall settles the verdict */
    double last_rss_ms;
    struct client_result *res;  /* the engine's results, obs.clients.res */
    /* the preload injector (when built) and packet capture */
    char inj_env[3][4352];
    const char *inj_envp[4];
    char trace_path[4096];
    struct cap *cap;
    const char *cap_iface;    /* where to capture: NULL = "lo"; a netns case's veth end */
    struct run_series *series;  /* the timeline being recorded (run_series.c), NULL without memory */
    struct observations obs;
};

/* Runs the steps and phases due before the clients start (freeze = start). */
void run__hooks_begin(struct run_ctx *rx);
/* The engine hooks: on_connected and on_tick both drive steps and phases. */
void run__hook_connected(void *arg);
int run__hook_tick(void *arg, double now_ms);
/* Closes what the engine left open: resumes a frozen target, ends open phases at now_ms. */
void run__hooks_end(struct run_ctx *rx, double now_ms);

/* run_watch.c: sets up the preload injector for ts (when built); returns 0 or -1 with err (bad spec). */
int run__watch_inject(struct run_ctx *rx, const char *casedir, struct target_spec *ts, char *err, size_t errlen);
/* Starts the packet capture of the case when asked for. Returns 0, or -1
 * with o filled when the case cannot run: it asserts on the wire and the
 * capture was denied (SKIP, "needs CAP_NET_RAW") or failed (ERROR). */
int run__watch_cap_begin(struct run_ctx *rx, const char *casedir, struct case_outcome *o);
/* Stops the capture and analyzes it (run_wire.c). */
void run__watch_cap_end(struct run_ctx *rx);
/* Reads the stopped target's injector trace into obs.trace: totals, its ring, the longest stall's events. */
void run__watch_trace(struct run_ctx *rx);
/* Removes a --pcap=stalled capture of a case that passed without stalls. */
void run__watch_keep(struct run_ctx *rx, int passed);

/* run_wire.c: analyzes the stopped capture into obs.capture.wire. */
void run__wire_analyze(struct run_ctx *rx);

/* run_ring.c: replays the trace's event ring at path for conns connections up
 * to end_ms (CLOCK_MONOTONIC, as ec_now_ms): the state when the clients
 * ended, before stopping the target closed every connection. Leaves o as is
 * when the ring cannot be read. */
void run__trace_ring(const char *path, uint64_t conns, double end_ms, struct obs_ring *o);

/* run_stall.c: samples the target's CPU time (from the tick hook). */
void run__cpu_sample(struct run_ctx *rx, double now_ms, double cpu_s);
/* Reads the trace's write-path events around the longest stall into obs.trace.stall_line. */
void run__stall_trace(struct run_ctx *rx);

/* run_series.c: the case's timeline for the HTML report, written as casedir/series.tsv. */
struct series;
void run__series_begin(struct run_ctx *rx, int nclients);
/* Samples every client's received count (from the tick hook). */
void run__series_tick(struct run_ctx *rx, double now_ms);
void run__series_res(struct run_ctx *rx, double now_ms, double cpu_s, long rss_kb);
/* A freeze (1) or resume (0) step ran at now_ms. */
void run__series_step(struct run_ctx *rx, double now_ms, int freeze);
/* Adds the clients' endings, stalls, phases, trace and capture; writes and frees. */
void run__series_end(struct run_ctx *rx, const char *casedir, const struct client_spec *groups);
/* run_series_trace.c: the injector's ring events and the capture's zero windows. */
void run__series_trace(const struct run_ctx *rx, struct series *s);
void run__series_wire(const struct run_ctx *rx, struct series *s);
/* run_docroot.c: writes the http document root root (created) for the
 * clients of groups: a file per piece of each client's echo stream (seed) its
 * GETs ask for (harness/proto/http.h). Returns 0, or -1 with err (too large, I/O). */
int run__docroot_make(const char *root, const struct client_spec *groups, int ngroups, uint64_t seed,
                      const char *host, char *err, size_t errlen);
/* Removes a document root made by run__docroot_make. */
void run__docroot_remove(const char *root);


/* run_cmd.c: the placeholders of a run_subst as parallel keys and values. */
#define RUN_SUBST_MAX 8
struct run_subst_tab {
    const char *keys[RUN_SUBST_MAX], *vals[RUN_SUBST_MAX];
    int n;
    char port[16], sb[32], rb[32], docroot[4200];
};
void run__subst_tab(const struct run_subst *v, struct run_subst_tab *t);

#endif
