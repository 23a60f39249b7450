/* echo_bench.c: loopback echo (or download) throughput over N connections, or N idle connections held open for memory measurements. */
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
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char bench_usage[] =
    "Usage: echo_bench --port PORT [OPTION]...\n"
    "  --conns N      connections (default 1)\n"
    "  --bytes V      bytes each connection sends and reads back (default 268435456)\n"
    "  --idle         open --conns idle connections, print 'idle N', hold them until stdin closes\n"
    "  --stream       download instead: send 'V\\n' (edgecase-server --proto stream) and read V bytes\n"
    "  --http PATH    download instead: send 'GET PATH HTTP/1.0' and read until V bytes or EOF\n"
    "  --timeout S    give up after S seconds (default 300)\n"
    "Prints one line: conns, bytes echoed, seconds, MB/s (10^6 bytes of echo received per second).\n";

struct bench_conn {
    int fd;
    uint64_t sent, got;
};

/* Download modes: the one request each connection sends; empty (length 0) for echo. */
static char bench_req[512];
static size_t bench_req_len;

static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_connect(int port)
{
    struct sockaddr_in sa = {0};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Moves data for one ready connection. Returns 1 when its echo is complete, 0 to go on, -1 on error. */
static int bench_io(int ep, struct bench_conn *c, uint64_t bytes, uint32_t events)
{
    static char out[65536], in[65536];

    uint64_t to_send = bench_req_len ? bench_req_len : bytes;

    if ((events & EPOLLOUT) && c->sent < to_send) {
        size_t n = to_send - c->sent < sizeof(out) ? (size_t)(to_send - c->sent) : sizeof(out);
        ssize_t w = send(c->fd, bench_req_len ? bench_req + c->sent : out, n, MSG_NOSIGNAL);

        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        if (w > 0)
            c->sent += (uint64_t)w;
        if (c->sent == to_send) {
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t r = read(c->fd, in, sizeof(in));

        if (r == 0 && bench_req_len)
            return 1;   /* an HTTP/1.0 reply ends with the server's close */
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            return -1;
        if (r > 0)
            c->got += (uint64_t)r;
    }
    return c->got >= bytes;
}

/* Runs the echo transfer on all connections. Returns 0 or -1. */
static int bench_run(struct bench_conn *cs, int n, uint64_t bytes, double timeout)
{
    int ep = epoll_create1(EPOLL_CLOEXEC), left = n;
    struct epoll_event evs[256];
    double deadline = bench_now() + timeout;

    for (int i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    while (left > 0 && bench_now() < deadline) {
        int k = epoll_wait(ep, evs, 256, 1000);

        for (int i = 0; i < k; i++) {
            struct bench_conn *c = evs[i].data.ptr;
            int r = bench_io(ep, c, bytes, evs[i].events);

            if (r < 0) {
                fprintf(stderr, "echo_bench: connection lost after %llu bytes back\n", (unsigned long long)c->got);
                close(ep);
                return -1;
            }
            if (r > 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                left--;
            }
        }
    }
    close(ep);
    if (left > 0)
        fprintf(stderr, "echo_bench: timeout with %d connections unfinished\n", left);
    return left > 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'}, {"conns", required_argument, NULL, 'c'},
        {"bytes", required_argument, NULL, 'b'}, {"idle", no_argument, NULL, 'i'},
        {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {"stream", no_argument, NULL, 's'}, {"http", required_argument, NULL, 'g'},
        {NULL, 0, NULL, 0},
    };
    int port = 0, n = 1, idle = 0, o, rc = 0, stream = 0;
    const char *http = NULL;
    uint64_t total = 0;
    uint64_t bytes = 256ULL << 20;
    double timeout = 300, t0, dt;
    struct bench_conn *cs;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'p': port = atoi(optarg); break;
        case 'c': n = atoi(optarg); break;
        case 'b': bytes = strtoull(optarg, NULL, 10); break;
        case 'i': idle = 1; break;
        case 't': timeout = atof(optarg); break;
        case 'h': fputs(bench_usage, stdout); return 0;
        case 's': stream = 1; break;
        case 'g': http = optarg; break;
        default: return 2;
        }
    }
    if (port <= 0 || port > 65535 || n <= 0 || bytes == 0) {
        fprintf(stderr, "echo_bench: need --port 1..65535, --conns > 0 and --bytes > 0\n");
        return 2;
    }
    if (stream)
        bench_req_len = (size_t)snprintf(bench_req, sizeof(bench_req), "%llu\n", (unsigned long long)bytes);
    if (http)
        bench_req_len = (size_t)snprintf(bench_req, sizeof(bench_req), "GET %.400s HTTP/1.0\r\n\r\n", http);
    cs = calloc((size_t)n, sizeof(*cs));
    for (int i = 0; i < n; i++) {
        cs[i].fd = bench_connect(port);
        if (cs[i].fd < 0) {
            fprintf(stderr, "echo_bench: connection %d: %s\n", i, strerror(errno));
            return 1;
        }
    }
    if (idle) {
        struct pollfd in = {.fd = 0, .events = POLLIN};
        char b;

        printf("idle %d\n", n);
        fflush(stdout);
        while (poll(&in, 1, (int)(timeout * 1000)) > 0 && read(0, &b, 1) > 0)
            ;
    } else {
        t0 = bench_now();
        rc = bench_run(cs, n, bytes, timeout);
        dt = bench_now() - t0;
        for (int i = 0; i < n; i++)
            total += cs[i].got;
        printf("conns %d bytes_echoed %llu seconds %.3f MB/s %.1f\n", n, (unsigned long long)total, dt,
               (double)total / dt / 1e6);
    }
    for (int i = 0; i < n; i++)
        close(cs[i].fd);
    free(cs);
    return rc < 0 ? 1 : 0;
}
