/* srv.h: the reference server's internal types and the contracts between its modules. */
#ifndef EC_SRV_H
#define EC_SRV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "server/outq.h"
#include "server/proto.h"

#define SRV_HWM_DEFAULT (512 * 1024)
#define SRV_LWM_DEFAULT (128 * 1024)
#define SRV_BUDGET_DEFAULT (256 * 1024)
#define SRV_MAX_CONNS_DEFAULT 100000
#define SRV_READ_CHUNK (64 * 1024)

struct srv_conf {
    struct proto_conf proto;
    const char *listen;       /* "ADDR:PORT" or "[ADDR6]:PORT" */
    int sndbuf;               /* SO_SNDBUF for accepted sockets, 0 = kernel default */
    int rcvbuf;               /* SO_RCVBUF, 0 = kernel default */
    size_t hwm;               /* stop reading at this many queued bytes */
    size_t lwm;               /* read again once drained to this many */
    size_t budget;            /* bytes written, and read, per connection per turn */
    unsigned max_conns;
};

/* The counters; srv_stats_print() writes them as one JSON line. */
struct srv_stats {
    uint64_t connections;     /* accepted in all */
    uint64_t open;            /* open now */
    uint64_t bytes_in;
    uint64_t bytes_out;
    uint64_t eagain;          /* writes refused with EAGAIN */
    uint64_t epollout_resumptions; /* writes that succeeded after EAGAIN then EPOLLOUT */
    uint64_t backpressure_pauses;  /* times reading stopped at the high-water mark */
    uint64_t accept_emfile;   /* accept() failures with EMFILE or ENFILE */
    uint64_t budget_requeues; /* connections put on the ready list by the write budget */
    uint64_t protocol_errors;
};

/* Prints the counters as one JSON line and flushes. */
void srv_stats_print(FILE *f, const struct srv_stats *s);

/* What an epoll_event's data.ptr points at. */
enum srv_handle_kind { SRV_H_LISTENER, SRV_H_SIGNAL, SRV_H_CONN };

struct srv_handle {
    enum srv_handle_kind kind;
    int fd;
};

struct srv_loop;

struct srv_conn {
    struct srv_handle h;      /* first member: epoll data.ptr points here */
    struct srv_loop *loop;
    uint64_t id;
    struct outq out;
    struct proto_parser in;   /* repeat and stream only */
    struct srv_conn *next, **pprev;           /* all open connections */
    struct srv_conn *ready_next, **ready_pprev; /* ready list, when on_ready */
    unsigned on_ready : 1;
    unsigned rd_paused : 1;   /* above the high-water mark: not reading */
    unsigned rd_eof : 1;      /* the peer shut its write side */
    unsigned wait_out : 1;    /* a write hit EAGAIN: waiting for EPOLLOUT */
    unsigned got_out : 1;     /* EPOLLOUT (or an error) arrived while wait_out */
    unsigned rd_more : 1;     /* the read budget stopped reading before EAGAIN */
    unsigned closed : 1;      /* closed, on the dead list until the turn ends */
};

struct srv_loop {
    const struct srv_conf *conf;
    int epfd;
    struct srv_handle listener;
    struct srv_handle sig;
    int reserve_fd;           /* spare fd given up to shed a connection on EMFILE */
    int accept_blocked;       /* accept stopped on a resource error: retry when an fd frees */
    int fd_freed;             /* a connection closed since the last retry */
    int stopping;
    uint64_t next_id;
    struct srv_conn *conns;
    struct srv_conn *ready;
    struct srv_conn *dead;    /* closed this turn, freed by srv_loop_reap() */
    struct srv_stats stats;
    char rbuf[SRV_READ_CHUNK]; /* shared read buffer: data moves on into a queue at once */
};

/* srv_net.c: parses "ADDR:PORT" or "[ADDR6]:PORT" (numeric only). Returns 0, or -1 with err naming --listen. */
int srv_net_resolve(const char *spec, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen);
/* Opens the non-blocking listener and prints "listening on ...". Returns the fd or -1. */
int srv_net_listen(const struct srv_conf *conf, FILE *out, char *err, size_t errlen);
/* Applies SO_SNDBUF/SO_RCVBUF from conf to fd (0 leaves the default). Returns 0 or -1. */
int srv_net_bufsizes(int fd, const struct srv_conf *conf, char *err, size_t errlen);

/* srv_loop.c */
/* Blocks SIGUSR1/SIGTERM/SIGINT (read later from a signalfd) and ignores SIGPIPE; fills set. */
void srv_loop_block_signals(sigset_t *set);
int srv_loop_init(struct srv_loop *l, const struct srv_conf *conf, int listen_fd, char *err, size_t errlen);
/* Runs until SIGTERM or SIGINT. Returns 0, or -1 with err on a fatal epoll error. */
int srv_loop_run(struct srv_loop *l, char *err, size_t errlen);
/* Closes every connection and fd the loop owns. */
void srv_loop_destroy(struct srv_loop *l);
void srv_ready_push(struct srv_loop *l, struct srv_conn *c);
void srv_ready_remove(struct srv_conn *c);

/* srv_conn.c */
/* Wraps an accepted fd in a connection registered with epoll. Returns 0, or -1 (fd closed). */
int srv_conn_open(struct srv_loop *l, int fd);
/* Closes c (fd, buffers, lists) and moves it to the dead list, freed at the end of the
 * loop turn, so no pointer held elsewhere in this turn dangles; why (may be NULL) is logged. */
void srv_conn_close(struct srv_conn *c, const char *why);
/*
 * The read path: turns buffered requests into replies, then reads until
 * EAGAIN, EOF, the high-water mark (which pauses reading) or the per-turn
 * budget (which puts c on the ready list with rd_more set).
 * Returns 0 if c is still open after the call, -1 if it was closed (do not touch it again).
 */
int srv_conn_read(struct srv_conn *c);
/* Handles one epoll event for c (input first, then output). */
void srv_conn_event(struct srv_conn *c, uint32_t events);

/*
 * srv_write.c: the write path's policy layer. Sends queued output within
 * the write budget, requeues c on the ready list if the budget stopped it,
 * resumes reading below the low-water mark and completes a half-close.
 * Returns 0 if c is still open after the call, -1 if it was closed (do not touch it again).
 */
int srv_write_conn(struct srv_conn *c);

#endif
