/* cap_synth.h: write handcrafted TCP segments into pcap files, in any link framing the analyzer reads. */
#ifndef EC_CAP_SYNTH_H
#define EC_CAP_SYNTH_H

#include <stdint.h>
#include <pcap/pcap.h>

enum { SYN_FIN = 0x01, SYN_SYN = 0x02, SYN_RST = 0x04, SYN_PSH = 0x08, SYN_ACK = 0x10 };

/* A two-endpoint conversation being written: a is the client, b the server. */
struct synth {
    pcap_t *dead;
    pcap_dumper_t *d;
    int dlt, family;
    uint8_t addr[2][16];
    uint16_t port[2];
    int64_t t_us;                 /* time of the next segment */
};

/* Opens path for writing with link type dlt and IP family 4 or 6. Returns 0 or -1. */
int synth_open(struct synth *s, const char *path, int dlt, int family);
/* Writes one segment dt_us after the previous one; from_b = 1 for server to
 * client. wscale >= 0 adds MSS and window scale options (for SYNs). Only a
 * few payload bytes are captured: the analyzer must use the IP lengths. */
void synth_seg(struct synth *s, int from_b, uint8_t flags, uint32_t seq, uint32_t ack,
               uint16_t win, uint32_t len, int wscale, int64_t dt_us);
void synth_close(struct synth *s);

#endif
