/* run_cmd.c: the target command line: the default target and its per-case placeholders. */
#include "harness/run/run.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *run_default_cmd(const char *server_path, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "%s --listen {host}:{port} --proto {proto} --sndbuf={sndbuf} --rcvbuf={rcvbuf}",
             server_path);
    return buf;
}

/* Expands one word into out; returns 1 if a placeholder in it expanded to nothing. */
static int run__expand_word(const char *w, size_t wlen, const char *const *keys, const char *const *vals,
                            int nkeys, char *out, size_t outlen)
{
    size_t o = 0, i = 0, kl;
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

int run_expand_cmd(const char *cmd, int port, const char *proto, int sndbuf, int rcvbuf,
                   const char *docroot, const char *dir, char *out, size_t outlen)
{
    static const char *const keys[] = { "{port}", "{proto}", "{sndbuf}", "{rcvbuf}", "{docroot}", "{dir}" };
    char portbuf[16], sb[32], rb[32], word[1024];
    const char *vals[6] = { portbuf, proto, sb, rb, docroot ? docroot : "", dir ? dir : "" };
    const char *p = cmd, *start;
    size_t o = 0, wl;
    int inq;

    snprintf(portbuf, sizeof(portbuf), "%d", port);
    /* "%.0d" prints nothing for 0: an unset buffer size drops its word. */
    snprintf(sb, sizeof(sb), "%.0d", sndbuf);
    snprintf(rb, sizeof(rb), "%.0d", rcvbuf);
    out[0] = '\0';
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        /* Words split as target.c splits them: quotes of either kind group. */
        for (start = p, inq = 0; *p && (inq || !isspace((unsigned char)*p)); p++) {
            if (inq == '"' && *p == '\\' && p[1])
                p++;
            else if ((*p == '"' || *p == '\'') && (!inq || inq == *p))
                inq = inq ? 0 : *p;
        }
        wl = (size_t)(p - start);
        if (wl >= sizeof(word))
            return -1;
        if (run__expand_word(start, wl, keys, vals, 6, word, sizeof(word)))
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
