/* buggy_http.c: buggy-server's HTTP/1.1 protocol: GET/HEAD of files under --docroot, keep-alive, pipelining, chunked bodies. */
#include "targets/buggy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define BHTTP_CHUNK 16384     /* payload bytes per chunk of a chunked body */
#define BHTTP_LINE_CAP (BUGGY_MAX_LINE + BUGGY_RBUF)

/* One parsed request head. */
struct bhttp_req {
    char method[16];
    char path[1024];
    int minor;                /* HTTP/1.<minor> */
    int keep_alive;
    int has_body;             /* Content-Length > 0 or Transfer-Encoding: not served */
};

/* Queues n bytes of c's output stream. Returns 0 or -1. */
static int bhttp__put(struct bconn *c, const void *p, size_t n)
{
    if (bq_append(c->q, p, n) < 0)
        return -1;
    c->queued += n;
    return 0;
}

/* Forgets the frames whose payload has been written whole. */
static void bhttp__prune(struct bconn *c)
{
    while (c->frame0 < c->nframes && c->frames[c->frame0].start + c->frames[c->frame0].len <= c->sent)
        c->frame0++;
    if (c->frame0 == c->nframes)
        c->frame0 = c->nframes = 0;
}

/* Remembers where the next chunk's payload of len bytes lies. Returns 0 or -1. */
static int bhttp__frame(struct bconn *c, size_t len)
{
    bhttp__prune(c);
    if (c->nframes == c->framecap) {
        size_t cap = c->framecap ? c->framecap * 2 : 64;
        struct bframe *f = realloc(c->frames, cap * sizeof(*f));

        if (!f)
            return -1;
        c->frames = f;
        c->framecap = cap;
    }
    c->frames[c->nframes].start = c->queued;
    c->frames[c->nframes++].len = len;
    return 0;
}

/* Queues one chunk: size line, payload, CRLF. Returns 0 or -1. */
static int bhttp__chunk(struct bconn *c, const char *p, size_t n)
{
    char line[24];
    int k = snprintf(line, sizeof(line), "%zx\r\n", n);

    if (bhttp__put(c, line, (size_t)k) < 0 || bhttp__frame(c, n) < 0 || bhttp__put(c, p, n) < 0)
        return -1;
    return bhttp__put(c, "\r\n", 2);
}

/* Queues the status line and headers; body_len < 0 means chunked. Returns 0 or -1. */
static int bhttp__head(struct bconn *c, int code, const char *reason, long long body_len, int keep)
{
    char h[256];
    int k;

    if (body_len < 0)
        k = snprintf(h, sizeof(h), "HTTP/1.1 %d %s\r\nServer: buggy-server\r\nTransfer-Encoding: chunked\r\n%s\r\n",
                     code, reason, keep ? "" : "Connection: close\r\n");
    else
        k = snprintf(h, sizeof(h), "HTTP/1.1 %d %s\r\nServer: buggy-server\r\nContent-Length: %lld\r\n%s\r\n",
                     code, reason, body_len, keep ? "" : "Connection: close\r\n");
    return bhttp__put(c, h, (size_t)k);
}

/* Answers with a short text body. Returns 0 or -1. */
static int bhttp__simple(struct bconn *c, int code, const char *reason, int keep, int head_only)
{
    char body[64];
    int k = snprintf(body, sizeof(body), "%d %s\n", code, reason);

    if (bhttp__head(c, code, reason, k, keep) < 0)
        return -1;
    return head_only ? 0 : bhttp__put(c, body, (size_t)k);
}

/* Queues size bytes of fd as the body, read through the loop's stage buffer. Returns 0 or -1. */
static int bhttp__body(struct bloop *l, struct bconn *c, int fd, off_t size, int chunked)
{
    size_t piece = chunked ? BHTTP_CHUNK : sizeof(l->stage);

    while (size > 0) {
        ssize_t n = read(fd, l->stage, (size_t)size < piece ? (size_t)size : piece);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;    /* the file shrank under us: the length already sent is a lie */
        if ((chunked ? bhttp__chunk(c, l->stage, (size_t)n) : bhttp__put(c, l->stage, (size_t)n)) < 0)
            return -1;
        size -= n;
    }
    return chunked ? bhttp__put(c, "0\r\n\r\n", 5) : 0;
}

