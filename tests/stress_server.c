/* stress_server.c: a hostile echo load against edgecase-server: many paced, pausing, half-closing and resetting clients, with server freezes. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char st_usage[] =
    "Usage: stress_server --port PORT [OPTION]...\n"
    "Runs --conns echo clients, --concurrency at a time, each with a random SO_RCVBUF, random\n"
    "write pacing and read pauses; some half-close early, some reset mid-reply (SO_LINGER 0),\n"
    "some reset in CLOSE_WAIT. Every client that does not reset must get its bytes back exactly,\n"
    "then EOF. With --server-pid the server is frozen (SIGSTOP/SIGCONT) now and then.\n"
    "  --conns N         clients in all (default 600)\n"
    "  --concurrency N   clients at a time (default 200)\n"
    "  --max-bytes N     largest volume of one client (default 1048576)\n"
    "  --seed N          random seed (default 1)\n"
    "  --server-pid PID  freeze this process every ~300 ms for ~50 ms\n"
    "  --timeout S       overall deadline (default 240); a 30 s stall of all progress also fails\n"
    "Exit 0 on success, 1 on a failure (printed), 2 on bad options, 99 on a setup error.\n";

enum st_kind { ST_NORMAL, ST_EARLY_SHUT, ST_RESET_MID, ST_RESET_CLOSE_WAIT };

struct st_client {
    int fd;                   /* -1: slot free */
    unsigned id;
    enum st_kind kind;
    uint64_t total, sent, recvd;
    uint64_t reset_at;        /* reset kinds: abort once this much came back */
    int shut;                 /* our write side is shut */
    double pause_until;       /* no reading before this time */
    double pace_until;        /* no writing before this time */
};

struct st {
    int port, conns, conc;
    uint64_t max_bytes;
    pid_t srv;
    double timeout, start, last_progress;
    unsigned started, finished, resets;
    uint64_t bytes;
    unsigned freezes;
    int frozen;               /* 1: SIGSTOP sent, 2: stopped, freeze timer running */
    double freeze_at, thaw_at;
};

static double st_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The byte at offset o of client id: depends on both, so a crossed or shifted byte shows. */
static unsigned char st_byte(unsigned id, uint64_t o)
{
    return (unsigned char)(id * 151u + (unsigned)o * 7u + (unsigned)(o >> 9) * 13u);
}

static double st_rand01(void) { return (double)rand() / ((double)RAND_MAX + 1.0); }

/* Opens client slot c: random volume, buffer and fate. Returns 0 or -1 (setup error). */
static int st_open(struct st *s, struct st_client *c)
{
    struct sockaddr_in sa = {0};
    int rcv = 2048 << (rand() % 6), r = rand() % 10;

    c->id = ++s->started;
    c->kind = r < 6 ? ST_NORMAL : r < 7 ? ST_EARLY_SHUT : r < 9 ? ST_RESET_MID : ST_RESET_CLOSE_WAIT;
    c->total = rand() % 4 == 0 ? (uint64_t)(rand() % 4096) + 1 : (uint64_t)(st_rand01() * (double)s->max_bytes) + 1;
    c->sent = c->recvd = 0;
    c->reset_at = (uint64_t)(st_rand01() * (double)c->total);
    c->shut = 0;
    c->pause_until = c->pace_until = 0;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    /* Before connect, so the window is small from the start. */
    setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)s->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* Blocking connect: loopback completes it in the kernel even while the server is frozen. */
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr, "stress: client %u: connect: %s\n", c->id, strerror(errno));
        return -1;
    }
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    return 0;
}

/* Ends client c; abort = SO_LINGER 0 (RST). */
static void st_close(struct st *s, struct st_client *c, int abort)
{
    if (abort) {
        struct linger lg = {1, 0};

        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        s->resets++;
    }
    close(c->fd);
    c->fd = -1;
    s->finished++;
}

