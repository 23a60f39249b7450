/* http.c: HTTP/1.1 GETs with keep-alive, and the incremental response parser (status, headers, Content-Length, chunked, close-delimited) that verifies bodies and diagnoses framing faults. */
#include "harness/proto/http.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_DUMP_MAX 64          /* bytes of a bad line shown in the hexdump */

void http_plan_init(struct http_plan *p, uint32_t client, uint64_t total, int requests, const char *host)
{
    uint64_t n = requests > 0 ? (uint64_t)requests : (total + HTTP_FILE_MAX - 1) / HTTP_FILE_MAX;

    memset(p, 0, sizeof(*p));
    p->client = client;
    p->total = total;
    p->nreq = n ? (uint32_t)n : 1;
    p->size = total / p->nreq;
    p->wrap = p->size && HTTP_WRAP / p->size < p->nreq ? (uint32_t)(HTTP_WRAP / p->size) : p->nreq;
    if (p->wrap == 0)
        p->wrap = 1;
    snprintf(p->host, sizeof(p->host), "%s", host ? host : "127.0.0.1");
    /* The path has a fixed width, so every request has this length. */
    p->req_len = strlen("GET /c000000/000000000000-000000000000 HTTP/1.1\r\nHost: \r\n\r\n") + strlen(p->host);
}

uint64_t http_req_size(const struct http_plan *p, uint32_t j)
{
    return j + 1 < p->nreq ? p->size : p->total - p->size * (p->nreq - 1);
}

uint64_t http_req_off(const struct http_plan *p, uint32_t j)
{
    return (uint64_t)(j % p->wrap) * p->size;
}

void http_path(uint32_t client, uint64_t off, uint64_t size, char *buf, size_t buflen)
{
    snprintf(buf, buflen, "/c%06" PRIx32 "/%012" PRIu64 "-%012" PRIu64, client & 0xffffff,
             (uint64_t)(off % 1000000000000ULL), (uint64_t)(size % 1000000000000ULL));
}

void http_req_path(const struct http_plan *p, uint32_t j, char *buf, size_t buflen)
{
    http_path(p->client, http_req_off(p, j), http_req_size(p, j), buf, buflen);
}

void http_req_fill(const struct http_plan *p, uint64_t off, char *buf, size_t len)
{
    char req[256], path[48];

    while (len > 0) {
        uint32_t j = (uint32_t)(off / p->req_len);
        size_t skip = (size_t)(off % p->req_len), k = p->req_len - skip;

        http_req_path(p, j, path, sizeof(path));
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, p->host);
        if (k > len)
            k = len;
        memcpy(buf, req + skip, k);
        buf += k;
        len -= k;
        off += k;
    }
}

void http_parser_init(struct http_parser *h, const struct http_plan *plan, uint64_t seed, struct verifier *out)
{
    memset(h, 0, sizeof(*h));
    h->plan = plan;
    h->seed = seed;
    h->out = out;
    h->st = HS_STATUS;
    h->clen = -1;
}

/* Shows n received bytes from stream offset at as hex and text in out's hexdump. */
static void http__dump(struct http_parser *h, uint64_t at, const char *b, size_t n)
{
    char *d = h->out->hexdump;
    size_t cap = sizeof(h->out->hexdump), o;

    if (n > HTTP_DUMP_MAX)
        n = HTTP_DUMP_MAX;
    o = (size_t)snprintf(d, cap, "received at stream offset %" PRIu64 ":\n", at);
    for (size_t i = 0; i < n && o + 4 < cap; i += 16) {
        o += (size_t)snprintf(d + o, cap - o, "  ");
        for (size_t k = i; k < i + 16 && o + 4 < cap; k++)     /* a short last row is padded */
            o += (size_t)(k < n ? snprintf(d + o, cap - o, "%02x ", (unsigned char)b[k])
                                : snprintf(d + o, cap - o, "   "));
        for (size_t k = i; k < i + 16 && k < n && o + 3 < cap; k++)
            d[o++] = isprint((unsigned char)b[k]) ? b[k] : '.';
        if (o + 2 < cap)
            d[o++] = '\n';
        d[o] = '\0';
    }
}

/* Writes the current line, printable, into buf (for diagnoses). */
static const char *http__shown(const struct http_parser *h, char *buf, size_t buflen)
{
    size_t o = 0;

    for (size_t i = 0; i < h->linelen && o + 5 < buflen && i < 80; i++) {
        unsigned char c = (unsigned char)h->line[i];

        o += (size_t)(isprint(c) ? snprintf(buf + o, buflen - o, "%c", c)
                                 : snprintf(buf + o, buflen - o, "\\x%02x", c));
    }
    buf[o] = '\0';
    return buf;
}

