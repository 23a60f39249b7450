/* run_evidence.h: a run's observations flattened for the ranking of bug classes. */
#ifndef EC_RUN_EVIDENCE_H
#define EC_RUN_EVIDENCE_H

#include "harness/run/run_int.h"
#include "harness/verdict/run_rank.h"

/* Fills o from ob after the target stopped: the clients' results, the
 * counters, the trace totals and what the trace's event ring shows about
 * each connection's last registration, block and EPOLLOUT. */
void run__rank_obs(const struct run_obs *ob, struct rank_obs *o);

#endif