/* Sends a random-sized piece. Returns 0, or -1 with a message on a failure. */
static int st_send(struct st *s, struct st_client *c, double now)
{
    unsigned char buf[16384];
    size_t n = (size_t)(rand() % (int)sizeof(buf)) + 1;
    ssize_t w;

    if (n > c->total - c->sent)
        n = (size_t)(c->total - c->sent);
    for (size_t i = 0; i < n; i++)
        buf[i] = st_byte(c->id, c->sent + i);
    w = send(c->fd, buf, n, MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (w < 0) {
        fprintf(stderr, "FAIL: client %u (kind %d): send after %llu bytes: %s\n", c->id, c->kind,
                (unsigned long long)c->sent, strerror(errno));
        return -1;
    }
    c->sent += (uint64_t)w;
    s->last_progress = now;
    if (rand() % 8 == 0)
        c->pace_until = now + st_rand01() * 0.02;
    /* Early half-close: the rest of our volume is simply never sent; the echo must match what was. */
    if (c->sent == c->total || (c->kind == ST_EARLY_SHUT && rand() % 4 == 0)) {
        c->total = c->sent;
        shutdown(c->fd, SHUT_WR);
        c->shut = 1;
    }
    return 0;
}

/* Reads and verifies. Returns 0, 1 if c finished, -1 with a message on a failure. */
static int st_recv(struct st *s, struct st_client *c, double now)
{
    unsigned char buf[8192];
    size_t want = (size_t)(rand() % (int)sizeof(buf)) + 1;
    ssize_t r = recv(c->fd, buf, want, 0);

    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (r < 0) {
        fprintf(stderr, "FAIL: client %u (kind %d): recv after %llu of %llu bytes: %s\n", c->id, c->kind,
                (unsigned long long)c->recvd, (unsigned long long)c->total, strerror(errno));
        return -1;
    }
    if (r == 0) {
        if (!c->shut || c->recvd != c->total) {
            fprintf(stderr, "FAIL: client %u (kind %d): EOF after %llu bytes, sent %llu of %llu, shut %d\n", c->id,
                    c->kind, (unsigned long long)c->recvd, (unsigned long long)c->sent,
                    (unsigned long long)c->total, c->shut);
            return -1;
        }
        st_close(s, c, 0);
        return 1;
    }
    for (ssize_t i = 0; i < r; i++) {
        if (c->recvd + (uint64_t)i >= c->sent || buf[i] != st_byte(c->id, c->recvd + (uint64_t)i)) {
            fprintf(stderr, "FAIL: client %u: byte %llu is 0x%02x, expected 0x%02x (sent %llu)\n", c->id,
                    (unsigned long long)(c->recvd + (uint64_t)i), buf[i], st_byte(c->id, c->recvd + (uint64_t)i),
                    (unsigned long long)c->sent);
            return -1;
        }
    }
    c->recvd += (uint64_t)r;
    s->bytes += (uint64_t)r;
    s->last_progress = now;
    if (rand() % 16 == 0)
        c->pause_until = now + st_rand01() * 0.2;
    if ((c->kind == ST_RESET_MID && c->recvd >= c->reset_at) ||
        (c->kind == ST_RESET_CLOSE_WAIT && c->shut && c->recvd >= c->reset_at)) {
        st_close(s, c, 1);
        return 1;
    }
    return 0;
}

/* Freezes and thaws the server: SIGSTOP, wait for state T, ~50 ms, SIGCONT. */
static void st_freeze(struct st *s, double now)
{
    char path[64], buf[512], *p;
    FILE *f;

    if (!s->srv)
        return;
    if (!s->frozen && now >= s->freeze_at) {
        kill(s->srv, SIGSTOP);
        s->frozen = 1;
        s->thaw_at = now + 2.0;  /* bound: thaw even if /proc never says T */
        return;
    }
    if (s->frozen == 1) {
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)s->srv);
        f = fopen(path, "r");
        if (f && fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] && p[2] == 'T') {
            s->frozen = 2;
            s->thaw_at = now + 0.02 + st_rand01() * 0.06;
        }
        if (f)
            fclose(f);
    }
    if (s->frozen && now >= s->thaw_at) {
        kill(s->srv, SIGCONT);
        s->frozen = 0;
        s->freezes++;
        s->freeze_at = now + 0.1 + st_rand01() * 0.4;
    }
}

/* Lists the unfinished clients (for a stall report). */
static void st_dump(const struct st_client *cl, int n)
{
    for (int i = 0; i < n; i++)
        if (cl[i].fd >= 0)
            fprintf(stderr, "  client %u kind %d: sent %llu of %llu, recvd %llu, shut %d\n", cl[i].id, cl[i].kind,
                    (unsigned long long)cl[i].sent, (unsigned long long)cl[i].total,
                    (unsigned long long)cl[i].recvd, cl[i].shut);
}

