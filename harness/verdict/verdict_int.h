/* verdict_int.h: what the verdict's files share: the judge's state, failures with their candidate classes. */
#ifndef EC_VERDICT_INT_H
#define EC_VERDICT_INT_H

#include <stddef.h>

#include "harness/verdict/classes.h"
#include "harness/verdict/run_rank.h"
#include "harness/verdict/verdict.h"

#define VERDICT_MAX_CANDS 8
#define VERDICT_MAX_FAILS 16

/* One failed assertion: what was seen, and which bug classes produce that symptom. */
struct verdict_fail {
    char msg[640];
    enum bug_class cands[VERDICT_MAX_CANDS];
    int ncands;
    int vacuous;              /* the case did not exercise what it claims */
};

/* EAGAIN and resumptions, from the target's counters or else the injector's trace. */
struct verdict_bp {
    int have;                 /* eagain/resumptions below are known */
    const char *src;          /* "counters" or "trace" */
    long long eagain, resumptions;
    long long short_writes;   /* trace only: a short write is backpressure too; -1 unknown */
};

struct verdict_judge {
    const struct ec_case *c;
    const struct observations *ob;
    struct verdict_bp bp;
    int stall_client;         /* verdict_stall_client, -1 none */
    double stall_cpu;         /* the target's CPU s/s over that stall, -1 unknown */
    struct verdict_fail f[VERDICT_MAX_FAILS];
    int nf;
    char *det;                /* the outcome's details, appended to */
    size_t detlen;
};

/* Appends to the details. */
void verdict__det(struct verdict_judge *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records a failure; cands is a BC_NONE-terminated list of bug classes, most likely first (NULL: none). */
void verdict__fail(struct verdict_judge *j, int vacuous, const enum bug_class *cands, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* run_verdict.c: every assertion of the case's [expect], in report order. */
void verdict__judge_all(struct verdict_judge *j);
/* The one-line summary of a passing case. */
void verdict__pass_line(const struct verdict_judge *j, char *buf, size_t len);

/* verdict_stall.c: the target's CPU s/s over client w's longest stall, from its CPU series; -1 unknown. */
double verdict__stall_cpu(const struct observations *ob, int w);

/* run_evidence.c: flattens the observations for the ranking of bug classes. */
void verdict__rank_obs(const struct verdict_judge *j, struct rank_obs *o);

#endif
