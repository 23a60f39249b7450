/* client.h: the client engine's private state, shared by engine.c, conn.c and pace.c. */
#ifndef EC_CLIENT_H
#define EC_CLIENT_H

#include <stdint.h>
#include <sys/socket.h>

#include "harness/client/engine.h"
#include "harness/proto/http.h"
#include "harness/verify/pattern.h"

#define CLIENT_BUF (64 * 1024)        /* scratch for one read or write, and the default sizes */
#define CLIENT_PROBE_MSG PATTERN_ECHO_REC
#define CLIENT_NEVER 1e300            /* a wake time that never comes */
#define CLIENT_MSS_MAX 1448           /* a client's MSS: Ethernet's with timestamps */
#define CLIENT_MSS_MIN 256            /* ... and a quarter of a small window, not below this */

enum client_state {
    CS_WAITING,               /* before its start_delay */
    CS_QUEUED,                /* due, waiting for a connect slot */
    CS_CONNECTING,
    CS_ACTIVE,
    CS_LINGER,                /* everything verified; shut_wr client waiting for the FIN */
    CS_IDLE,                  /* never_read client done sending: socket kept open */
    CS_DONE,
};

struct client {
    const struct client_spec *spec;
    struct client_result *res;
    struct verifier v;
    int fd;
    enum client_state state;
    int can_read, can_write;  /* readiness reported by an edge and not yet used up */
    int write_blocked;        /* the last write hit EAGAIN */
    int shut_done;
    uint64_t to_send;         /* request bytes in all */
    uint64_t final_expected;  /* reply bytes in all */
    double start_ms;          /* when to connect */
    double read_start_ms;     /* connect + read_delay */
    double next_write_ms, next_read_ms, pause_until_ms, fin_deadline_ms;
    uint64_t next_pause_at;   /* received count that starts the next pause; 0 = none */
    double last_progress_ms;
    int in_stall;
    double stall_from_ms;
    int probe_round;          /* probe: rounds completed */
    double probe_sent_ms;     /* probe: when the current round was sent */
    double wake_ms;           /* the timer heap's key */
    int heap_idx;             /* -1 when not in the heap */
    int in_ready;
    /* http: what it asks for and its response parser (faults land in v) */
    struct http_plan hplan;
    struct http_parser hp;
};

struct engine {
    const struct engine_opts *o;
    int ep;
    double t0;                /* CLOCK_MONOTONIC ms at start */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    struct client *cli;
    int ncli;
    struct client **heap;        /* min-heap on wake_ms */
    int nheap;
    struct client **ready;       /* clients whose I/O budget ran out with work left */
    int nready;
    struct client **queue;       /* due to connect, in order */
    int qhead, qtail;
    int connecting;           /* connects in flight */
    int unresolved;           /* clients whose connect has not succeeded or failed yet */
    int live;                 /* clients the run still waits for */
    char *buf;                /* CLIENT_BUF scratch */
};

/* client/pace.c: time, timers and rates. */
double client__now(const struct engine *e);
/* Puts c in the heap at wake_ms (removes it if CLIENT_NEVER). */
void client__heap_set(struct engine *e, struct client *c, double wake_ms);
/* Returns the earliest wake time, CLIENT_NEVER if none. */
double client__heap_top(const struct engine *e);
/* Pops the earliest client due at now, NULL if none. */
struct client *client__heap_pop_due(struct engine *e, double now);
/* Next time a rate-paced side may move after n bytes at now. */
double client__pace_next(double next, double now, uint64_t n, uint64_t rate);
/* Bytes per paced write or read: size, or about 20 ms worth at rate. */
size_t client__chunk(int size, uint64_t rate);
/* Recomputes c's wake time from its state and pending pauses. */
void client__rearm(struct engine *e, struct client *c, double now);
/* Bytes the server owes c now (sent and not answered), for stall accounting. */
uint64_t client__owed(const struct client *c);
/* A probe's round: its message (an echo record, or a GET), whether it waits for
 * the answer, and whether the round just completed (its answer all in). */
size_t client__probe_msg(const struct client *c);
int client__probe_waiting(const struct client *c);
int client__probe_round_done(const struct client *c);
/* http: requests c has written in full. */
uint32_t client__http_sent(const struct client *c);
/* Tracks stalls of c at now (called on progress and on scans). */
void client__stall_check(struct engine *e, struct client *c, double now, int progressed);

/* client/conn.c: one client's connection and behaviours. */
/* Opens the socket and starts the non-blocking connect. */
void client__connect(struct engine *e, struct client *c, double now);
/* Handles epoll events for c. */
void client__on_event(struct engine *e, struct client *c, uint32_t events, double now);
/* Does what c may do now (write, read) within a budget; requeues itself if work is left. */
void client__progress(struct engine *e, struct client *c, double now);
/* Called when c's timer is due. */
void client__on_timer(struct engine *e, struct client *c, double now);
/* Ends c: records end and diag, closes its socket (with a reset if rst). */
void client__end(struct engine *e, struct client *c, enum client_end end, int rst, double now, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Ends c at the deadline or an early stop. */
void client__end_unfinished(struct engine *e, struct client *c, double now);
/* True while c's reading is held back on purpose (delay, pause, rate, never_read). */
int client__self_paused(const struct client *c, double now);

#endif
