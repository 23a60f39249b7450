/* proto.c: protocol option parsing, the incremental line splitter and the repeat/stream reply generators. */
#include "server/proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROTO_REPEAT_MAX 100000000u

static const char *const proto_names[] = {
    [PROTO_ECHO] = "echo",
    [PROTO_REPEAT] = "repeat",
    [PROTO_STREAM] = "stream",
};

const char *proto_name(enum proto_kind kind)
{
    return proto_names[kind];
}

int proto_parse_repeat_n(const char *s, uint32_t *n, char *err, size_t errlen)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < 1 || v > PROTO_REPEAT_MAX) {
        snprintf(err, errlen, "repeat count '%s' is not an integer in 1..%u", s, PROTO_REPEAT_MAX);
        return -1;
    }
    *n = (uint32_t)v;
    return 0;
}

int proto_parse_spec(const char *spec, struct proto_conf *conf, char *err, size_t errlen)
{
    if (strcmp(spec, "echo") == 0) {
        conf->kind = PROTO_ECHO;
    } else if (strcmp(spec, "stream") == 0) {
        conf->kind = PROTO_STREAM;
    } else if (strcmp(spec, "repeat") == 0) {
        conf->kind = PROTO_REPEAT;
    } else if (strncmp(spec, "repeat:", 7) == 0) {
        conf->kind = PROTO_REPEAT;
        return proto_parse_repeat_n(spec + 7, &conf->repeat_n, err, errlen);
    } else {
        snprintf(err, errlen, "unknown protocol '%s' (want echo, repeat:N or stream)", spec);
        return -1;
    }
    return 0;
}

void proto_parser_init(struct proto_parser *p, size_t max_line)
{
    memset(p, 0, sizeof(*p));
    p->max_line = max_line;
}

void proto_parser_free(struct proto_parser *p)
{
    free(p->buf);
    proto_parser_init(p, p->max_line);
}

int proto_parser_feed(struct proto_parser *p, const char *data, size_t len)
{
    /* Slide the unconsumed bytes to the front first: the buffer stays near max_line. */
    if (p->off > 0) {
        memmove(p->buf, p->buf + p->off, p->len - p->off);
        p->len -= p->off;
        p->off = 0;
    }
    if (p->len + len > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        char *nb;

        while (cap < p->len + len)
            cap *= 2;
        nb = realloc(p->buf, cap);
        if (!nb) {
            errno = ENOMEM;
            return -1;
        }
        p->buf = nb;
        p->cap = cap;
    }
    if (len > 0)
        memcpy(p->buf + p->len, data, len);
    p->len += len;
    if (p->len == 0) {
        /* Idle connections hold no buffer. */
        free(p->buf);
        p->buf = NULL;
        p->cap = 0;
    }
    return 0;
}

int proto_parser_next(struct proto_parser *p, const char **line, size_t *len, char *err, size_t errlen)
{
    size_t avail = p->len - p->off;
    char *start = p->buf + p->off;
    char *nl = avail > p->scan ? memchr(start + p->scan, '\n', avail - p->scan) : NULL;

    if (!nl) {
        p->scan = avail;
        if (avail > p->max_line) {
            snprintf(err, errlen, "line longer than %zu bytes without a newline", p->max_line);
            return -1;
        }
        if (avail == 0 && p->buf) {
            free(p->buf);
            p->buf = NULL;
            p->off = p->len = p->cap = 0;
        }
        return 0;
    }
    if ((size_t)(nl - start) > p->max_line) {
        snprintf(err, errlen, "line of %zu bytes exceeds the limit of %zu", (size_t)(nl - start), p->max_line);
        return -1;
    }
    *line = start;
    *len = (size_t)(nl - start);
    p->off += *len + 1;
    p->scan = 0;
    return 1;
}

