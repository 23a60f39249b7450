/* series.h: a case's time series (bytes per client, stalls, markers, CPU and RSS) in bounded memory, and its series.tsv. */
#ifndef EC_REPORT_SERIES_H
#define EC_REPORT_SERIES_H

#include <stddef.h>
#include <stdint.h>

#define SERIES_SAMPLES 512        /* per series; full: every other sample goes, the period doubles */
#define SERIES_PER_CLIENT 8       /* up to this many clients get a line each; more get a band */
#define SERIES_SPANS 128          /* stalls, freezes, CPU phases, zero windows */
#define SERIES_MARKS 128          /* point events: resets, half-closes, failures */
#define SERIES_EVENTS 1024        /* trace events, bucketed in time */
#define SERIES_META 24
#define SERIES_FILE "series.tsv"

/* Bytes received per client at one moment: quantiles over all clients, and
 * each client's count when there are few. */
struct series_bytes {
    double t_ms;
    uint64_t q[5];                /* min, p10, p50, p90, max */
    uint64_t per[SERIES_PER_CLIENT];
};

/* The server's CPU time (cumulative) and resident memory at one moment. */
struct series_res {
    double t_ms;
    double cpu_s;
    long rss_kb;
};

enum series_span_kind { SPAN_STALL, SPAN_FROZEN, SPAN_PHASE, SPAN_ZEROWIN, SPAN_KINDS };

/* An interval: a client's stall (client -1: several merged), a SIGSTOP
 * freeze, a CPU phase with its limit, a zero window seen on the wire. */
struct series_span {
    enum series_span_kind kind;
    double t0_ms, t1_ms;
    int client;
    double limit;                 /* SPAN_PHASE: max CPU s/s, -1 none */
    char label[64];
};

/* A moment: a client reset or half-closed, a failure (with its offset). */
struct series_mark {
    double t_ms;
    char kind[16];                /* freeze, resume, reset, close, shut_wr, fail, hang, ... */
    int count;                    /* marks of one kind close in time are merged */
    long long offset;             /* bytes into the client's stream, -1 unknown */
    char label[160];
};

/* Trace events (EAGAIN, EPOLLOUT, resumptions, injected faults) counted per time bucket. */
struct series_event {
    double t_ms;
    char kind[16];
    int count;
};

struct series_kv {
    char key[32];
    char val[1024];
};

/* Per client while sampling: what the stall tracker needs. */
struct series_client {
    uint64_t last_recv;
    double last_change_ms;
    int stalls_seen;
    double stall_from_ms;         /* -1: not in a stall */
};

struct series {
    int nclients;
    double every_ms, res_every_ms;
    int nb, nr, ns, nm, ne, nkv;
    unsigned long long spans_dropped, marks_dropped;
    struct series_bytes b[SERIES_SAMPLES];
    struct series_res r[SERIES_SAMPLES];
    struct series_span s[SERIES_SPANS];
    struct series_mark m[SERIES_MARKS];
    struct series_event e[SERIES_EVENTS];
    struct series_kv kv[SERIES_META];
    /* sampling only (NULL after reading a file) */
    struct series_client *cl;
    uint64_t *scratch;
};

/* Allocates a series for nclients (0 for reading a file). NULL on out of memory. */
struct series *series_new(int nclients);
void series_free(struct series *s);

/* Samples every client's received count (recv[i], i < nclients) at t_ms;
 * at most every every_ms. done[i] nonzero: the client has ended. stalls[i]:
 * the engine's stall count, which opens a stall span from the client's last
 * progress; progress or the end closes it. Any array may be NULL but recv. */
void series_sample_bytes(struct series *s, double t_ms, const uint64_t *recv, const int *stalls, const int *done);
/* Same for the server's CPU and RSS. */
void series_sample_res(struct series *s, double t_ms, double cpu_s, long rss_kb);
/* Adds a span, merging it with one of the same kind and client it overlaps
 * (or, when full, with any stall it overlaps, client -1). */
void series_span(struct series *s, enum series_span_kind kind, double t0_ms, double t1_ms, int client,
                 double limit, const char *label);
/* Adds a client's stall as the engine measured it, replacing the sampled
 * spans of that client it overlaps (sampling cannot tell a freeze's wait
 * from a stall, the engine can). */
void series_span_exact(struct series *s, double t0_ms, double t1_ms, int client);
/* Adds a mark; one of the same kind within merge_ms is counted instead. */
void series_mark(struct series *s, double t_ms, const char *kind, long long offset, double merge_ms,
                 const char *label);
/* Counts one trace event of kind at t_ms into a bucket of bucket_ms. */
void series_event(struct series *s, double t_ms, const char *kind, double bucket_ms);
/* Sets meta key to value (replacing it); printf-style. */
void series_meta(struct series *s, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The value of key, or NULL. */
const char *series_get(const struct series *s, const char *key);
/* Closes stall spans still open at t_ms (the run ended). */
void series_close_stalls(struct series *s, double t_ms);

/* series_io.c: writes dir/series.tsv (through a temporary file). Returns 0 or -1. */
int series_write(const struct series *s, const char *dir);
/* Reads dir/series.tsv into a new series. NULL with why (absent, bad format). */
struct series *series_read(const char *dir, char *why, size_t whylen);

#endif
