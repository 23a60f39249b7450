/* case.c: parses the INI-like case files of cases/ into struct ec_case, rejecting mistakes with file:line. */
#include "harness/case/case_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum case_section { SEC_NONE, SEC_CASE, SEC_TARGET, SEC_CLIENTS, SEC_STEPS, SEC_EXPECT };
enum case_vtype { V_INT, V_U32, V_U64, V_LONG, V_LL, V_MS, V_BOOL, V_STR, V_FN };

typedef int (*case_setter)(struct ec_case *c, const char *val, int line, char *err, size_t errlen);

/* One key a section accepts: where its value goes and how it is parsed. */
struct case_key {
    enum case_section sec;
    const char *key;
    enum case_vtype type;
    size_t off;               /* into the section's struct (ec_case, client_spec, case_expect) */
    size_t size;              /* V_STR: buffer size */
    case_setter fn;           /* V_FN */
    int repeatable;
};

#define EC_K(s, k, t, st, f) { .sec = (s), .key = (k), .type = (t), .off = offsetof(st, f) }
#define EC_S(s, k, st, f) { .sec = (s), .key = (k), .type = V_STR, .off = offsetof(st, f), \
                            .size = sizeof(((st *)0)->f) }
#define EC_F(s, k, fun, rep) { .sec = (s), .key = (k), .type = V_FN, .fn = (fun), .repeatable = (rep) }

static const struct case_key case_keys[] = {
    EC_S(SEC_CASE, "name", struct ec_case, name),
    EC_S(SEC_CASE, "description", struct ec_case, description),
    EC_F(SEC_CASE, "classes", case__set_classes, 0),
    EC_F(SEC_CASE, "protocols", case__set_protos, 0),
    EC_S(SEC_CASE, "protocols_why", struct ec_case, protocols_why),
    EC_K(SEC_CASE, "deadline", V_MS, struct ec_case, deadline_ms),
    EC_K(SEC_CASE, "stall", V_MS, struct ec_case, stall_ms),
    EC_K(SEC_TARGET, "sndbuf", V_INT, struct ec_case, sndbuf),
    EC_K(SEC_TARGET, "rcvbuf", V_INT, struct ec_case, rcvbuf),
    EC_K(SEC_TARGET, "nofile", V_LONG, struct ec_case, nofile),
    EC_S(SEC_TARGET, "inject", struct ec_case, inject),
    EC_K(SEC_TARGET, "capture", V_BOOL, struct ec_case, capture),
    EC_K(SEC_TARGET, "netns", V_BOOL, struct ec_case, netns),
    EC_F(SEC_TARGET, "netns_rate", case__set_netns_rate, 0),
    EC_K(SEC_CLIENTS, "count", V_INT, struct client_spec, count),
    EC_K(SEC_CLIENTS, "send", V_U64, struct client_spec, send_bytes),
    EC_K(SEC_CLIENTS, "rcvbuf", V_INT, struct client_spec, rcvbuf),
    EC_K(SEC_CLIENTS, "window_clamp", V_INT, struct client_spec, window_clamp),
    EC_K(SEC_CLIENTS, "write_size", V_INT, struct client_spec, write_size),
    EC_K(SEC_CLIENTS, "write_rate", V_U64, struct client_spec, write_rate),
    EC_K(SEC_CLIENTS, "read_rate", V_U64, struct client_spec, read_rate),
    EC_K(SEC_CLIENTS, "read_size", V_INT, struct client_spec, read_size),
    EC_K(SEC_CLIENTS, "read_delay", V_MS, struct client_spec, read_delay_ms),
    EC_K(SEC_CLIENTS, "pause_after", V_INT, struct client_spec, pause_after),
    EC_K(SEC_CLIENTS, "pause", V_MS, struct client_spec, pause_ms),
    EC_K(SEC_CLIENTS, "never_read", V_BOOL, struct client_spec, never_read),
    EC_K(SEC_CLIENTS, "shut_wr", V_BOOL, struct client_spec, shut_wr),
    EC_K(SEC_CLIENTS, "reset_after", V_U64, struct client_spec, reset_after),
    EC_K(SEC_CLIENTS, "close_after", V_U64, struct client_spec, close_after),
    EC_K(SEC_CLIENTS, "start_delay", V_MS, struct client_spec, start_delay_ms),
    EC_K(SEC_CLIENTS, "probe", V_BOOL, struct client_spec, probe),
    EC_K(SEC_CLIENTS, "probe_rounds", V_INT, struct client_spec, probe_rounds),
    EC_K(SEC_CLIENTS, "probe_interval", V_MS, struct client_spec, probe_interval_ms),
    EC_K(SEC_CLIENTS, "pause_repeat", V_BOOL, struct client_spec, pause_repeat),
    EC_F(SEC_CLIENTS, "send_echo", case__set_send_echo, 0),
    EC_K(SEC_CLIENTS, "requests", V_INT, struct client_spec, http_requests),
    EC_K(SEC_CLIENTS, "pipeline", V_INT, struct client_spec, http_pipeline),
    EC_F(SEC_STEPS, "freeze", case__set_freeze, 1),
    EC_F(SEC_STEPS, "resume", case__set_resume, 1),
    EC_F(SEC_STEPS, "phase", case__set_phase, 1),
    EC_K(SEC_EXPECT, "delivered", V_BOOL, struct case_expect, delivered),
    EC_K(SEC_EXPECT, "no_hang", V_BOOL, struct case_expect, no_hang),
    EC_K(SEC_EXPECT, "alive", V_BOOL, struct case_expect, alive),
    EC_K(SEC_EXPECT, "serve_after", V_BOOL, struct case_expect, serve_after),
    EC_K(SEC_EXPECT, "backpressure", V_BOOL, struct case_expect, backpressure),
    EC_K(SEC_EXPECT, "finish_within", V_MS, struct case_expect, finish_within_ms),
    EC_K(SEC_EXPECT, "rss_growth_max", V_LL, struct case_expect, rss_growth_max),
    EC_K(SEC_EXPECT, "probe_max", V_MS, struct case_expect, probe_max_ms),
    EC_K(SEC_EXPECT, "resumptions_min", V_INT, struct case_expect, resumptions_min),
    EC_F(SEC_EXPECT, "cpu_max", case__set_cpu, 1),
    EC_F(SEC_EXPECT, "done_within", case__set_done, 1),
    EC_F(SEC_EXPECT, "wire_zero_window_resumed", case__set_wire_zw, 0),
    EC_F(SEC_EXPECT, "wire_rst", case__set_wire_rst, 0),
    EC_F(SEC_EXPECT, "wire_acked_equals_verified", case__set_wire_acked, 0),
};
#define CASE_NKEYS (sizeof(case_keys) / sizeof(case_keys[0]))

