/* run_tmpl.c: {conf:PATH} in a target command: a config template expanded into the case's folder. */
#include "harness/run/run_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_CONF_OPEN "{conf:"

/* Finds template path: as given (absolute, or under the current directory),
 * else under tmpl_dir. Returns 0 with found filled, or -1 with err. */
static int run__tmpl_find(const char *path, const char *tmpl_dir, char *found, size_t len, char *err,
                          size_t errlen)
{
    if (path[0] == '\0') {
        snprintf(err, errlen, "{conf:}: no template path");
        return -1;
    }
    if (access(path, F_OK) == 0 && (size_t)snprintf(found, len, "%s", path) < len)
        return 0;
    if (path[0] != '/' && tmpl_dir && (size_t)snprintf(found, len, "%s/%s", tmpl_dir, path) < len &&
        access(found, F_OK) == 0)
        return 0;
    if (path[0] == '/' || !tmpl_dir)
        snprintf(err, errlen, "%s: template not found", path);
    else
        snprintf(err, errlen, "%s: template not found in the current directory nor in %s", path, tmpl_dir);
    return -1;
}

/* Length of the placeholder-like "{name}" or "{name:arg}" at p, or 0 if p
 * does not start one. Config syntax braces ("http {", "a{2,3}") do not match. */
static size_t run__tmpl_token(const char *p)
{
    size_t i = 1;

    if (p[0] != '{' || !islower((unsigned char)p[1]))
        return 0;
    while (islower((unsigned char)p[i]) || isdigit((unsigned char)p[i]) || p[i] == '_')
        i++;
    if (p[i] == ':')
        while (p[i] && p[i] != '}' && !isspace((unsigned char)p[i]))
            i++;
    return p[i] == '}' ? i + 1 : 0;
}

/* Expands one line of template src into out (NULL: only checks it).
 * "${name}" is an nginx variable, never ours. Returns 0, or -1 with err. */
static int run__tmpl_line(const char *src, long lineno, const char *line, const struct run_subst_tab *tab,
                          FILE *out, char *err, size_t errlen)
{
    for (const char *p = line; *p;) {
        size_t n = (p == line || p[-1] != '$') ? run__tmpl_token(p) : 0;
        int k;

        for (k = 0; n && k < tab->n; k++)
            if (strlen(tab->keys[k]) == n && strncmp(p, tab->keys[k], n) == 0)
                break;
        if (n && k == tab->n) {
            snprintf(err, errlen, "%s:%ld: unknown placeholder %.*s (known: {port} {host} {proto} {sndbuf} "
                     "{rcvbuf} {dir} {docroot})", src, lineno, (int)n, p);
            return -1;
        }
        if (out && n)
            fputs(tab->vals[k], out);
        else if (out)
            fputc(*p, out);
        p += n ? n : 1;
    }
    return 0;
}

