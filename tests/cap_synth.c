/* cap_synth.c: write handcrafted TCP segments into pcap files, in any link framing the analyzer reads. */
#include "tests/cap_synth.h"

#include <string.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define SYNTH_SNAP 65535
#define SYNTH_CAPTURED_PAYLOAD 8

static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v >> 16); wr16(p + 2, v & 0xffff); }

int synth_open(struct synth *s, const char *path, int dlt, int family)
{
    memset(s, 0, sizeof *s);
    s->dlt = dlt;
    s->family = family;
    if (family == 4) {
        s->addr[0][0] = 127, s->addr[0][3] = 1;
        s->addr[1][0] = 127, s->addr[1][3] = 1;
    } else {
        s->addr[0][15] = 1;
        s->addr[1][15] = 1;
    }
    s->port[0] = 40312;
    s->port[1] = 5000;
    s->t_us = 1700000000LL * 1000000;
    s->dead = pcap_open_dead(dlt, SYNTH_SNAP);
    if (!s->dead)
        return -1;
    s->d = pcap_dump_open(s->dead, path);
    if (!s->d) {
        pcap_close(s->dead);
        return -1;
    }
    return 0;
}

/* Writes the link header for an IP packet of the family; returns its length. */
static size_t synth_link(const struct synth *s, uint8_t *b)
{
    uint32_t af = s->family == 6 ? 10 : 2;
    uint16_t et = s->family == 6 ? 0x86dd : 0x0800;

    switch (s->dlt) {
    case DLT_EN10MB:
        memset(b, 0, 12);
        wr16(b + 12, et);
        return 14;
    case DLT_LINUX_SLL:
        memset(b, 0, 16);
        wr16(b + 2, 772);  /* ARPHRD_LOOPBACK */
        wr16(b + 14, et);
        return 16;
    case DLT_LINUX_SLL2:
        memset(b, 0, 20);
        wr16(b, et);
        wr16(b + 8, 772);
        return 20;
    case DLT_NULL:
        af = s->family == 6 ? 30 : 2;
        memcpy(b, &af, 4);  /* host byte order, as the writer's */
        return 4;
    default:
        return 0;  /* DLT_RAW */
    }
}

/* Writes the IP header; returns its length. */
static size_t synth_ip(const struct synth *s, int from_b, uint8_t *b, uint32_t tcp_bytes)
{
    if (s->family == 4) {
        memset(b, 0, 20);
        b[0] = 0x45;
        wr16(b + 2, 20 + tcp_bytes);
        b[8] = 64;
        b[9] = 6;
        memcpy(b + 12, s->addr[from_b], 4);
        memcpy(b + 16, s->addr[!from_b], 4);
        return 20;
    }
    memset(b, 0, 40);
    b[0] = 0x60;
    wr16(b + 4, tcp_bytes);
    b[6] = 6;
    b[7] = 64;
    memcpy(b + 8, s->addr[from_b], 16);
    memcpy(b + 24, s->addr[!from_b], 16);
    return 40;
}

void synth_seg(struct synth *s, int from_b, uint8_t flags, uint32_t seq, uint32_t ack,
               uint16_t win, uint32_t len, int wscale, int64_t dt_us)
{
    uint8_t pkt[256] = {0}, *t;
    size_t off = synth_link(s, pkt);
    uint32_t hl = wscale >= 0 ? 28 : 20;
    struct pcap_pkthdr h;
    uint32_t shown = len < SYNTH_CAPTURED_PAYLOAD ? len : SYNTH_CAPTURED_PAYLOAD;

    off += synth_ip(s, from_b, pkt + off, hl + len);
    t = pkt + off;
    wr16(t, s->port[from_b]);
    wr16(t + 2, s->port[!from_b]);
    wr32(t + 4, seq);
    wr32(t + 8, ack);
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = flags;
    wr16(t + 14, win);
    if (wscale >= 0) {
        t[20] = 2, t[21] = 4, wr16(t + 22, 1460);  /* MSS */
        t[24] = 1;                                 /* NOP */
        t[25] = 3, t[26] = 3, t[27] = (uint8_t)wscale;
    }
    s->t_us += dt_us;
    h.ts.tv_sec = s->t_us / 1000000;
    h.ts.tv_usec = s->t_us % 1000000;
    h.caplen = (uint32_t)(off + hl + shown);
    h.len = (uint32_t)(off + hl + len);
    pcap_dump((u_char *)s->d, &h, pkt);
}

void synth_close(struct synth *s)
{
    pcap_dump_close(s->d);
    pcap_close(s->dead);
}
