/* run_pool.c: runs the selected cases, up to N at once, each in its own child process, and prints progress. */
#include "harness/cli/run_pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/run/run_int.h"
#include "harness/util/clock.h"

/* One case running in a child. */
struct pool_slot {
    const struct ec_case *c;
    pid_t pid;
    int fd;                   /* read end: the child writes its struct case_outcome */
    size_t got;
    double started_ms, limit_ms;
    struct case_outcome o;
};

/* The child: runs the case and sends the outcome up the pipe. Never returns. */
static void pool__child(const struct pool_conf *pc, const struct ec_case *c, int fd)
{
    struct case_outcome o;
    char dir[4096];
    const char *p = (const char *)&o;
    size_t left = sizeof(o);
    ssize_t n;

    /* The child dies with the harness; its own guard then takes its target along. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    memset(&o, 0, sizeof(o));
    if (report_case_dir(pc->report, c->name, dir, sizeof(dir)) < 0) {
        snprintf(o.name, sizeof(o.name), "%s", c->name);
        o.status = CASE_ERROR;
        snprintf(o.diag, sizeof(o.diag), "cannot create the case folder under %.1900s", pc->report->dir);
    } else {
        run_case(pc->rc, c, dir, &o);
    }
    while (left > 0) {
        n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    _exit(0);
}

static int pool__spawn(const struct pool_conf *pc, struct pool_slot *s, const struct ec_case *c)
{
    int p[2];

    if (pipe(p) < 0)
        return -1;
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (s->pid == 0) {
        close(p[0]);
        pool__child(pc, c, p[1]);
    }
    close(p[1]);
    s->c = c;
    s->fd = p[0];
    s->got = 0;
    s->started_ms = ec_now_ms();
    /* A generous bound on the whole child: a fixed port's wait, clients, serve-after, counters, stop. */
    s->limit_ms = (c->deadline_ms + 20000 + (pc->rc->fixed_port ? RUN_PORT_WAIT_MS : 0)) *
                  (pc->rc->timeout_scale > 0 ? pc->rc->timeout_scale : 1.0);
    memset(&s->o, 0, sizeof(s->o));
    return 0;
}

/* Reaps a finished (or overdue) child and fills in an outcome if it sent none. */
static void pool__reap(struct pool_slot *s, int overdue)
{
    int st = 0;

    if (overdue)
        kill(s->pid, SIGTERM);
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
        ;
    close(s->fd);
    if (s->got == sizeof(s->o))
        return;
    memset(&s->o, 0, sizeof(s->o));
    snprintf(s->o.name, sizeof(s->o.name), "%s", s->c->name);
    s->o.status = CASE_ERROR;
    s->o.duration_s = (ec_now_ms() - s->started_ms) / 1e3;
    if (overdue)
        snprintf(s->o.diag, sizeof(s->o.diag), "harness: case still running after %.0f s, killed",
                 s->limit_ms / 1e3);
    else if (WIFSIGNALED(st))
        snprintf(s->o.diag, sizeof(s->o.diag), "harness: case runner killed by %s", strsignal(WTERMSIG(st)));
    else
        snprintf(s->o.diag, sizeof(s->o.diag), "harness: case runner exited %d without a result",
                 WEXITSTATUS(st));
}

static void pool__print(const struct pool_conf *pc, const struct case_outcome *o)
{
    if (pc->tty)
        fputs("\r\033[K", stdout);
    static const char *const shout[] = { [CASE_PASS] = "PASS", [CASE_FAIL] = "FAIL", [CASE_SKIP] = "SKIP",
                                         [CASE_ERROR] = "ERROR" };

    printf("%-5s %-28s %6.2fs  %s\n", shout[o->status], o->name, o->duration_s, o->diag);
    if (pc->rc->verbose && o->details[0])
        printf("%s", o->details);
    fflush(stdout);
}

static void pool__progress(const struct pool_conf *pc, const struct pool_slot *slots, int nslots,
                           int done, int n)
{
    const struct report *r = pc->report;
    int i, shown = 0;

    if (!pc->tty)
        return;
    printf("\r\033[K[%d/%d] pass %d fail %d skip %d | running:", done, n, r->npass, r->nfail + r->nerror,
           r->nskip);
    for (i = 0; i < nslots && shown < 3; i++)
        if (slots[i].c) {
            printf(" %s", slots[i].c->name);
            shown++;
        }
    fflush(stdout);
}

/* Reads what a child sent; returns 1 once it closed its end (done). */
static int pool__read(struct pool_slot *s)
{
    ssize_t n = read(s->fd, (char *)&s->o + s->got, sizeof(s->o) - s->got);

    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : 1;
    if (n == 0)
        return 1;
    s->got += (size_t)n;
    return 0;
}

int run_pool(const struct pool_conf *pc, const struct ec_case *const *cases, int n)
{
    struct pool_slot slots[64];
    struct pollfd pfd[64];
    int jobs = pc->jobs < 1 ? 1 : pc->jobs > 64 ? 64 : pc->jobs;
    int next = 0, done = 0, i, np, idx[64];

    memset(slots, 0, sizeof(slots));
    while (done < n) {
        for (i = 0; i < jobs && next < n; i++)
            if (!slots[i].c && pool__spawn(pc, &slots[i], cases[next]) == 0)
                next++;
        pool__progress(pc, slots, jobs, done, n);
        for (np = 0, i = 0; i < jobs; i++)
            if (slots[i].c) {
                pfd[np].fd = slots[i].fd;
                pfd[np].events = POLLIN;
                idx[np++] = i;
            }
        if (np == 0)
            return -1;          /* fork failed with nothing running: give up */
        if (poll(pfd, (nfds_t)np, 250) < 0 && errno != EINTR)
            return -1;
        for (i = 0; i < np; i++) {
            struct pool_slot *s = &slots[idx[i]];
            int overdue = ec_now_ms() - s->started_ms > s->limit_ms;

            if (!overdue && !((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) && pool__read(s)))
                continue;
            pool__reap(s, overdue);
            report_add(pc->report, &s->o);
            done++;
            pool__print(pc, &s->o);
            s->c = NULL;
        }
    }
    if (pc->tty)
        fputs("\r\033[K", stdout);
    return 0;
}
