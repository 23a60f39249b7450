/* run_pool.h: run many cases, up to N in parallel, each in a child process, reporting as they finish. */
#ifndef EC_RUN_POOL_H
#define EC_RUN_POOL_H

#include "harness/case/case.h"
#include "harness/report/report.h"
#include "harness/run/run.h"

struct pool_conf {
    const struct run_conf *rc;
    struct report *report;    /* opened by the caller; each outcome is added as it arrives */
    int jobs;                 /* cases at once (each its own target and port) */
    int tty;                  /* stdout is a terminal: show a live progress line */
};

/* Runs every case, printing one line per case as it finishes. Returns 0, or
 * -1 if no child could be started at all. */
int run_pool(const struct pool_conf *pc, const struct ec_case *const *cases, int n);

#endif