/* The repeat reply generator: line i is "i:M\r\n". */
struct proto_repeat_gen {
    struct outq_gen gen;
    uint32_t n;               /* lines in all */
    uint32_t i;               /* current line */
    size_t pos;               /* bytes of line i already produced */
    size_t mlen;
    char m[];
};

static size_t proto__copy_part(char *dst, size_t room, const char *src, size_t srclen, size_t *pos, size_t base)
{
    size_t from, k;

    if (*pos < base || *pos >= base + srclen)
        return 0;
    from = *pos - base;
    k = srclen - from < room ? srclen - from : room;
    memcpy(dst, src + from, k);
    *pos += k;
    return k;
}

static size_t proto__repeat_fill(struct outq_gen *g, char *buf, size_t len)
{
    struct proto_repeat_gen *r = (struct proto_repeat_gen *)g;
    size_t out = 0;

    while (out < len && r->i < r->n) {
        char pre[16];
        size_t plen = (size_t)snprintf(pre, sizeof(pre), "%u:", r->i);

        out += proto__copy_part(buf + out, len - out, pre, plen, &r->pos, 0);
        out += proto__copy_part(buf + out, len - out, r->m, r->mlen, &r->pos, plen);
        out += proto__copy_part(buf + out, len - out, "\r\n", 2, &r->pos, plen + r->mlen);
        if (r->pos == plen + r->mlen + 2) {
            r->i++;
            r->pos = 0;
        }
    }
    return out;
}

static void proto__free_gen(struct outq_gen *g)
{
    free(g);
}

uint64_t proto_repeat_reply_len(size_t mlen, uint32_t n)
{
    uint64_t total = (uint64_t)n * (mlen + 3);    /* ':' and "\r\n" */
    uint64_t lo = 0, hi = 10;

    /* Add the decimal digits of 0..n-1, one run of equal width at a time. */
    for (unsigned digits = 1; lo < n; digits++, lo = hi, hi *= 10) {
        uint64_t top = hi < n ? hi : n;
        total += (top - lo) * digits;
    }
    return total;
}

/* The stream reply generator: a window [pos, pos + remaining) of the fixed pattern. */
struct proto_stream_gen {
    struct outq_gen gen;
    uint64_t pos;
};

/* Writes the record around off, from off up to its end or len bytes. Returns the bytes written. */
static size_t proto__stream_piece(uint64_t off, char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char rec[PROTO_STREAM_REC];
    uint64_t v = off - off % PROTO_STREAM_REC;
    size_t skip = (size_t)(off % PROTO_STREAM_REC);
    size_t k = PROTO_STREAM_REC - skip;

    rec[15] = '\n';
    for (int d = 14; d >= 0; d--, v >>= 4)
        rec[d] = hex[v & 15];
    if (k > len)
        k = len;
    memcpy(buf, rec + skip, k);
    return k;
}

#define PROTO_STREAM_BLOCK 4096   /* 256 records */

/* Writes the 4 KiB-aligned block at off. Its 256 records differ only in hex digits 12-13
 * (digit 14 is always 0): a template holds those, and the 12 upper digits, the same for
 * the whole block, are stamped into each record. */
static void proto__stream_block(uint64_t off, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    static char tmpl[PROTO_STREAM_BLOCK];
    char hi[12];
    uint64_t v = off >> 12;

    if (tmpl[15] != '\n')
        for (int r = 0; r < 256; r++)
            memcpy(tmpl + r * PROTO_STREAM_REC + 12, (char[4]){ hex[r >> 4], hex[r & 15], '0', '\n' }, 4);
    for (int d = 11; d >= 0; d--, v >>= 4)
        hi[d] = hex[v & 15];
    memcpy(buf, tmpl, PROTO_STREAM_BLOCK);
    for (int r = 0; r < 256; r++)
        memcpy(buf + r * PROTO_STREAM_REC, hi, sizeof(hi));
}

