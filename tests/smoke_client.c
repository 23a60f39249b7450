/* smoke_client.c: a standalone client for the server smoke tests: byte-exact echo/stream/repeat, a non-reading pusher, many-connection and oversized-line probes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char cli_usage[] =
    "Usage: smoke_client --port PORT [OPTION]...\n"
    "  --mode M           echo (default): send --bytes of a pattern, half-close, verify the echo\n"
    "                     stream: send '--bytes\\n', half-close, verify the pattern reply\n"
    "                     repeat: send '1234567890\\n', half-close, verify --repeat lines\n"
    "                     push: send up to --bytes without ever reading, print 'pushed N',\n"
    "                     then hold the connection until stdin closes or --timeout\n"
    "                     many: open --conns connections at once, echo one byte on each;\n"
    "                     fails if any hangs 5 s or none is served, then checks a fresh one is served\n"
    "                     junk: send --bytes of 'x' with no newline; the server must close\n"
    "  --bytes N          volume (default 8388608)\n"
    "  --conns N          connections for --mode many (default 64)\n"
    "  --repeat N         lines per repeat message (default 20000)\n"
    "  --rcvbuf B         SO_RCVBUF before connecting (default: kernel's)\n"
    "  --read-chunk C     bytes per read (default 4096)\n"
    "  --read-delay-us U  sleep after each read, to read slowly (default 0)\n"
    "  --timeout S        overall deadline in seconds (default 120)\n"
    "Exit 0 when every byte matched and EOF came right after the last one, 1 otherwise, 2 on bad options.\n";

enum cli_mode { CLI_ECHO, CLI_STREAM, CLI_REPEAT, CLI_PUSH, CLI_MANY, CLI_JUNK };

struct cli {
    enum cli_mode mode;
    int port;
    uint64_t bytes;
    unsigned repeat;
    int conns;
    int rcvbuf;
    size_t chunk;
    unsigned delay_us;
    double timeout;
    char *req;                /* what to send (stream, repeat) */
    size_t req_len;
    char *expect;             /* the whole expected reply (repeat only) */
    uint64_t expect_len;
};

static double cli_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Byte at offset off of the 16-byte-record pattern: "%015llx\n" of the record's offset (echo payload and stream reply). */
static char cli_pattern(uint64_t off)
{
    static const char hex[] = "0123456789abcdef";
    unsigned pos = (unsigned)(off % 16);
    uint64_t rec = off - pos;

    if (pos == 15)
        return '\n';
    return hex[(rec >> (4 * (14 - pos))) & 15];
}

static void cli_fill(uint64_t off, char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = cli_pattern(off + i);
}

/* Checks received bytes at offset off against the expectation. Returns 0, or -1 after printing where it differs. */
static int cli_verify(const struct cli *c, uint64_t off, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char want;

        if (off + i >= c->expect_len) {
            fprintf(stderr, "smoke_client: excess: bytes after the expected %llu\n", (unsigned long long)c->expect_len);
            return -1;
        }
        want = c->mode == CLI_REPEAT ? c->expect[off + i] : cli_pattern(off + i);
        if (buf[i] != want) {
            fprintf(stderr, "smoke_client: mismatch at offset %llu: expected 0x%02x, got 0x%02x\n",
                    (unsigned long long)(off + i), (unsigned char)want, (unsigned char)buf[i]);
            return -1;
        }
    }
    return 0;
}

/* Builds the request and expected reply for the mode. Returns 0 or -1. */
static int cli_prepare(struct cli *c)
{
    char line[64];

    switch (c->mode) {
    case CLI_MANY:
        return 0;
    case CLI_JUNK:
        c->req = malloc(c->bytes ? c->bytes : 1);
        memset(c->req, 'x', c->bytes);
        c->req_len = c->bytes;
        return 0;
    case CLI_ECHO:
    case CLI_PUSH:
        c->expect_len = c->mode == CLI_ECHO ? c->bytes : 0;
        return 0;
    case CLI_STREAM:
        c->req = malloc(32);
        c->req_len = (size_t)snprintf(c->req, 32, "%llu\n", (unsigned long long)c->bytes);
        c->expect_len = c->bytes;
        return 0;
    case CLI_REPEAT:
        c->req = strdup("1234567890\n");
        c->req_len = 11;
        c->expect = malloc((size_t)c->repeat * 24);
        for (unsigned i = 0; i < c->repeat; i++) {
            int n = snprintf(line, sizeof(line), "%u:1234567890\r\n", i);
            memcpy(c->expect + c->expect_len, line, (size_t)n);
            c->expect_len += (uint64_t)n;
        }
        return 0;
    }
    return -1;
}

