/* run_cmd.c: the target command line: the default target and its per-case placeholders. */
#include "harness/run/run_int.h"

#include <stdio.h>
#include <string.h>

const char *run_default_cmd(const char *server_path, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%s --listen {host}:{port} --proto {proto} --sndbuf={sndbuf} --rcvbuf={rcvbuf}",
             server_path);
    return buf;
}

static void run__subst_add(struct run_subst_tab *t, const char *key, const char *val)
{
    t->keys[t->n] = key;
    t->vals[t->n++] = val;
}

/* Expands one word into out; returns 1 if a placeholder in it expanded to nothing. */
static int run__expand_word(const char *w, size_t wlen, const char *const *keys, const char *const *vals,
                            int nkeys, char *out, size_t outlen)
{
    size_t o = 0, i = 0, kl = 0;
    int k, empty = 0;

    while (i < wlen && o + 1 < outlen) {
        for (k = 0; k < nkeys; k++) {
            kl = strlen(keys[k]);
            if (i + kl <= wlen && !strncmp(w + i, keys[k], kl))
                break;
        }
        if (k == nkeys) {
            out[o++] = w[i++];
            continue;
        }
        if (vals[k][0] == '\0')
            empty = 1;
        o += (size_t)snprintf(out + o, outlen - o, "%s", vals[k]);
        if (o >= outlen)
            o = outlen - 1;
        i += kl;
    }
    out[o] = '\0';
    return empty;
}

void run__subst_tab(const struct run_subst *v, struct run_subst_tab *t)
{
    const char *dir = v->dir ? v->dir : "";

    snprintf(t->port, sizeof(t->port), "%d", v->port);
    /* "%.0d" prints nothing for 0: an unset buffer size drops its word. */
    snprintf(t->sb, sizeof(t->sb), "%.0d", v->sndbuf);
    snprintf(t->rb, sizeof(t->rb), "%.0d", v->rcvbuf);
    snprintf(t->docroot, sizeof(t->docroot), "%s%s", dir, *dir ? "/docroot" : "");
    t->n = 0;
    run__subst_add(t, "{port}", t->port);
    run__subst_add(t, "{proto}", v->proto ? v->proto : "");
    run__subst_add(t, "{sndbuf}", t->sb);
    run__subst_add(t, "{rcvbuf}", t->rb);
    run__subst_add(t, "{dir}", dir);
    run__subst_add(t, "{docroot}", t->docroot);
    if (v->host)
        run__subst_add(t, "{host}", v->host);
}

int run_expand_cmd(const char *cmd, const struct run_subst *v, char *out, size_t outlen)
{
    struct run_subst_tab tab;
    char word[4096], quote;
    const char *p = cmd, *start;
    size_t o = 0, wl;

    run__subst_tab(v, &tab);
    out[0] = '\0';
    /* Words as the target will split them, so a placeholder never straddles two. */
    while ((wl = target_word_next(&p, &start, &quote)) > 0) {
        if (wl >= sizeof(word))
            return -1;
        if (run__expand_word(start, wl, tab.keys, tab.vals, tab.n, word, sizeof(word)))
            continue;           /* "--sndbuf={sndbuf}" without a sndbuf: the option goes */
        if (o + strlen(word) + 2 > outlen)
            return -1;
        o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? " " : "", word);
    }
    return 0;
}

uint64_t run_case_seed(uint64_t seed, const char *name)
{
    uint64_t h = 1469598103934665603ULL ^ seed;

    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 1099511628211ULL;
    return h % 1000000007ULL;
}
