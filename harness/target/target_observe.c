/* target_observe.c: look at a running target from outside: /proc samples, freeze/resume, counters, ports. */
#include "harness/target/target.h"
#include "harness/target/target_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness/util/clock.h"

/* Reads /proc/<pid>[/task/<tid>]/stat and returns the text after the
 * command name's closing ')' (field 3 onwards) in buf. Returns 0 or -1. */
static int target__stat_fields(const char *statpath, char *buf, size_t buflen)
{
    char raw[1024];
    ssize_t n;
    int fd = open(statpath, O_RDONLY | O_CLOEXEC);

    if (fd == -1)
        return -1;
    n = read(fd, raw, sizeof(raw) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    raw[n] = '\0';
    char *rp = strrchr(raw, ')');  /* the name may itself contain ") " */
    if (!rp || rp[1] != ' ')
        return -1;
    snprintf(buf, buflen, "%s", rp + 2);
    return 0;
}

int target_sample(const struct target *t, struct target_sample *s)
{
    char path[64], f[1024], line[256];
    unsigned long long utime = 0, stime = 0;
    FILE *fp;

    memset(s, 0, sizeof(*s));
    if (t->pid <= 0 || t->exited)
        return -1;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)t->pid);
    /* After ')' come state(3) ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime(14) stime(15); both already cover every thread. */
    if (target__stat_fields(path, f, sizeof(f)) == -1 ||
        sscanf(f, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    s->cpu_s = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    snprintf(path, sizeof(path), "/proc/%d/status", (int)t->pid);
    if (!(fp = fopen(path, "re")))
        return -1;
    while (fgets(line, sizeof(line), fp)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            s->rss_kb = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            s->hwm_kb = strtol(line + 6, NULL, 10);
    }
    fclose(fp);
    return 0;
}

/* Counts the threads of process pid that are not yet stopped (or dead).
 * Returns the count, or 0 if the process is gone. */
static int target__running_threads(const char *pid)
{
    char path[600], f[1024];
    struct dirent *de;
    int running = 0;
    DIR *d;

    snprintf(path, sizeof(path), "/proc/%s/task", pid);
    if (!(d = opendir(path)))
        return 0;
    while ((de = readdir(d))) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        snprintf(path, sizeof(path), "/proc/%s/task/%s/stat", pid, de->d_name);
        if (target__stat_fields(path, f, sizeof(f)) == 0 && !strchr("TtZX", f[0]))
            running++;
    }
    closedir(d);
    return running;
}

/* Counts threads not yet stopped in every process whose group is pgid
 * (the leader and anything it forked). Returns the count or -1. */
static int target__group_running(pid_t pgid)
{
    char path[600], f[1024];
    struct dirent *de;
    int running = 0, pgrp;
    DIR *d = opendir("/proc");

    if (!d)
        return -1;
    while ((de = readdir(d))) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        if (target__stat_fields(path, f, sizeof(f)) == 0 && sscanf(f, "%*c %*d %d", &pgrp) == 1 &&
            pgrp == (int)pgid)
            running += target__running_threads(de->d_name);
    }
    closedir(d);
    return running;
}

int target_freeze(struct target *t, int timeout_ms, char *err, size_t errlen)
{
    double deadline = (ec_now_ms() / 1e3) + timeout_ms / 1000.0;
    int running = -1;

    if (!target_alive(t)) {
        snprintf(err, errlen, "cannot freeze: target already ended");
        return -1;
    }
    if (killpg(t->pid, SIGSTOP) == -1) {
        snprintf(err, errlen, "killpg(%d, SIGSTOP): %s", (int)t->pid, strerror(errno));
        return -1;
    }
    for (;;) {
        running = target__group_running(t->pid);
        if (running == 0)
            return 0;
        if ((ec_now_ms() / 1e3) >= deadline)
            break;
        target__sleep_ms(2);
    }
    snprintf(err, errlen, "target group %d not stopped within %d ms (%d threads still running)",
             (int)t->pid, timeout_ms, running);
    return -1;
}

int target_resume(struct target *t)
{
    if (t->pid <= 0 || t->exited)
        return -1;
    return killpg(t->pid, SIGCONT);
}

/* Looks through text for complete lines starting with '{' and copies the
 * last one into buf. Returns 1 if one was found. */