static int cli_connect(const struct cli *c)
{
    struct sockaddr_in sa = {0};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    /* Before connect(), so the window scale is chosen for the small buffer. */
    if (c->rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &c->rcvbuf, sizeof(c->rcvbuf));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)c->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Sends what the socket takes of the request. Returns 0 or -1. */
static int cli_send_some(const struct cli *c, int fd, uint64_t *sent, uint64_t total)
{
    char buf[65536];

    while (*sent < total) {
        size_t n = total - *sent < sizeof(buf) ? (size_t)(total - *sent) : sizeof(buf);
        ssize_t w;

        if (c->req)
            memcpy(buf, c->req + *sent, n);
        else
            cli_fill(*sent, buf, n);
        w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (w < 0) {
            perror("smoke_client: send");
            return -1;
        }
        *sent += (uint64_t)w;
    }
    return 0;
}

/* Sends and reads concurrently until EOF. Returns 0 if the reply was exact, -1 otherwise. */
static int cli_exchange(const struct cli *c, int fd)
{
    uint64_t total = c->req ? c->req_len : c->bytes, sent = 0, got = 0;
    double deadline = cli_now() + c->timeout;
    char *buf = malloc(c->chunk);
    int shut = 0, rc = -1;

    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0)};
        ssize_t n;

        if (cli_now() > deadline) {
            fprintf(stderr, "smoke_client: stall: deadline of %.0f s passed with %llu/%llu bytes sent, %llu/%llu received\n",
                    c->timeout, (unsigned long long)sent, (unsigned long long)total,
                    (unsigned long long)got, (unsigned long long)c->expect_len);
            goto out;
        }
        if (poll(&p, 1, 200) < 0 && errno != EINTR)
            goto out;
        if (cli_send_some(c, fd, &sent, total) < 0)
            goto out;
        if (sent == total && !shut) {
            shutdown(fd, SHUT_WR);  /* half-close: the server must still send the whole reply */
            shut = 1;
        }
        n = read(fd, buf, c->chunk);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            perror("smoke_client: read");
            goto out;
        }
        if (cli_verify(c, got, buf, (size_t)n) < 0)
            goto out;
        got += (uint64_t)n;
        if (c->delay_us)
            usleep(c->delay_us);
    }
    if (got != c->expect_len) {
        fprintf(stderr, "smoke_client: truncated: EOF after %llu of %llu bytes\n",
                (unsigned long long)got, (unsigned long long)c->expect_len);
        goto out;
    }
    printf("ok %llu bytes\n", (unsigned long long)got);
    rc = 0;
out:
    free(buf);
    return rc;
}

/* Pushes without reading until the volume is sent or 2 s pass without progress, then holds the connection. */
static int cli_push(const struct cli *c, int fd)
{
    uint64_t sent = 0, last = 0;
    double deadline = cli_now() + c->timeout, idle_since = cli_now();
    struct pollfd in = {.fd = 0, .events = POLLIN};
    char b;

    while (sent < c->bytes && cli_now() - idle_since < 2.0 && cli_now() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};

        poll(&p, 1, 100);
        if (cli_send_some(c, fd, &sent, c->bytes) < 0)
            return -1;
        if (sent != last) {
            last = sent;
            idle_since = cli_now();
        }
    }
    printf("pushed %llu\n", (unsigned long long)sent);
    fflush(stdout);
    /* Hold the connection open until the parent closes our stdin or the deadline. */
    while (cli_now() < deadline) {
        if (poll(&in, 1, 200) > 0 && read(0, &b, 1) <= 0)
            break;
    }
    return 0;
}

/* Echoes one byte on each of fds[0..n) at once; counts served, refused (EOF/reset) and hung (5 s) connections. */
static void cli_probe(const int *fds, int n, int *served, int *refused, int *hung)
{
    struct pollfd *p = calloc((size_t)n, sizeof(*p));
    double deadline = cli_now() + 5.0;
    int left = n;
    char b;

    *served = *refused = 0;
    for (int i = 0; i < n; i++) {
        p[i].fd = fds[i];
        p[i].events = POLLIN;
        if (send(fds[i], "x", 1, MSG_NOSIGNAL) != 1) {
            p[i].fd = -1;
            (*refused)++;
            left--;
        }
    }
    while (left > 0 && cli_now() < deadline) {
        if (poll(p, (nfds_t)n, 200) <= 0)
            continue;
        for (int i = 0; i < n; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            if (read(p[i].fd, &b, 1) == 1 && b == 'x')
                (*served)++;
            else
                (*refused)++;
            p[i].fd = -1;
            left--;
        }
    }
    *hung = left;
    free(p);
}