static const char *const case_section_names[] = {
    [SEC_NONE] = "", [SEC_CASE] = "case", [SEC_TARGET] = "target",
    [SEC_CLIENTS] = "clients", [SEC_STEPS] = "steps", [SEC_EXPECT] = "expect",
};

/* Parser state for one file. */
struct case_parser {
    struct ec_case *c;
    const char *fname;
    enum case_section sec;
    unsigned char seen[CASE_NKEYS];
    unsigned char seen_over[CASE_NKEYS];  /* bit 1 << kind: key@PROTO given */
    int seen_sec[SEC_EXPECT + 1];
};

/* Stores one typed value at base+k->off. Returns 0 or -1 with err. */
static int case__store(const struct case_key *k, void *base, const char *v, char *err, size_t errlen)
{
    unsigned long long n = 0;
    char *dst = (char *)base + k->off;
    int ms, b;

    switch (k->type) {
    case V_INT: case V_U32: case V_U64: case V_LONG: case V_LL:
        if (case__size(v, &n) < 0 || ((k->type == V_INT || k->type == V_U32) && n > 0x7fffffffULL))
            goto bad;
        if (k->type == V_INT)
            *(int *)dst = (int)n;
        else if (k->type == V_U32)
            *(uint32_t *)dst = (uint32_t)n;
        else if (k->type == V_U64)
            *(uint64_t *)dst = n;
        else if (k->type == V_LONG)
            *(long *)dst = (long)n;
        else
            *(long long *)dst = (long long)n;
        return 0;
    case V_MS:
        if (case__ms(v, &ms) < 0)
            goto bad;
        *(int *)dst = ms;
        return 0;
    case V_BOOL:
        if (case__bool(v, &b) < 0)
            goto bad;
        *(int *)dst = b;
        return 0;
    case V_STR:
        if (strlen(v) >= k->size) {
            snprintf(err, errlen, "%s: value longer than %zu characters", k->key, k->size - 1);
            return -1;
        }
        memcpy(dst, v, strlen(v) + 1);
        return 0;
    case V_FN:
        break;
    }
    snprintf(err, errlen, "%s: internal error", k->key);
    return -1;
bad:
    snprintf(err, errlen, "%s: bad value '%.200s' (expected %s)", k->key, v,
             k->type == V_MS ? "a duration like 300ms or 2s" :
             k->type == V_BOOL ? "yes or no" : "a number with an optional k/m/g suffix");
    return -1;
}

