/* shard_cases.h: apply --shard K/N (and --shard-durations FILE) to a run's selected cases. */
#ifndef EC_SHARD_CASES_H
#define EC_SHARD_CASES_H

#include <stdio.h>

struct ec_case;

/* Keeps, in order, the cases of shard k of nshards at the front of sel.
 * Returns their count, or -1 with err naming the flag. */
int shard_cases(const struct ec_case **sel, int n, int k, int nshards, const char *durations_path,
                char *err, size_t errlen);

#endif
