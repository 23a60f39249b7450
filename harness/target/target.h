/* target.h: run one server under test as a fresh process group and observe it from outside. */
#ifndef EC_TARGET_H
#define EC_TARGET_H

#include <stdint.h>
#include <sys/types.h>

/* How to start a target. cmd is a shell-like command line split on spaces
 * (double quotes group words); "{port}" anywhere in it is replaced by port. */
struct target_spec {
    const char *cmd;          /* e.g. "server/edgecase-server --listen 127.0.0.1:{port}" */
    int port;                 /* the port the target listens on (chosen by caller) */
    const char *logdir;       /* target's stdout/stderr go to logdir/target.stdout|stderr */
    long nofile;              /* RLIMIT_NOFILE before exec; 0 = inherit */
    const char *preload;      /* path of a .so for LD_PRELOAD in the child only, or NULL */
    const char *const *env;   /* extra "K=V" strings for the child, NULL-terminated, or NULL */
    int ready_timeout_ms;     /* how long to wait for the port to accept a connection */
    const char *host;         /* fills "{host}" and is where readiness is probed; NULL = 127.0.0.1 */
    const char *netns_path;   /* the child enters this network namespace (/run/netns/NAME) before exec, or NULL */
};

/* Where a target is, and how it ended. */
struct target {
    pid_t pid;                /* also the process group id */
    int port;
    char host[64];            /* the address it listens on (spec's host) */
    int exited;               /* 1 once reaped */
    int port_free_at_start;   /* 1: port bindable without SO_REUSEADDR just before the start; 0: not; -1: unknown */
    int status;               /* waitpid status once exited */
    char out_path[4096];
    char err_path[4096];
};

/* CPU and memory read from /proc at one instant. */
struct target_sample {
    double cpu_s;             /* utime+stime of all threads, seconds */
    long rss_kb;              /* VmRSS */
    long hwm_kb;              /* VmHWM */
};

/* The words of a command, the one grammar the runner and the target share
 * (target_words.c): spaces separate words; double quotes group, with \" and
 * \\ escaping inside them; single quotes group literally, as in sh.
 * target_word_next skips spaces and finds the next word of *p with its quotes
 * (length 0 at the end), moves *p past it and sets *open_quote to a quote left
 * open (0 if none). target_word_unquote copies a word without its quotes into
 * out; returns its length, or -1 when out is too small. */
size_t target_word_next(const char **p, const char **start, char *open_quote);
int target_word_unquote(const char *w, size_t len, char *out, size_t outlen);

/* Starts the target and waits until host:port (127.0.0.1 by default) accepts a connection.
 * The child gets its own process group and PR_SET_PDEATHSIG(SIGKILL) so it
 * never outlives the harness. Returns 0, or -1 with a message in err such as
 * "target never listened on 127.0.0.1:N within 5000 ms; its stderr: ...". */
int target_start(struct target *t, const struct target_spec *spec, char *err, size_t errlen);

/* Freezes (SIGSTOP) the whole group and returns only once every process of
 * it is really stopped (state T), or -1 after timeout_ms. */
int target_freeze(struct target *t, int timeout_ms, char *err, size_t errlen);
/* Resumes (SIGCONT) the group. */
int target_resume(struct target *t);

/* Returns 1 if the target is still running, 0 if it exited (status filled). */
int target_alive(struct target *t);
/* Reads CPU time and RSS of the target's main process. Returns 0 or -1. */
int target_sample(const struct target *t, struct target_sample *s);
/* Sends SIGUSR1 and waits up to timeout_ms for a new JSON line on the
 * target's stdout; copies the last such line into buf. Returns 0 or -1.
 * It first waits (within timeout_ms) until the target blocks or catches
 * SIGUSR1, so it never kills a target that has no counters: -1 then. */
int target_counters(struct target *t, int timeout_ms, char *buf, size_t buflen);
/* Reads an integer field "name":N from a JSON line; -1 if absent. */
long long target_counter_get(const char *json, const char *name);

/* Ends the target: SIGTERM to the group, then SIGKILL after grace_ms, reaps it.
 * Safe to call twice. */
void target_stop(struct target *t, int grace_ms);
/* One line saying how the target ended: "exited 0", "killed by SIGSEGV", "running". */
const char *target_describe(const struct target *t, char *buf, size_t buflen);

/* Makes an interrupted harness take its targets along: installs SIGINT,
 * SIGTERM and SIGHUP handlers (and an atexit hook) that SIGKILL every live
 * target group, then end the harness with the same signal. Call once from
 * main before starting targets. A SIGKILLed harness cannot run handlers:
 * then PR_SET_PDEATHSIG kills each group leader, but children a target
 * forked itself (a shell target's server) survive unless the harness's
 * target_stop or the guard reached them. PDEATHSIG fires when the *thread*
 * that called target_start exits, so call it from a long-lived thread. */
void target_guard_install(void);

/* Sockets bound to one local TCP port, by state (from /proc/net/tcp and tcp6). */
struct target_port_use {
    int time_wait;            /* TIME_WAIT */
    int closing;              /* FIN_WAIT1/2, CLOSING, LAST_ACK: closed, winding down */
    int listening;
    int other;                /* established or opening: someone's live connection */
};

/* Returns 1 if 0.0.0.0:port can be bound now without SO_REUSEADDR (as the
 * strictest server does), 0 if it is in use, -1 on another error (errno). */
int target_port_bindable(int port);
/* Counts the sockets on local port, by state. */
void target_port_use(int port, struct target_port_use *u);
/* Waits until port can be bound without SO_REUSEADDR: up to timeout_ms, or
 * up to tw_timeout_ms while only closed connections (TIME_WAIT, FIN_WAIT...)
 * hold it (Linux ends TIME_WAIT after 60 s). Returns 0 with
 * *waited_s, or -1 with err such as "port 18001 still in TIME_WAIT from the
 * previous case: 3 sockets; waited 2.0 s". */
int target_port_wait(int port, int timeout_ms, int tw_timeout_ms, double *waited_s, char *err, size_t errlen);
/* For a target that exited before listening: " (port N cannot be bound
 * without SO_REUSEADDR: ...; its bind() most likely failed with EADDRINUSE)"
 * when the port is held now, or a like note when free_at_start is 0; "" when
 * the port was and is free (the exit had another cause). */
void target_port_explain(int port, int free_at_start, char *buf, size_t buflen);

/* Finds a free TCP port on 127.0.0.1 (bind to 0, read it back). Returns port or -1. */
int target_free_port(void);
/* Returns 1 if a TCP connect to 127.0.0.1:port succeeds now. */
int target_port_open(int port);
/* Returns 1 if a TCP connect to host:port (IPv4 dotted quad) succeeds now. */
int target_host_open(const char *host, int port);

#endif
