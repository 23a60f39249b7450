/* shard_cases.c: narrows a run's selected cases to one --shard K/N, with --shard-durations when given. */
#include <stdlib.h>

#include "harness/case/case.h"
#include "harness/cli/shard.h"
#include "harness/cli/shard_cases.h"

int shard_cases(const struct ec_case **sel, int n, int k, int nshards, const char *durations_path,
                char *err, size_t errlen)
{
    const char **names = calloc((size_t)n + 1, sizeof(*names));
    double *dur = calloc((size_t)n + 1, sizeof(*dur));
    int *keep = calloc((size_t)n + 1, sizeof(*keep));
    int kept = -1, j = 0;

    if (!names || !dur || !keep) {
        snprintf(err, errlen, "--shard: out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        names[i] = sel[i]->name;
    if (durations_path && shard_durations(durations_path, names, n, dur, err, errlen) < 0)
        goto out;
    if (shard_select(names, durations_path ? dur : NULL, n, k, nshards, keep) < 0) {
        snprintf(err, errlen, "--shard: out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (keep[i])
            sel[j++] = sel[i];
    kept = j;
out:
    free(names);
    free(dur);
    free(keep);
    return kept;
}
