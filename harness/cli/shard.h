/* shard.h: --shard K/N, a deterministic split of the selected cases, balanced by recorded durations when known. */
#ifndef EC_SHARD_H
#define EC_SHARD_H

#include <stddef.h>

/* Parses "K/N" (1 <= K <= N <= 1000). Returns 0, or -1 for anything else. */
int shard_parse(const char *s, int *k, int *n);

/*
 * Sets keep[i] to 1 for the cases of shard k (1-based) of n, 0 for the rest.
 * Every case lands in exactly one of the n shards, and the same inputs give
 * the same split whatever their order. Without durations (NULL) the cases go
 * round robin in name order; with durations (seconds, < 0 for unknown: the
 * mean of the known ones is assumed) the longest go first, each to the shard
 * with the least total so far (LPT). Returns how many were kept, or -1 when
 * out of memory.
 */
int shard_select(const char *const *names, const double *durations, int count, int k, int n, int *keep);

/*
 * Reads each case's duration_s from a previous run's summary.json into
 * dur[i] (-1 for a case the file does not mention). Returns how many were
 * found, or -1 with err naming the file.
 */
int shard_durations(const char *path, const char *const *names, int count, double *dur, char *err, size_t errlen);

#endif