/* Handles "[name]". Returns 0 or -1 with err. */
static int case__section(struct case_parser *p, char *s, char *err, size_t errlen)
{
    size_t len = strlen(s);
    int i;

    if (s[len - 1] != ']') {
        snprintf(err, errlen, "section header '%.200s' lacks ']'", s);
        return -1;
    }
    s[len - 1] = '\0';
    for (i = SEC_CASE; i <= SEC_EXPECT; i++)
        if (!strcmp(s + 1, case_section_names[i]))
            break;
    if (i > SEC_EXPECT) {
        snprintf(err, errlen, "unknown section [%.40s] (case, target, clients, steps, expect)", s + 1);
        return -1;
    }
    if (i != SEC_CLIENTS && p->seen_sec[i]) {
        snprintf(err, errlen, "section [%.40s] appears twice", s + 1);
        return -1;
    }
    if (i == SEC_CLIENTS) {
        if (p->c->ngroups == CASE_MAX_GROUPS) {
            snprintf(err, errlen, "more than %d [clients] sections", CASE_MAX_GROUPS);
            return -1;
        }
        p->c->groups[p->c->ngroups++].count = 1;
    }
    p->seen_sec[i] = 1;
    p->sec = (enum case_section)i;
    memset(p->seen, 0, sizeof(p->seen));
    memset(p->seen_over, 0, sizeof(p->seen_over));
    return 0;
}

/* Records "key@PROTO = value" (key index i) for case_variant; the value is
 * checked when the parse ends. Returns 0 or -1 with err. */
static int case__override(struct case_parser *p, size_t i, const char *proto, const char *val, int line,
                          char *err, size_t errlen)
{
    static const char *const kinds[] = { [PAT_ECHO] = "echo", [PAT_STREAM] = "stream", [PAT_REPEAT] = "repeat",
                                         [PAT_HTTP] = "http" };
    const struct case_key *k = &case_keys[i];
    struct case_override *o;
    int kind;

    for (kind = 0; kind <= PAT_HTTP && strcmp(proto, kinds[kind]); kind++)
        ;
    if (kind > PAT_HTTP) {
        snprintf(err, errlen, "%s@%.40s: unknown protocol after '@' (echo, repeat, stream, http)", k->key, proto);
        return -1;
    }
    /* Steps and the case's identity are the same in every protocol. */
    if (k->sec == SEC_STEPS || (k->type == V_FN && k->sec != SEC_EXPECT) || !strcmp(k->key, "name")) {
        snprintf(err, errlen, "%s cannot differ per protocol (@%s)", k->key, proto);
        return -1;
    }
    if (p->seen_over[i] & (1u << kind)) {
        snprintf(err, errlen, "key '%s@%s' given twice in [%s]", k->key, proto, case_section_names[p->sec]);
        return -1;
    }
    if (p->c->nover == CASE_MAX_OVERRIDES || strlen(val) >= sizeof(o->val)) {
        snprintf(err, errlen, "%s@%s: more than %d overrides, or a value over %zu characters", k->key, proto,
                 CASE_MAX_OVERRIDES, sizeof(o->val) - 1);
        return -1;
    }
    p->seen_over[i] |= (unsigned char)(1u << kind);
    o = &p->c->over[p->c->nover++];
    o->kind = (enum pattern_kind)kind;
    o->key = (int)i;
    o->group = p->sec == SEC_CLIENTS ? p->c->ngroups - 1 : -1;
    o->line = line;
    snprintf(o->val, sizeof(o->val), "%s", val);
    return 0;
}

/* Handles "key = value" (or "key@PROTO = value") in the current section. Returns 0 or -1 with err. */
static int case__keyval(struct case_parser *p, char *s, int line, char *err, size_t errlen)
{
    char *eq = strchr(s, '='), *key = s, *val, *e, *at;
    void *base;
    size_t i;

    if (!eq) {
        snprintf(err, errlen, "expected 'key = value' or '[section]', got '%.200s'", s);
        return -1;
    }
    if (p->sec == SEC_NONE) {
        snprintf(err, errlen, "'%.200s' before any [section]", s);
        return -1;
    }
    *eq = '\0';
    for (e = eq; e > key && isspace((unsigned char)e[-1]); e--)
        e[-1] = '\0';
    for (val = eq + 1; isspace((unsigned char)*val); val++)
        ;
    if ((at = strchr(key, '@')) != NULL)
        *at++ = '\0';
    for (i = 0; i < CASE_NKEYS; i++)
        if (case_keys[i].sec == p->sec && !strcmp(case_keys[i].key, key))
            break;
    if (i == CASE_NKEYS) {
        snprintf(err, errlen, "unknown key '%.200s' in [%.40s]", key, case_section_names[p->sec]);
        return -1;
    }
    if (*val == '\0' && case_keys[i].type != V_STR) {
        snprintf(err, errlen, "%.100s: empty value", key);
        return -1;
    }
    if (at)
        return case__override(p, i, at, val, line, err, errlen);
    if (p->seen[i] && !case_keys[i].repeatable) {
        snprintf(err, errlen, "key '%.200s' given twice in [%.40s]", key, case_section_names[p->sec]);
        return -1;
    }
    p->seen[i] = 1;
    if (case_keys[i].type == V_FN)
        return case_keys[i].fn(p->c, val, line, err, errlen);
    base = p->sec == SEC_CLIENTS ? (void *)&p->c->groups[p->c->ngroups - 1]
         : p->sec == SEC_EXPECT ? (void *)&p->c->expect : (void *)p->c;
    return case__store(&case_keys[i], base, val, err, errlen);
}

