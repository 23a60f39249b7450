/* pattern.h: self-identifying byte streams, generated on the fly and verified in O(1) memory. */
#ifndef EC_PATTERN_H
#define EC_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Echo request stream of client C: 32-byte records, record k is
 *     "c%06x o%016llx ......\n"   (client id C, byte offset 32*k, 5 dots filler,
 *                                  the 5 filler bytes are letters [a-zA-F] derived
 *                                  from seed+C+k)
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
/*
 * HTTP (harness/proto/http.h): a GET is answered with a file of the
 * harness's document root whose body is the echo stream of the client that
 * asks for it (from offset 0), so a body names its client and offset.
 */
enum pattern_kind { PAT_ECHO, PAT_STREAM, PAT_REPEAT, PAT_HTTP };

#define PATTERN_ECHO_REC 32
#define PATTERN_STREAM_REC 16
#define PATTERN_REPEAT_MSG 10     /* "c%04xm%04x" */
#define PATTERN_WINDOW 256        /* verifier lookahead after a mismatch */

/* The class of the first mismatch, as diagnosed. */
enum pattern_fault {
    PF_NONE,
    PF_LOSS,          /* bytes of this stream skipped */
    PF_DUPLICATION,   /* bytes of this stream repeated */
    PF_CROSSTALK,     /* bytes of another client's stream */
    PF_GARBAGE,       /* bytes of no known stream */
    PF_EXCESS,        /* bytes after everything expected */
    PF_TRUNCATED,     /* the stream ended early (verifier_finish) */
    /* HTTP framing faults (harness/proto/http.c); fault_offset is the response stream's offset. */
    PF_HTTP_STATUS,   /* a status other than 200 */
    PF_HTTP_LENGTH,   /* Content-Length disagrees with the body the request is owed */
    PF_HTTP_CHUNK,    /* a malformed chunk header */
    PF_HTTP_NOSTATUS, /* bytes that are not a status line where one was expected */
    PF_HTTP_UNASKED,  /* a response to a request that was never sent */
    PF_HTTP_HEADER_CUT, /* the connection closed inside a status line or the headers */
};

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
    /* What the diagnosis found, for programs (diag is for people). */
    enum pattern_fault fault;
    uint64_t fault_offset;    /* stream offset the fault starts at */
    uint64_t fault_bytes;     /* loss/duplication/excess: how many bytes */
    uint32_t fault_client;    /* cross-talk: whose bytes arrived */
    uint64_t fault_their_offset; /* cross-talk: their offset in that client's stream */
    /* Lookahead after the first mismatch at pos, diagnosed when full or at finish. */
    int pending;
    uint32_t win_len;
    unsigned char win[PATTERN_WINDOW];
};

/* expected_total starts at UINT64_MAX (unknown): set it (engine: grows with
 * what was sent). For PAT_REPEAT also set repeat_n (and repeat_msgs). */
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

/* Ends the stream: diagnoses a pending mismatch with what the window
 * holds, or reports "truncated: received R of E bytes" when pos <
 * expected_total. Returns 0 when all expected bytes arrived and matched, -1
 * otherwise (diag set). Call it at EOF, at the deadline, or once
 * expected_total bytes arrived. */
int verifier_finish(struct verifier *v);
/* Sets how many repeat messages were sent, and expected_total with it. */
void verifier_set_repeat_msgs(struct verifier *v, uint32_t msgs);
/* Returns the name of a fault class ("loss", "cross-talk", ...). */
const char *pattern_fault_name(enum pattern_fault f);
/* Whose bytes b holds: the first echo record header in it names the client
 * and its offset, from which *offset is b[0]'s. Returns 1, or 0 when b holds
 * no whole header (kinds other than echo: never). */
int pattern_identify(enum pattern_kind kind, const char *b, size_t n, uint32_t *client, uint64_t *offset);

/* Writes len bytes of client's repeat request stream from offset:
 * message j sits at offset j*11 ("c%04xm%04x\n") with newline, j*10 without. */
void pattern_repeat_req_fill(uint32_t client, int newline, uint64_t offset, char *buf, size_t len);
/* Length of the reply to one 10-byte message with n lines (348890 for n = 20000). */
uint64_t pattern_repeat_reply_len(uint32_t n);
/* Writes len bytes of client's repeat reply stream (the replies to
 * messages 0, 1, 2, ... back to back) from offset. */
void pattern_repeat_fill(uint32_t client, uint32_t n, uint64_t offset, char *buf, size_t len);

#endif
