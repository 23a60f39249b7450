/* inject_util.c: spawns preloaded targets and runs byte-checked echo transfers for tests/check_inject. */
#include "tests/inject_util.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double iu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *iu_path(const char *rel, char *buf, size_t len)
{
    const char *top = getenv("EC_TOP_BUILDDIR");
    snprintf(buf, len, "%s/%s", top && *top ? top : ".", rel);
    return buf;
}

int iu_tmpdir(char *buf, size_t len)
{
    const char *t = getenv("TMPDIR");
    snprintf(buf, len, "%s/ec-inject.XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(buf) ? 0 : -1;
}

/* Builds the child's environment: ours without any LD_PRELOAD/EDGECASE_*,
 * plus the three injector variables. Strings live in store. */
static char **iu_envp(const char *so, const char *spec, const char *trace, char store[4][1024])
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 5, sizeof(char *));
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 && strncmp(environ[i], "EDGECASE_", 9) != 0 &&
            strncmp(environ[i], "ASAN_OPTIONS=", 13) != 0)
            env[k++] = environ[i];
    if (so) {
        snprintf(store[0], sizeof(store[0]), "LD_PRELOAD=%s", so);
        env[k++] = store[0];
    }
    /* An ASan-built target would refuse a preload that comes before its runtime. */
    const char *asan = getenv("ASAN_OPTIONS");
    snprintf(store[3], sizeof(store[3]), "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
             asan ? asan : "", asan && *asan ? ":" : "");
    env[k++] = store[3];
    snprintf(store[1], sizeof(store[1]), "EDGECASE_INJECT=%s", spec ? spec : "");
    env[k++] = store[1];
    if (trace) {
        snprintf(store[2], sizeof(store[2]), "EDGECASE_TRACE=%s", trace);
        env[k++] = store[2];
    }
    return env;
}

int iu_start(struct iu_proc *p, const char *const argv[], const char *so, const char *spec,
             const char *trace, const char *dir, int want_port, char *err, size_t errlen)
{
    char store[4][1024], line[256];
    int pfd[2];
    memset(p, 0, sizeof(*p));
    p->pid = -1;
    p->out_fd = -1;
    snprintf(p->err_path, sizeof(p->err_path), "%s/target.err", dir);
    char **env = iu_envp(so, spec, trace, store);
    if (!env || pipe2(pfd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe/env: %s", strerror(errno));
        free(env);
        return -1;
    }
    p->pid = fork();
    if (p->pid == 0) {
        int efd = open(p->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (efd < 0 || dup2(pfd[1], 1) < 0 || dup2(efd, 2) < 0)
            _exit(99);
        close_range(3, ~0u, 0); /* the test runner's pipes are not the target's business */
        execve(argv[0], (char *const *)argv, env);
        _exit(127);
    }
    free(env);
    close(pfd[1]);
    p->out_fd = pfd[0];
    if (p->pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
    while (want_port && p->port == 0) {
        if (iu_line(p, 10000, line, sizeof(line)) < 0) {
            snprintf(err, errlen, "%s never printed its port (stderr in %s)", argv[0], p->err_path);
            return -1;
        }
        sscanf(line, "listening on 127.0.0.1:%d", &p->port);
    }
    return 0;
}

int iu_line(struct iu_proc *p, int timeout_ms, char *buf, size_t len)
{
    size_t n = 0;
    double end = iu_now() + timeout_ms / 1000.0;
    while (n + 1 < len) {
        char ch;
        ssize_t r = read(p->out_fd, &ch, 1);
        if (r == 1) {
            if (ch == '\n')
                break;
            buf[n++] = ch;
            continue;
        }
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            return -1;
        double left = end - iu_now();
        if (left <= 0)
            return -1;
        struct pollfd pf = {.fd = p->out_fd, .events = POLLIN};
        poll(&pf, 1, (int)(left * 1000) + 1);
    }
    buf[n] = '\0';
    return 0;
}

int iu_wait(struct iu_proc *p, int timeout_ms)
{
    double end = iu_now() + timeout_ms / 1000.0;
    while (!p->reaped) {
        pid_t r = waitpid(p->pid, &p->status, WNOHANG);
        if (r == p->pid) {
            p->reaped = 1;
            break;
        }
        if (r < 0 || iu_now() > end)
            return -1;
        usleep(10000);
    }
    return 0;
}

void iu_stop(struct iu_proc *p, int sig)
{
    if (p->pid > 0 && !p->reaped) {
        kill(p->pid, sig);
        if (iu_wait(p, 2000) < 0) {
            kill(p->pid, SIGKILL);
            iu_wait(p, 5000);
        }
    }
    if (p->out_fd >= 0)
        close(p->out_fd);
    p->out_fd = -1;
}

void iu_stderr(const struct iu_proc *p, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(p->err_path, "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static unsigned char iu_pat(size_t i)
{
    return (unsigned char)(((uint32_t)i * 2654435761u) >> 24) ^ (unsigned char)(i >> 11);
}

static int iu_connect(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0)
        return -1;
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* Checks n received bytes at offset off against the pattern. */
static void iu_check(struct iu_result *r, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n && !r->mismatch; i++)
        if (b[i] != iu_pat(r->received + i)) {
            r->mismatch = 1;
            r->first_bad = r->received + i;
        }
    r->received += n;
}

int iu_transfer(int port, const struct iu_xfer *x, struct iu_result *r)
{
    unsigned char sbuf[65536], rbuf[65536];
    size_t chunk = x->read_chunk > 0 && x->read_chunk <= (int)sizeof(rbuf) ? (size_t)x->read_chunk : 4096;
    int stall_ms = x->stall_ms > 0 ? x->stall_ms : 5000;
    memset(r, 0, sizeof(*r));
    int fd = iu_connect(port, x->rcvbuf);
    if (fd < 0)
        return -1;
    double t0 = iu_now(), last = t0;
    while (r->received < x->total && !r->eof && iu_now() - t0 < 60) {
        if (x->stop_after && r->received >= x->stop_after)
            break;
        struct pollfd pf = {.fd = fd, .events = POLLIN | (r->sent < x->total ? POLLOUT : 0)};
        poll(&pf, 1, 50);
        size_t before = r->sent + r->received;
        if (r->sent < x->total && (pf.revents & POLLOUT)) {
            size_t n = x->total - r->sent < sizeof(sbuf) ? x->total - r->sent : sizeof(sbuf);
            for (size_t i = 0; i < n; i++)
                sbuf[i] = iu_pat(r->sent + i);
            ssize_t w = send(fd, sbuf, n, MSG_NOSIGNAL);
            if (w > 0)
                r->sent += (size_t)w;
        }
        if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(fd, rbuf, chunk, 0);
            if (n > 0)
                iu_check(r, rbuf, (size_t)n);
            else if (n == 0 || (errno != EAGAIN && errno != EINTR))
                r->eof = 1;
            if (x->slow_us > 0)
                usleep((useconds_t)x->slow_us);
        }
        if (r->sent + r->received != before)
            last = iu_now();
        else if ((iu_now() - last) * 1000 > stall_ms) {
            r->stalled = 1;
            break;
        }
    }
    r->seconds = iu_now() - t0;
    close(fd);
    return 0;
}
