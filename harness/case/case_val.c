/* case_val.c: value parsers for case files (sizes, durations, booleans, protocols, times). */
#include "harness/case/case_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses an unsigned number with an optional k/m/g suffix (powers of 1024). Returns 0 or -1. */
int case__size(const char *s, unsigned long long *out)
{
    char *end;
    unsigned long long v, mul = 1;

    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    switch (tolower((unsigned char)*end)) {
    case 'k': mul = 1024ULL; end++; break;
    case 'm': mul = 1024ULL * 1024; end++; break;
    case 'g': mul = 1024ULL * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'i' || *end == 'I')
        end++;
    if ((*end == 'b' || *end == 'B') && end[1] == '\0')
        end++;
    if (*end != '\0' || v > (1ULL << 50) / mul)
        return -1;
    *out = v * mul;
    return 0;
}

/* Parses a duration: "300", "300ms", "2s", "1.5s". Result in ms. Returns 0 or -1. */
int case__ms(const char *s, int *out)
{
    char *end;
    double v;

    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno)
        return -1;
    if (strcmp(end, "s") == 0)
        v *= 1000.0;
    else if (*end != '\0' && strcmp(end, "ms") != 0)
        return -1;
    if (v < 0 || v > 3600e3)
        return -1;
    *out = (int)(v + 0.5);
    return 0;
}

/* Parses yes/no/true/false/1/0. Returns 0 or -1. */
int case__bool(const char *s, int *out)
{
    if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* Parses "start", "connect", "N[ms|s]", "connect+N[ms|s]". Returns 0 or -1. */
int case__when(const char *s, struct case_when *w)
{
    w->ms = 0;
    if (!strcmp(s, "start")) {
        w->anchor = CASE_AT_START;
        return 0;
    }
    if (!strncmp(s, "connect", 7)) {
        w->anchor = CASE_AT_CONNECT;
        if (s[7] == '\0')
            return 0;
        if (s[7] != '+')
            return -1;
        return case__ms(s + 8, &w->ms);
    }
    w->anchor = CASE_AT_START;
    return case__ms(s, &w->ms);
}

int case_proto_parse(const char *s, struct case_proto *p, char *err, size_t errlen)
{
    char *end;
    unsigned long n;

    memset(p, 0, sizeof(*p));
    p->newline = 1;
    if (!strcmp(s, "echo")) {
        p->kind = PAT_ECHO;
        return 0;
    }
    if (!strcmp(s, "stream")) {
        p->kind = PAT_STREAM;
        return 0;
    }
    if (!strcmp(s, "http")) {
        p->kind = PAT_HTTP;
        return 0;
    }
    if (strncmp(s, "repeat", 6) != 0 || (s[6] != '\0' && s[6] != ':'))
        goto fail;
    p->kind = PAT_REPEAT;
    if (s[6] == '\0')
        return 0;
    errno = 0;
    n = strtoul(s + 7, &end, 10);
    if (errno || end == s + 7 || n < 1 || n > 100000000)
        goto fail;
    p->repeat_n = (uint32_t)n;
    if (*end == '\0')
        return 0;
    if (strcmp(end, ":nonl") != 0)
        goto fail;
    p->newline = 0;
    return 0;
fail:
    snprintf(err, errlen, "'%s' is not a protocol (echo, stream, http, repeat, repeat:N, repeat:N:nonl)", s);
    return -1;
}

const char *case_proto_str(const struct case_proto *p, char *buf, size_t buflen)
{
    switch (p->kind) {
    case PAT_ECHO:
        snprintf(buf, buflen, "echo");
        break;
    case PAT_STREAM:
        snprintf(buf, buflen, "stream");
        break;
    case PAT_HTTP:
        snprintf(buf, buflen, "http");
        break;
    case PAT_REPEAT:
        if (p->repeat_n)
            snprintf(buf, buflen, "repeat:%u%s", p->repeat_n, p->newline ? "" : ":nonl");
        else
            snprintf(buf, buflen, "repeat");
        break;
    }
    return buf;
}
