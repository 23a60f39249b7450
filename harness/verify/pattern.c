/* pattern.c: generators of the self-identifying streams and the streaming verifier that checks them. */
#include "harness/verify/pattern.h"
#include "harness/verify/pattern_int.h"

#include <stdio.h>
#include <string.h>

static const char pattern__hex[] = "0123456789abcdef";
/* 32 printable letters for the echo filler: 5 bits each. */
static const char pattern__filler[] = "abcdefghijklmnopqrstuvwxyzABCDEF";

static const char *const pattern__fault_names[] = {
    [PF_NONE] = "none",
    [PF_LOSS] = "loss",
    [PF_DUPLICATION] = "duplication",
    [PF_CROSSTALK] = "cross-talk",
    [PF_GARBAGE] = "garbage",
    [PF_EXCESS] = "excess",
    [PF_TRUNCATED] = "truncated",
    [PF_HTTP_STATUS] = "http-status",
    [PF_HTTP_LENGTH] = "http-content-length",
    [PF_HTTP_CHUNK] = "http-chunk",
    [PF_HTTP_NOSTATUS] = "http-no-status-line",
    [PF_HTTP_UNASKED] = "http-unasked-response",
    [PF_HTTP_HEADER_CUT] = "http-header-cut",
};

const char *pattern_fault_name(enum pattern_fault f)
{
    return pattern__fault_names[f];
}

/* splitmix64 finaliser: spreads seed, client and record over the filler. */
static uint64_t pattern__mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static void pattern__put_hex(char *dst, uint64_t v, int digits)
{
    for (int d = digits - 1; d >= 0; d--, v >>= 4)
        dst[d] = pattern__hex[v & 15];
}

static void pattern__echo_record(uint64_t seed, uint32_t client, uint64_t k, char rec[PATTERN_ECHO_REC])
{
    uint64_t h = pattern__mix(seed ^ ((uint64_t)client * 0x9e3779b97f4a7c15ULL) ^
                              (k * 0xc2b2ae3d27d4eb4fULL));

    rec[0] = 'c';
    pattern__put_hex(rec + 1, client & 0xffffff, 6);
    rec[7] = ' ';
    rec[8] = 'o';
    pattern__put_hex(rec + 9, k * PATTERN_ECHO_REC, 16);
    rec[25] = ' ';
    for (int i = 0; i < 5; i++, h >>= 5)
        rec[26 + i] = pattern__filler[h & 31];
    rec[31] = '\n';
}

void pattern_echo_fill(uint64_t seed, uint32_t client, uint64_t offset, char *buf, size_t len)
{
    while (len > 0) {
        char rec[PATTERN_ECHO_REC];
        size_t skip = (size_t)(offset % PATTERN_ECHO_REC);
        size_t k = PATTERN_ECHO_REC - skip;

        pattern__echo_record(seed, client, offset / PATTERN_ECHO_REC, rec);
        if (k > len)
            k = len;
        memcpy(buf, rec + skip, k);
        buf += k;
        len -= k;
        offset += k;
    }
}

/* Writes the stream record around offset, from offset up to its end or len bytes. Returns the bytes written. */
static size_t pattern__stream_piece(uint64_t offset, char *buf, size_t len)
{
    char rec[PATTERN_STREAM_REC];
    size_t skip = (size_t)(offset % PATTERN_STREAM_REC);
    size_t k = PATTERN_STREAM_REC - skip;

    pattern__put_hex(rec, offset - skip, 15);
    rec[15] = '\n';
    if (k > len)
        k = len;
    memcpy(buf, rec + skip, k);
    return k;
}

/* Adds 1 to the lowercase hex number ending at d[i] (in place, carrying left). */
static void pattern__hex_inc(char *d, int i)
{
    while (i >= 0 && d[i] == 'f')
        d[i--] = '0';
    if (i >= 0)
        d[i] = d[i] == '9' ? 'a' : (char)(d[i] + 1);
}

