/* netns.c: two network namespaces joined by a veth pair, so a case can cross a real 1500-byte-MTU link. */
#include "harness/netns/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness/util/clock.h"

#define NETNS_DIR "/run/netns"
#define NETNS_CMD_TIMEOUT_MS 10000

/* Waits for pid at most timeout_ms, killing it past that. Returns its exit
 * status (128 + signal when killed), or -1. */
static int nn__wait(pid_t pid, int timeout_ms)
{
    double deadline = ec_now_ms() + timeout_ms;
    int st;

    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0 && errno != EINTR)
            return -1;
        if (ec_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return 128 + SIGKILL;
        }
        usleep(5000);
    }
}

/* Runs argv (ip, tc) with its output collected, bounded in time. Returns 0,
 * or -1 with err holding the command and what it said. */
static int nn__run(char *const argv[], char *err, size_t errlen)
{
    char out[512] = "";
    size_t got = 0;
    int pfd[2], rc;
    pid_t pid;

    if (pipe2(pfd, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s", argv[0], strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    if (pid < 0) {
        close(pfd[0]);
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    for (struct pollfd p = {.fd = pfd[0], .events = POLLIN};
         poll(&p, 1, NETNS_CMD_TIMEOUT_MS) > 0 && got < sizeof out - 1;) {
        ssize_t n = read(pfd[0], out + got, sizeof out - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(pfd[0]);
    out[got] = '\0';
    out[strcspn(out, "\n")] = '\0';
    rc = nn__wait(pid, NETNS_CMD_TIMEOUT_MS);
    if (rc == 0)
        return 0;
    snprintf(err, errlen, "%s %s %s: exit %d: %s", argv[0], argv[1], argv[2] ? argv[2] : "", rc,
             out);
    return -1;
}

#define RUN(...)                                                   \
    do {                                                           \
        char *const av_[] = {__VA_ARGS__, NULL};                   \
        if (nn__run(av_, err, errlen) < 0)                          \
            goto fail;                                             \
    } while (0)

/* Configures one side: address, MTU, links up, optional shaping. */
static int nn__side(struct netns_pair *p, int s, const char *rate, char *err, size_t errlen)
{
    char cidr[24];

    snprintf(cidr, sizeof cidr, "%s/24", p->addr[s]);
    RUN("ip", "-n", p->ns[s], "addr", "add", cidr, "dev", p->dev[s]);
    /* One MSS per skb: veth would otherwise carry 64 KiB GSO packets whole
     * (and tbf lets through any up to its burst), unlike a real 1500-byte link. */
    RUN("ip", "-n", p->ns[s], "link", "set", p->dev[s], "mtu", "1500", "gso_max_segs", "1", "up");
    RUN("ip", "-n", p->ns[s], "link", "set", "lo", "up");
    if (rate)
        RUN("ip", "netns", "exec", p->ns[s], "tc", "qdisc", "add", "dev", p->dev[s], "root",
            "tbf", "rate", (char *)rate, "burst", "32kbit", "latency", "400ms");
    return 0;
fail:
    return -1;
}

int netns_create(struct netns_pair *p, int rate_kbit, int *denied, char *err, size_t errlen)
{
    static unsigned seq;
    char rate[32];
    unsigned n = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);

    memset(p, 0, sizeof *p);
    p->reap_fd = -1;
    *denied = 0;
    for (int s = 0; s < 2; s++) {
        snprintf(p->ns[s], sizeof p->ns[s], "ec-%d-%u-%c", (int)getpid(), n, "ab"[s]);
        snprintf(p->dev[s], sizeof p->dev[s], "ec%x%c", (unsigned)getpid() * 16 + (n & 15),
                 "ab"[s]);
        snprintf(p->addr[s], sizeof p->addr[s], "10.200.0.%d", s + 1);
    }
    /* Before the first name exists: a harness killed from here on leaves nothing. */
    p->reap_fd = netns__reap_start(p, &p->reaper);
    for (int s = 0; s < 2; s++) {
        RUN("ip", "netns", "add", p->ns[s]);
        p->made[s] = 1;
    }
    RUN("ip", "link", "add", p->dev[0], "netns", p->ns[0], "type", "veth", "peer", "name",
        p->dev[1], "netns", p->ns[1]);
    snprintf(rate, sizeof rate, "%dkbit", rate_kbit);
    for (int s = 0; s < 2; s++)
        if (nn__side(p, s, rate_kbit > 0 ? rate : NULL, err, errlen) < 0)
            goto fail;
    return 0;
fail:
    if (strstr(err, "not permitted") || strstr(err, "Permission denied"))
        *denied = 1;
    netns_destroy(p);
    return -1;
}

void netns_destroy(struct netns_pair *p)
{
    char err[256];

    for (int s = 0; s < 2; s++) {
        char *const av[] = {"ip", "netns", "del", p->ns[s], NULL};
        if (p->made[s])
            nn__run(av, err, sizeof err);  /* nothing more to do if it fails */
        p->made[s] = 0;
    }
    if (p->reap_fd >= 0 && p->reaper > 0) {
        close(p->reap_fd);    /* the watcher finds nothing left to delete and exits */
        p->reap_fd = -1;
        nn__wait(p->reaper, 2000);
    }
}

int netns_enter(const struct netns_pair *p, int side, char *err, size_t errlen)
{
    char path[64];
    int fd;

    snprintf(path, sizeof path, NETNS_DIR "/%s", p->ns[side]);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
        snprintf(err, errlen, "setns %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

pid_t netns_spawn(const struct netns_pair *p, int side, int (*fn)(void *), void *arg,
                  char *err, size_t errlen)
{
    pid_t pid = fork();

    if (pid == 0) {
        char e[256];
        if (netns_enter(p, side, e, sizeof e) < 0) {
            fprintf(stderr, "netns_spawn: %s\n", e);
            _exit(126);
        }
        _exit(fn(arg));
    }
    if (pid < 0)
        snprintf(err, errlen, "fork: %s", strerror(errno));
    return pid;
}

static int nn__exec_fn(void *arg)
{
    char *const *argv = arg;

    execvp(argv[0], argv);
    fprintf(stderr, "netns_exec %s: %s\n", argv[0], strerror(errno));
    return 127;
}

pid_t netns_exec(const struct netns_pair *p, int side, char *const argv[], char *err,
                 size_t errlen)
{
    return netns_spawn(p, side, nn__exec_fn, (void *)argv, err, errlen);
}

int netns_sweep(void)
{
    DIR *d = opendir(NETNS_DIR);
    struct dirent *e;
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        int pid;
        char err[256];
        if (sscanf(e->d_name, "ec-%d-", &pid) != 1 || (kill(pid, 0) == 0 || errno != ESRCH))
            continue;
        char *const av[] = {"ip", "netns", "del", e->d_name, NULL};
        n += nn__run(av, err, sizeof err) == 0;
    }
    closedir(d);
    return n;
}
