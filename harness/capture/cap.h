/* cap.h: capture a case's loopback traffic with libpcap, and analyze captures offline. */
#ifndef EC_CAP_H
#define EC_CAP_H

#include <stddef.h>
#include <stdint.h>

struct cap;  /* a running capture (opaque) */

/* Starts capturing on iface ("lo") with BPF "tcp port P1 or tcp port P2 ..."
 * (1 to 64 ports) into path, snaplen bytes per packet (<= 0: 128, headers
 * only), immediate mode, from a thread of its own. The capture is live when
 * this returns: start it before the first connection. Returns a capture, or
 * NULL with err set; *denied = 1 when the reason is missing privilege
 * (CAP_NET_RAW), so callers can run the case uncaptured and say why. */
struct cap *cap_start(const char *iface, const int *ports, int nports, int snaplen,
                      const char *path, int *denied, char *err, size_t errlen);
/* Stops the capture after the last connection: keeps reading until 100 ms
 * pass without a packet (at most 2 s), then flushes and closes the file.
 * Returns packets captured. */
long cap_stop(struct cap *c);

/* Per-flow analysis, counts defined as Wireshark's tcp.analysis flags. */
struct cap_stall {
    double start_s, len_s;        /* relative to the first packet */
    uint32_t window;              /* receiver's advertised window (scaled) at the start */
    int dir;                      /* 0 = data a->b stalled, 1 = data b->a */
    int resumed;                  /* 1 if new data was acked after it, 0 if it ran to the end */
};
struct cap_flow {
    char a[64], b[64];            /* "127.0.0.1:5000" endpoints; a = the SYN sender (client) */
    uint64_t bytes_ab, bytes_ba;  /* payload bytes each way (unique, by sequence space) */
    uint64_t acked_ab, acked_ba;  /* bytes acknowledged each way */
    unsigned zero_window, zero_window_probe, zero_window_probe_ack;
    unsigned window_full, window_update, keep_alive, keep_alive_ack;
    unsigned retransmission, rst;
    unsigned nstalls;
    struct cap_stall stalls[16];  /* the first 16 */
    int resumed_after_zero_window;  /* data flowed again after a zero window */
    /* Our own probe view. Linux persist probes look like keep-alives to
     * Wireshark, so probes = zero_window_probe + keep-alives sent while the
     * peer's window was 0, and probe_acks = the peer's replies to those. */
    unsigned probes, probe_acks;
    uint64_t packets;             /* segments of this flow */
    double last_data_s[2];        /* when new data last went a->b [0] / b->a [1], s from
                                     the first packet (0 with no data that way) */
};
struct cap_report {
    unsigned nflows;
    struct cap_flow *flows;       /* malloc'd; cap_report_free */
    uint64_t packets;
    double duration_s;            /* first to last packet */
};

/* Reads a capture (Ethernet, Linux cooked v1/v2, raw/NULL; IPv4 and IPv6);
 * port 0 = all flows. stall_ms: no new data acked for that long with data
 * outstanding. Returns 0 or -1 with err. */
int cap_analyze(const char *path, int port, int stall_ms, struct cap_report *r, char *err, size_t errlen);
void cap_report_free(struct cap_report *r);
/* Prints the report human-readably (json = 0) or as JSON (json = 1). */
void cap_report_print(const struct cap_report *r, int json, void *stdio_file);

/* One line for a case report naming the most stalled flow of the capture at
 * path, e.g. "pcap: flow 127.0.0.1:5000>127.0.0.1:40312 zero-window 12, stall
 * at 0.215 s for 1.402 s (win 0)". The flow is written sender>receiver of the
 * stalled data. When that flow's data stopped long before the capture ended
 * (nothing outstanding, so no TCP stall: the application stopped writing), it
 * adds "; data A>B stopped at 0.401 s, capture ends at 5.102 s".
 * Returns 0, or -1 with the reason in buf. */
int cap_summarize(const char *path, int stall_ms, char *buf, size_t len);

/* `edgecase pcap FILE [--port N] [--stall-ms MS] [--json]`: returns exit status. */
int cap_main(int argc, char **argv);

#endif