static int target__last_json(const char *text, char *buf, size_t buflen)
{
    const char *line = text, *nl;
    int found = 0;

    while ((nl = strchr(line, '\n'))) {
        if (line[0] == '{') {
            snprintf(buf, buflen, "%.*s", (int)(nl - line), line);
            found = 1;
        }
        line = nl + 1;
    }
    return found;
}

/* Returns 1 once the target's main thread blocks SIGUSR1 (signalfd) or the
 * process catches it, 0 if it still would die of it, -1 if it ignores it or
 * /proc cannot tell. Sending before that point would kill a target that is
 * listening but has not set up its signals yet, or one without counters. */
static int target__usr1_ready(pid_t pid)
{
    unsigned long long blk = 0, cgt = 0, ign = 0, bit = 1ULL << (SIGUSR1 - 1);
    char path[64], line[256];
    FILE *fp;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if (!(fp = fopen(path, "re")))
        return -1;
    while (fgets(line, sizeof(line), fp)) {
        sscanf(line, "SigBlk: %llx", &blk);
        sscanf(line, "SigIgn: %llx", &ign);
        sscanf(line, "SigCgt: %llx", &cgt);
    }
    fclose(fp);
    if (ign & bit)
        return -1;
    return (blk | cgt) & bit ? 1 : 0;
}

int target_counters(struct target *t, int timeout_ms, char *buf, size_t buflen)
{
    double deadline = (ec_now_ms() / 1e3) + timeout_ms / 1000.0;
    struct stat st;
    off_t from;
    int fd, rc = -1;
    char *text = NULL;

    if (buflen)
        buf[0] = '\0';
    if (!target_alive(t) || (fd = open(t->out_path, O_RDONLY | O_CLOEXEC)) == -1)
        return -1;
    for (int r; (r = target__usr1_ready(t->pid)) != 1;)
        if (r == -1 || (ec_now_ms() / 1e3) >= deadline)
            goto out;
        else
            target__sleep_ms(5);
    from = fstat(fd, &st) == 0 ? st.st_size : 0;
    /* Only the leader: other members of a shell target's group would die of SIGUSR1. */
    if (kill(t->pid, SIGUSR1) == -1)
        goto out;
    do {
        target__sleep_ms(5);
        if (fstat(fd, &st) == -1 || st.st_size <= from)
            continue;
        size_t len = (size_t)(st.st_size - from);
        char *grown = realloc(text, len + 1);
        ssize_t n;

        if (!grown)
            goto out;
        text = grown;
        n = pread(fd, text, len, from);
        if (n <= 0)
            continue;
        text[n] = '\0';
        if (target__last_json(text, buf, buflen)) {
            rc = 0;
            break;
        }
    } while ((ec_now_ms() / 1e3) < deadline && target_alive(t));
out:
    free(text);
    close(fd);
    return rc;
}

long long target_counter_get(const char *json, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = json;

    while ((p = strchr(p, '"'))) {
        const char *q = p + 1;

        if (strncmp(q, name, nlen) == 0 && q[nlen] == '"') {
            q += nlen + 1;
            while (*q == ' ')
                q++;
            if (*q == ':') {
                char *end;
                long long v;

                q++;
                errno = 0;
                v = strtoll(q, &end, 10);
                return end == q || errno ? -1 : v;
            }
        }
        /* Skip the whole string so a value equal to name is not taken for a key. */
        for (q = p + 1; *q && *q != '"'; q++)
            if (*q == '\\' && q[1])
                q++;
        if (!*q)
            break;
        p = q + 1;
    }
    return -1;
}

int target_free_port(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

    if (fd == -1)
        return -1;
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
        port = ntohs(sin.sin_port);
    close(fd);
    return port;
}

int target_port_open(int port)
{
    return target_host_open("127.0.0.1", port);
}

int target_host_open(const char *host, int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct pollfd pfd = {.events = POLLOUT};
    int soerr = 0, ok = 0;
    socklen_t slen = sizeof(soerr);

    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
        return 0;
    if ((pfd.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
        return 0;
    /* A full accept backlog leaves the SYN unanswered: bounded wait, not a hang. */
    if (connect(pfd.fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
        ok = 1;
    else if (errno == EINPROGRESS && poll(&pfd, 1, 200) == 1 &&
             getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) == 0 && soerr == 0)
        ok = 1;
    close(pfd.fd);  /* the probe is an accepted connection for the target: gone at once */
    return ok;
}
