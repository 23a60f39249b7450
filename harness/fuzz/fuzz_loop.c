/* fuzz_loop.c: the fuzzing loop: draw scenarios, run up to -j at once, and shrink and save each new bug. */
#include "harness/fuzz/fuzz_int.h"

#include <stdio.h>
#include <string.h>

#include "harness/util/clock.h"

#define FL_MAX_JOBS 16

/* The loop's jobs and the seeds of jobs stopped for a shrink, to run again. */
struct fl_state {
    struct fuzz_job jobs[FL_MAX_JOBS];
    unsigned long long retry[FL_MAX_JOBS];
    int nretry;
    long long next, started;
};

static int fl__may_launch(const struct fuzz_ctx *fx, const struct fl_state *st)
{
    if (*fx->stop)
        return 0;
    if (fx->runs_max)
        return st->started < fx->runs_max;
    return ec_now_ms() - fx->t0_ms < fx->time_max_ms;
}

static void fl__launch(struct fuzz_ctx *fx, struct fl_state *st)
{
    char err[1200], dir[4200];

    for (int i = 0; i < fx->jobs && fl__may_launch(fx, st); i++) {
        struct fuzz_job *j = &st->jobs[i];
        unsigned long long seed;

        if (j->busy)
            continue;
        seed = st->nretry ? st->retry[--st->nretry] : fx->seed + (unsigned long long)st->next++;
        st->started++;
        if (fuzz_gen(seed, &fx->proto, &j->c, err, sizeof(err)) < 0) {
            fx->errors++;
            fuzz_say(fx, "ERROR seed %llu: %s", seed, err);
            continue;
        }
        j->seed = seed;
        snprintf(dir, sizeof(dir), "%s/runs/%s", fx->dir, j->c.name);
        if (fuzz_job_start(j, &fx->rc, &j->c, dir) < 0) {
            fx->errors++;
            fuzz_say(fx, "ERROR seed %llu: cannot start a scenario runner", seed);
        }
    }
}

/* Keeps a failing run's logs readable: its verdict next to the target's logs. */
static void fl__result_txt(const struct fuzz_job *j)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/result.txt", j->dir);
    if (!(f = fopen(path, "w")))
        return;
    fprintf(f, "%s %s\n%s\n\n%s", report_status_name(j->o.status), j->c.name, j->o.diag, j->o.details);
    fclose(f);
}

/* Stops the other running jobs (their seeds run again later) so a shrink has the machine. */
static void fl__park_others(struct fl_state *st, const struct fuzz_job *keep)
{
    for (int i = 0; i < FL_MAX_JOBS; i++)
        if (st->jobs[i].busy && &st->jobs[i] != keep) {
            fuzz_job_kill(&st->jobs[i]);
            fuzz_rmtree(st->jobs[i].dir);
            st->retry[st->nretry++] = st->jobs[i].seed;
            st->started--;
        }
}

static void fl__found(struct fuzz_ctx *fx, struct fl_state *st, struct fuzz_job *j, const struct fuzz_bug *b)
{
    struct fuzz_finding *f = &fx->found[fx->nfound];
    char bug[128], replay[8192];

    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", j->c.name);
    f->bug = *b;
    f->seed = j->seed;
    f->t_found_s = (ec_now_ms() - fx->t0_ms) / 1e3;
    snprintf(f->diag, sizeof(f->diag), "%.*s", (int)sizeof(f->diag) - 1, j->o.diag);
    fuzz_say(fx, "FAIL seed %llu after %.1f s: %s", j->seed, f->t_found_s, j->o.diag);
    fl__park_others(st, j);
    fuzz_shrink(fx, &j->c, b, f);
    fx->nfound++;
    if (fuzz_save(fx, &j->c, f) < 0) {
        fuzz_say(fx, "ERROR: cannot write %s/%s.case", fx->dir, f->name);
        return;
    }
    fuzz_say(fx, "found %s: %s/%s.case (clients %d -> %d, bytes %llu -> %llu, steps %d -> %d)\n  replay: %s",
             fuzz_bug_str(b, bug, sizeof(bug)), fx->dir, f->name, f->clients0, f->clients, f->bytes0, f->bytes,
             f->steps0, f->steps, fuzz_replay(fx, f->name, replay, sizeof(replay)));
}

static void fl__outcome(struct fuzz_ctx *fx, struct fl_state *st, struct fuzz_job *j)
{
    struct fuzz_bug b;
    int i;

    fx->runs++;
    if (j->o.status == CASE_PASS || j->o.status == CASE_SKIP) {
        fx->skips += j->o.status == CASE_SKIP;
        if (j->o.status == CASE_SKIP && fx->skips == 1)
            fuzz_say(fx, "SKIP seed %llu: %s", j->seed, j->o.diag);
        fuzz_rmtree(j->dir);
        return;
    }
    fl__result_txt(j);
    if (!fuzz_bug_of(&j->o, &b)) {
        fx->errors++;
        fuzz_say(fx, "ERROR seed %llu: %s (logs in %s)", j->seed, j->o.diag, j->dir);
        return;
    }
    fx->fails++;
    /* A flaky finding (not 3 of 3) does not stop the next one of its class from being shrunk. */
    for (i = 0; i < fx->nfound && !(fx->found[i].confirmed == 3 && fuzz_bug_same(&fx->found[i].bug, &b)); i++)
        ;
    if (i < fx->nfound)
        fuzz_say(fx, "FAIL seed %llu: the same bug as %s: %.300s", j->seed, fx->found[i].name, j->o.diag);
    else if (fx->nfound < (int)(sizeof(fx->found) / sizeof(fx->found[0])))
        fl__found(fx, st, j, &b);
}

int fuzz_loop(struct fuzz_ctx *fx)
{
    static struct fl_state st;
    int k, busy;

    memset(&st, 0, sizeof(st));
    if (fx->jobs > FL_MAX_JOBS)
        fx->jobs = FL_MAX_JOBS;
    for (;;) {
        fl__launch(fx, &st);
        for (busy = 0, k = 0; k < fx->jobs; k++)
            busy += st.jobs[k].busy;
        if (!busy || *fx->stop)
            break;
        if ((k = fuzz_job_wait(st.jobs, fx->jobs, 250)) >= 0)
            fl__outcome(fx, &st, &st.jobs[k]);
        fuzz_progress(fx, 0);
    }
    for (k = 0; k < fx->jobs; k++)
        if (st.jobs[k].busy) {
            fuzz_job_kill(&st.jobs[k]);
            fuzz_rmtree(st.jobs[k].dir);
        }
    fuzz_job_reap_orphans();
    return *fx->stop != 0;
}
