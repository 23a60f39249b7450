/* case_load.c: reads one case file, or every *.case of a directory in name order, through the parser. */
#include "harness/case/case.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int case_parse_file(const char *path, struct ec_case *c, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;
    int rc;

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    buf = malloc(256 * 1024);
    n = buf ? (long)fread(buf, 1, 256 * 1024 - 1, f) : -1;
    fclose(f);
    if (n < 0) {
        free(buf);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    buf[n] = '\0';
    rc = case_parse_text(buf, path, c, err, errlen);
    free(buf);
    return rc;
}

static int case__cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int case_load_dir(const char *dir, struct ec_case **cases, int *ncases, char *err, size_t errlen)
{
    struct dirent *de;
    char *names[512], path[4096];
    int n = 0, i, j, rc = -1;
    DIR *d = opendir(dir);
    size_t l;

    *cases = NULL;
    *ncases = 0;
    if (!d) {
        snprintf(err, errlen, "cases directory %s: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL && n < 512) {
        l = strlen(de->d_name);
        if (l > 5 && !strcmp(de->d_name + l - 5, ".case") && de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), case__cmp);
    *cases = calloc((size_t)(n ? n : 1), sizeof(**cases));
    if (!*cases) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (case_parse_file(path, &(*cases)[i], err, errlen) < 0)
            goto out;
        for (j = 0; j < i; j++)
            if (!strcmp((*cases)[j].name, (*cases)[i].name)) {
                snprintf(err, errlen, "%s: case name '%.200s' already used by %s", path,
                         (*cases)[i].name, (*cases)[j].path);
                goto out;
            }
    }
    *ncases = n;
    rc = 0;
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    if (rc < 0) {
        free(*cases);
        *cases = NULL;
    }
    return rc;
}
