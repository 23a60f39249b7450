/* fuzz_job.c: runs one scenario in a child process through run_case, as `edgecase run` does, and stops it on demand. */
#include "harness/fuzz/fuzz_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/util/clock.h"

/* The handlers cli/ installed (the target guard), which a child needs back: the parent's own only set a flag. */
static struct sigaction fj_guard[2];
static const int fj_sigs[2] = { SIGINT, SIGTERM };
static volatile sig_atomic_t *fj_stop;

static void fj__flag(int sig)
{
    (void)sig;
    if (fj_stop)
        *fj_stop = 1;
}

void fuzz_job_signals(volatile sig_atomic_t *stop)
{
    struct sigaction sa;

    /* A runner killed mid-scenario leaves its killed target to us, not to init, to reap. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    fj_stop = stop;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fj__flag;   /* no SA_RESTART: a wait returns at once */
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 2; i++)
        sigaction(fj_sigs[i], &sa, &fj_guard[i]);
}

/* The child: its guard kills its target if it is signalled; the outcome goes up the pipe. */
static void fj__child(const struct run_conf *rc, const struct ec_case *c, const char *dir, int fd)
{
    struct case_outcome o;
    const char *p = (const char *)&o;
    size_t left = sizeof(o);
    ssize_t n;

    for (int i = 0; i < 2; i++)
        sigaction(fj_sigs[i], &fj_guard[i], NULL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    memset(&o, 0, sizeof(o));
    run_case(rc, c, dir, &o);
    while (left > 0 && ((n = write(fd, p, left)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0) {
            p += n;
            left -= (size_t)n;
        }
    _exit(0);
}

int fuzz_job_start(struct fuzz_job *j, const struct run_conf *rc, const struct ec_case *c, const char *dir)
{
    int p[2];

    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -1;
    if (pipe(p) < 0)
        return -1;
    fflush(NULL);
    if ((j->pid = fork()) < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (j->pid == 0) {
        close(p[0]);
        fj__child(rc, c, dir, p[1]);
    }
    close(p[1]);
    j->fd = p[0];
    j->got = 0;
    j->busy = 1;
    j->started_ms = ec_now_ms();
    /* The deadline plus target start, serve-after, counters and stop. */
    j->limit_ms = c->deadline_ms + 30000.0;
    if (&j->c != c)
        j->c = *c;
    snprintf(j->dir, sizeof(j->dir), "%s", dir);
    memset(&j->o, 0, sizeof(j->o));
    return 0;
}

/* Reaps the child; an outcome it never sent becomes an ERROR saying why. */
static void fj__reap(struct fuzz_job *j, int overdue)
{
    int st = 0;

    if (overdue)
        kill(j->pid, SIGTERM);
    while (waitpid(j->pid, &st, 0) < 0 && errno == EINTR)
        ;
    close(j->fd);
    j->busy = 0;
    if (j->got == sizeof(j->o))
        return;
    memset(&j->o, 0, sizeof(j->o));
    snprintf(j->o.name, sizeof(j->o.name), "%s", j->c.name);
    j->o.status = CASE_ERROR;
    snprintf(j->o.diag, sizeof(j->o.diag), "harness: scenario runner %s", overdue ? "overdue, killed"
             : WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "ended without a result");
}

/* Reads what the child sent; 1 once its end is closed. */
static int fj__read(struct fuzz_job *j)
{
    ssize_t n = read(j->fd, (char *)&j->o + j->got, sizeof(j->o) - j->got);

    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : 1;
    if (n == 0)
        return 1;
    j->got += (size_t)n;
    return 0;
}

int fuzz_job_wait(struct fuzz_job *jobs, int n, int timeout_ms)
{
    struct pollfd pfd[64];
    int idx[64], np = 0;

    for (int i = 0; i < n && np < 64; i++)
        if (jobs[i].busy) {
            pfd[np] = (struct pollfd){ .fd = jobs[i].fd, .events = POLLIN };
            idx[np++] = i;
        }
    if (np == 0)
        return -1;
    if (poll(pfd, (nfds_t)np, timeout_ms) < 0)
        return -1;
    for (int k = 0; k < np; k++) {
        struct fuzz_job *j = &jobs[idx[k]];
        int overdue = ec_now_ms() - j->started_ms > j->limit_ms;

        if (overdue || ((pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) && fj__read(j))) {
            fj__reap(j, overdue);
            return idx[k];
        }
    }
    return -1;
}

void fuzz_job_kill(struct fuzz_job *j)
{
    if (!j->busy)
        return;
    fj__reap(j, 1);
}

void fuzz_job_reap_orphans(void)
{
    double until = ec_now_ms() + 2000;
    pid_t p;

    /* Only killed targets are left: bounded, since a SIGKILLed group ends at once. */
    while ((p = waitpid(-1, NULL, WNOHANG)) >= 0 && ec_now_ms() < until)
        if (p == 0)
            usleep(10000);
}
