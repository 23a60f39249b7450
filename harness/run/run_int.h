/* run_int.h: what a running case observes, shared by the runner, its engine hooks and the verdict. */
#ifndef EC_RUN_INT_H
#define EC_RUN_INT_H

#include "harness/case/case.h"
#include "harness/client/engine.h"
#include "harness/report/report.h"
#include "harness/run/run.h"
#include "harness/target/target.h"
#include "harness/inject/trace.h"

struct cap;

/* CPU time of the target over one phase of the case. */
struct run_phase_obs {
    int started, ended;
    double t0_ms, t1_ms;      /* since the clients started */
    double cpu0_s, cpu1_s;
};

/* What the case's capture showed on its flows (the target's port), after cap_stop. */
struct run_wire_obs {
    int analyzed;             /* 1: the fields below are known */
    char err[512];            /* why the capture could not be analyzed */
    unsigned nflows, zero_window, resumed_flows, rst, probes;
    unsigned long long acked_to_clients, bytes_to_clients;
    char summary[512];        /* cap_summarize's line */
};

/* The target's CPU time through the run, for the CPU it burned during a stall. */
#define RUN_CPU_SAMPLES 512
struct run_cpu_series {
    int n;
    double every_ms;          /* sampling period; doubles each time the series fills */
    double t_ms[RUN_CPU_SAMPLES];
    double cpu_s[RUN_CPU_SAMPLES];
};

/* Everything observed while a case runs, for the verdict. */
struct run_obs {
    const struct ec_case *c;
    const struct run_conf *rc;
    struct target *t;
    double scale;
    double t0_ms;             /* ec_now_ms() when the clients started */
    double t_ready_ms;        /* since the case began: the target was listening */
    /* during the engine run */
    double connect_ms;        /* when every client had connected; -1 before */
    int step_done[CASE_MAX_STEPS];
    struct run_phase_obs phase[CASE_MAX_PHASES];
    int frozen;
    int may_end_stalled;      /* no_hang, and every step and phase is behind: a stall settles the verdict */
    int ended_stalled;        /* the engine ended the run early: every unfinished client was stalled */
    long rss0_kb, rss_max_kb;
    double last_rss_ms;
    double cpu_start_s, cpu_end_s;  /* over the whole client run */
    char step_err[256];
    /* results */
    struct client_result *res;
    int nres;
    double engine_ms;
    int alive;
    char how[128];            /* target_describe at the end */
    int have_counters;        /* eagain/resumptions below are known (from counters or trace) */
    const char *src;          /* "counters" or "trace" */
    long long eagain, resumptions, pauses;
    long long short_writes;   /* trace only: a short write is backpressure too; -1 unknown */
    char counters[1024];
    /* the preload injector (when built) and packet capture */
    char inj_env[3][4352];
    const char *inj_envp[4];
    char trace_path[4096];
    int traced;
    struct trace_totals tr;
    struct cap *cap;
    const char *cap_iface;    /* where to capture: NULL = "lo"; a netns case's veth end */
    char pcap_path[4096];
    long packets;
    char watch_note[512];
    struct run_wire_obs wire;
    int served_after;         /* -1 not tried, 0 failed, 1 served */
    char serve_diag[1024];
    uint64_t seed;
    struct run_cpu_series cpu;
    /* The longest stall's context, gathered after the run (run_stall.c). */
    int stall_client;         /* index in res, -1 when no client stalled */
    double stall_cpu;         /* the target's CPU s/s over that stall, -1 unknown */
    char stall_trace[256];    /* its last write-path event before the stall ended */
};

/* Runs the steps and phases due before the clients start (freeze = start). */
void run__hooks_begin(struct run_obs *ob);
/* The engine hooks: on_connected and on_tick both drive steps and phases. */
void run__hook_connected(void *arg);
int run__hook_tick(void *arg, double now_ms);
/* Closes what the engine left open: resumes a frozen target, ends open phases at now_ms. */
void run__hooks_end(struct run_obs *ob, double now_ms);

/* run_watch.c: sets up the preload injector for ts (when built); returns 0 or -1 with err (bad spec). */
int run__watch_inject(struct run_obs *ob, const char *casedir, struct target_spec *ts, char *err, size_t errlen);
/* Starts the packet capture of the case when asked for. Returns 0, or -1
 * with o filled when the case cannot run: it asserts on the wire and the
 * capture was denied (SKIP, "needs CAP_NET_RAW") or failed (ERROR). */
int run__watch_cap_begin(struct run_obs *ob, const char *casedir, struct case_outcome *o);
/* Stops the capture and analyzes it (run_wire.c). */
void run__watch_cap_end(struct run_obs *ob);

/* run_wire.c: analyzes the stopped capture into ob->wire. */
void run__wire_analyze(struct run_obs *ob);
/* Points a failed or stalled capturing case's report at its pcap and at the
 * stall in it: appends the pcap path and cap_summarize's line to o's diag and details. */
void run__wire_point(const struct run_obs *ob, struct case_outcome *o);
/* Reads the injector's trace and uses it where the target has no counters. */
void run__watch_trace(struct run_obs *ob);
/* Removes a --pcap=stalled capture of a case that passed without stalls. */
void run__watch_keep(struct run_obs *ob, int passed);

/* run_stall.c: samples the target's CPU time (from the tick hook). */
void run__cpu_sample(struct run_obs *ob, double now_ms, double cpu_s);
/* Fills the stall_* fields from the clients' results, the CPU series and the trace. */
void run__stall_context(struct run_obs *ob);

/* run_docroot.c: writes the http document root root (created) for the
 * clients of groups: a file per piece of each client's echo stream (seed) its
 * GETs ask for (harness/proto/http.h). Returns 0, or -1 with err (too large, I/O). */
int run__docroot_make(const char *root, const struct client_spec *groups, int ngroups, uint64_t seed,
                      const char *host, char *err, size_t errlen);
/* Removes a document root made by run__docroot_make. */
void run__docroot_remove(const char *root);

/* Judges the observations into o (status, diag, details). */
void run__verdict(const struct run_obs *ob, struct case_outcome *o);

/* Milliseconds of a monotonic clock. */

#endif
