/* engine.h: one epoll loop that drives every client of a case and verifies what they receive. */
#ifndef EC_ENGINE_H
#define EC_ENGINE_H

#include <stdint.h>
#include "harness/proto/http.h"
#include "harness/verify/pattern.h"

/* What one group of identical clients does. All sizes in bytes, times in ms. */
struct client_spec {
    int count;                /* how many clients in this group */
    enum pattern_kind proto;  /* echo, stream, repeat or http */
    uint32_t repeat_n;        /* repeat: lines per message */
    int repeat_newline;       /* repeat: terminate messages with \n (0 for the seed's server) */
    uint64_t send_bytes;      /* echo: request bytes to send; stream: N asked for;
                                 repeat: number of messages */
    int rcvbuf;               /* SO_RCVBUF before connect; 0 = default */
    int window_clamp;         /* TCP_WINDOW_CLAMP; 0 = none */
    int write_size;           /* bytes per write(); 0 = 64 KiB */
    uint64_t write_rate;      /* bytes/s paced; 0 = as fast as possible */
    uint64_t read_rate;       /* bytes/s paced; 0 = as fast as possible */
    int read_size;            /* bytes per read(); 0 = 64 KiB */
    int read_delay_ms;        /* delay before the first read */
    int pause_after;          /* bytes received before a read pause; 0 = none */
    int pause_ms;             /* length of that pause */
    int never_read;           /* 1: never read at all */
    int shut_wr;              /* 1: shutdown(SHUT_WR) once everything is sent */
    uint64_t reset_after;     /* >0: reset (SO_LINGER 0 + close) after that many bytes received */
    uint64_t close_after;     /* >0: plain close after that many bytes received */
    int start_delay_ms;       /* connect this long after the engine starts */
    int probe;                /* 1: a latency probe: ping-pong of small echoes,
                                 records max round-trip latency */
    int probe_rounds;         /* probe: how many round trips */
    /* Zero keeps the simple behaviour: */
    int pause_repeat;         /* 1: pause again after every pause_after bytes, not just once */
    int probe_interval_ms;    /* probe: gap between round trips; 0 = 10 ms */
    /* http (harness/proto/http.h): send_bytes is the body bytes owed in all. */
    int http_requests;        /* GETs on the connection, send_bytes split among them; 0 = one per 4 MiB */
    int http_pipeline;        /* requests in flight at once (written in one go); 0 or 1 = one at a time */
};

enum client_end {
    CE_RUNNING,               /* not finished (engine deadline hit) */
    CE_COMPLETE,              /* received and verified everything expected */
    CE_MISMATCH,              /* verifier failed: see diag */
    CE_SERVER_CLOSED,         /* EOF from the server before everything arrived */
    CE_SERVER_RESET,          /* ECONNRESET before everything arrived */
    CE_CLIENT_ENDED,          /* we reset or closed on purpose */
    CE_CONNECT_FAILED,
};

/* What one client observed. */
struct client_result {
    int group;                /* index of its client_spec */
    uint32_t id;              /* global client id, encoded in its payload */
    enum client_end end;
    uint64_t sent, received, expected;
    double t_connect_ms, t_done_ms;  /* since engine start */
    int stalls;               /* periods of no progress > stall_ms while bytes were outstanding */
    double longest_stall_ms;
    double stall_start_ms;    /* start of the longest stall */
    uint64_t stall_received;  /* bytes received when the longest stall began */
    uint64_t stall_owed;      /* ... and bytes the server owed then (sent and not answered) */
    double probe_max_ms;      /* probe clients: worst round-trip */
    char diag[512];           /* verifier diagnosis or errno text */
    char hexdump[1024];
    int got_fin;              /* shut_wr clients: the server's FIN came after the full reply */
    enum pattern_fault fault; /* CE_MISMATCH etc.: the verifier's class (PF_NONE otherwise) */
    double t_shut_ms;         /* shut_wr clients: when they half-closed (0: not yet), for the timeline */
};

/* Callbacks at points in time, so a runner can freeze the target, sample CPU, etc. */
struct engine_hooks {
    void *arg;
    /* Called once all clients of every group have connected (or failed). */
    void (*on_connected)(void *arg);
    /* Called every tick_ms while the engine runs; return nonzero to stop early. */
    int (*on_tick)(void *arg, double now_ms);
    int tick_ms;
};

struct engine_opts {
    const char *host;         /* "127.0.0.1"; also the Host: header of http requests */
    int port;
    uint64_t seed;
    int deadline_ms;          /* hard bound for the whole run; <= 0: 60000 */
    int stall_ms;             /* no progress this long with bytes outstanding = a stall; <= 0: 2000.
                                 Also how long a shut_wr client waits for the FIN after its reply. */
    const int *server_frozen; /* may be NULL; while *server_frozen the runner holds the server
                                 stopped on purpose (SIGSTOP): no stall is counted then */
    const int *may_end_stalled; /* may be NULL; while *may_end_stalled the run ends as soon as every
                                   unfinished client is stalled (its verdict is certain) */
    int *ended_stalled;       /* may be NULL; set to 1 when the run ended that way */
    const struct engine_hooks *hooks;  /* may be NULL */
    int rst_on_eof;           /* 1: a client whose server closed first answers with a reset, so the
                                 server's port keeps no TIME_WAIT (a fixed port must bind again) */
};

/*
 * Ends: a client is COMPLETE once every expected byte arrived and verified
 * (shut_wr clients then wait up to stall_ms for the server's FIN: got_fin).
 * never_read clients, and clients told to reset or close early, end as
 * CE_CLIENT_ENDED; a never_read client counts as finished once it has sent
 * everything (its socket stays open until the engine returns), so a run of
 * only such clients against a server that stops reading lasts until the
 * deadline or until on_tick asks to stop. At the deadline (or on_tick's
 * stop) the others end CE_RUNNING with "no progress for X ms, received R of E".
 * A stall is counted while bytes are owed by the server (or our writes are
 * blocked) and we are not pausing on purpose (read_delay, pauses, read rate).
 */
/* Results come in group order: results[i].id == i, the id its payload carries. */
/* Runs every group to completion or deadline. results has room for the sum of
 * counts; *nresults is set. Returns 0, or -1 with err set for a setup failure
 * (not for a server misbehaving: that is in the results). Needs RLIMIT_NOFILE
 * above the client count: it raises the soft limit itself. Scales to 10,000
 * clients. */
int engine_run(const struct engine_opts *o, const struct client_spec *groups, int ngroups,
               struct client_result *results, int *nresults, char *err, size_t errlen);

const char *engine_end_name(enum client_end e);

/* The GETs client id of group s makes with http (its probe's too): the plan
 * the runner writes the document root from. */
void engine_http_plan(const struct client_spec *s, uint32_t id, const char *host, struct http_plan *p);

#endif
