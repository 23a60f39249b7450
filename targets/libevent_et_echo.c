/* libevent_et_echo.c: a correct edge-triggered echo server on Debian's libevent, a third-party target for the harness. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "targets/tnet.h"

#define LE_HWM (1024 * 1024)        /* stop reading with this much output queued */
#define LE_LWM (256 * 1024)         /* read again once drained to this */
#define LE_BUDGET (256 * 1024)      /* bytes written per connection per callback */
#define LE_READ_CAP (1024 * 1024)   /* bytes read per connection per callback */

static const char le_usage[] =
    "Usage: libevent-et-echo [OPTION]...\n"
    "A correct echo server on libevent, edge-triggered (EV_ET) in both directions.\n"
    "\n"
    "  --listen ADDR:PORT   listen here (default 127.0.0.1:0; [::1]:0 for IPv6);\n"
    "                       prints 'listening on ADDR:PORT' on stdout\n"
    "  --proto echo         the only protocol: every byte read is written back\n"
    "  --sndbuf BYTES       SO_SNDBUF of accepted sockets (default: kernel's)\n"
    "  --help               show this help\n";

struct le_server;

struct le_conn {
    int fd;
    struct event *ev;
    struct evbuffer *out;     /* echo: what was read and is not yet written */
    unsigned rd_ready : 1, wr_ready : 1, paused : 1, eof : 1;
    struct le_server *srv;
    struct le_conn *prev, *next;
};

struct le_server {
    struct event_base *base;
    int lfd, spare_fd, sndbuf;
    struct event *lev, *sig_term, *sig_int;
    struct le_conn *conns;
};

static void le_conn_close(struct le_conn *c)
{
    struct le_server *s = c->srv;

    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    event_free(c->ev);
    evbuffer_free(c->out);
    close(c->fd);
    free(c);
}

/* Writes up to LE_BUDGET bytes. Returns 0, or -1 when the connection must close. */
static int le_flush(struct le_conn *c)
{
    size_t done = 0;

    while (c->wr_ready && evbuffer_get_length(c->out) > 0 && done < LE_BUDGET) {
        int n = evbuffer_write_atmost(c->out, c->fd, (ev_ssize_t)(LE_BUDGET - done));
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->wr_ready = 0;  /* the next EPOLLOUT edge resumes us */
        } else {
            return -1;
        }
    }
    return 0;
}

/* Reads up to LE_READ_CAP bytes into the output. Returns 0, or -1 when the connection must close. */
static int le_read(struct le_conn *c)
{
    size_t total = 0;

    if (c->paused && evbuffer_get_length(c->out) <= LE_LWM)
        c->paused = 0;        /* rd_ready is still set: read now, no edge will come */
    while (c->rd_ready && !c->paused && !c->eof && total < LE_READ_CAP) {
        int n = evbuffer_read(c->out, c->fd, 65536);
        if (n > 0) {
            total += (size_t)n;
            if (evbuffer_get_length(c->out) >= LE_HWM)
                c->paused = 1;
        } else if (n == 0) {
            c->eof = 1;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->rd_ready = 0;
        } else {
            return -1;
        }
    }
    return 0;
}

/* One callback per edge (or per requeue). Under EV_ET nothing repeats an edge:
 * whatever work the caps leave over is requeued with event_active. */
static void le_conn_cb(evutil_socket_t fd, short what, void *arg)
{
    struct le_conn *c = arg;
    size_t left;

    (void)fd;
    if (what & EV_READ)
        c->rd_ready = 1;
    if (what & EV_WRITE)
        c->wr_ready = 1;
    if (le_flush(c) < 0 || le_read(c) < 0 || le_flush(c) < 0)
        goto close;
    left = evbuffer_get_length(c->out);
    if (c->eof && left == 0)
        goto close;
    if ((c->wr_ready && left > 0) || (c->rd_ready && !c->paused && !c->eof) ||
        (c->paused && left <= LE_LWM))
        event_active(c->ev, EV_TIMEOUT, 0);
    return;
close:
    le_conn_close(c);
}

/* Registers one accepted socket. Returns 0 or -1 (fd closed). */
static int le_conn_add(struct le_server *s, int fd)
{
    struct le_conn *c = calloc(1, sizeof(*c));

    if (s->sndbuf > 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf, sizeof(s->sndbuf));
    if (!c || !(c->out = evbuffer_new()))
        goto fail;
    c->fd = fd;
    c->srv = s;
    c->wr_ready = 1;
    c->ev = event_new(s->base, fd, EV_READ | EV_WRITE | EV_ET | EV_PERSIST, le_conn_cb, c);
    if (!c->ev || event_add(c->ev, NULL) < 0)
        goto fail;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    return 0;
fail:
    if (c && c->ev)
        event_free(c->ev);
    if (c && c->out)
        evbuffer_free(c->out);
    free(c);
    close(fd);
    return -1;
}