/* Sends an oversized line and expects the server to close the connection (EOF or reset) with nothing sent. */
static int cli_junk(const struct cli *c, int fd)
{
    uint64_t sent = 0;
    double deadline = cli_now() + c->timeout;
    char b;

    while (cli_now() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN | (sent < c->req_len ? POLLOUT : 0)};
        ssize_t n;

        poll(&p, 1, 200);
        if (cli_send_some(c, fd, &sent, c->req_len) < 0)
            break;  /* EPIPE or reset: closed */
        n = read(fd, &b, 1);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            break;
        if (n > 0) {
            fprintf(stderr, "smoke_client: junk: the server replied instead of closing\n");
            return -1;
        }
    }
    if (cli_now() >= deadline) {
        fprintf(stderr, "smoke_client: junk: still open after %.0f s and %llu bytes\n", c->timeout,
                (unsigned long long)sent);
        return -1;
    }
    printf("junk: closed by the server after %llu bytes sent\n", (unsigned long long)sent);
    return 0;
}

/* Opens many connections at once (e.g. beyond the server's fd limit): none may hang, and service must resume. */
static int cli_many(const struct cli *c)
{
    int *fds = calloc((size_t)c->conns, sizeof(int));
    int served, refused, hung, fd, ok;

    for (int i = 0; i < c->conns; i++) {
        fds[i] = cli_connect(c);
        if (fds[i] < 0) {
            perror("smoke_client: connect");
            return -1;
        }
    }
    cli_probe(fds, c->conns, &served, &refused, &hung);
    printf("many: %d connections: %d served, %d refused, %d hung\n", c->conns, served, refused, hung);
    for (int i = 0; i < c->conns; i++)
        close(fds[i]);
    free(fds);
    usleep(200000);
    fd = cli_connect(c);
    if (fd < 0)
        return -1;
    cli_probe(&fd, 1, &ok, &refused, &refused);
    close(fd);
    printf("many: after closing them, a new connection was %s\n", ok ? "served" : "NOT served");
    return hung == 0 && served > 0 && ok ? 0 : -1;
}

static int cli_parse(int argc, char **argv, struct cli *c)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'}, {"mode", required_argument, NULL, 'm'},
        {"bytes", required_argument, NULL, 'b'}, {"repeat", required_argument, NULL, 'n'},
        {"rcvbuf", required_argument, NULL, 'r'}, {"read-chunk", required_argument, NULL, 'c'},
        {"read-delay-us", required_argument, NULL, 'd'}, {"timeout", required_argument, NULL, 't'},
        {"conns", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int o;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'p': c->port = atoi(optarg); break;
        case 'b': c->bytes = strtoull(optarg, NULL, 10); break;
        case 'k': c->conns = atoi(optarg); break;
        case 'n': c->repeat = (unsigned)atoi(optarg); break;
        case 'r': c->rcvbuf = atoi(optarg); break;
        case 'c': c->chunk = (size_t)atol(optarg); break;
        case 'd': c->delay_us = (unsigned)atoi(optarg); break;
        case 't': c->timeout = atof(optarg); break;
        case 'h': fputs(cli_usage, stdout); exit(0);
        case 'm':
            if (strcmp(optarg, "echo") == 0) c->mode = CLI_ECHO;
            else if (strcmp(optarg, "stream") == 0) c->mode = CLI_STREAM;
            else if (strcmp(optarg, "repeat") == 0) c->mode = CLI_REPEAT;
            else if (strcmp(optarg, "push") == 0) c->mode = CLI_PUSH;
            else if (strcmp(optarg, "many") == 0) c->mode = CLI_MANY;
            else if (strcmp(optarg, "junk") == 0) c->mode = CLI_JUNK;
            else { fprintf(stderr, "smoke_client: bad --mode '%s'\n", optarg); return -1; }
            break;
        default: return -1;
        }
    }
    if (c->port <= 0 || c->port > 65535 || c->chunk == 0 || c->repeat == 0 || c->timeout <= 0 || c->conns <= 0) {
        fprintf(stderr, "smoke_client: need --port 1..65535 and positive --read-chunk, --repeat, --timeout, --conns\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct cli c = {.mode = CLI_ECHO, .bytes = 8 << 20, .repeat = 20000, .chunk = 4096, .timeout = 120,
                  .conns = 64};
    int fd, rc;

    if (cli_parse(argc, argv, &c) < 0)
        return 2;
    if (cli_prepare(&c) < 0)
        return 2;
    if (c.mode == CLI_MANY)
        return cli_many(&c) < 0 ? 1 : 0;
    fd = cli_connect(&c);
    if (fd < 0) {
        perror("smoke_client: connect");
        return 1;
    }
    if (c.mode == CLI_PUSH)
        rc = cli_push(&c, fd);
    else if (c.mode == CLI_JUNK)
        rc = cli_junk(&c, fd);
    else
        rc = cli_exchange(&c, fd);
    close(fd);
    free(c.req);
    free(c.expect);
    return rc < 0 ? 1 : 0;
}
