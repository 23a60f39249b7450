/* run_rank.h: which bug class a failure names first, decided by evidence (trace, counters, bytes), not list order. */
#ifndef EC_RUN_RANK_H
#define EC_RUN_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "harness/verdict/classes.h"

#define RANK_MAX_FACTS 8
#define RANK_MAX_ALSO 3

/* What the run observed that bears on the class, flattened so that the
 * ranking can be tested on synthetic observations. -1 means unknown. */
struct rank_obs {
    int have_trace;           /* the injector's trace was read: the trace fields below are known */
    int xtalk_client;         /* a client that received another client's bytes, or -1 */
    char xtalk_diag[200];     /* the verifier's words for it */
    int dup_client;           /* a client that received bytes twice, or -1 */
    char dup_diag[200];
    uint64_t spin_nowait;     /* writes retried after EAGAIN with not even an epoll_wait between */
    uint64_t writes;          /* writes that sent bytes */
    uint64_t reg_lt_out, epollout_lt_idle;  /* EPOLLOUT registered without EPOLLET; wake-ups for nothing */
    uint64_t mod_dropped_et, mod_dropped_out;
    uint64_t reg_oneshot;     /* registrations carrying EPOLLONESHOT */
    int oneshot_unarmed;      /* connections left blocked on EAGAIN with a ONESHOT registration never re-armed */
    int inout_unserved;       /* connections blocked on EAGAIN that got an event with IN and OUT and wrote nothing after */
    int closed_on_eagain;     /* connections the server closed right after a write met EAGAIN (ring) */
    long long eagain;         /* EAGAIN the target met (counters or trace), -1 unknown */
    long long accepted;       /* connections the target accepted (trace), -1 unknown */
    int connected;            /* connections the harness opened (clients + readiness probe) */
    int hung, hung_zero;      /* clients left running at the deadline; those that never got a byte */
    int closed_trunc, closed_trunc_shut;  /* truncated by the server's close: without / after the client's SHUT_WR */
    double hang_cpu;          /* server CPU s/s over the client run (for a hang) */
    long nofile;              /* the RLIMIT_NOFILE the case gives the target, 0 none */
    int died;                 /* 0 the target lived to the end, 1 killed by SIGPIPE, 2 died otherwise */
};

/* One piece of evidence that names a class; why says what was seen. */
struct rank_fact {
    enum bug_class cls;
    char why[240];
};

/* The facts, most decisive first, and the classes the evidence rules out. */
struct rank_ev {
    struct rank_fact fact[RANK_MAX_FACTS];
    int nfacts;
    int ruled_out[BC_COUNT + 1];  /* by class number; 0 unused */
};

/* One failed assertion as the ranking sees it: its symptom's candidate classes, most likely first. */
struct rank_fail {
    const enum bug_class *cands;
    int ncands;
    int vacuous;
};

/* The ranking: which failure leads the diagnosis, the class named first, the
 * evidence that decided it (empty: none did), and the other classes still
 * consistent with the symptom when nothing decided. */
struct rank_out {
    int fail;                 /* index into the failures, -1 when all are vacuous */
    enum bug_class cls;       /* BC_NONE when the failure has no candidate class */
    char why[240];
    enum bug_class also[RANK_MAX_ALSO];
    int nalso;
};

/* Derives the facts from o: decisive ones (cross-talk, a retry loop on
 * EAGAIN, EPOLLOUT left level-triggered, a MOD dropping EPOLLET/EPOLLOUT, a
 * ONESHOT never re-armed after EAGAIN, an IN+OUT event answered with no
 * write, connections never accepted, a close right after EAGAIN) and the
 * classes that the trace rules out. */
void rank_facts(const struct rank_obs *o, struct rank_ev *ev);

/* Ranks nf failures of a case targeting classes[0..nclasses): the first fact
 * whose class is a candidate of a real failure decides (that failure leads);
 * else the failure that best fits the case's classes leads, and its
 * candidates not ruled out are ordered case's classes first. */
void rank_classes(const struct rank_ev *ev, const struct rank_fail *f, int nf, const int *classes, int nclasses,
                  struct rank_out *out);

/* Writes the head of a diagnosis: "class N name (evidence: WHY)" when decided,
 * "class N name? (also consistent with class M name?, ...)" when not, "" without a class. */
void rank_format(const struct rank_out *r, char *buf, size_t len);

#endif
