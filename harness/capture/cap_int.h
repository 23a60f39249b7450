/* cap_int.h: internals shared by the capture analyzer's files (wire parsing, flow state, printing). */
#ifndef EC_CAP_INT_H
#define EC_CAP_INT_H

#include <stdint.h>
#include "harness/capture/cap.h"

/* TCP header flag bits, as on the wire (byte 13, plus NS in byte 12). */
enum {
    CAP_TH_FIN = 0x01, CAP_TH_SYN = 0x02, CAP_TH_RST = 0x04,
    CAP_TH_PSH = 0x08, CAP_TH_ACK = 0x10, CAP_TH_URG = 0x20
};

/* Analysis flags of one segment, named after Wireshark's TCP_A_* bits. */
enum {
    CAP_A_RETRANSMISSION = 0x0001, CAP_A_LOST_PACKET = 0x0002,
    CAP_A_ACK_LOST_PACKET = 0x0004, CAP_A_KEEP_ALIVE = 0x0008,
    CAP_A_DUPLICATE_ACK = 0x0010, CAP_A_ZERO_WINDOW = 0x0020,
    CAP_A_ZERO_WINDOW_PROBE = 0x0040, CAP_A_ZERO_WINDOW_PROBE_ACK = 0x0080,
    CAP_A_KEEP_ALIVE_ACK = 0x0100, CAP_A_OUT_OF_ORDER = 0x0200,
    CAP_A_FAST_RETRANSMISSION = 0x0400, CAP_A_WINDOW_UPDATE = 0x0800,
    CAP_A_WINDOW_FULL = 0x1000, CAP_A_SPURIOUS_RETRANSMISSION = 0x4000
};

/* One TCP segment as parsed from a captured frame. */
struct cap_seg {
    int family;                   /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t seq, ack, len;       /* len: payload bytes from the IP lengths, not caplen */
    uint16_t flags, win;          /* win: the raw 16-bit header value */
    int wscale;                   /* window scale option, -1 if absent */
    int64_t ts_ns;                /* capture time, nanoseconds since the epoch */
};

/* Parses one frame of link type dlt. Returns 1 for a TCP segment, 0 for
 * anything else (other protocols, non-first fragments, truncated headers). */
int cap_wire_parse(int dlt, const uint8_t *pkt, uint32_t caplen, struct cap_seg *s);

/* Wireshark's per-direction sequence analysis state (tcp_flow_t). */
struct cap_dir {
    int base_set;
    uint32_t base;                /* ISN (SYN seen) or first seq - 1 */
    uint32_t nextseq, lastack, maxseqtobeacked, window;
    int win_scale, is_first_ack, dupacknum;
    uint32_t lastsegflags;
    int64_t lastacktime, nextseqtime;
    /* Our own view for bytes and stalls, relative to base + 1. */
    int data_seen;
    uint32_t peer_win;            /* the window the peer last advertised to us, scaled */
    uint64_t max_end, max_acked;  /* highest byte offset sent / acked by the peer */
    int our_probe;                /* last segment was a window probe by our count */
    int zero_seen;                /* this side advertised a zero window */
    int waiting;                  /* this side's data waits on the peer */
    int64_t since_ns;             /* when the current wait began or last progressed */
    uint32_t since_win;
};

/* One TCP connection being analyzed. */
struct cap_conn {
    struct cap_flow out;          /* the public counts */
    uint8_t addr[2][16];
    uint16_t port[2];
    int family;
    struct cap_dir d[2];          /* d[0]: a->b (a sent the SYN), d[1]: b->a */
    int64_t ts_mru_syn, ts_first_rtt;
    int closed;                   /* a RST was seen: stop tracking stalls */
};

/* Feeds one segment travelling in direction dir (0 = a->b) through the
 * Wireshark rules and our stall tracker; t0_ns is the file's first packet. */
void cap_flow_segment(struct cap_conn *c, int dir, const struct cap_seg *s, int64_t t0_ns,
                      int64_t stall_ns);
/* Closes any stall still open at the end of the capture (time end_ns). */
void cap_flow_finish(struct cap_conn *c, int64_t end_ns, int64_t t0_ns, int64_t stall_ns);

#endif