/* Expands template src into out (NULL: only checks it). Returns 0, or -1 with err. */
static int run__tmpl_render(const char *src, const struct run_subst_tab *tab, FILE *out, char *err,
                            size_t errlen)
{
    FILE *in = fopen(src, "re");
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;

    if (!in) {
        snprintf(err, errlen, "%s: cannot read the template: %s", src, strerror(errno));
        return -1;
    }
    while (rc == 0 && getline(&line, &cap, in) >= 0)
        rc = run__tmpl_line(src, ++lineno, line, tab, out, err, errlen);
    if (rc == 0 && ferror(in)) {
        snprintf(err, errlen, "%s:%ld: cannot read the template: %s", src, lineno + 1, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(in);
    return rc;
}

/* Writes template src expanded to dir/<basename of src>; its path goes to dst.
 * Returns 0, or -1 with err. */
static int run__tmpl_write(const char *src, const struct run_subst *v, const struct run_subst_tab *tab,
                           char *dst, size_t dstlen, char *err, size_t errlen)
{
    const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
    FILE *out;
    int rc;

    if (!v->dir || v->dir[0] != '/' || (size_t)snprintf(dst, dstlen, "%s/%s", v->dir, base) >= dstlen) {
        snprintf(err, errlen, "%s: no absolute case folder to write it in", src);
        return -1;
    }
    if (strpbrk(dst, " \t\n'\"\\")) {
        snprintf(err, errlen, "%s: the case folder's path has a space or quote: %s", src, dst);
        return -1;
    }
    if (!(out = fopen(dst, "we"))) {
        snprintf(err, errlen, "%s: cannot write %s: %s", src, dst, strerror(errno));
        return -1;
    }
    rc = run__tmpl_render(src, tab, out, err, errlen);
    if (fclose(out) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: cannot write %s: %s", src, dst, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* The PATH of the {conf:PATH} at p (which starts with RUN_CONF_OPEN) into path;
 * returns the length of the whole placeholder, or 0 with err if it never closes. */
static size_t run__conf_path(const char *p, char *path, size_t pathlen, char *err, size_t errlen)
{
    const char *a = p + strlen(RUN_CONF_OPEN), *close = strchr(a, '}');

    if (!close || (size_t)(close - a) >= pathlen) {
        snprintf(err, errlen, "%.60s: {conf:PATH} without its closing brace, or PATH too long", p);
        return 0;
    }
    snprintf(path, pathlen, "%.*s", (int)(close - a), a);
    return (size_t)(close - p) + 1;
}

int run_expand_confs(const char *cmd, const struct run_subst *v, const char *tmpl_dir, char *out,
                     size_t outlen, char *err, size_t errlen)
{
    struct run_subst_tab tab;
    char path[PATH_MAX], src[PATH_MAX], dst[PATH_MAX + 256];
    size_t o = 0, n;

    run__subst_tab(v, &tab);
    for (const char *p = cmd; *p; p += n) {
        n = 1;
        if (strncmp(p, RUN_CONF_OPEN, strlen(RUN_CONF_OPEN)) != 0) {
            if (o + 1 >= outlen)
                goto toolong;
            out[o++] = *p;
            continue;
        }
        if (!(n = run__conf_path(p, path, sizeof(path), err, errlen)) ||
            run__tmpl_find(path, tmpl_dir, src, sizeof(src), err, errlen) < 0 ||
            run__tmpl_write(src, v, &tab, dst, sizeof(dst), err, errlen) < 0)
            return -1;
        if (o + strlen(dst) >= outlen)
            goto toolong;
        memcpy(out + o, dst, strlen(dst));
        o += strlen(dst);
    }
    out[o] = '\0';
    return 0;
toolong:
    snprintf(err, errlen, "target command too long once {conf:...} is expanded");
    return -1;
}

int run_check_confs(const char *cmd, const char *tmpl_dir, char *err, size_t errlen)
{
    /* Any values do: the check is for the file and the names in it. */
    struct run_subst v = { .port = 1, .host = "127.0.0.1", .proto = "echo", .dir = "/" };
    struct run_subst_tab tab;
    char path[PATH_MAX], src[PATH_MAX];
    size_t n;

    const char *w, *q = cmd;
    char quote = 0;

    while (target_word_next(&q, &w, &quote) > 0 && !quote)
        ;
    if (quote) {
        snprintf(err, errlen, "unbalanced %s quote in '%s'", quote == '"' ? "double" : "single", cmd);
        return -1;
    }
    run__subst_tab(&v, &tab);
    for (const char *p = strstr(cmd, RUN_CONF_OPEN); p; p = strstr(p + n, RUN_CONF_OPEN))
        if (!(n = run__conf_path(p, path, sizeof(path), err, errlen)) ||
            run__tmpl_find(path, tmpl_dir, src, sizeof(src), err, errlen) < 0 ||
            run__tmpl_render(src, &tab, NULL, err, errlen) < 0)
            return -1;
    return 0;
}

/* Whether the file at path holds needle (a placeholder); 0 when it cannot be read. */
static int run__file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int found = 0;

    while (f && !found && fgets(line, sizeof(line), f))
        found = strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return found;
}

int run_cmd_mentions(const char *cmd, const char *tmpl_dir, const char *placeholder)
{
    char path[PATH_MAX], src[PATH_MAX], err[256];
    size_t n = 0;

    if (strstr(cmd, placeholder))
        return 1;
    for (const char *p = strstr(cmd, RUN_CONF_OPEN); p; p = strstr(p + (n ? n : 1), RUN_CONF_OPEN))
        if ((n = run__conf_path(p, path, sizeof(path), err, sizeof(err))) &&
            run__tmpl_find(path, tmpl_dir, src, sizeof(src), err, sizeof(err)) == 0 && run__file_has(src, placeholder))
            return 1;
    return 0;
}

