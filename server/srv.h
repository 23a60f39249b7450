/* srv.h: the reference server's internal types and the contracts between its modules. */
#ifndef EC_SRV_H
#define EC_SRV_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>
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

/* srv_stats.c: prints the counters as one JSON line and flushes. */
void srv_stats_print(FILE *f, const struct srv_stats *s);

/* What an epoll_event's data.ptr points at. */
enum srv_handle_kind { SRV_H_LISTENER, SRV_H_SIGNAL, SRV_H_CONN };

struct srv_handle {
    enum srv_handle_kind kind;
    int fd;
};

struct srv_loop;

/*
 * One connection. Under edge-triggered epoll the kernel says "ready" once,
 * so the connection remembers it: readable and writable are set by events
 * (and at open, when nothing has said otherwise yet) and cleared only by the
 * EAGAIN that proves them wrong. They are the only readiness state.
 */
struct srv_conn {
    struct srv_handle h;      /* first member: epoll data.ptr points here */
    struct srv_loop *loop;
    uint64_t id;
    struct outq out;
    struct proto_parser in;   /* repeat and stream only */
    LIST_ENTRY(srv_conn) link;        /* on loop->conns while open, on loop->dead once closed */
    TAILQ_ENTRY(srv_conn) ready_link; /* on loop->ready while on_ready */
    unsigned readable : 1;    /* set by EPOLLIN/EPOLLRDHUP/EPOLLHUP/EPOLLERR; cleared by read()'s EAGAIN */
    unsigned writable : 1;    /* set by EPOLLOUT/EPOLLHUP/EPOLLERR; cleared by sendmsg()'s EAGAIN */
    unsigned stalled : 1;     /* a send hit EAGAIN, none succeeded since (epollout_resumptions only) */
    unsigned rd_paused : 1;   /* above the high-water mark: not reading */
    unsigned rd_eof : 1;      /* the peer shut its write side */
    unsigned on_ready : 1;    /* on the ready list: served in its turn, not on its events */
    unsigned closed : 1;      /* closed, on the dead list until the turn ends */
};

LIST_HEAD(srv_conn_list, srv_conn);
TAILQ_HEAD(srv_ready_list, srv_conn);

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
    struct srv_conn_list conns;
    struct srv_ready_list ready; /* FIFO: stopped by a budget, served again in order */
    size_t nready;               /* length of ready: a pass serves only those queued before it */
    struct srv_conn_list dead;   /* closed this turn, freed at its end */
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
/* Sets up epoll, the signalfd and the reserve fd around listen_fd. Returns 0, or -1 with err. */
int srv_loop_init(struct srv_loop *l, const struct srv_conf *conf, int listen_fd, char *err, size_t errlen);
/* Runs until SIGTERM or SIGINT. Returns 0, or -1 with err on a fatal epoll error. */
int srv_loop_run(struct srv_loop *l, char *err, size_t errlen);
/* Closes every connection and fd the loop owns. */
void srv_loop_destroy(struct srv_loop *l);
/* Appends c to the ready list (no-op if it is on it already). */
void srv_ready_push(struct srv_loop *l, struct srv_conn *c);
/* Takes c off the ready list. */
void srv_ready_remove(struct srv_loop *l, struct srv_conn *c);

/* srv_accept.c: accepts until EAGAIN, shedding connections on EMFILE; sets accept_blocked
 * when a resource error leaves connections pending. */
void srv_accept(struct srv_loop *l);

/* srv_conn.c: the one place that services a connection. */
/* Wraps an accepted fd in a connection registered with epoll. Returns 0, or -1 (fd closed). */
int srv_conn_open(struct srv_loop *l, int fd);
/* Closes c (fd, buffers, lists) and moves it to the dead list, freed at the end of the
 * loop turn, so no pointer held elsewhere in this turn dangles; why (may be NULL) is logged. */
void srv_conn_close(struct srv_conn *c, const char *why);
/* Records one epoll event's readiness and services c, unless c waits its turn on the ready list. */
void srv_conn_event(struct srv_conn *c, uint32_t events);
/*
 * Services c (not on the ready list): reads, writes, resumes reading below
 * the low-water mark, completes a half-close, and requeues c if a budget
 * left work that no edge will announce.
 * Returns 0 if c is still open after the call, -1 if it was closed.
 */
int srv_conn_service(struct srv_conn *c);

/*
 * srv_read.c: the read path, a leaf. Turns buffered requests into replies,
 * then reads while c is readable, until EAGAIN, EOF, the high-water mark
 * (which sets rd_paused) or *budget bytes (decremented by what was read).
 * Returns 0 if c is still open after the call, -1 if it was closed.
 */
int srv_read(struct srv_conn *c, size_t *budget);

/*
 * srv_write.c: the write path's policy layer, a leaf. Sends queued output
 * while c is writable, at most *budget bytes (decremented by what was sent).
 * Returns 0 if c is still open after the call, -1 if a send failed and c
 * was closed. On 0, output left while c->writable is still set means the
 * budget stopped it.
 */
int srv_write(struct srv_conn *c, size_t *budget);

#endif