static void case__defaults(struct ec_case *c, const char *fname)
{
    const char *b = strrchr(fname, '/');
    char *dot;

    memset(c, 0, sizeof(*c));
    snprintf(c->path, sizeof(c->path), "%s", fname);
    snprintf(c->name, sizeof(c->name), "%s", b ? b + 1 : fname);
    if ((dot = strstr(c->name, ".case")) != NULL)
        *dot = '\0';
    c->protos[0].kind = PAT_ECHO;
    c->protos[0].newline = 1;
    c->nprotos = 1;
    c->deadline_ms = 10000;
    c->stall_ms = 2000;
    c->expect.delivered = 1;
    c->expect.no_hang = 1;
    c->expect.alive = 1;
    c->expect.rss_growth_max = -1;
    c->expect.resumptions_min = -1;
}

/* Whole-file checks once every line is read. Returns 0, or -1 with *line and err. */
static int case__finish(struct ec_case *c, int *line, char *err, size_t errlen)
{
    const char *n;
    int i, j;

    for (n = c->name; *n; n++)
        if (!isalnum((unsigned char)*n) && *n != '-' && *n != '_' && *n != '.')
            break;
    if (c->name[0] == '\0' || *n) {
        snprintf(err, errlen, "name '%.200s' must be non-empty letters, digits, '-', '_' or '.'", c->name);
        return -1;
    }
    if (c->ngroups == 0) {
        snprintf(err, errlen, "no [clients] section");
        return -1;
    }
    for (i = 0; i < c->ngroups; i++)
        if (c->groups[i].count < 1 || c->groups[i].count > 10000) {
            snprintf(err, errlen, "[clients] #%d: count must be 1..10000", i + 1);
            return -1;
        }
    for (i = 0; i < c->expect.ncpu; i++) {
        for (j = 0; j < c->nphases; j++)
            if (!strcmp(c->phases[j].name, c->expect.cpu[i].phase_name))
                break;
        if (j == c->nphases) {
            *line = c->expect.cpu[i].line;
            snprintf(err, errlen, "cpu_max: no phase named '%.200s' in [steps]", c->expect.cpu[i].phase_name);
            return -1;
        }
        c->expect.cpu[i].phase = j;
    }
    for (i = 0; i < c->expect.ndone; i++)
        if (c->expect.done[i].group >= c->ngroups) {
            *line = c->expect.done[i].line;
            snprintf(err, errlen, "done_within: no [clients] section #%d", c->expect.done[i].group + 1);
            return -1;
        }
    if (case_has_wire(c) && !c->capture) {
        *line = c->expect.wire_line;
        snprintf(err, errlen, "wire_* assertions need capture = yes in [target]");
        return -1;
    }
    if (c->netns_rate_kbit && !c->netns) {
        *line = c->netns_rate_line;
        snprintf(err, errlen, "netns_rate needs netns = yes in [target]");
        return -1;
    }
    if (c->expect.wire_rst == CASE_RST_NO)
        for (i = 0; i < c->ngroups; i++)
            if (c->groups[i].reset_after > 0) {
                *line = c->expect.wire_rst_line;
                snprintf(err, errlen, "wire_rst = no, but [clients] #%d resets (reset_after)", i + 1);
                return -1;
            }
    if (c->deadline_ms <= 0) {
        snprintf(err, errlen, "deadline must be positive");
        return -1;
    }
    return 0;
}