/* Services every live client once. Returns 0 or -1 on a failure. */
static int st_step(struct st *s, struct st_client *cl, struct pollfd *pf)
{
    double now = st_now();
    int n = 0;

    for (int i = 0; i < s->conc; i++) {
        struct st_client *c = &cl[i];

        pf[i].fd = -1;
        pf[i].events = 0;
        if (c->fd < 0)
            continue;
        if (c->pause_until <= now)
            pf[i].events |= POLLIN;
        if (!c->shut && c->pace_until <= now)
            pf[i].events |= POLLOUT;
        pf[i].fd = pf[i].events ? c->fd : -1;
        n++;
    }
    if (poll(pf, (nfds_t)s->conc, 5) < 0 && errno != EINTR)
        return -1;
    now = st_now();
    for (int i = 0; i < s->conc; i++) {
        struct st_client *c = &cl[i];

        if (pf[i].fd < 0 || !pf[i].revents)
            continue;
        if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) && (pf[i].events & POLLIN)) {
            int r = st_recv(s, c, now);

            if (r < 0)
                return -1;
            if (r > 0)
                continue;
        }
        if ((pf[i].revents & POLLOUT) && !c->shut && st_send(s, c, now) < 0)
            return -1;
    }
    return n;
}

static int st_run(struct st *s)
{
    struct st_client *cl = calloc((size_t)s->conc, sizeof(*cl));
    struct pollfd *pf = calloc((size_t)s->conc, sizeof(*pf));
    int rc = 1;

    if (!cl || !pf)
        goto out;
    for (int i = 0; i < s->conc; i++)
        cl[i].fd = -1;
    s->start = s->last_progress = s->freeze_at = st_now();
    while (s->finished < (unsigned)s->conns) {
        double now = st_now();

        for (int i = 0; i < s->conc && s->started < (unsigned)s->conns; i++)
            if (cl[i].fd < 0 && st_open(s, &cl[i]) < 0) {
                rc = 99;
                goto out;
            }
        st_freeze(s, now);
        if (st_step(s, cl, pf) < 0)
            goto out;
        if (now - s->start > s->timeout || (!s->frozen && now - s->last_progress > 30)) {
            fprintf(stderr, "FAIL: %s after %.1f s; %u of %d clients finished; unfinished:\n",
                    now - s->start > s->timeout ? "deadline" : "no progress for 30 s", now - s->start, s->finished,
                    s->conns);
            st_dump(cl, s->conc);
            goto out;
        }
    }
    printf("ok %u clients, %u resets, %llu bytes echoed, %u freezes, %.1f s\n", s->finished, s->resets,
           (unsigned long long)s->bytes, s->freezes, st_now() - s->start);
    rc = 0;
out:
    if (s->frozen)
        kill(s->srv, SIGCONT);
    if (cl)
        for (int i = 0; i < s->conc; i++)
            if (cl[i].fd >= 0)
                close(cl[i].fd);
    free(cl);
    free(pf);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'}, {"conns", required_argument, NULL, 'n'},
        {"concurrency", required_argument, NULL, 'c'}, {"max-bytes", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'}, {"server-pid", required_argument, NULL, 'k'},
        {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    struct st s = {.conns = 600, .conc = 200, .max_bytes = 1 << 20, .timeout = 240};
    unsigned seed = 1;
    int o;

    opterr = 0;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *a = optarg;

        switch (o) {
        case 'p': s.port = atoi(a); break;
        case 'n': s.conns = atoi(a); break;
        case 'c': s.conc = atoi(a); break;
        case 'b': s.max_bytes = strtoull(a, NULL, 10); break;
        case 's': seed = (unsigned)strtoul(a, NULL, 10); break;
        case 'k': s.srv = (pid_t)atoi(a); break;
        case 't': s.timeout = atof(a); break;
        case 'h': fputs(st_usage, stdout); return 0;
        default: fprintf(stderr, "stress_server: bad option '%s' (see --help)\n", argv[optind - 1]); return 2;
        }
    }
    if (s.port <= 0 || s.port > 65535 || s.conns < 1 || s.conc < 1 || s.max_bytes < 1 || s.timeout <= 0) {
        fprintf(stderr, "stress_server: --port is required; --conns, --concurrency, --max-bytes, --timeout > 0\n");
        return 2;
    }
    if (s.conc > s.conns)
        s.conc = s.conns;
    signal(SIGPIPE, SIG_IGN);
    srand(seed);
    return st_run(&s);
}
