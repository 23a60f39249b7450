/* cap_wire.c: parse captured frames (Ethernet, Linux cooked v1/v2, NULL/LOOP, raw IP) down to TCP segments. */
#include "harness/capture/cap_int.h"

#include <pcap/pcap.h>
#include <string.h>

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

enum { ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8 };

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Returns the offset of the network header and sets *proto to an ethertype,
 * or returns -1 when the link type or frame is not one we read. */
static int wire__link(int dlt, const uint8_t *b, uint32_t n, uint16_t *proto)
{
    uint32_t af, off;

    switch (dlt) {
    case DLT_EN10MB:
        if (n < 14)
            return -1;
        off = 12;
        /* Skip VLAN tags: loopback has none, but a capture from elsewhere may. */
        while (n >= off + 6 && (rd16(b + off) == ETH_VLAN || rd16(b + off) == ETH_QINQ))
            off += 4;
        *proto = rd16(b + off);
        return (int)off + 2;
    case DLT_LINUX_SLL:
        if (n < 16)
            return -1;
        *proto = rd16(b + 14);
        return 16;
    case DLT_LINUX_SLL2:
        if (n < 20)
            return -1;
        *proto = rd16(b);
        return 20;
    case DLT_NULL:
    case DLT_LOOP:
        if (n < 4)
            return -1;
        /* DLT_NULL is in the writer's byte order: accept either. */
        af = dlt == DLT_LOOP ? rd32(b) : (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                                             (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        if (dlt == DLT_NULL && af > 0xffff)
            af = rd32(b);
        *proto = af == 2 ? ETH_IPV4 : (af == 24 || af == 28 || af == 30) ? ETH_IPV6 : 0;
        return 4;
    case DLT_RAW:
    case 228: /* LINKTYPE_IPV4 */
    case 229: /* LINKTYPE_IPV6 */
        if (n < 1)
            return -1;
        *proto = (b[0] >> 4) == 6 ? ETH_IPV6 : ETH_IPV4;
        return 0;
    default:
        return -1;
    }
}

/* Parses IPv4; returns the TCP offset and sets *tcplen (from IP lengths), or -1. */
static int wire__ipv4(const uint8_t *b, uint32_t n, struct cap_seg *s, uint32_t *tcplen)
{
    uint32_t hl, tot;

    if (n < 20 || (b[0] >> 4) != 4 || b[9] != 6)
        return -1;
    hl = (uint32_t)(b[0] & 15) * 4;
    tot = rd16(b + 2);
    if (hl < 20 || tot < hl || (rd16(b + 6) & 0x1fff) != 0)
        return -1;  /* bad header, or a non-first fragment */
    s->family = 4;
    memset(s->src, 0, sizeof s->src);
    memset(s->dst, 0, sizeof s->dst);
    memcpy(s->src, b + 12, 4);
    memcpy(s->dst, b + 16, 4);
    *tcplen = tot - hl;
    return (int)hl;
}

/* Parses IPv6 and its extension headers; same contract as wire__ipv4. */
static int wire__ipv6(const uint8_t *b, uint32_t n, struct cap_seg *s, uint32_t *tcplen)
{
    uint32_t off = 40, plen;
    uint8_t nh;

    if (n < 40 || (b[0] >> 4) != 6)
        return -1;
    plen = rd16(b + 4);
    nh = b[6];
    while (nh == 0 || nh == 43 || nh == 60 || nh == 44) {
        uint32_t el;
        if (n < off + 8)
            return -1;
        if (nh == 44 && (rd16(b + off + 2) & 0xfff8) != 0)
            return -1;  /* a non-first fragment */
        el = nh == 44 ? 8 : ((uint32_t)b[off + 1] + 1) * 8;
        nh = b[off];
        off += el;
    }
    if (nh != 6 || plen + 40 < off)
        return -1;
    s->family = 6;
    memcpy(s->src, b + 8, 16);
    memcpy(s->dst, b + 24, 16);
    *tcplen = plen + 40 - off;
    return (int)off;
}

/* Reads the window scale option from a SYN's options, if present. */
static int wire__wscale(const uint8_t *o, uint32_t n)
{
    uint32_t i = 0;

    while (i < n) {
        if (o[i] == 0)
            break;
        if (o[i] == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || o[i + 1] < 2)
            break;
        if (o[i] == 3 && o[i + 1] == 3 && i + 2 < n)
            return o[i + 2] > 14 ? 14 : o[i + 2];  /* RFC 7323 caps the shift at 14 */
        i += o[i + 1];
    }
    return -1;
}

int cap_wire_parse(int dlt, const uint8_t *pkt, uint32_t caplen, struct cap_seg *s)
{
    uint16_t proto = 0;
    uint32_t tcplen = 0, hl, n;
    int off, ipoff;
    const uint8_t *t;

    off = wire__link(dlt, pkt, caplen, &proto);
    if (off < 0)
        return 0;
    n = caplen - (uint32_t)off;
    if (proto == ETH_IPV4)
        ipoff = wire__ipv4(pkt + off, n, s, &tcplen);
    else if (proto == ETH_IPV6)
        ipoff = wire__ipv6(pkt + off, n, s, &tcplen);
    else
        return 0;
    if (ipoff < 0 || n < (uint32_t)ipoff + 20)
        return 0;
    t = pkt + off + ipoff;
    n -= (uint32_t)ipoff;
    hl = (uint32_t)(t[12] >> 4) * 4;
    if (hl < 20 || tcplen < hl)
        return 0;
    s->sport = rd16(t);
    s->dport = rd16(t + 2);
    s->seq = rd32(t + 4);
    s->ack = rd32(t + 8);
    s->flags = (uint16_t)(((t[12] & 1) << 8) | t[13]);
    s->win = rd16(t + 14);
    s->len = tcplen - hl;
    s->wscale = -1;
    if (s->flags & CAP_TH_SYN)
        s->wscale = wire__wscale(t + 20, (n < hl ? n : hl) > 20 ? (n < hl ? n : hl) - 20 : 0);
    return 1;
}