/* Returns 1 if path may name a file under the docroot: absolute, no ".." segment. */
static int bhttp__path_ok(const char *path)
{
    const char *p = path;

    if (path[0] != '/')
        return 0;
    for (; (p = strstr(p, "/..")) != NULL; p += 3)
        if (p[3] == '/' || p[3] == '\0')
            return 0;
    return 1;
}

/* Answers a GET or HEAD of a file. Returns 0 or -1. */
static int bhttp__file(struct bloop *l, struct bconn *c, const struct bhttp_req *r)
{
    int head_only = r->method[0] == 'H', chunked = l->conf->chunked && r->minor >= 1;
    char full[4096];
    struct stat st;
    int fd, rc;

    if ((size_t)snprintf(full, sizeof(full), "%s%s", l->conf->docroot, r->path) >= sizeof(full) ||
        (fd = open(full, O_RDONLY | O_CLOEXEC)) < 0)
        return bhttp__simple(c, 404, "Not Found", r->keep_alive, head_only);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return bhttp__simple(c, 404, "Not Found", r->keep_alive, head_only);
    }
    rc = bhttp__head(c, 200, "OK", chunked ? -1 : (long long)st.st_size, r->keep_alive);
    if (rc == 0 && !head_only)
        rc = bhttp__body(l, c, fd, st.st_size, chunked);
    close(fd);
    return rc;
}

/* Parses the request line. Returns 0 or -1 (garbage). */
static int bhttp__request_line(const char *line, size_t len, struct bhttp_req *r)
{
    const char *sp1 = memchr(line, ' ', len), *sp2, *q;
    size_t mlen, plen;

    if (!sp1 || !(sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line))))
        return -1;
    mlen = (size_t)(sp1 - line);
    plen = (size_t)(sp2 - sp1 - 1);
    if (mlen == 0 || mlen >= sizeof(r->method) || plen == 0 || plen >= sizeof(r->path) ||
        (size_t)(line + len - sp2 - 1) != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
        (sp2[8] != '0' && sp2[8] != '1'))
        return -1;
    for (size_t i = 0; i < mlen; i++)
        if (line[i] < 'A' || line[i] > 'Z')
            return -1;
    memcpy(r->method, line, mlen);
    r->method[mlen] = '\0';
    memcpy(r->path, sp1 + 1, plen);
    r->path[plen] = '\0';
    if ((q = strchr(r->path, '?')) != NULL)
        r->path[q - r->path] = '\0';  /* the query names no file */
    r->minor = sp2[8] - '0';
    r->keep_alive = r->minor >= 1;
    return 0;
}

/* Applies one header line. Returns 0 or -1 (garbage). */
static int bhttp__header(const char *line, size_t len, struct bhttp_req *r)
{
    const char *colon = memchr(line, ':', len), *v;
    size_t nlen, vlen;

    if (!colon || colon == line)
        return -1;
    nlen = (size_t)(colon - line);
    for (v = colon + 1; v < line + len && (*v == ' ' || *v == '\t'); v++)
        ;
    vlen = (size_t)(line + len - v);
    if (nlen == 10 && !strncasecmp(line, "Connection", 10))
        r->keep_alive = vlen >= 5 && !strncasecmp(v, "close", 5) ? 0 :
                        vlen >= 10 && !strncasecmp(v, "keep-alive", 10) ? 1 : r->keep_alive;
    else if ((nlen == 14 && !strncasecmp(line, "Content-Length", 14) && !(vlen == 1 && *v == '0')) ||
             (nlen == 17 && !strncasecmp(line, "Transfer-Encoding", 17)))
        r->has_body = 1;
    return 0;
}

/* Parses a request head (without its final CRLF CRLF). Returns 0 or -1 (garbage). */
static int bhttp__parse(const char *head, size_t len, struct bhttp_req *r)
{
    const char *end = head + len, *p = head, *eol;

    memset(r, 0, sizeof(*r));
    eol = memchr(p, '\r', (size_t)(end - p));
    if (bhttp__request_line(p, (size_t)((eol ? eol : end) - p), r) < 0)
        return -1;
    while (eol && eol + 2 <= end) {
        if (eol[1] != '\n')
            return -1;
        p = eol + 2;
        eol = memchr(p, '\r', (size_t)(end - p));
        if (bhttp__header(p, (size_t)((eol ? eol : end) - p), r) < 0)
            return -1;
    }
    return 0;
}

