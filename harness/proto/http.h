/* http.h: HTTP/1.1 client framing: GET requests for the document root's self-identifying files, and an incremental response parser that hands only body bytes to the verifier. */
#ifndef EC_HTTP_H
#define EC_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "harness/verify/pattern.h"

/*
 * A client's GETs ask for consecutive pieces of its echo stream: request j
 * for the bytes [j*size, (j+1)*size), the last one for the rest. The
 * document root (written by the runner, harness/run/run_docroot.c) holds
 * each piece as a file at http_path(client, offset, size):
 * "/c%06x/%012llu-%012llu" (client id in hex, stream offset and size in
 * decimal), its bytes the client's echo stream there (pattern_echo_fill with
 * the run's seed). So the bodies back to back are the client's echo stream:
 * another client's bytes name that client, a response repeated or lost reads
 * as duplication or loss at its offset. To bound the disk, the offsets wrap
 * after HTTP_WRAP bytes: a client's files take at most HTTP_WRAP plus one
 * request's size (a response repeated within the last HTTP_WRAP bytes is still
 * told from the next one).
 */
#define HTTP_FILE_MAX (4ULL << 20)  /* requests = 0: one GET per 4 MiB owed */
#define HTTP_WRAP (16ULL << 20)     /* a client's files, at most (plus one request's size) */
#define HTTP_LINE_MAX 1024          /* longest status, header, chunk-size or trailer line */
#define HTTP_HOST_MAX 64

/* What one client asks for: nreq GETs on one connection, splitting total body bytes. */
struct http_plan {
    uint32_t client;
    uint64_t total;           /* body bytes owed in all */
    uint32_t nreq;            /* GETs */
    uint64_t size;            /* body bytes of each GET but the last (which has the rest) */
    uint32_t wrap;            /* request j asks for the piece at offset (j % wrap) * size */
    size_t req_len;           /* bytes of each request: every request has the same length */
    char host[HTTP_HOST_MAX]; /* the Host: header */
};

/* Splits total into GETs: requests of them, or one per HTTP_FILE_MAX when 0 (at least one). */
void http_plan_init(struct http_plan *p, uint32_t client, uint64_t total, int requests, const char *host);
/* Body bytes request j is owed: total / nreq, the last one the rest too. */
uint64_t http_req_size(const struct http_plan *p, uint32_t j);
/* Where in the client's echo stream request j's body starts. */
uint64_t http_req_off(const struct http_plan *p, uint32_t j);
/* Writes the document-root path of client's file of size bytes from offset off
 * ("/c000003/000001048576-000001048576"). */
void http_path(uint32_t client, uint64_t off, uint64_t size, char *buf, size_t buflen);
/* Writes the path request j of plan p asks for. */
void http_req_path(const struct http_plan *p, uint32_t j, char *buf, size_t buflen);
/* Writes len bytes of the request stream (the nreq GETs back to back) from offset off. */
void http_req_fill(const struct http_plan *p, uint64_t off, char *buf, size_t len);

enum http_state {
    HS_STATUS,                /* expecting a status line */
    HS_HEADER,                /* header lines up to an empty one */
    HS_BODY_LEN,              /* Content-Length body */
    HS_BODY_CLOSE,            /* body delimited by the server's close */
    HS_CHUNK_SIZE,            /* chunk-size [; extensions] CRLF */
    HS_CHUNK_DATA,
    HS_CHUNK_END,             /* the CRLF after a chunk's data */
    HS_TRAILER,               /* trailer lines after the last chunk, up to an empty one */
};

/* One connection's response stream. */
struct http_parser {
    const struct http_plan *plan;
    uint64_t seed;
    struct verifier *out;     /* where a fault's diagnosis lands (failed, fault, diag, hexdump) */
    enum http_state st;
    char line[HTTP_LINE_MAX];
    size_t linelen;
    uint64_t line_off;        /* stream offset of the current line's first byte */
    uint64_t off;             /* stream offset of the next byte */
    uint32_t done;            /* responses complete */
    int status;
    int64_t clen;             /* Content-Length; -1 when absent */
    int chunked;
    int conn_close;           /* the response said Connection: close */
    uint64_t left;            /* HS_BODY_LEN, HS_CHUNK_DATA: bytes still to come */
    uint64_t head_off;        /* stream offset of the current response's status line */
    uint64_t base;            /* where the current body starts in the client's echo stream */
    struct verifier body;     /* the current response's body (PAT_ECHO of the client, from 0) */
    int junk;                 /* the status line went wrong: line collects raw bytes to say whose */
};

/* Starts a parser for plan's responses; faults are diagnosed into out. */
void http_parser_init(struct http_parser *h, const struct http_plan *plan, uint64_t seed, struct verifier *out);
/* Feeds received bytes, any split. sent = requests written in full so far.
 * Returns 0, or -1 on the first fault (out->failed set, out->diag says what). */
int http_feed(struct http_parser *h, const char *data, size_t len, uint32_t sent);
/* The stream ended: eof = 1 at the server's FIN (a close-delimited body ends
 * there; a cut head or body is a fault), 0 at the run's end (a pending body
 * mismatch is diagnosed). Returns 0, or -1 with out filled. */
int http_finish(struct http_parser *h, int eof);
/* Whether every planned response arrived complete and verified. */
int http_complete(const struct http_parser *h);
/* Body bytes still owed by the server when sent requests are out (for stall accounting). */
uint64_t http_owed(const struct http_parser *h, uint32_t sent);

#endif