void pattern_stream_fill(uint64_t offset, char *buf, size_t len)
{
    size_t k;

    if (len > 0 && offset % PATTERN_STREAM_REC) {
        k = pattern__stream_piece(offset, buf, len);
        buf += k, len -= k, offset += k;
    }
    /* Whole records: each is the previous one with its offset 16 higher, i.e. the 14th
     * hex digit plus one; copying and carrying is ~5x faster than formatting (make bench). */
    if (len >= PATTERN_STREAM_REC) {
        k = pattern__stream_piece(offset, buf, len);
        buf += k, len -= k, offset += k;
    }
    for (; len >= PATTERN_STREAM_REC; buf += k, len -= k, offset += k) {
        k = PATTERN_STREAM_REC;
        memcpy(buf, buf - PATTERN_STREAM_REC, PATTERN_STREAM_REC);
        pattern__hex_inc(buf, 13);
    }
    if (len > 0)
        pattern__stream_piece(offset, buf, len);
}

size_t pattern_repeat_msg(uint32_t client, uint32_t msg, char *buf, size_t buflen)
{
    char m[PATTERN_REPEAT_MSG];

    m[0] = 'c';
    pattern__put_hex(m + 1, client & 0xffff, 4);
    m[5] = 'm';
    pattern__put_hex(m + 6, msg & 0xffff, 4);
    memcpy(buf, m, buflen < sizeof(m) ? buflen : sizeof(m));
    return PATTERN_REPEAT_MSG;
}

void pattern_repeat_req_fill(uint32_t client, int newline, uint64_t offset, char *buf, size_t len)
{
    size_t reclen = PATTERN_REPEAT_MSG + (newline ? 1 : 0);

    while (len > 0) {
        char rec[PATTERN_REPEAT_MSG + 1];
        size_t skip = (size_t)(offset % reclen);
        size_t k = reclen - skip;

        pattern_repeat_msg(client, (uint32_t)(offset / reclen), rec, sizeof(rec));
        rec[PATTERN_REPEAT_MSG] = '\n';
        if (k > len)
            k = len;
        memcpy(buf, rec + skip, k);
        buf += k;
        len -= k;
        offset += k;
    }
}

/* Writes v in decimal followed by ':' (what "%u:" gives, without printf's cost). Returns the length. */
static int pattern__utoa(uint32_t v, char *out)
{
    char tmp[12];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = ':';
    return n + 1;
}

/* Bytes of the reply lines 0..i-1 ("%u:" + 10 + "\r\n" each). */
uint64_t pattern__repeat_lines_len(uint32_t i)
{
    uint64_t total = (uint64_t)i * (PATTERN_REPEAT_MSG + 3);
    uint64_t lo = 0, hi = 10;

    for (unsigned digits = 1; lo < i; digits++, lo = hi, hi *= 10)
        total += ((hi < i ? hi : i) - lo) * digits;
    return total;
}

uint64_t pattern_repeat_reply_len(uint32_t n)
{
    return pattern__repeat_lines_len(n);
}

/* Maps an offset inside one reply to (line, byte in line). */
static void pattern__repeat_locate(uint32_t n, uint64_t r, uint32_t *line, uint32_t *byte)
{
    uint64_t lo = 0, hi = 10;

    for (unsigned digits = 1; lo < n; digits++, lo = hi, hi *= 10) {
        uint64_t top = hi < n ? hi : n;
        uint64_t linelen = digits + PATTERN_REPEAT_MSG + 3;
        uint64_t block = (top - lo) * linelen;

        if (r < block) {
            *line = (uint32_t)(lo + r / linelen);
            *byte = (uint32_t)(r % linelen);
            return;
        }
        r -= block;
    }
    *line = n;    /* past the end: callers never ask, but stay defined */
    *byte = 0;
}