/* ET listener: accept until EAGAIN. On EMFILE, shed one connection with the
 * spare fd so no client hangs waiting for an edge that will not come. */
static void le_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
    struct le_server *s = arg;

    (void)what;
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            le_conn_add(s, fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if ((errno == EMFILE || errno == ENFILE) && s->spare_fd >= 0) {
            close(s->spare_fd);
            fd = accept(lfd, NULL, NULL);
            if (fd >= 0)
                close(fd);
            s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (fd >= 0)
                continue;
        }
        return;
    }
}

static void le_stop_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(((struct le_server *)arg)->base);
}

/* Parses argv. Returns 0, 1 for --help, or -1 with err naming the option. */
static int le_parse_args(int argc, char **argv, const char **listen, int *sndbuf, char *err, size_t errlen)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"proto", required_argument, NULL, 'p'},
        {"sndbuf", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        long v;

        switch (opt) {
        case 'h': return 1;
        case 'l': *listen = optarg; break;
        case 'p':
            if (strcmp(optarg, "echo") != 0) {
                snprintf(err, errlen, "--proto: only 'echo' is supported, not '%s'", optarg);
                return -1;
            }
            break;
        case 's':
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > INT_MAX) {
                snprintf(err, errlen, "--sndbuf: bad value '%s'", optarg);
                return -1;
            }
            *sndbuf = (int)v;
            break;
        default:
            snprintf(err, errlen, "unknown option or missing value: '%s'", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

/* Builds the base (refusing any backend without edge triggering) and the
 * listener and signal events. Returns 0, or -1 with err. */
static int le_setup(struct le_server *s, char *err, size_t errlen)
{
    struct event_config *cfg = event_config_new();

    if (!cfg)
        goto nomem;
    event_config_require_features(cfg, EV_FEATURE_ET);
    /* event_active requeues run in the same pass by default, which starves the
     * others (class 19): go back to epoll after a few callbacks. */
    event_config_set_max_dispatch_interval(cfg, NULL, 16, 0);
    s->base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (!s->base) {
        snprintf(err, errlen, "libevent has no edge-triggered backend here");
        return -1;
    }
    s->lev = event_new(s->base, s->lfd, EV_READ | EV_ET | EV_PERSIST, le_accept_cb, s);
    s->sig_term = evsignal_new(s->base, SIGTERM, le_stop_cb, s);
    s->sig_int = evsignal_new(s->base, SIGINT, le_stop_cb, s);
    if (!s->lev || !s->sig_term || !s->sig_int || event_add(s->lev, NULL) < 0 ||
        event_add(s->sig_term, NULL) < 0 || event_add(s->sig_int, NULL) < 0)
        goto nomem;
    return 0;
nomem:
    snprintf(err, errlen, "libevent setup failed");
    return -1;
}

static void le_teardown(struct le_server *s)
{
    while (s->conns)
        le_conn_close(s->conns);
    if (s->lev)
        event_free(s->lev);
    if (s->sig_term)
        event_free(s->sig_term);
    if (s->sig_int)
        event_free(s->sig_int);
    if (s->base)
        event_base_free(s->base);
    if (s->spare_fd >= 0)
        close(s->spare_fd);
    if (s->lfd >= 0)
        close(s->lfd);
}

int main(int argc, char **argv)
{
    struct le_server s = {.lfd = -1, .spare_fd = -1};
    const char *listen = "127.0.0.1:0";
    char err[256];
    int r;

    r = le_parse_args(argc, argv, &listen, &s.sndbuf, err, sizeof(err));
    if (r > 0) {
        fputs(le_usage, stdout);
        return 0;
    }
    if (r < 0) {
        fprintf(stderr, "libevent-et-echo: %s (see --help)\n", err);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);  /* evbuffer_write uses writev: no MSG_NOSIGNAL */
    s.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    s.lfd = tnet_listen(listen, stdout, err, sizeof(err));
    if (s.lfd < 0 || le_setup(&s, err, sizeof(err)) < 0) {
        fprintf(stderr, "libevent-et-echo: %s\n", err);
        le_teardown(&s);
        return 1;
    }
    r = event_base_dispatch(s.base);
    le_teardown(&s);
    return r < 0 ? 1 : 0;
}