void proto_stream_fill(uint64_t off, char *buf, size_t len)
{
    size_t k;

    if (len > 0 && off % PROTO_STREAM_REC) {
        k = proto__stream_piece(off, buf, len);
        buf += k, len -= k, off += k;
    }
    if (len >= PROTO_STREAM_REC) {
        k = proto__stream_piece(off, buf, len);
        buf += k, len -= k, off += k;
    }
    /* Each further whole record is the previous one 16 higher: the 14th hex digit plus
     * one, carried. Formatting every record was 61% of the server's CPU (perf, make bench). */
    for (k = PROTO_STREAM_REC; len >= PROTO_STREAM_REC; buf += k, len -= k, off += k) {
        int d = 13;

        if (off % PROTO_STREAM_BLOCK == 0 && len >= PROTO_STREAM_BLOCK) {
            proto__stream_block(off, buf);
            k = PROTO_STREAM_BLOCK;
            continue;
        }
        k = PROTO_STREAM_REC;
        memcpy(buf, buf - PROTO_STREAM_REC, PROTO_STREAM_REC);
        while (d >= 0 && buf[d] == 'f')
            buf[d--] = '0';
        if (d >= 0)
            buf[d] = buf[d] == '9' ? 'a' : (char)(buf[d] + 1);
    }
    if (len > 0)
        proto__stream_piece(off, buf, len);
}

static size_t proto__stream_fill(struct outq_gen *g, char *buf, size_t len)
{
    struct proto_stream_gen *s = (struct proto_stream_gen *)g;

    proto_stream_fill(s->pos, buf, len);
    s->pos += len;
    return len;
}

/* Parses a stream request "N" or "N\r" (any leading zeros, N < 2^64). Returns 0, or -1 with err. */
static int proto__stream_count(const char *line, size_t len, uint64_t *n, char *err, size_t errlen)
{
    uint64_t v = 0;

    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0) {
        snprintf(err, errlen, "empty stream request (want a decimal byte count)");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)line[i] - '0';

        if (d > 9) {
            snprintf(err, errlen, "stream request has a non-digit at byte %zu", i);
            return -1;
        }
        /* Checked, not wrapped: "99999999999999999999" must not become a small count. */
        if (v > (UINT64_MAX - d) / 10) {
            snprintf(err, errlen, "stream request count does not fit in 64 bits");
            return -1;
        }
        v = v * 10 + d;
    }
    *n = v;
    return 0;
}

static struct outq_gen *proto__repeat_reply(const struct proto_conf *conf, const char *line, size_t len)
{
    struct proto_repeat_gen *r = malloc(sizeof(*r) + len);

    if (!r)
        return NULL;
    r->gen.fill = proto__repeat_fill;
    r->gen.destroy = proto__free_gen;
    r->gen.remaining = proto_repeat_reply_len(len, conf->repeat_n);
    r->n = conf->repeat_n;
    r->i = 0;
    r->pos = 0;
    r->mlen = len;
    memcpy(r->m, line, len);
    return &r->gen;
}

struct outq_gen *proto_reply(const struct proto_conf *conf, const char *line, size_t len,
                             char *err, size_t errlen)
{
    struct proto_stream_gen *s;
    struct outq_gen *g = NULL;
    uint64_t n;

    switch (conf->kind) {
    case PROTO_ECHO:
        snprintf(err, errlen, "echo has no request lines");
        return NULL;
    case PROTO_REPEAT:
        g = proto__repeat_reply(conf, line, len);
        break;
    case PROTO_STREAM:
        if (proto__stream_count(line, len, &n, err, errlen) < 0)
            return NULL;
        s = malloc(sizeof(*s));
        if (s) {
            s->gen.fill = proto__stream_fill;
            s->gen.destroy = proto__free_gen;
            s->gen.remaining = n;
            s->pos = 0;
            g = &s->gen;
        }
        break;
    }
    if (!g)
        snprintf(err, errlen, "out of memory building a reply");
    return g;
}