void pattern_repeat_fill(uint32_t client, uint32_t n, uint64_t offset, char *buf, size_t len)
{
    uint64_t rlen = pattern_repeat_reply_len(n);
    uint32_t msg, line, byte;
    char m[PATTERN_REPEAT_MSG];

    if (n == 0 || rlen == 0) {
        memset(buf, 0, len);
        return;
    }
    msg = (uint32_t)(offset / rlen);
    pattern__repeat_locate(n, offset % rlen, &line, &byte);
    /* The message is the same for n lines: format it once per message, not per line. */
    pattern_repeat_msg(client, msg, m, sizeof(m));
    while (len > 0) {
        char l[32];
        int ll = pattern__utoa(line, l);
        size_t k;

        memcpy(l + ll, m, PATTERN_REPEAT_MSG);
        memcpy(l + ll + PATTERN_REPEAT_MSG, "\r\n", 2);
        ll += PATTERN_REPEAT_MSG + 2;
        k = (size_t)ll - byte;
        if (k > len)
            k = len;
        memcpy(buf, l + byte, k);
        buf += k;
        len -= k;
        byte = 0;
        if (++line == n) {
            line = 0;
            pattern_repeat_msg(client, ++msg, m, sizeof(m));
        }
    }
}

void pattern__gen(const struct verifier *v, uint32_t client, uint64_t offset, char *buf, size_t len)
{
    switch (v->kind) {
    case PAT_ECHO:
    case PAT_HTTP:            /* a body is its client's echo stream */
        pattern_echo_fill(v->seed, client, offset, buf, len);
        break;
    case PAT_STREAM:
        pattern_stream_fill(offset, buf, len);
        break;
    case PAT_REPEAT:
        pattern_repeat_fill(client, v->repeat_n, offset, buf, len);
        break;
    }
}

void verifier_init(struct verifier *v, enum pattern_kind kind, uint64_t seed, uint32_t client)
{
    memset(v, 0, sizeof(*v));
    v->kind = kind;
    v->seed = seed;
    v->client = client;
    v->expected_total = UINT64_MAX;
}

void verifier_set_repeat_msgs(struct verifier *v, uint32_t msgs)
{
    v->repeat_msgs = msgs;
    v->expected_total = (uint64_t)msgs * pattern_repeat_reply_len(v->repeat_n);
}

/* Buffers bytes after the first mismatch; diagnoses once the window is full.
 * Returns how many bytes it took. */
static size_t verifier__collect(struct verifier *v, const char *data, size_t len)
{
    size_t room = PATTERN_WINDOW - v->win_len;
    size_t k = len < room ? len : room;

    memcpy(v->win + v->win_len, data, k);
    v->win_len += (uint32_t)k;
    if (v->win_len == PATTERN_WINDOW)
        pattern__diagnose(v);
    return k;
}

int verifier_feed(struct verifier *v, const char *data, size_t len)
{
    char exp[4096];

    while (len > 0 && !v->failed) {
        uint64_t left = v->expected_total - v->pos;
        size_t n, i;

        if (v->pending || left == 0) {
            v->pending = 1;
            n = verifier__collect(v, data, len);
            data += n;
            len -= n;
            continue;
        }
        n = len < sizeof(exp) ? len : sizeof(exp);
        if (n > left)
            n = (size_t)left;
        pattern__gen(v, v->client, v->pos, exp, n);
        if (memcmp(exp, data, n) == 0) {
            i = n;
        } else {
            for (i = 0; exp[i] == data[i]; i++)
                ;
            v->pending = 1;
        }
        v->pos += i;
        data += i;
        len -= i;
    }
    return v->failed ? -1 : 0;
}

int verifier_finish(struct verifier *v)
{
    if (v->failed)
        return -1;
    if (v->pending) {
        pattern__diagnose(v);
        return -1;
    }
    if (v->expected_total != UINT64_MAX && v->pos < v->expected_total) {
        v->failed = 1;
        v->fault = PF_TRUNCATED;
        v->fault_offset = v->pos;
        v->fault_bytes = v->expected_total - v->pos;
        snprintf(v->diag, sizeof(v->diag), "truncated: received %llu of %llu bytes",
                 (unsigned long long)v->pos, (unsigned long long)v->expected_total);
        pattern__hexdump(v, v->pos);
        return -1;
    }
    return 0;
}
