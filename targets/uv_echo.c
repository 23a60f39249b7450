/* uv_echo.c: an idiomatic libuv echo server (read, write back, pause reading while too much is queued), the bench's "what users would pick". */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "targets/tnet.h"

#define UV_HWM (1024 * 1024)   /* stop reading with this much queued for writing (as libevent-et-echo) */
#define UV_LWM (256 * 1024)    /* read again once drained to this */
#define UV_READ (64 * 1024)    /* bytes per read buffer */

static const char uv_usage[] =
    "Usage: uv-echo [OPTION]...\n"
    "An echo server written the way libuv's docs show: uv_read_start, uv_write of each\n"
    "buffer read, uv_read_stop while more than 1 MiB is queued. For bench/, not a test target.\n"
    "\n"
    "  --listen ADDR:PORT   listen here (default 127.0.0.1:0; [::1]:0 for IPv6);\n"
    "                       prints 'listening on ADDR:PORT' on stdout\n"
    "  --proto echo         the only protocol: every byte read is written back\n"
    "  --sndbuf BYTES       SO_SNDBUF of accepted sockets (default: kernel's)\n"
    "  --help               show this help\n";

static int uv_sndbuf;

/* A connection's reading state, kept in its handle's data pointer. */
enum { UV_READING, UV_PAUSED, UV_ENDED };
#define UV_STATE(s) ((uintptr_t)(s)->data)
#define UV_SET(s, v) ((s)->data = (void *)(uintptr_t)(v))

/* One write: the buffer read is handed to uv_write and freed when it completes. */
struct uv_echo_write {
    uv_write_t req;
    uv_buf_t buf;
};

static void uv_echo_closed(uv_handle_t *h)
{
    free(h);
}

static void uv_echo_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h;
    (void)hint;
    buf->base = malloc(UV_READ);
    buf->len = buf->base ? UV_READ : 0;
}

static void uv_echo_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

static void uv_echo_written(uv_write_t *req, int status)
{
    struct uv_echo_write *w = (struct uv_echo_write *)req;
    uv_stream_t *s = req->handle;

    free(w->buf.base);
    free(w);
    if (status < 0) {
        if (!uv_is_closing((uv_handle_t *)s))
            uv_close((uv_handle_t *)s, uv_echo_closed);
        return;
    }
    /* Backpressure: resume reading once the queue drained below the low-water mark. */
    if (!uv_is_closing((uv_handle_t *)s) && UV_STATE(s) == UV_PAUSED && s->write_queue_size <= UV_LWM) {
        UV_SET(s, UV_READING);
        uv_read_start(s, uv_echo_alloc, uv_echo_read);
    }
}

/* The peer's FIN: close once everything queued is written (uv_shutdown waits for the queue). */
static void uv_echo_shut(uv_shutdown_t *req, int status)
{
    (void)status;
    if (!uv_is_closing((uv_handle_t *)req->handle))
        uv_close((uv_handle_t *)req->handle, uv_echo_closed);
    free(req);
}

static void uv_echo_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct uv_echo_write *w;

    if (n <= 0) {
        uv_shutdown_t *req = n == UV_EOF ? malloc(sizeof(*req)) : NULL;

        free(buf->base);
        if (n == 0)
            return;
        UV_SET(s, UV_ENDED);
        uv_read_stop(s);
        if (!req || uv_shutdown(req, s, uv_echo_shut) < 0) {
            free(req);
            uv_close((uv_handle_t *)s, uv_echo_closed);
        }
        return;
    }
    if ((w = malloc(sizeof(*w))) == NULL) {
        free(buf->base);
        uv_close((uv_handle_t *)s, uv_echo_closed);
        return;
    }
    w->buf = uv_buf_init(buf->base, (unsigned)n);
    if (uv_write(&w->req, s, &w->buf, 1, uv_echo_written) < 0) {
        free(buf->base);
        free(w);
        uv_close((uv_handle_t *)s, uv_echo_closed);
        return;
    }
    if (s->write_queue_size >= UV_HWM) {
        UV_SET(s, UV_PAUSED);
        uv_read_stop(s);
    }
}

static void uv_echo_accept(uv_stream_t *server, int status)
{
    uv_tcp_t *c;

    if (status < 0 || (c = malloc(sizeof(*c))) == NULL)
        return;
    uv_tcp_init(server->loop, c);
    UV_SET(c, UV_READING);
    if (uv_accept(server, (uv_stream_t *)c) < 0) {
        uv_close((uv_handle_t *)c, uv_echo_closed);
        return;
    }
    if (uv_sndbuf > 0)
        uv_send_buffer_size((uv_handle_t *)c, &uv_sndbuf);
    uv_read_start((uv_stream_t *)c, uv_echo_alloc, uv_echo_read);
}

static void uv_echo_stop(uv_signal_t *sig, int signum)
{
    (void)signum;
    uv_stop(sig->loop);
}

/* Parses argv. Returns 0, 1 for --help, or -1 with err naming the option. */
static int uv_echo_args(int argc, char **argv, const char **listen, char *err, size_t errlen)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"proto", required_argument, NULL, 'p'},
        {"sndbuf", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *end;
    long v;
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'h')
            return 1;
        if (opt == 'l') {
            *listen = optarg;
        } else if (opt == 'p' && strcmp(optarg, "echo") != 0) {
            snprintf(err, errlen, "--proto: only 'echo' is supported, not '%s'", optarg);
            return -1;
        } else if (opt == 's') {
            errno = 0;
            v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 1 || v > INT_MAX)
                return snprintf(err, errlen, "--sndbuf: bad value '%s'", optarg), -1;
            uv_sndbuf = (int)v;
        } else if (opt != 'p') {
            return snprintf(err, errlen, "unknown option or missing value: '%s'", argv[optind - 1]), -1;
        }
    }
    if (optind < argc)
        return snprintf(err, errlen, "unexpected argument '%s'", argv[optind]), -1;
    return 0;
}

int main(int argc, char **argv)
{
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;
    uv_signal_t term, intr;
    const char *listen = "127.0.0.1:0";
    char err[256];
    int r = uv_echo_args(argc, argv, &listen, err, sizeof(err)), fd;

    if (r != 0) {
        if (r > 0)
            return fputs(uv_usage, stdout), 0;
        fprintf(stderr, "uv-echo: %s (see --help)\n", err);
        return 2;
    }
    /* The shared listener code prints the port the harness and bench wait for. */
    if ((fd = tnet_listen(listen, stdout, err, sizeof(err))) < 0) {
        fprintf(stderr, "uv-echo: %s\n", err);
        return 1;
    }
    uv_tcp_init(loop, &server);
    if (uv_tcp_open(&server, fd) < 0 || uv_listen((uv_stream_t *)&server, SOMAXCONN, uv_echo_accept) < 0) {
        fprintf(stderr, "uv-echo: cannot listen with libuv\n");
        return 1;
    }
    uv_signal_init(loop, &term);
    uv_signal_init(loop, &intr);
    uv_signal_start(&term, uv_echo_stop, SIGTERM);
    uv_signal_start(&intr, uv_echo_stop, SIGINT);
    uv_run(loop, UV_RUN_DEFAULT);
    return 0;
}
