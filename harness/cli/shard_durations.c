/* shard_durations.c: each case's duration_s from a previous run's summary.json, for --shard-durations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/shard.h"

/* Reads the whole file (a summary is a few hundred KiB at most). Returns it NUL-terminated, or NULL. */
static char *shard__slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0, cap = 0, got;

    if (!f)
        return NULL;
    do {
        if (len + 65536 + 1 > cap) {
            char *nb = realloc(buf, cap = len + 65536 + 1);

            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, 65536, f);
        len += got;
    } while (got > 0);
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* report.c writes each case as {"name":"N","status":"S","duration_s":D,...}. */
static double shard__lookup(const char *json, const char *name)
{
    char key[512];
    const char *p, *d;

    snprintf(key, sizeof(key), "{\"name\":\"%s\"", name);
    if ((p = strstr(json, key)) == NULL || (d = strstr(p, "\"duration_s\":")) == NULL)
        return -1;
    return strtod(d + strlen("\"duration_s\":"), NULL);
}

int shard_durations(const char *path, const char *const *names, int count, double *dur, char *err, size_t errlen)
{
    char *json = shard__slurp(path);
    int found = 0;

    if (!json) {
        snprintf(err, errlen, "--shard-durations: cannot read '%s': %s", path, strerror(errno ? errno : EINVAL));
        return -1;
    }
    if (!strstr(json, "\"cases\":[")) {
        snprintf(err, errlen, "--shard-durations: '%s' is not an edgecase summary.json", path);
        free(json);
        return -1;
    }
    for (int i = 0; i < count; i++)
        if ((dur[i] = shard__lookup(json, names[i])) >= 0)
            found++;
    free(json);
    return found;
}