/* Records a framing fault at stream offset at, dumping the current line. Returns -1. */
static int http__fail(struct http_parser *h, enum pattern_fault f, uint64_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int http__fail(struct http_parser *h, enum pattern_fault f, uint64_t at, const char *fmt, ...)
{
    struct verifier *v = h->out;
    va_list ap;

    v->failed = 1;
    v->fault = f;
    v->fault_offset = at;
    va_start(ap, fmt);
    vsnprintf(v->diag, sizeof(v->diag), fmt, ap);
    va_end(ap);
    http__dump(h, h->line_off, h->line, h->linelen);
    return -1;
}

/* The body verifier found the first mismatch: its diagnosis becomes the client's. Returns -1. */
static int http__body_fail(struct http_parser *h)
{
    struct verifier *v = h->out, *b = &h->body;
    char path[48];

    http_req_path(h->plan, h->done, path, sizeof(path));
    /* Under Content-Length the next response's head inside this body means body bytes went missing. */
    if (b->fault == PF_GARBAGE && b->win_len >= 7 && !memcmp(b->win, "HTTP/1.", 7) && h->st == HS_BODY_LEN) {
        b->fault = PF_LOSS;
        b->fault_bytes = b->expected_total - b->fault_offset;
        snprintf(b->diag, sizeof(b->diag), "loss at offset %" PRIu64 ": %" PRIu64 " bytes of the body skipped "
                 "(the next response's status line arrived there)", b->fault_offset, b->fault_bytes);
    }
    v->failed = 1;
    v->fault = b->fault;
    v->fault_offset = b->fault_offset;
    v->fault_bytes = b->fault_bytes;
    v->fault_client = b->fault_client;
    v->fault_their_offset = b->fault_their_offset;
    snprintf(v->diag, sizeof(v->diag), "response %" PRIu32 " body (GET %s, head at stream offset %" PRIu64 "): %.380s",
             h->done, path, h->head_off, b->diag);
    memcpy(v->hexdump, b->hexdump, sizeof(v->hexdump));
    return -1;
}

/* The current response ended: its body must be whole. Returns 0 or -1. */
static int http__complete(struct http_parser *h)
{
    if (verifier_finish(&h->body) < 0)
        return http__body_fail(h);
    h->done++;
    h->st = HS_STATUS;
    return 0;
}

/* The empty line after the headers: picks the body's framing. Returns 0 or -1. */
static int http__head_end(struct http_parser *h)
{
    uint64_t size = http_req_size(h->plan, h->done);
    char path[48];

    /* The body is the client's echo stream from base: the verifier's offsets are the stream's. */
    verifier_init(&h->body, PAT_ECHO, h->seed, h->plan->client);
    h->base = http_req_off(h->plan, h->done);
    h->body.pos = h->base;
    h->body.expected_total = h->base + size;
    if (h->chunked) {
        h->st = HS_CHUNK_SIZE;
        return 0;
    }
    if (h->clen < 0) {
        h->st = HS_BODY_CLOSE;
        return 0;
    }
    if ((uint64_t)h->clen != size) {
        http_req_path(h->plan, h->done, path, sizeof(path));
        return http__fail(h, PF_HTTP_LENGTH, h->head_off, "Content-Length %" PRId64 " of response %" PRIu32
                          " (head at stream offset %" PRIu64 ") disagrees with its body: expected %" PRIu64
                          " bytes (GET %s)", h->clen, h->done, h->head_off, size, path);
    }
    h->left = size;
    h->st = HS_BODY_LEN;
    return size ? 0 : http__complete(h);
}

/* "HTTP/1.x 200 ..." Returns 0 or -1. */
static int http__status_line(struct http_parser *h)
{
    char shown[400];
    int code = 0;

    h->line[h->linelen] = '\0';
    if (h->linelen < 12 || strncmp(h->line, "HTTP/1.", 7) || !isdigit((unsigned char)h->line[7]) ||
        h->line[8] != ' ' || sscanf(h->line + 9, "%3d", &code) != 1 || (h->linelen > 12 && h->line[12] != ' '))
        return http__fail(h, PF_HTTP_NOSTATUS, h->line_off, "garbage where the status line of response %" PRIu32
                          " was expected at stream offset %" PRIu64 ": '%s', expected 'HTTP/1.1 200 OK'",
                          h->done, h->line_off, http__shown(h, shown, sizeof(shown)));
    if (code != 200)
        return http__fail(h, PF_HTTP_STATUS, h->line_off, "HTTP protocol violation: bad status of response %" PRIu32
                          " at stream offset %" PRIu64 ": '%s', expected 200", h->done, h->line_off,
                          http__shown(h, shown, sizeof(shown)));
    h->status = code;
    h->clen = -1;
    h->chunked = 0;
    h->conn_close = 0;
    h->st = HS_HEADER;
    return 0;
}

/* Whether the header line starts with name followed by ':'; *val is set past it and spaces. */
static int http__is_header(const char *line, const char *name, const char **val)
{
    size_t n = strlen(name);

    if (strncasecmp(line, name, n) || line[n] != ':')
        return 0;
    for (*val = line + n + 1; **val == ' ' || **val == '\t'; (*val)++)
        ;
    return 1;
}

/* One header line (not empty). Returns 0 or -1. */
static int http__header_line(struct http_parser *h)
{
    const char *val;
    char shown[400], *end;
    unsigned long long n;

    h->line[h->linelen] = '\0';
    if (!strchr(h->line, ':') || h->line[0] == ' ' || h->line[0] == '\t')
        return http__fail(h, PF_HTTP_STATUS, h->line_off, "HTTP protocol violation: malformed header line of response %"
                          PRIu32 " at stream offset %" PRIu64 ": '%s', expected 'Name: value'", h->done, h->line_off,
                          http__shown(h, shown, sizeof(shown)));
    if (http__is_header(h->line, "Content-Length", &val)) {
        n = strtoull(val, &end, 10);
        if (!isdigit((unsigned char)*val) || (*end && *end != ' ' && *end != '\t') ||
            (h->clen >= 0 && (unsigned long long)h->clen != n) || n > INT64_MAX)
            return http__fail(h, PF_HTTP_LENGTH, h->line_off, "bad Content-Length in response %" PRIu32
                              " at stream offset %" PRIu64 ": '%s', expected one decimal length", h->done,
                              h->line_off, http__shown(h, shown, sizeof(shown)));
        h->clen = (int64_t)n;
    } else if (http__is_header(h->line, "Transfer-Encoding", &val)) {
        h->chunked = strcasestr(val, "chunked") != NULL;
    } else if (http__is_header(h->line, "Connection", &val)) {
        h->conn_close = strcasestr(val, "close") != NULL;
    }
    return 0;
}

/* "hex-size [; extensions]" Returns 0 or -1. */
static int http__chunk_size(struct http_parser *h)
{
    char shown[400];
    uint64_t n = 0;
    size_t i;

    h->line[h->linelen] = '\0';
    for (i = 0; i < h->linelen && isxdigit((unsigned char)h->line[i]) && i < 16; i++)
        n = n * 16 + (uint64_t)(isdigit((unsigned char)h->line[i]) ? h->line[i] - '0' : (h->line[i] | 32) - 'a' + 10);
    while (i > 0 && i < h->linelen && (h->line[i] == ' ' || h->line[i] == '\t'))
        i++;
    if (i == 0 || (i < h->linelen && h->line[i] != ';'))
        return http__fail(h, PF_HTTP_CHUNK, h->line_off, "malformed chunk header at stream offset %" PRIu64
                          " (response %" PRIu32 ", body offset %" PRIu64 "): '%s', expected a hex size, "
                          "optional ';extensions' and CRLF", h->line_off, h->done, h->body.pos - h->base,
                          http__shown(h, shown, sizeof(shown)));
    h->left = n;
    h->st = n ? HS_CHUNK_DATA : HS_TRAILER;
    return 0;
}

/* A whole line (CRLF or LF stripped) in the current state. Returns 0 or -1. */
static int http__on_line(struct http_parser *h)
{
    char shown[400];

    switch (h->st) {
    case HS_STATUS:
        return http__status_line(h);
    case HS_HEADER:
        return h->linelen ? http__header_line(h) : http__head_end(h);
    case HS_CHUNK_SIZE:
        return http__chunk_size(h);
    case HS_CHUNK_END:
        if (h->linelen)
            return http__fail(h, PF_HTTP_CHUNK, h->line_off, "malformed chunk at stream offset %" PRIu64
                              " (response %" PRIu32 ", body offset %" PRIu64 "): '%s' after the chunk's data, "
                              "expected CRLF", h->line_off, h->done, h->body.pos - h->base,
                              http__shown(h, shown, sizeof(shown)));
        h->st = HS_CHUNK_SIZE;
        return 0;
    case HS_TRAILER:
        return h->linelen ? 0 : http__complete(h);    /* trailer fields are read and ignored */
    case HS_BODY_LEN:
    case HS_BODY_CLOSE:
    case HS_CHUNK_DATA:
        break;
    }
    return 0;
}

/* The first byte of a response: was it asked for? Returns 0 or -1. */
static int http__asked(struct http_parser *h, const char *data, size_t len, uint32_t sent)
{
    if (h->done < sent && h->done < h->plan->nreq)
        return 0;
    h->linelen = len < HTTP_DUMP_MAX ? len : HTTP_DUMP_MAX;
    memcpy(h->line, data, h->linelen);
    return http__fail(h, PF_HTTP_UNASKED, h->off, "a response to a request that was never sent at stream offset %"
                      PRIu64 ": %" PRIu32 " responses complete, %" PRIu32 " of %" PRIu32 " requests sent%s",
                      h->off, h->done, sent, h->plan->nreq,
                      h->done >= h->plan->nreq ? " (all answered: these bytes are extra)" : "");
}

/* Bytes enough to hold one whole echo record wherever it starts: who sent
 * bytes that are no status line can then be told. */
#define HTTP_IDENT 64

/* Where a status line was due, the line holds something else: another
 * client's pattern bytes (cross-talk), else garbage. Returns -1 (a fault). */
static int http__not_status(struct http_parser *h)
{
    struct verifier *v = h->out;
    char shown[400];
    uint32_t who;
    uint64_t their;

    h->line[h->linelen] = '\0';
    if (pattern_identify(PAT_ECHO, h->line, h->linelen, &who, &their) && who != (v->client & 0xffffff)) {
        http__fail(h, PF_CROSSTALK, h->line_off, "cross-talk at stream offset %" PRIu64 ": received bytes of "
                   "client %" PRIu32 " (its offset %" PRIu64 ") where the status line of response %" PRIu32
                   " was expected", h->line_off, who, their, h->done);
        v->fault_client = who;
        v->fault_their_offset = their;
        return -1;
    }
    return http__fail(h, PF_HTTP_NOSTATUS, h->line_off, "garbage where the status line of response %" PRIu32
                      " was expected at stream offset %" PRIu64 ": '%s', expected 'HTTP/1.1 200 OK'", h->done,
                      h->line_off, http__shown(h, shown, sizeof(shown)));
}

/* Collects raw bytes, line ends and all, after a status line went wrong,
 * until they can hold a record. Returns how many, or 0 after the fault. */
static size_t http__junk_bytes(struct http_parser *h, const char *data, size_t len)
{
    size_t k = HTTP_IDENT - h->linelen < len ? HTTP_IDENT - h->linelen : len;

    memcpy(h->line + h->linelen, data, k);
    h->linelen += k;
    h->off += k;
    if (h->linelen < HTTP_IDENT)
        return k;
    http__not_status(h);
    return 0;
}

/* Takes bytes of a status, header, chunk-size or trailer line. Returns how many, or 0 after a fault. */
static size_t http__line_bytes(struct http_parser *h, const char *data, size_t len, uint32_t sent)
{
    const char *nl = memchr(data, '\n', len);
    size_t k = nl ? (size_t)(nl - data) + 1 : len, room = sizeof(h->line) - 1 - h->linelen;
    char shown[400];

    if (h->junk)
        return http__junk_bytes(h, data, len);
    if (h->linelen == 0) {
        h->line_off = h->off;
        if (h->st == HS_STATUS && (http__asked(h, data, len, sent) < 0))
            return 0;
        if (h->st == HS_STATUS)
            h->head_off = h->off;
    }
    if (k > room) {
        memcpy(h->line + h->linelen, data, room);
        h->linelen += room;
        http__fail(h, h->st == HS_CHUNK_SIZE || h->st == HS_CHUNK_END ? PF_HTTP_CHUNK : PF_HTTP_NOSTATUS,
                   h->line_off, "no line end within %d bytes at stream offset %" PRIu64 " (response %" PRIu32
                   "): '%.60s...', expected a CRLF-terminated %s", HTTP_LINE_MAX, h->line_off, h->done,
                   http__shown(h, shown, sizeof(shown)), h->st == HS_STATUS ? "status line" : "line");
        return 0;
    }
    memcpy(h->line + h->linelen, data, k);
    h->linelen += k;
    h->off += k;
    /* A status line shows itself in 5 bytes; anything else is judged once it
     * could hold a whole record, without waiting for a line end that may never come. */
    if (h->st == HS_STATUS && strncmp(h->line, "HTTP/", h->linelen < 5 ? h->linelen : 5)) {
        h->junk = 1;
        if (h->linelen < HTTP_IDENT)
            return k;
        http__not_status(h);
        return 0;
    }
    if (!nl)
        return k;
    h->linelen -= 1 + (h->linelen >= 2 && h->line[h->linelen - 2] == '\r');
    if (http__on_line(h) < 0)
        return 0;
    h->linelen = 0;
    return k;
}

/* Takes body bytes (a Content-Length body, a chunk's data, or a close-delimited body). Returns how many. */
static size_t http__body_bytes(struct http_parser *h, const char *data, size_t len)
{
    size_t k = h->st == HS_BODY_CLOSE || len < h->left ? len : (size_t)h->left;

    if (verifier_feed(&h->body, data, k) < 0) {
        http__body_fail(h);
        return 0;
    }
    h->off += k;
    if (h->st == HS_BODY_CLOSE)
        return k;
    h->left -= k;
    if (h->left == 0) {
        if (h->st == HS_CHUNK_DATA)
            h->st = HS_CHUNK_END;
        else if (http__complete(h) < 0)
            return 0;
    }
    return k;
}

int http_feed(struct http_parser *h, const char *data, size_t len, uint32_t sent)
{
    while (len > 0 && !h->out->failed) {
        size_t k;

        if (h->st == HS_BODY_LEN || h->st == HS_BODY_CLOSE || h->st == HS_CHUNK_DATA)
            k = http__body_bytes(h, data, len);
        else
            k = http__line_bytes(h, data, len, sent);
        data += k;
        len -= k;
    }
    return h->out->failed ? -1 : 0;
}

int http_finish(struct http_parser *h, int eof)
{
    char path[48];

    if (h->out->failed)
        return -1;
    if (h->body.pending && h->st != HS_STATUS && h->st != HS_HEADER) {
        verifier_finish(&h->body);
        return http__body_fail(h);
    }
    if (h->st == HS_STATUS && h->linelen > 0 && strncmp(h->line, "HTTP/", h->linelen < 5 ? h->linelen : 5))
        return http__not_status(h);
    if (!eof)
        return 0;
    switch (h->st) {
    case HS_STATUS:
        if (h->linelen == 0)
            return 0;
        /* a status line cut short is a cut head */
        __attribute__((fallthrough));
    case HS_HEADER:
        return http__fail(h, PF_HTTP_HEADER_CUT, h->off, "the server closed inside the head of response %" PRIu32
                          " at stream offset %" PRIu64 " (%" PRIu64 " bytes of it received): expected the rest of "
                          "the head up to an empty line", h->done, h->off, h->off - h->head_off);
    case HS_BODY_CLOSE:
        return http__complete(h);
    case HS_BODY_LEN:
    case HS_CHUNK_SIZE:
    case HS_CHUNK_DATA:
    case HS_CHUNK_END:
    case HS_TRAILER:
        break;
    }
    http_req_path(h->plan, h->done, path, sizeof(path));
    return http__fail(h, PF_TRUNCATED, h->off, "truncated: the server closed inside the body of response %" PRIu32
                      " (GET %s) at stream offset %" PRIu64 ": received %" PRIu64 " of %" PRIu64 " body bytes%s",
                      h->done, path, h->off, h->body.pos - h->base, h->body.expected_total - h->base,
                      h->chunked ? " (chunked: expected more chunks and the last one)" : "");
}

int http_complete(const struct http_parser *h)
{
    return !h->out->failed && h->done >= h->plan->nreq && h->st == HS_STATUS && h->linelen == 0;
}

uint64_t http_owed(const struct http_parser *h, uint32_t sent)
{
    const struct http_plan *p = h->plan;
    uint64_t a = h->done, b = sent < p->nreq ? sent : p->nreq, sum;

    if (a >= b)
        return 0;
    /* Sizes of requests a..b-1 (all but the last are p->size), less the current body's bytes, plus its head. */
    sum = (b - a) * p->size + (b == p->nreq ? http_req_size(p, p->nreq - 1) - p->size : 0);
    if (h->st != HS_STATUS && h->st != HS_HEADER)
        sum -= h->body.pos - h->base < sum ? h->body.pos - h->base : sum;
    return sum + 1;
}
