/* shard.c: --shard K/N: which of the selected cases one shard runs (pure: no I/O). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/shard.h"

int shard_parse(const char *s, int *k, int *n)
{
    char *end;
    long a, b;

    errno = 0;
    a = strtol(s, &end, 10);
    if (errno || end == s || *end != '/')
        return -1;
    s = end + 1;
    b = strtol(s, &end, 10);
    if (errno || end == s || *end || b < 1 || b > 1000 || a < 1 || a > b)
        return -1;
    *k = (int)a;
    *n = (int)b;
    return 0;
}

/* The order the split walks: longest first, then by name, so input order never matters. */
struct shard_item {
    const char *name;
    double dur;
};

static int shard__by_name(const void *a, const void *b)
{
    return strcmp(((const struct shard_item *)a)->name, ((const struct shard_item *)b)->name);
}

static int shard__longest_first(const void *a, const void *b)
{
    const struct shard_item *x = a, *y = b;

    if (x->dur != y->dur)
        return x->dur < y->dur ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* Unknown durations count as the mean of the known ones (1 s when none is known). */
static void shard__fill(struct shard_item *it, const char *const *names, const double *durations, int count)
{
    double sum = 0;
    int known = 0;

    for (int i = 0; i < count; i++)
        if (durations && durations[i] >= 0) {
            sum += durations[i];
            known++;
        }
    for (int i = 0; i < count; i++) {
        it[i].name = names[i];
        it[i].dur = durations && durations[i] >= 0 ? durations[i] : known ? sum / known : 1.0;
    }
}

/* The shard (0-based) with the least load; the lowest index on ties keeps it deterministic. */
static int shard__lightest(const double *load, int n)
{
    int best = 0;

    for (int s = 1; s < n; s++)
        if (load[s] < load[best])
            best = s;
    return best;
}

/* Marks keep[] for the case named name (names are unique in a catalogue). */
static void shard__keep(const char *const *names, int count, const char *name, int *keep)
{
    for (int i = 0; i < count; i++)
        if (names[i] == name)
            keep[i] = 1;
}

int shard_select(const char *const *names, const double *durations, int count, int k, int n, int *keep)
{
    struct shard_item *it = calloc((size_t)count + 1, sizeof(*it));
    double *load = calloc((size_t)n, sizeof(*load));
    int kept = 0;

    if (!it || !load) {
        free(it);
        free(load);
        return -1;
    }
    memset(keep, 0, (size_t)count * sizeof(*keep));
    shard__fill(it, names, durations, count);
    qsort(it, (size_t)count, sizeof(*it), durations ? shard__longest_first : shard__by_name);
    for (int i = 0; i < count; i++) {
        int s = durations ? shard__lightest(load, n) : i % n;

        load[s] += it[i].dur;
        if (s == k - 1) {
            shard__keep(names, count, it[i].name, keep);
            kept++;
        }
    }
    free(it);
    free(load);
    return kept;
}
