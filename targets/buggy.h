/* buggy.h: shared types of buggy-server, an ET epoll echo/repeat/HTTP server whose write-path bugs are switched on by name. */
#ifndef EC_BUGGY_H
#define EC_BUGGY_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

/* One switch per bug class of docs/bug-classes.md (class 18 has two faces). */
enum bug_id {
    BUG_DROP_TAIL,
    BUG_IGNORE_WRITE_RETURN,
    BUG_SPIN_EAGAIN,
    BUG_LT_EPOLLOUT,
    BUG_READ_ONCE,
    BUG_ACCEPT_ONCE,
    BUG_UNBOUNDED_OUTPUT,
    BUG_NO_READ_RESUME,
    BUG_BUDGET_NO_REQUEUE,
    BUG_SHARED_BUFFER,
    BUG_IF_ELSE_IF,
    BUG_ONESHOT_NO_REARM,
    BUG_SIGPIPE,
    BUG_EAGAIN_IS_ERROR,
    BUG_HALFCLOSE_DROP,
    BUG_EINTR_EXIT,
    BUG_WRITEV_OFFSET,
    BUG_EMFILE_STALL,
    BUG_EMFILE_SPIN,
    BUG_STARVATION,
    BUG_SHORT_READ,
    BUG_LOST_WAKEUP,
    BUG_PARTIAL_WRITEV_BASE,
    BUG_CHUNK_SIZE_OVERWRITE,
    BUG_REQUEUE_BACK,
    BUG_EXACT_EAGAIN_DROP,
    BUG_COUNT
};

struct bug_entry {
    const char *name;         /* the --bug NAME */
    int class_no;             /* class number in docs/bug-classes.md */
    const char *what;         /* one line: what the server does wrong */
};

extern const struct bug_entry bug_table[BUG_COUNT];

/* Returns the bug called name, or -1 if there is none. */
int bug_lookup(const char *name);
/* Prints the table, one bug a line, as --list-bugs shows it. */
void bug_print_list(FILE *out);

static inline int bug_on(uint32_t set, enum bug_id b) { return (int)((set >> b) & 1u); }

enum bproto { BPROTO_ECHO, BPROTO_REPEAT, BPROTO_HTTP };

struct bconf {
    const char *listen;       /* ADDR:PORT or [ADDR6]:PORT */
    enum bproto proto;
    uint32_t repeat_n;        /* repeat:N */
    int sndbuf, rcvbuf;       /* 0: the kernel's default */
    size_t hwm, lwm;          /* stop reading at hwm queued bytes, resume at lwm */
    size_t budget;            /* bytes written per connection per loop turn */
    size_t read_cap;          /* bytes read per connection per loop turn */
    uint32_t bugs;            /* bit i set: bug i switched on */
    const char *docroot;      /* http: the folder GET paths are served from */
    int chunked;              /* http: bodies go Transfer-Encoding: chunked to HTTP/1.1 clients */
};

#define BUGGY_HWM_DEFAULT (1024 * 1024)
#define BUGGY_LWM_DEFAULT (256 * 1024)
#define BUGGY_BUDGET_DEFAULT (256 * 1024)
#define BUGGY_READ_CAP_DEFAULT (1024 * 1024)
#define BUGGY_RBUF 65536
#define BUGGY_MAX_LINE 65536

/* An output queue: a list of byte chunks. */
struct bq_chunk {
    struct bq_chunk *next;
    size_t off, len, cap;     /* data[off..len) still to send */
    char data[];
};

struct bq {
    struct bq_chunk *head, *tail;
    size_t bytes;             /* bytes queued, all chunks */
};

/* http --chunked: where one chunk's payload lies in a connection's output stream. */
struct bframe {
    uint64_t start;           /* stream offset of its first payload byte */
    size_t len;
};

/* A circular doubly linked list node; a list is a sentinel node. */
struct blink {
    struct blink *prev, *next;
};