/* Answers one request head. Returns 0 or -1. */
static int bhttp__answer(struct bloop *l, struct bconn *c, const char *head, size_t len)
{
    struct bhttp_req r;

    if (bhttp__parse(head, len, &r) < 0 || r.has_body) {
        c->http_close = 1;    /* where the next request starts is unknown: stop here */
        return bhttp__simple(c, 400, "Bad Request", 0, 0);
    }
    if (!r.keep_alive)
        c->http_close = 1;
    if (strcmp(r.method, "GET") != 0 && strcmp(r.method, "HEAD") != 0)
        return bhttp__simple(c, 405, "Method Not Allowed", r.keep_alive, 0);
    if (!bhttp__path_ok(r.path))
        return bhttp__simple(c, 404, "Not Found", r.keep_alive, r.method[0] == 'H');
    return bhttp__file(l, c, &r);
}

/* Answers the complete heads buffered in c->line, stopping at the high-water
 * mark (the rest waits, as unread input would) or after a closing answer. */
static int bhttp__drain(struct bloop *l, struct bconn *c)
{
    size_t used = 0;
    int rc = 0;

    while (rc == 0 && !c->http_close) {
        char *end = memmem(c->line + used, c->line_len - used, "\r\n\r\n", 4);

        if (!end || (c->q->bytes >= l->conf->hwm && !bug_on(l->conf->bugs, BUG_UNBOUNDED_OUTPUT)))
            break;
        rc = bhttp__answer(l, c, c->line + used, (size_t)(end - (c->line + used)));
        used = (size_t)(end + 4 - c->line);
    }
    memmove(c->line, c->line + used, c->line_len - used);
    c->line_len -= used;
    if (rc == 0 && c->http_close) {
        /* Close once the answers are sent: the loop's "EOF and nothing queued". */
        c->eof = 1;
        c->rd_ready = 0;
        c->line_len = 0;
    } else if (rc == 0 && c->line_len >= BUGGY_MAX_LINE && !memmem(c->line, c->line_len, "\r\n\r\n", 4)) {
        c->http_close = 1;
        rc = bhttp__simple(c, 400, "Bad Request", 0, 0);  /* a head longer than we keep */
        c->eof = 1;
    }
    return rc;
}

int bhttp_consume(struct bloop *l, struct bconn *c, const char *p, size_t n)
{
    if (c->http_close)
        return 0;             /* requests behind a closing answer are not answered */
    /* Room for a head of BUGGY_MAX_LINE and one read more: requests held back
     * at the high-water mark pause reading, so no second read comes on top. */
    if (!c->line && !(c->line = malloc(BHTTP_LINE_CAP)))
        return -1;
    if (c->line_len + n > BHTTP_LINE_CAP)
        return -1;
    memcpy(c->line + c->line_len, p, n);
    c->line_len += n;
    return bhttp__drain(l, c);
}

int bhttp_resume(struct bloop *l, struct bconn *c)
{
    if (c->line_len == 0 || c->http_close)
        return 0;
    if (bhttp__drain(l, c) < 0)
        return -1;
    if (c->q->bytes >= l->conf->hwm && !bug_on(l->conf->bugs, BUG_UNBOUNDED_OUTPUT)) {
        c->paused = 1;        /* as a read that reached the mark would */
        l->pauses++;
    }
    return 0;
}

void bhttp_rechunk(struct bconn *c)
{
    char line[24];
    const struct bframe *f;
    size_t left;
    int k;

    bhttp__prune(c);
    if (c->frame0 == c->nframes || c->frames[c->frame0].start > c->sent)
        return;               /* not inside a payload: a head, a size line or a CRLF */
    f = &c->frames[c->frame0];
    left = (size_t)(f->start + f->len - c->sent);
    /* The bug: "a new chunk for the rest", its size line written where the
     * rest of the payload sits, as if room had been reserved for it. Eight
     * hex digits, as haproxy wrote "00001F3E\r\n" over a payload (#2598). */
    k = snprintf(line, sizeof(line), "%08zx\r\n", left);
    bq_overwrite(c->q, line, (size_t)k < left ? (size_t)k : left);
}

void bhttp_free(struct bconn *c)
{
    free(c->frames);
}