/* Applies override o to c. Returns 0 or -1 with err. */
static int case__apply(struct ec_case *c, const struct case_override *o, char *err, size_t errlen)
{
    const struct case_key *k = &case_keys[o->key];
    void *base;

    if (k->type == V_FN)
        return k->fn(c, o->val, o->line, err, errlen);
    base = k->sec == SEC_CLIENTS ? (void *)&c->groups[o->group]
         : k->sec == SEC_EXPECT ? (void *)&c->expect : (void *)c;
    return case__store(k, base, o->val, err, errlen);
}

/* Applies c's key@PROTO overrides of kind to out; *applied is set when one was. Returns 0 or -1 with *line and err. */
static int case__apply_kind(const struct ec_case *c, enum pattern_kind kind, struct ec_case *out, int *line,
                            int *applied, char *err, size_t errlen)
{
    for (int i = 0; i < c->nover; i++) {
        if (c->over[i].kind != kind)
            continue;
        *line = c->over[i].line;
        if (case__apply(out, &c->over[i], err, errlen) < 0)
            return -1;
        *applied = 1;
    }
    return 0;
}

/* case_variant with the offending line in *line. */
static int case__variant_at(const struct ec_case *c, enum pattern_kind kind, struct ec_case *out, int *line,
                            char *err, size_t errlen)
{
    int applied = 0;

    *out = *c;
    /* http is sized as echo is (a body owed per byte a client would have
     * echoed), so its variant is the echo variant with key@http on top. */
    if (kind == PAT_HTTP && case__apply_kind(c, PAT_ECHO, out, line, &applied, err, errlen) < 0)
        return -1;
    if (case__apply_kind(c, kind, out, line, &applied, err, errlen) < 0)
        return -1;
    /* A send@http sizes the group itself: its send_echo no longer applies. */
    for (int i = 0; kind == PAT_HTTP && i < c->nover; i++)
        if (c->over[i].kind == PAT_HTTP && c->over[i].group >= 0 && !strcmp(case_keys[c->over[i].key].key, "send"))
            out->send_echo[c->over[i].group] = 0;
    /* The whole-file rules hold for every variant (a cpu_max@repeat names a phase, ...). */
    return applied ? case__finish(out, line, err, errlen) : 0;
}

int case_variant(const struct ec_case *c, enum pattern_kind kind, struct ec_case *out, char *err, size_t errlen)
{
    char why[512];
    int line = 0;

    if (case__variant_at(c, kind, out, &line, why, sizeof(why)) == 0)
        return 0;
    snprintf(err, errlen, "%s:%d: %s", c->path, line, why);
    return -1;
}

/* Checks every protocol's variant of a parsed case. Returns 0 or -1 with *line and err. */
static int case__check_variants(const struct ec_case *c, int *line, char *err, size_t errlen)
{
    struct ec_case *tmp;
    int rc = 0;

    if (c->nover == 0)
        return 0;
    if (!(tmp = malloc(sizeof(*tmp)))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int k = PAT_ECHO; k <= PAT_HTTP && rc == 0; k++)
        rc = case__variant_at(c, (enum pattern_kind)k, tmp, line, err, errlen);
    free(tmp);
    return rc;
}

int case_parse_text(const char *text, const char *fname, struct ec_case *c, char *err, size_t errlen)
{
    struct case_parser p = { .c = c, .fname = fname, .sec = SEC_NONE };
    char line[1024], why[1024];
    const char *nl;
    int lineno = 0;
    size_t len, i;

    case__defaults(c, fname);
    while (*text) {
        nl = strchr(text, '\n');
        len = nl ? (size_t)(nl - text) : strlen(text);
        lineno++;
        if (len >= sizeof(line)) {
            snprintf(err, errlen, "%s:%d: line longer than %zu characters", fname, lineno, sizeof(line) - 1);
            return -1;
        }
        memcpy(line, text, len);
        line[len] = '\0';
        text += len + (nl ? 1 : 0);
        for (i = len; i > 0 && isspace((unsigned char)line[i - 1]); i--)
            line[i - 1] = '\0';
        for (i = 0; isspace((unsigned char)line[i]); i++)
            ;
        if (line[i] == '\0' || line[i] == '#' || line[i] == ';')
            continue;
        if ((line[i] == '[' ? case__section(&p, line + i, why, sizeof(why))
                            : case__keyval(&p, line + i, lineno, why, sizeof(why))) < 0) {
            snprintf(err, errlen, "%s:%d: %s", fname, lineno, why);
            return -1;
        }
    }
    lineno++;  /* whole-file errors point past the last line unless they know better */
    if (case__finish(c, &lineno, why, sizeof(why)) < 0 || case__check_variants(c, &lineno, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "%s:%d: %s", fname, lineno, why);
        return -1;
    }
    return 0;
}
