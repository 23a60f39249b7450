/* inj_spec.c: parses and validates the EDGECASE_INJECT spec string. */
#include "harness/inject/inj_spec.h"
#include "harness/inject/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INJ_SPEC_MAX_BUF (64 << 20)

typedef int (*inj_spec_fn)(const char *key, const char *val, struct inj_spec *s,
                           char *err, size_t errlen);

/* Parses a probability in [0,1] into *p. Returns 0 or -1 with err. */
static int inj__spec_prob(const char *key, const char *val, double *p, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (*val == '\0' || *end != '\0' || errno != 0 || !(v >= 0.0 && v <= 1.0)) {
        snprintf(err, errlen, "%s: '%s' is not a probability (0..1)", key, val);
        return -1;
    }
    *p = v;
    return 0;
}

/* Parses a buffer size: decimal bytes with an optional k or m suffix. */
static int inj__spec_size(const char *key, const char *val, int *out, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(val, &end, 10);
    if (*end == 'k' || *end == 'K') { v <<= 10; end++; }
    else if (*end == 'm' || *end == 'M') { v <<= 20; end++; }
    if (*val < '0' || *val > '9' || *end != '\0' || errno != 0 || v == 0 || v > INJ_SPEC_MAX_BUF) {
        snprintf(err, errlen, "%s: '%s' is not a buffer size (1..64m bytes)", key, val);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int inj__spec_sndbuf(const char *k, const char *v, struct inj_spec *s, char *err, size_t n)
{
    return inj__spec_size(k, v, &s->sndbuf, err, n);
}

static int inj__spec_rcvbuf(const char *k, const char *v, struct inj_spec *s, char *err, size_t n)
{
    return inj__spec_size(k, v, &s->rcvbuf, err, n);
}

static int inj__spec_short(const char *k, const char *v, struct inj_spec *s, char *err, size_t n)
{
    return inj__spec_prob(k, v, &s->short_p, err, n);
}

static int inj__spec_eagain(const char *k, const char *v, struct inj_spec *s, char *err, size_t n)
{
    return inj__spec_prob(k, v, &s->eagain_p, err, n);
}

static int inj__spec_seed(const char *k, const char *v, struct inj_spec *s, char *err, size_t n)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 0);
    if (*v < '0' || *v > '9' || *end != '\0' || errno != 0) {
        snprintf(err, n, "%s: '%s' is not an unsigned integer", k, v);
        return -1;
    }
    s->seed = x;
    return 0;
}

/* Maps one call name of eintr's ":calls" list to its bit, 0 if unknown. */
static unsigned inj__spec_call_bit(const char *name, size_t len)
{
    static const struct { const char *name; unsigned bit; } calls[] = {
        {"epoll_wait", INJ_CALL_EPOLL}, {"epoll", INJ_CALL_EPOLL},
        {"read", INJ_CALL_READ}, {"write", INJ_CALL_WRITE},
        {"accept", INJ_CALL_ACCEPT}, {"all", INJ_CALL_ALL},
    };
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
        if (strlen(calls[i].name) == len && memcmp(calls[i].name, name, len) == 0)
            return calls[i].bit;
    return 0;
}

/* eintr=P or eintr=P:call+call. */
static int inj__spec_eintr(const char *k, const char *v, struct inj_spec *s, char *err, size_t n)
{
    char prob[64];
    const char *colon = strchr(v, ':');
    size_t plen = colon ? (size_t)(colon - v) : strlen(v);
    if (plen >= sizeof(prob)) plen = sizeof(prob) - 1;
    memcpy(prob, v, plen);
    prob[plen] = '\0';
    if (inj__spec_prob(k, prob, &s->eintr_p, err, n) < 0)
        return -1;
    if (!colon) {
        s->eintr_calls = INJ_CALL_ALL;
        return 0;
    }
    s->eintr_calls = 0;
    for (const char *p = colon + 1;;) {
        size_t len = strcspn(p, "+");
        unsigned bit = inj__spec_call_bit(p, len);
        if (bit == 0) {
            snprintf(err, n, "%s: unknown call '%.*s' (epoll_wait, read, write, accept)", k, (int)len, p);
            return -1;
        }
        s->eintr_calls |= bit;
        if (p[len] == '\0') break;
        p += len + 1;
    }
    return 0;
}

static const struct { const char *key; inj_spec_fn fn; } inj_spec_keys[] = {
    {"sndbuf", inj__spec_sndbuf}, {"rcvbuf", inj__spec_rcvbuf},
    {"eintr", inj__spec_eintr}, {"short", inj__spec_short},
    {"eagain", inj__spec_eagain}, {"seed", inj__spec_seed},
};

/* Applies one "key=value" item of length len. */
static int inj__spec_item(const char *item, size_t len, struct inj_spec *s, char *err, size_t errlen)
{
    char buf[256];
    if (len >= sizeof(buf)) {
        snprintf(err, errlen, "item '%.40s...' too long", item);
        return -1;
    }
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *eq = strchr(buf, '=');
    if (eq) *eq = '\0';
    for (size_t i = 0; i < sizeof(inj_spec_keys) / sizeof(inj_spec_keys[0]); i++) {
        if (strcmp(inj_spec_keys[i].key, buf) != 0)
            continue;
        if (!eq) {
            snprintf(err, errlen, "%s: missing '=value'", buf);
            return -1;
        }
        return inj_spec_keys[i].fn(buf, eq + 1, s, err, errlen);
    }
    snprintf(err, errlen, "unknown key '%s' (sndbuf, rcvbuf, eintr, short, eagain, seed)", buf);
    return -1;
}

int inj_spec_parse(const char *spec, struct inj_spec *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof(*s));
    s->eintr_calls = INJ_CALL_ALL;
    if (!spec)
        return 0;
    for (const char *p = spec; *p;) {
        size_t len = strcspn(p, ",");
        if (len > 0 && inj__spec_item(p, len, s, err, errlen) < 0)
            return -1;
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

int inj_spec_validate(const char *spec, char *err, size_t errlen)
{
    struct inj_spec s;
    return inj_spec_parse(spec, &s, err, errlen);
}
