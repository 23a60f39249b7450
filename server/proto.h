/* proto.h: the server's protocols (echo, repeat, stream): incremental line parser and lazy reply generators. */
#ifndef EC_PROTO_H
#define EC_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "server/outq.h"

/*
 * echo:     every byte read is written back, in order (no parsing at all).
 * repeat N: each message M terminated by '\n' is answered with N lines
 *           "i:M\r\n", i = 0..N-1. M is every byte before the '\n'
 *           (a '\r' is part of M). Bytes after the last '\n' when the
 *           peer closes are not a message and get no reply.
 * stream:   a request line "N\n" (or "N\r\n"), N decimal, is answered with
 *           N bytes of 16-byte records, record k = "%015llx\n" of 16*k,
 *           truncated at N bytes; every reply starts again at offset 0.
 * A line longer than max_line bytes (without its '\n') is a protocol error.
 */
enum proto_kind { PROTO_ECHO, PROTO_REPEAT, PROTO_STREAM };

struct proto_conf {
    enum proto_kind kind;
    uint32_t repeat_n;
    size_t max_line;
};

#define PROTO_MAX_LINE_DEFAULT (64 * 1024)
#define PROTO_STREAM_REC 16
#define PROTO_REPEAT_DEFAULT 20000   /* the seed's REPEAT_NUM */

/* Parses "echo", "stream", "repeat" (N left as is) or "repeat:N" into conf. Returns 0, or -1 with err. */
int proto_parse_spec(const char *spec, struct proto_conf *conf, char *err, size_t errlen);
/* Parses a repeat count (1 .. 100000000). Returns 0, or -1 with err. */
int proto_parse_repeat_n(const char *s, uint32_t *n, char *err, size_t errlen);
/* Returns the protocol's name ("echo", "repeat", "stream"). */
const char *proto_name(enum proto_kind kind);

/* Splits a byte stream into lines, whatever the read boundaries. */
struct proto_parser {
    size_t max_line;
    char *buf;
    size_t off;               /* start of the first unconsumed byte */
    size_t len;               /* end of buffered bytes */
    size_t cap;
    size_t scan;              /* bytes from off already known to hold no '\n' */
};

void proto_parser_init(struct proto_parser *p, size_t max_line);
void proto_parser_free(struct proto_parser *p);
/* Buffers len more bytes. Returns 0, or -1 on ENOMEM. */
int proto_parser_feed(struct proto_parser *p, const char *data, size_t len);
/*
 * Takes the next complete line. Returns 1 with *line and *len set (the bytes
 * before '\n', valid until the next feed or next call), 0 when no complete
 * line is buffered, -1 with err when the line exceeds max_line.
 */
int proto_parser_next(struct proto_parser *p, const char **line, size_t *len, char *err, size_t errlen);
/* Returns how many bytes are buffered but not yet returned as lines. */
static inline size_t proto_parser_buffered(const struct proto_parser *p) { return p->len - p->off; }

/*
 * Builds the lazy reply to one request line (repeat or stream). Returns the
 * generator (owned by the caller until appended to an outq), or NULL with err
 * on a protocol error (e.g. stream request not a number) or ENOMEM.
 */
struct outq_gen *proto_reply(const struct proto_conf *conf, const char *line, size_t len,
                             char *err, size_t errlen);

/* Returns the length of the repeat reply to a message of mlen bytes. */
uint64_t proto_repeat_reply_len(size_t mlen, uint32_t n);
/* Writes len bytes of the stream reply starting at offset off. */
void proto_stream_fill(uint64_t off, char *buf, size_t len);

#endif
