/* fuzz_run.c: one scenario run in the foreground (a shrink candidate), its logs removed after. */
#define _XOPEN_SOURCE 700
#include "harness/fuzz/fuzz_int.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static int fr__rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void fuzz_rmtree(const char *dir)
{
    nftw(dir, fr__rm, 16, FTW_DEPTH | FTW_PHYS);
}

int fuzz_run_one(struct fuzz_ctx *fx, const struct ec_case *c, struct case_outcome *o)
{
    struct fuzz_job j = { 0 };
    char dir[4200];
    int done = -1;

    snprintf(dir, sizeof(dir), "%s/runs/shrink-%lu", fx->dir, ++fx->shrink_runs);
    if (fuzz_job_start(&j, &fx->rc, c, dir) < 0)
        return -1;
    /* Bounded: fuzz_job_wait kills the child once it is overdue. */
    while (done < 0 && !*fx->stop) {
        done = fuzz_job_wait(&j, 1, 250);
        fuzz_progress(fx, 0);
    }
    if (done < 0)
        fuzz_job_kill(&j);
    *o = j.o;
    fuzz_rmtree(dir);
    return done < 0 ? -1 : 0;
}
