/* pattern_diag.c: diagnoses the first mismatch of a verifier (loss, duplication, cross-talk, garbage, excess) and hexdumps it. */
#include "harness/verify/pattern.h"
#include "harness/verify/pattern_int.h"

#include <stdio.h>
#include <string.h>

/* Longest record or repeat line before the mismatch that we regenerate as context. */
#define DIAG_PRE 64

/* What a record header found in the received bytes says they are. */
struct diag_hit {
    uint32_t client;
    uint64_t offset;          /* its offset in that client's stream */
};

/* Parses digits lowercase hex digits. Returns 0, or -1 if one is not hex. */
static int diag__hex(const unsigned char *s, int digits, uint64_t *out)
{
    uint64_t v = 0;

    for (int i = 0; i < digits; i++) {
        unsigned c = s[i];

        if (c >= '0' && c <= '9')
            v = v * 16 + (c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (c - 'a' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* "c%06x o%016llx " at b (n bytes readable). Returns 1 on a header. */
static int diag__echo_header(const unsigned char *b, size_t n, struct diag_hit *h)
{
    uint64_t c, o;

    if (n < 26 || b[0] != 'c' || b[7] != ' ' || b[8] != 'o' || b[25] != ' ')
        return 0;
    if (diag__hex(b + 1, 6, &c) < 0 || diag__hex(b + 9, 16, &o) < 0 || o % PATTERN_ECHO_REC)
        return 0;
    if (n >= PATTERN_ECHO_REC && b[31] != '\n')
        return 0;
    h->client = (uint32_t)c;
    h->offset = o;
    return 1;
}

/* "%015llx\n" at b. Returns 1 on a record. */
static int diag__stream_header(const unsigned char *b, size_t n, struct diag_hit *h)
{
    uint64_t o;

    if (n < PATTERN_STREAM_REC || b[15] != '\n' || diag__hex(b, 15, &o) < 0 || o % PATTERN_STREAM_REC)
        return 0;
    h->offset = o;
    return 1;
}

/* "i:c%04xm%04x\r\n" at b, b being a line start. Returns 1 on a line of a reply with n lines. */
static int diag__repeat_line(const unsigned char *b, size_t n, uint32_t lines, struct diag_hit *h)
{
    uint64_t i = 0, c, m;
    size_t d = 0;

    while (d < n && d < 10 && b[d] >= '0' && b[d] <= '9')
        i = i * 10 + (b[d++] - '0');
    if (d == 0 || (d > 1 && b[0] == '0') || i >= lines || n < d + 13)
        return 0;
    b += d;
    if (b[0] != ':' || b[1] != 'c' || b[6] != 'm' || b[11] != '\r' || b[12] != '\n')
        return 0;
    if (diag__hex(b + 2, 4, &c) < 0 || diag__hex(b + 7, 4, &m) < 0)
        return 0;
    h->client = (uint32_t)c;
    h->offset = m * pattern_repeat_reply_len(lines) + pattern__repeat_lines_len((uint32_t)i);
    return 1;
}

/* Start of the record (or repeat line) that holds offset p. */
static uint64_t diag__record_start(const struct verifier *v, uint64_t p)
{
    uint64_t rlen, r, lo = 0, hi = 10;

    switch (v->kind) {
    case PAT_ECHO:
    case PAT_HTTP:
        return p - p % PATTERN_ECHO_REC;
    case PAT_STREAM:
        return p - p % PATTERN_STREAM_REC;
    case PAT_REPEAT:
        rlen = pattern_repeat_reply_len(v->repeat_n);
        if (rlen == 0)
            return p;
        r = p % rlen;
        for (unsigned digits = 1; lo < v->repeat_n; digits++, lo = hi, hi *= 10) {
            uint64_t top = hi < v->repeat_n ? hi : v->repeat_n;
            uint64_t linelen = digits + PATTERN_REPEAT_MSG + 3;

            if (r < (top - lo) * linelen)
                return p - r % linelen;
            r -= (top - lo) * linelen;
        }
        return p;
    }
    return p;
}

/* Looks for a header at b[x] (b holds n bytes). Returns 1 with h set. */
static int diag__header_at(const struct verifier *v, const unsigned char *b, size_t n, size_t x,
                           struct diag_hit *h)
{
    h->client = v->client;
    switch (v->kind) {
    case PAT_ECHO:
    case PAT_HTTP:
        return diag__echo_header(b + x, n - x, h);
    case PAT_STREAM:
        return diag__stream_header(b + x, n - x, h);
    case PAT_REPEAT:
        if (x > 0 && b[x - 1] != '\n')
            return 0;
        return diag__repeat_line(b + x, n - x, v->repeat_n, h);
    }
    return 0;
}

/* The client id as its records spell it (6 hex digits for echo, 4 for repeat). */
static uint32_t diag__spelled_id(const struct verifier *v)
{
    return v->kind == PAT_REPEAT ? v->client & 0xffff : v->client & 0xffffff;
}

/* How many bytes before b[x] continue the hit's stream backwards. */
static size_t diag__run_back(const struct verifier *v, const unsigned char *b, size_t x,
                             const struct diag_hit *h)
{
    char g[DIAG_PRE + PATTERN_WINDOW];
    size_t m = x < h->offset ? x : (size_t)h->offset, j = 0;

    if (m == 0)
        return 0;
    pattern__gen(v, h->client, h->offset - m, g, m);
    while (j < m && b[x - 1 - j] == (unsigned char)g[m - 1 - j])
        j++;
    return j;
}

static void diag__set(struct verifier *v, enum pattern_fault f, uint64_t at, uint64_t bytes)
{
    v->fault = f;
    v->fault_offset = at;
    v->fault_bytes = bytes;
}

/* Names what the window holds, given the first header that is not in place. */
static void diag__classify(struct verifier *v, const unsigned char *b, size_t x, uint64_t p0,
                           const struct diag_hit *h)
{
    size_t back = diag__run_back(v, b, x, h);
    uint64_t s = p0 + x - back;          /* where the foreign run starts */
    uint64_t here = p0 + x;
    unsigned long long S = s;

    if (s > v->pos) {
        /* Bytes between the mismatch and the run belong to nothing we know. */
        diag__set(v, PF_GARBAGE, v->pos, s - v->pos);
        snprintf(v->diag, sizeof(v->diag), "garbage at offset %llu", (unsigned long long)v->pos);
    } else if (h->client != diag__spelled_id(v)) {
        diag__set(v, PF_CROSSTALK, s, 0);
        v->fault_client = h->client;
        v->fault_their_offset = h->offset - back;
        snprintf(v->diag, sizeof(v->diag), "cross-talk at offset %llu: received bytes of client %u (its offset %llu)",
                 S, h->client, (unsigned long long)v->fault_their_offset);
    } else if (h->offset > here) {
        diag__set(v, PF_LOSS, s, h->offset - here);
        snprintf(v->diag, sizeof(v->diag), "loss at offset %llu: %llu bytes skipped", S,
                 (unsigned long long)v->fault_bytes);
    } else {
        diag__set(v, PF_DUPLICATION, s, here - h->offset);
        snprintf(v->diag, sizeof(v->diag), "duplication at offset %llu: %llu bytes repeated", S,
                 (unsigned long long)v->fault_bytes);
    }
}

/* How far around the mismatch a short headerless fragment is looked for. */
#define DIAG_SEARCH (4u << 20)
#define DIAG_FRAGMENT_MIN 12

/* Finds the window's bytes in the client's own stream within DIAG_SEARCH of
 * the mismatch. A reply cut short right after a gap leaves too few bytes for
 * a record header; the bytes themselves still say where they came from when
 * they occur exactly once. Returns 1 with *at set, 0 when absent or ambiguous. */
static int diag__find_fragment(struct verifier *v, uint64_t *at)
{
    enum { CHUNK = 65536 };
    static __thread char g[CHUNK + PATTERN_WINDOW];
    uint64_t lo = v->pos > DIAG_SEARCH ? v->pos - DIAG_SEARCH : 0;
    uint64_t hi = v->expected_total - v->pos > DIAG_SEARCH ? v->pos + DIAG_SEARCH : v->expected_total;
    size_t n = v->win_len;
    int found = 0;

    if (n < DIAG_FRAGMENT_MIN || hi < lo + n)
        return 0;
    for (uint64_t o = lo; o + n <= hi && found < 2; o += CHUNK) {
        size_t len = (size_t)(hi - o < CHUNK + n - 1 ? hi - o : CHUNK + n - 1);

        pattern__gen(v, v->client, o, g, len);
        /* A match starting in the overlap is the next chunk's. */
        for (const char *p = g; (p = memmem(p, len - (size_t)(p - g), v->win, n)) != NULL && p - g < CHUNK; p++) {
            if (o + (uint64_t)(p - g) == v->pos)
                continue;      /* its own place is no mismatch */
            *at = o + (uint64_t)(p - g);
            if (++found == 2)
                break;
        }
    }
    return found == 1;
}

/* Names a headerless window by where its bytes occur in the client's stream. */
static int diag__fragment(struct verifier *v)
{
    uint64_t at;

    if (!diag__find_fragment(v, &at))
        return 0;
    if (at > v->pos) {
        diag__set(v, PF_LOSS, v->pos, at - v->pos);
        snprintf(v->diag, sizeof(v->diag), "loss at offset %llu: %llu bytes skipped", (unsigned long long)v->pos,
                 (unsigned long long)v->fault_bytes);
    } else {
        diag__set(v, PF_DUPLICATION, v->pos, v->pos - at);
        snprintf(v->diag, sizeof(v->diag), "duplication at offset %llu: %llu bytes repeated",
                 (unsigned long long)v->pos, (unsigned long long)v->fault_bytes);
    }
    return 1;
}

void pattern__diagnose(struct verifier *v)
{
    unsigned char b[DIAG_PRE + PATTERN_WINDOW];
    uint64_t p0 = diag__record_start(v, v->pos);
    size_t pre, n, x;
    struct diag_hit h;

    v->pending = 0;
    v->failed = 1;
    if (v->pos >= v->expected_total) {
        diag__set(v, PF_EXCESS, v->pos, v->win_len);
        snprintf(v->diag, sizeof(v->diag), "excess: %u bytes after the expected %llu", v->win_len,
                 (unsigned long long)v->expected_total);
        pattern__hexdump(v, v->pos);
        return;
    }
    if (v->pos - p0 > DIAG_PRE)
        p0 = v->pos - DIAG_PRE;
    pre = (size_t)(v->pos - p0);
    pattern__gen(v, v->client, p0, (char *)b, pre);
    memcpy(b + pre, v->win, v->win_len);
    n = pre + v->win_len;
    for (x = 0; x < n; x++) {
        if (!diag__header_at(v, b, n, x, &h))
            continue;
        if (h.client == diag__spelled_id(v) && h.offset == p0 + x)
            continue;    /* a record in its right place: the fault is elsewhere */
        diag__classify(v, b, x, p0, &h);
        pattern__hexdump(v, v->fault_offset);
        return;
    }
    if (!diag__fragment(v)) {
        diag__set(v, PF_GARBAGE, v->pos, 0);
        snprintf(v->diag, sizeof(v->diag), "garbage at offset %llu", (unsigned long long)v->pos);
    }
    pattern__hexdump(v, v->pos);
}

/* Appends one 16-byte row: hex, then printable text. have[i] == 0 leaves a gap. */
static size_t diag__row(char *out, size_t room, const char *label, uint64_t off, const unsigned char *d,
                        const int *have, int differs)
{
    char hex[16 * 3 + 1], txt[17];

    for (int i = 0; i < 16; i++) {
        if (have[i]) {
            snprintf(hex + 3 * i, 4, "%02x ", d[i]);
            txt[i] = d[i] >= 0x20 && d[i] < 0x7f ? (char)d[i] : '.';
        } else {
            memcpy(hex + 3 * i, "   ", 4);
            txt[i] = ' ';
        }
    }
    txt[16] = '\0';
    int k = off == UINT64_MAX ? snprintf(out, room, "%12s %s %s |%s|%s\n", "", label, hex, txt, differs ? " <" : "")
                              : snprintf(out, room, "%12llu %s %s |%s|%s\n", (unsigned long long)off, label, hex, txt,
                                         differs ? " <" : "");
    return k < 0 ? 0 : (size_t)k >= room ? room - 1 : (size_t)k;
}

void pattern__hexdump(struct verifier *v, uint64_t at)
{
    uint64_t start = (at & ~(uint64_t)15) >= 16 ? (at & ~(uint64_t)15) - 16 : 0;
    size_t used = 0, room = sizeof(v->hexdump);

    used += (size_t)snprintf(v->hexdump, room, "%12s (decimal byte offsets; exp = expected, got = received)\n", "offset");
    for (int row = 0; row < 4 && used < room - 1; row++) {
        unsigned char e[16], g[16];
        int he[16], hg[16], differs = 0;
        uint64_t o = start + 16 * (uint64_t)row;

        pattern__gen(v, v->client, o, (char *)e, 16);
        for (int i = 0; i < 16; i++) {
            uint64_t q = o + (uint64_t)i;

            he[i] = q < v->expected_total;
            hg[i] = q < v->pos || q - v->pos < v->win_len;
            g[i] = q < v->pos ? e[i] : hg[i] ? v->win[q - v->pos] : 0;
            differs |= he[i] != hg[i] || (he[i] && e[i] != g[i]);
        }
        used += diag__row(v->hexdump + used, room - used, "exp", o, e, he, 0);
        used += diag__row(v->hexdump + used, room - used, "got", UINT64_MAX, g, hg, differs);
    }
}

int pattern_identify(enum pattern_kind kind, const char *b, size_t n, uint32_t *client, uint64_t *offset)
{
    struct diag_hit h;

    for (size_t x = 0; kind == PAT_ECHO && x < n; x++)
        if (diag__echo_header((const unsigned char *)b + x, n - x, &h) && h.offset >= x) {
            *client = h.client;
            *offset = h.offset - x;
            return 1;
        }
    return 0;
}

