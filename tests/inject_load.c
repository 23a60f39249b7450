/* inject_load.c: a throughput client for bench/inject_bench.sh: stream or echo load on loopback, prints MB/s. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LOAD_MAX_CONNS 64

static const char load_usage[] =
    "usage: inject_load --port P [--bytes N] [--conns C] [--mode stream|echo] [--chunk B]\n"
    "       inject_load --mode calls [--bytes N]\n"
    "calls: accepts a loopback connection of its own and times N 64-byte write()s\n"
    "       and read()s on it (the injector's per-call cost when preloaded);\n"
    "       prints 'calls N ns_per_write W ns_per_read R'.\n"
    "stream: sends 'N/C\\n' on each of C connections (edgecase-server --proto stream)\n"
    "        and reads the reply; echo: sends N/C bytes in writes of B bytes and reads\n"
    "        them back. Prints 'bytes N seconds S MBps M'. Exits 1 on a short reply.\n";

struct load_conn {
    int fd;
    unsigned long long want, got, sent;
};

static double load_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        return -1;
    return fd;
}

/* Moves data on every connection until all replies are in or 120 s pass. */
static int load_run(struct load_conn *c, int n, int echo, size_t chunk)
{
    static char buf[1 << 20];
    struct pollfd pf[LOAD_MAX_CONNS];
    double end = load_now() + 120;
    int left = n;
    memset(buf, 'x', sizeof(buf));
    while (left > 0 && load_now() < end) {
        for (int i = 0; i < n; i++) {
            pf[i].fd = c[i].got < c[i].want ? c[i].fd : -1;
            pf[i].events = POLLIN | (echo && c[i].sent < c[i].want ? POLLOUT : 0);
        }
        if (poll(pf, (nfds_t)n, 1000) < 0 && errno != EINTR)
            return -1;
        for (int i = 0; i < n; i++) {
            if (echo && (pf[i].revents & POLLOUT)) {
                size_t k = c[i].want - c[i].sent < chunk ? c[i].want - c[i].sent : chunk;
                ssize_t w = send(c[i].fd, buf, k, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (w > 0)
                    c[i].sent += (unsigned long long)w;
            }
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = recv(c[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
            if (r > 0)
                c[i].got += (unsigned long long)r;
            if (r == 0 || c[i].got >= c[i].want) {
                left--;
                if (c[i].got < c[i].want)
                    return -1;
                c[i].want = c[i].got; /* done: stop polling it */
            }
        }
    }
    return left == 0 ? 0 : -1;
}

/* Times write()/read() pairs on an accepted socket, so preloaded they take
 * the injector's full connection path. Returns 0 or -1. */
static int load_calls(unsigned long long n)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &al) < 0)
        return -1;
    int c = load_connect(ntohs(a.sin_port));
    int s = accept(l, NULL, NULL);
    if (c < 0 || s < 0)
        return -1;
    char buf[64] = {0};
    double tw = 0, tr = 0;
    for (unsigned long long i = 0; i < n; i++) {
        double t0 = load_now();
        if (write(s, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
            return -1;
        double t1 = load_now();
        if (read(c, buf, sizeof(buf)) <= 0) /* c is not accepted: only s is a connection */
            return -1;
        tw += t1 - t0;
        if (read(s, buf, 0) < 0) /* a zero-byte read on the connection: the read path's cost */
            return -1;
        tr += load_now() - t1;
    }
    printf("calls %llu ns_per_write %.0f ns_per_read_pair %.0f\n", n, tw / (double)n * 1e9, tr / (double)n * 1e9);
    close(s);
    close(c);
    close(l);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'}, {"bytes", required_argument, NULL, 'b'},
        {"conns", required_argument, NULL, 'c'}, {"mode", required_argument, NULL, 'm'},
        {"chunk", required_argument, NULL, 'k'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int port = 0, conns = 1, echo = 0, calls = 0, o;
    unsigned long long bytes = 1ULL << 30;
    size_t chunk = 65536;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'p': port = atoi(optarg); break;
        case 'b': bytes = strtoull(optarg, NULL, 10); break;
        case 'c': conns = atoi(optarg); break;
        case 'k': chunk = (size_t)atol(optarg); break;
        case 'm':
            calls = strcmp(optarg, "calls") == 0;
            echo = strcmp(optarg, "echo") == 0;
            break;
        case 'h': fputs(load_usage, stdout); return 0;
        default: fprintf(stderr, "inject_load: bad option '%s'\n%s", argv[optind - 1], load_usage); return 2;
        }
    }
    if (calls)
        return load_calls(bytes == 1ULL << 30 ? 200000 : bytes) < 0 ? 1 : 0;
    if (port <= 0 || conns < 1 || conns > LOAD_MAX_CONNS || chunk < 1 || chunk > (1 << 20) || bytes == 0) {
        fprintf(stderr, "inject_load: --port is required; --conns 1..64; --chunk 1..1048576\n");
        return 2;
    }
    struct load_conn c[LOAD_MAX_CONNS];
    double t0 = load_now();
    for (int i = 0; i < conns; i++) {
        c[i] = (struct load_conn){.fd = load_connect(port), .want = bytes / (unsigned long long)conns};
        char req[64];
        int n = snprintf(req, sizeof(req), "%llu\n", c[i].want);
        if (c[i].fd < 0 || (!echo && send(c[i].fd, req, (size_t)n, MSG_NOSIGNAL) != n)) {
            perror("inject_load: connect");
            return 1;
        }
    }
    int rc = load_run(c, conns, echo, chunk);
    double s = load_now() - t0;
    unsigned long long got = 0;
    for (int i = 0; i < conns; i++) {
        got += c[i].got;
        close(c[i].fd);
    }
    printf("bytes %llu seconds %.3f MBps %.1f\n", got, s, (double)got / s / 1e6);
    return rc < 0 ? 1 : 0;
}
