/* obs.h: what a case's observers saw, as plain data: with the case, the verdict's only input. */
#ifndef EC_OBS_H
#define EC_OBS_H

#include <stdint.h>

#include "harness/case/case.h"
#include "harness/client/engine.h"
#include "harness/inject/trace.h"

/* The client engine: every client's result and how the run ended. */
struct obs_clients {
    const struct client_result *res;
    int nres;
    double engine_ms;         /* how long the clients ran */
    int ended_stalled;        /* the engine ended the run early: every unfinished client was stalled */
};

/* The target's CPU time through the run, for the CPU it burned during a stall. */
#define OBS_CPU_SAMPLES 512
struct obs_cpu_series {
    int n;
    double every_ms;          /* sampling period; doubles each time the series fills */
    double t_ms[OBS_CPU_SAMPLES];
    double cpu_s[OBS_CPU_SAMPLES];
};

/* CPU time of the target over one phase of the case; -1 CPU: not sampled. */
struct obs_phase {
    int started, ended;
    double t0_ms, t1_ms;      /* since the clients started */
    double cpu0_s, cpu1_s;
};

/* The target process: its fate, its resources, its own counters, a fresh client after the scenario. */
struct obs_target {
    int alive;
    char how[128];            /* target_describe at the end */
    long rss0_kb, rss_max_kb;
    double cpu_start_s, cpu_end_s;  /* over the whole client run */
    struct obs_cpu_series cpu;
    struct obs_phase phase[CASE_MAX_PHASES];
    char step_err[256];       /* a step (freeze) the runner could not do to it */
    char counters[1024];      /* its JSON counters, "" when it gave none */
    long long eagain, resumptions, pauses;  /* from the counters; -1 unknown */
    int served_after;         /* -1 not tried, 0 failed, 1 served */
    char serve_diag[1024];
};

/* What the injector's event ring shows at the end of the clients' run. */
struct obs_ring {
    int oneshot_unarmed;      /* connections blocked on EAGAIN under a ONESHOT registration never re-armed */
    int inout_unserved;       /* connections blocked that got IN and OUT in one event and wrote nothing after */
    int closed_on_eagain;     /* connections closed right after a write met EAGAIN */
};

/* The preload injector's trace; tr.present = 0 when there is none. */
struct obs_trace {
    int traced;               /* the target ran under the injector */
    char err[256];            /* why the trace could not be read */
    struct trace_totals tr;
    struct obs_ring ring;
    char stall_line[256];     /* the last write-path events around the longest stall, "" none */
};

/* What the case's capture showed on its flows (the target's port). */
struct obs_wire {
    int analyzed;             /* 1: the fields below are known */
    char err[512];            /* why the capture could not be analyzed */
    unsigned nflows, zero_window, resumed_flows, rst, probes;
    unsigned long long acked_to_clients, bytes_to_clients;
    char summary[512];        /* cap_summarize's line */
};

/* The packet capture: where it went and what it showed. */
struct obs_capture {
    char pcap_path[4096];     /* "" when nothing was captured */
    char note[512];           /* what became of the capture, for the report */
    struct obs_wire wire;
};

/* Everything observed while a case ran, gathered before the verdict. */
struct observations {
    uint64_t run_seed;        /* --seed */
    uint64_t case_seed;       /* the case's own, derived from it */
    double scale;             /* --timeout-scale */
    struct obs_clients clients;
    struct obs_target target;
    struct obs_trace trace;
    struct obs_capture capture;
};

#endif
