/* fuzz_write.c: writes a struct ec_case back as case file text the parser loads into the same struct. */
#include "harness/fuzz/fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An output buffer that remembers running out of room. */
struct fw_out {
    char *buf;
    size_t len, used;
    int full;
};

static void fw__put(struct fw_out *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fw__put(struct fw_out *w, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (w->full)
        return;
    va_start(ap, fmt);
    n = vsnprintf(w->buf + w->used, w->len - w->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= w->len - w->used)
        w->full = 1;
    else
        w->used += (size_t)n;
}

/* "300ms", "connect", "connect+250ms": what case__when reads back. */
static const char *fw__when(const struct case_when *t, char *buf, size_t len)
{
    if (t->anchor == CASE_AT_CONNECT)
        snprintf(buf, len, t->ms ? "connect+%dms" : "connect", t->ms);
    else
        snprintf(buf, len, "%dms", t->ms);
    return buf;
}

/* The shortest decimal that strtod turns back into exactly v. */
static const char *fw__double(double v, char *buf, size_t len)
{
    snprintf(buf, len, "%g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, len, "%.17g", v);
    return buf;
}

static void fw__header(struct fw_out *w, const char *header)
{
    const char *p = header, *nl;

    while (p && *p) {
        nl = strchr(p, '\n');
        fw__put(w, "# %.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
        p = nl ? nl + 1 : NULL;
    }
}

static void fw__case(struct fw_out *w, const struct ec_case *c)
{
    char pb[64];

    fw__put(w, "[case]\nname = %s\n", c->name);
    if (c->description[0])
        fw__put(w, "description = %s\n", c->description);
    if (c->nclasses) {
        fw__put(w, "classes =");
        for (int i = 0; i < c->nclasses; i++)
            fw__put(w, " %d", c->classes[i]);
        fw__put(w, "\n");
    }
    fw__put(w, "protocols =");
    for (int i = 0; i < c->nprotos; i++)
        fw__put(w, " %s", case_proto_str(&c->protos[i], pb, sizeof(pb)));
    fw__put(w, "\n");
    if (c->protocols_why[0])
        fw__put(w, "protocols_why = %s\n", c->protocols_why);
    fw__put(w, "deadline = %dms\nstall = %dms\n", c->deadline_ms, c->stall_ms);
}

static void fw__target(struct fw_out *w, const struct ec_case *c)
{
    fw__put(w, "\n[target]\n");
    if (c->sndbuf)
        fw__put(w, "sndbuf = %d\n", c->sndbuf);
    if (c->rcvbuf)
        fw__put(w, "rcvbuf = %d\n", c->rcvbuf);
    if (c->nofile)
        fw__put(w, "nofile = %ld\n", c->nofile);
    if (c->inject[0])
        fw__put(w, "inject = %s\n", c->inject);
    if (c->capture)
        fw__put(w, "capture = yes\n");
    if (c->netns)
        fw__put(w, "netns = yes\n");
    if (c->netns_rate_kbit)
        fw__put(w, "netns_rate = %dkbit\n", c->netns_rate_kbit);
}

/* A key written only when it differs from the parser's zero. */
#define FW_NUM(key, v, fmt, cast) do { if (v) fw__put(w, key " = " fmt "\n", (cast)(v)); } while (0)
#define FW_MS(key, v) do { if (v) fw__put(w, key " = %dms\n", (v)); } while (0)
#define FW_YES(key, v) do { if (v) fw__put(w, key " = yes\n"); } while (0)

static void fw__group(struct fw_out *w, const struct ec_case *c, int i)
{
    const struct client_spec *g = &c->groups[i];

    fw__put(w, "\n[clients]\ncount = %d\n", g->count);
    FW_NUM("send", g->send_bytes, "%llu", unsigned long long);
    FW_NUM("send_echo", c->send_echo[i], "%llu", unsigned long long);
    FW_NUM("rcvbuf", g->rcvbuf, "%d", int);
    FW_NUM("window_clamp", g->window_clamp, "%d", int);
    FW_NUM("write_size", g->write_size, "%d", int);
    FW_NUM("write_rate", g->write_rate, "%llu", unsigned long long);
    FW_NUM("read_rate", g->read_rate, "%llu", unsigned long long);
    FW_NUM("read_size", g->read_size, "%d", int);
    FW_MS("read_delay", g->read_delay_ms);
    FW_NUM("pause_after", g->pause_after, "%d", int);
    FW_MS("pause", g->pause_ms);
    FW_YES("pause_repeat", g->pause_repeat);
    FW_YES("never_read", g->never_read);
    FW_YES("shut_wr", g->shut_wr);
    FW_NUM("reset_after", g->reset_after, "%llu", unsigned long long);
    FW_NUM("close_after", g->close_after, "%llu", unsigned long long);
    FW_MS("start_delay", g->start_delay_ms);
    FW_YES("probe", g->probe);
    FW_NUM("probe_rounds", g->probe_rounds, "%d", int);
    FW_MS("probe_interval", g->probe_interval_ms);
}

static void fw__steps(struct fw_out *w, const struct ec_case *c)
{
    char a[48], b[48];

    if (c->nsteps == 0 && c->nphases == 0)
        return;
    fw__put(w, "\n[steps]\n");
    for (int i = 0; i < c->nsteps; i++)
        fw__put(w, "%s = %s\n", c->steps[i].kind == CASE_STEP_FREEZE ? "freeze" : "resume",
                fw__when(&c->steps[i].when, a, sizeof(a)));
    for (int i = 0; i < c->nphases; i++)
        fw__put(w, "phase = %s %s %s\n", c->phases[i].name, fw__when(&c->phases[i].from, a, sizeof(a)),
                fw__when(&c->phases[i].to, b, sizeof(b)));
}

static void fw__expect(struct fw_out *w, const struct ec_case *c)
{
    static const char *const rst[] = { [CASE_RST_NO] = "no", [CASE_RST_YES] = "yes", [CASE_RST_ANY] = "any" };
    const struct case_expect *e = &c->expect;
    char d[40];

    fw__put(w, "\n[expect]\ndelivered = %s\nno_hang = %s\nalive = %s\n", e->delivered ? "yes" : "no",
            e->no_hang ? "yes" : "no", e->alive ? "yes" : "no");
    FW_YES("serve_after", e->serve_after);
    FW_YES("backpressure", e->backpressure);
    FW_MS("finish_within", e->finish_within_ms);
    if (e->rss_growth_max >= 0)
        fw__put(w, "rss_growth_max = %lld\n", e->rss_growth_max);
    FW_MS("probe_max", e->probe_max_ms);
    if (e->resumptions_min >= 0)
        fw__put(w, "resumptions_min = %d\n", e->resumptions_min);
    for (int i = 0; i < e->ncpu; i++)
        fw__put(w, "cpu_max = %s %s\n", e->cpu[i].phase_name, fw__double(e->cpu[i].max_frac, d, sizeof(d)));
    for (int i = 0; i < e->ndone; i++)
        fw__put(w, "done_within = %d %dms\n", e->done[i].group + 1, e->done[i].max_ms);
    FW_YES("wire_zero_window_resumed", e->wire_zero_window_resumed);
    if (e->wire_rst != CASE_RST_DEFAULT)
        fw__put(w, "wire_rst = %s\n", rst[e->wire_rst]);
    FW_YES("wire_acked_equals_verified", e->wire_acked_equals_verified);
}

int fuzz_write(const struct ec_case *c, const char *header, char *buf, size_t buflen)
{
    struct fw_out w = { .buf = buf, .len = buflen };

    if (buflen == 0)
        return -1;
    buf[0] = '\0';
    fw__header(&w, header);
    fw__case(&w, c);
    fw__target(&w, c);
    for (int i = 0; i < c->ngroups; i++)
        fw__group(&w, c, i);
    fw__steps(&w, c);
    fw__expect(&w, c);
    return w.full ? -1 : (int)w.used;
}
