/* report_html_read.c: what the page needs from a results folder: summary.json's run fields and each case's result.txt. */
#include "harness/report/report_html.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the JSON string literal at p (after its opening quote) into out;
 * a \u escape beyond ASCII becomes '?', since only our own writer made it. */
static void html__json_unquote(const char *p, char *out, size_t len)
{
    size_t n = 0;

    for (; *p && *p != '"' && n + 1 < len; p++) {
        char c = *p;

        if (c == '\\' && p[1]) {
            c = *++p;
            if (c == 'n' || c == 'r' || c == 't')
                c = ' ';
            else if (c == 'u') {
                unsigned v = 0;

                if (sscanf(p + 1, "%4x", &v) == 1 && strlen(p + 1) >= 4)
                    p += 4;
                c = v >= 0x20 && v < 0x7f ? (char)v : '?';
            }
        }
        out[n++] = c;
    }
    out[n] = '\0';
}

/* The value of top-level "key" in summary.json's first line (our writer puts
 * the run's fields there, before the cases). */
static void html__json_field(const char *json, const char *key, char *out, size_t len)
{
    char pat[64];
    const char *p;

    out[0] = '\0';
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    if (!(p = strstr(json, pat)))
        return;
    p += strlen(pat);
    if (*p == '"')
        html__json_unquote(p + 1, out, len);
    else
        snprintf(out, len, "%.*s", (int)strcspn(p, ",}\n"), p);
}

void html__read_summary(const char *dir, struct html_run *r)
{
    char path[4200], *line = NULL;
    size_t cap = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/summary.json", dir);
    if (!(f = fopen(path, "re")))
        return;
    if (getline(&line, &cap, f) > 0) {
        /* Only up to "cases": a case's diagnosis may quote anything. */
        char *cases = strstr(line, ",\"cases\":");

        if (cases)
            *cases = '\0';
        html__json_field(line, "started", r->started, sizeof(r->started));
        html__json_field(line, "seed", r->seed, sizeof(r->seed));
        html__json_field(line, "target", r->target, sizeof(r->target));
    }
    free(line);
    fclose(f);
}

/* Reads dir/name/result.txt's header lines into c. Returns 0, or -1 when there is none. */
static int html__read_case(const char *dir, const char *name, struct html__case *c)
{
    char path[4400], line[2200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s/result.txt", dir, name);
    if (!(f = fopen(path, "re")))
        return -1;
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    while (fgets(line, sizeof(line), f) && line[0] != '\n') {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "status: ", 8))
            snprintf(c->status, sizeof(c->status), "%.15s", line + 8);
        else if (!strncmp(line, "duration_s: ", 12))
            c->duration_s = atof(line + 12);
        else if (!strncmp(line, "diag: ", 6))
            snprintf(c->diag, sizeof(c->diag), "%.2047s", line + 6);
    }
    fclose(f);
    return 0;
}

/* Failures and errors first, then passes, then skips; by name within each. */
static int html__rank(const char *status)
{
    return !strcmp(status, "fail") ? 0 : !strcmp(status, "error") ? 1 : !strcmp(status, "pass") ? 2 : 3;
}

static int html__cmp(const void *a, const void *b)
{
    const struct html__case *x = a, *y = b;
    int d = html__rank(x->status) - html__rank(y->status);

    return d ? d : strcmp(x->name, y->name);
}

int html__read_cases(const char *dir, struct html__case **out)
{
    struct html__case *v = NULL, *grown;
    int n = 0, cap = 0;
    struct dirent *de;
    DIR *d = opendir(dir);

    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            if (!(grown = realloc(v, (size_t)cap * sizeof(*v))))
                break;
            v = grown;
        }
        n += html__read_case(dir, de->d_name, &v[n]) == 0;
    }
    closedir(d);
    if (n)
        qsort(v, (size_t)n, sizeof(*v), html__cmp);
    *out = v;
    return n;
}
