/* pattern.h: self-identifying byte streams, generated on the fly and verified in O(1) memory. */
#ifndef EC_PATTERN_H
#define EC_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Echo request stream of client C: 32-byte records, record k is
 *     "c%06x o%016llx ......\n"   (client id C, byte offset 32*k, 5 dots filler,
 *                                  the 5 filler bytes are derived from seed+C+k)
 * so any 32 aligned bytes name their client and offset.
 *
 * Stream protocol reply (what "N\n" answers with): record k is 16 bytes,
 *     "%015llx\n" of the offset 16*k, truncated at N bytes.
 *
 * Repeat protocol: request message j of client C is "c%04xm%04x" (10 bytes,
 * the length of the seed's "1234567890"), followed by "\n" unless the target
 * is the seed's own server; the reply to message M is, for
 * i = 0..N-1, "%d:" M "\r\n". With the seed's server (no newline) the message
 * is sent bare, one per connection.
 */
enum pattern_kind { PAT_ECHO, PAT_STREAM, PAT_REPEAT };

#define PATTERN_ECHO_REC 32
#define PATTERN_STREAM_REC 16

/* Writes len bytes of client's echo request stream starting at offset. */
void pattern_echo_fill(uint64_t seed, uint32_t client, uint64_t offset, char *buf, size_t len);
/* Writes len bytes of the stream-protocol reply starting at offset. */
void pattern_stream_fill(uint64_t offset, char *buf, size_t len);
/* Writes the repeat-protocol message for (client, msg), without newline, into buf (>= 16 bytes); returns its length (10). */
size_t pattern_repeat_msg(uint32_t client, uint32_t msg, char *buf, size_t buflen);

/* A streaming verifier: feed it what a client received, in order. */
struct verifier {
    enum pattern_kind kind;
    uint64_t seed;
    uint32_t client;
    uint32_t repeat_n;        /* PAT_REPEAT: lines per message */
    uint32_t repeat_msgs;     /* PAT_REPEAT: messages sent so far (expected grows) */
    int repeat_newline;       /* PAT_REPEAT: messages were newline-terminated */
    uint64_t pos;             /* bytes verified correct so far */
    uint64_t expected_total;  /* bytes the client should receive in all */
    int failed;               /* 1 after the first mismatch; later bytes are ignored */
    char diag[512];           /* one-line diagnosis of the first mismatch */
    char hexdump[1024];       /* expected vs received around the mismatch */
    /* private state of the generator (e.g. repeat line cursor) */
    uint64_t priv[8];
};

void verifier_init(struct verifier *v, enum pattern_kind kind, uint64_t seed, uint32_t client);
/* Feeds received bytes. Returns 0 while everything matches, -1 on the first
 * mismatch: v->diag then names the class, e.g.
 *   "cross-talk at offset 65536: received bytes of client 3 (its offset 1024)"
 *   "loss at offset 65536: 4096 bytes skipped"
 *   "duplication at offset 65536: 4096 bytes repeated"
 *   "garbage at offset 65536"
 *   "excess: 12 bytes after the expected 348890"
 * and v->hexdump shows expected against received. */
int verifier_feed(struct verifier *v, const char *data, size_t len);

#endif