struct bconn {
    int fd;
    struct bq own_q;
    struct bq *q;             /* &own_q, or the loop's shared queue under shared-buffer */
    char *line;               /* repeat: the message read so far; http: request bytes not yet answered */
    size_t line_len;
    uint64_t queued, sent;    /* http: bytes of the output stream queued and written so far */
    struct bframe *frames;    /* http --chunked: chunk payloads not yet fully written, oldest first */
    size_t frame0, nframes, framecap; /* frames[frame0..nframes) are live */
    unsigned rd_ready : 1;    /* an EPOLLIN edge came and read has not yet seen EAGAIN */
    unsigned wr_ready : 1;    /* writable: no write has seen EAGAIN since the last EPOLLOUT */
    unsigned paused : 1;      /* reading stopped at the high-water mark */
    unsigned eof : 1;         /* the peer sent FIN */
    unsigned out_armed : 1;   /* lt-epollout: EPOLLOUT registered */
    unsigned in_pending : 1;
    unsigned http_close : 1;  /* http: answer no more requests; close once the queue is sent */
    unsigned last_exact : 1;  /* exact-eagain-drop: the last write took all it was offered */
    struct blink pend;        /* in loop.pending while it has work left over */
    struct blink all;         /* in loop.conns */
};

struct bloop {
    const struct bconf *conf;
    int epfd, lfd;
    int spare_fd;             /* a reserved fd, given up to shed a connection on EMFILE */
    struct blink pending;     /* connections to serve again without a new edge */
    struct blink conns;
    struct bq shared_q;       /* the one queue of shared-buffer */
    char rbuf[BUGGY_RBUF];
    char stage[16384];        /* repeat: replies are built here, then queued */
    size_t stage_len;
    /* Counters printed on SIGUSR1 (the reference server's keys). */
    uint64_t connections, open, bytes_in, bytes_out, eagain, resumptions, pauses, emfile, requeues;
    uint64_t outs_seen;       /* lost-wakeup: EPOLLOUT edges that found a write blocked */
    int64_t next_sweep_ms;    /* lost-wakeup: when the housekeeping timer fires next */
};

/* lost-wakeup: one such EPOLLOUT in this many is lost, and a housekeeping
 * timer this slow retries the blocked writes. */
#define BUGGY_LOSE_EVERY 100
#define BUGGY_SWEEP_MS 4000

/* buggy_net.c */
/* Accepts what the listener has. Returns 0, or -1 with err when the server must stop. */
int bnet_accept_ready(struct bloop *l, char *err, size_t errlen);

/* buggy_loop.c */
int bloop_init(struct bloop *l, const struct bconf *conf, int lfd, char *err, size_t errlen);
/* Runs until SIGTERM/SIGINT. Returns 0, or -1 with err. */
int bloop_run(struct bloop *l, char *err, size_t errlen);
void bloop_destroy(struct bloop *l);
/* Registers a fresh connection. Returns 0, or -1 (fd left to the caller). */
int bloop_add_conn(struct bloop *l, int fd);
extern volatile sig_atomic_t bloop_stop, bloop_dump;

/* buggy_io.c */
/* Reads at most cap bytes. Returns bytes read (>= 0), or -1 when the connection must close. */
long bio_read(struct bloop *l, struct bconn *c, size_t cap);
void bio_free_conn(struct bconn *c);

/* buggy_http.c */
/* Appends request bytes and answers every complete request head, holding the
 * rest back while the queue is at the high-water mark. Returns 0 or -1 (close). */
int bhttp_consume(struct bloop *l, struct bconn *c, const char *p, size_t n);
/* Answers requests held back at the high-water mark. Returns 0 or -1 (close). */
int bhttp_resume(struct bloop *l, struct bconn *c);
/* chunk-size-overwrite: after a short write inside a chunk's payload, writes a
 * chunk-size line for the rest of that chunk over the payload bytes still queued. */
void bhttp_rechunk(struct bconn *c);
void bhttp_free(struct bconn *c);

/* buggy_write.c */
void bq_init(struct bq *q);
void bq_clear(struct bq *q);
/* Appends n bytes. Returns 0 or -1 (ENOMEM). */
int bq_append(struct bq *q, const void *p, size_t n);
/* Overwrites the first n queued bytes (n <= q->bytes) with p. */
void bq_overwrite(struct bq *q, const void *p, size_t n);
/* Writes at most limit bytes of c's queue. Returns 1 if it stopped at limit with
 * the socket still writable, 0 if drained or blocked (wr_ready cleared on EAGAIN),
 * -1 when the connection must close. */
int bw_flush(struct bloop *l, struct bconn *c, size_t limit);

#endif
