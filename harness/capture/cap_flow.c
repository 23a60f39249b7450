/* cap_flow.c: per-connection TCP analysis: Wireshark's tcp.analysis rules, byte counts and stall intervals. */
#include "harness/capture/cap_int.h"

#include <string.h>

#define LT_SEQ(a, b) ((int32_t)((a) - (b)) < 0)
#define GT_SEQ(a, b) ((int32_t)((b) - (a)) < 0)
#define LE_SEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define NO_SFR(f) (((f) & (CAP_TH_SYN | CAP_TH_FIN | CAP_TH_RST)) == 0)

/* Wireshark's default thresholds (packet-tcp.c): a fast retransmission comes
 * within 20 ms of the dup-ACKs; out-of-order within the first RTT, or 3 ms
 * when the handshake RTT is unknown. */
#define FASTRT_NS 20000000
#define OOO_DEFAULT_NS 3000000

/* Rules 1-7 of tcp_analyze_sequence_number plus the duplicate-ACK rule, in
 * Wireshark's order; returns the analysis flags of this segment. */
static uint32_t flow__window_rules(struct cap_dir *fwd, struct cap_dir *rev, const struct cap_seg *s)
{
    uint32_t ta = 0, seq = s->seq, ack = s->ack, len = s->len, win = s->win;
    uint16_t f = s->flags;
    int shift;

    if (len == 1 && seq == fwd->nextseq && rev->window == 0)
        return CAP_A_ZERO_WINDOW_PROBE;
    if (win == 0 && NO_SFR(f))
        ta |= CAP_A_ZERO_WINDOW;
    if (fwd->nextseq && GT_SEQ(seq, fwd->nextseq) && !(f & CAP_TH_RST))
        ta |= CAP_A_LOST_PACKET;
    if (len <= 1 && seq == fwd->nextseq - 1 && NO_SFR(f))
        ta |= CAP_A_KEEP_ALIVE;
    if (len == 0 && win && win != fwd->window && seq == fwd->nextseq && ack == fwd->lastack &&
        NO_SFR(f))
        ta |= CAP_A_WINDOW_UPDATE;
    shift = rev->is_first_ack || rev->win_scale == -2 ? 0 : rev->win_scale;
    if (len > 0 && rev->win_scale != -1 && NO_SFR(f) &&
        seq + len == rev->lastack + (uint32_t)((uint64_t)rev->window << shift))
        ta |= CAP_A_WINDOW_FULL;
    if (len == 0 && win && win == fwd->window && seq == fwd->nextseq && ack == fwd->lastack &&
        (rev->lastsegflags & CAP_A_KEEP_ALIVE) && NO_SFR(f))
        return ta | CAP_A_KEEP_ALIVE_ACK;
    /* Wireshark 4.0 (the tshark we compare with) takes only ack == lastack
     * here; later releases also accept lastack + 1 (issue 10745). */
    if (len == 0 && win == 0 && fwd->window == 0 && seq == fwd->nextseq && ack == fwd->lastack &&
        (rev->lastsegflags & CAP_A_ZERO_WINDOW_PROBE) && NO_SFR(f))
        return ta | CAP_A_ZERO_WINDOW_PROBE_ACK;
    if (len == 0 && win && win == fwd->window && seq == fwd->nextseq && ack == fwd->lastack &&
        NO_SFR(f)) {
        fwd->dupacknum = fwd->dupacknum == -1 ? 1 : fwd->dupacknum + 1;
        ta |= CAP_A_DUPLICATE_ACK;
    }
    return ta;
}

/* The "ACKed unseen segment" rule; it only matters here through the
 * duplicate-ACK counter that fast retransmission reads. Wireshark 4.2+ also
 * marks a Window Update here when the ACK takes a probe's byte; 4.0 does not. */
static void flow__acked_unseen(struct cap_dir *fwd, struct cap_dir *rev, const struct cap_seg *s,
                              uint32_t *ta)
{
    if (s->ack != fwd->lastack)
        fwd->dupacknum = 0;
    if (!rev->maxseqtobeacked || !GT_SEQ(s->ack, rev->maxseqtobeacked) || !(s->flags & CAP_TH_ACK))
        return;
    if (GT_SEQ(rev->maxseqtobeacked, rev->nextseq)) {
        rev->maxseqtobeacked = rev->nextseq;
        *ta |= CAP_A_ACK_LOST_PACKET;
    } else {
        if (rev->dupacknum == 0)
            *ta |= CAP_A_ACK_LOST_PACKET;
        rev->dupacknum = -1;
    }
}

/* Retransmission, fast retransmission, spurious retransmission and
 * out-of-order, as Wireshark tells them apart (fast retransmission first). */
static uint32_t flow__retrans_rules(const struct cap_conn *c, const struct cap_dir *fwd,
                                   const struct cap_dir *rev, const struct cap_seg *s, uint32_t ta)
{
    uint32_t seq = s->seq, len = s->len;
    int not_adv;
    int64_t t, thres;

    if (!(len > 0 || (s->flags & (CAP_TH_SYN | CAP_TH_FIN))) || (ta & CAP_A_KEEP_ALIVE))
        return 0;
    not_adv = fwd->nextseq && LT_SEQ(seq, fwd->nextseq);
    if (len > 1 && fwd->nextseq - 1 == seq)
        not_adv = 0;  /* new data right after a probe byte */
    if (len > 0 && rev->lastack && LE_SEQ(seq + len, rev->lastack))
        return CAP_A_SPURIOUS_RETRANSMISSION;
    if (!not_adv)
        return 0;
    /* Wireshark computes these deltas unsigned: an earlier time is never "recent". */
    t = s->ts_ns - rev->lastacktime;
    if (rev->dupacknum >= 2 && rev->lastack == seq && t >= 0 && t < FASTRT_NS)
        return CAP_A_FAST_RETRANSMISSION;
    t = s->ts_ns - fwd->nextseqtime;
    thres = c->ts_first_rtt > 0 ? c->ts_first_rtt : OOO_DEFAULT_NS;
    if (t >= 0 && t < thres &&
        fwd->nextseq != seq + len + ((s->flags & (CAP_TH_SYN | CAP_TH_FIN)) ? 1 : 0))
        return CAP_A_OUT_OF_ORDER;
    return CAP_A_RETRANSMISSION;
}

/* Remembers what this segment tells about its sender, as Wireshark does
 * after the rules, then handles the SYN-time window scale bookkeeping. */
static void flow__update(struct cap_conn *c, struct cap_dir *fwd, struct cap_dir *rev,
                        const struct cap_seg *s, uint32_t ta)
{
    uint32_t nextseq = s->seq + s->len;

    if (s->flags & (CAP_TH_SYN | CAP_TH_FIN))
        nextseq += 1;
    if ((GT_SEQ(nextseq, fwd->nextseq) || !fwd->nextseq) && !(ta & CAP_A_ZERO_WINDOW_PROBE)) {
        fwd->nextseq = nextseq;
        fwd->nextseqtime = s->ts_ns;
    }
    if ((s->seq == fwd->maxseqtobeacked || !fwd->maxseqtobeacked) &&
        !(ta & CAP_A_ZERO_WINDOW_PROBE))
        fwd->maxseqtobeacked = fwd->nextseq;
    fwd->window = s->win;
    fwd->lastack = s->ack;
    fwd->lastacktime = s->ts_ns;
    fwd->lastsegflags = ta;
    /* Options are read after the analysis: the scale applies from the next segment. */
    if (s->wscale >= 0)
        fwd->win_scale = s->wscale;
    if (s->flags & CAP_TH_SYN) {
        if (fwd->win_scale == -1) {
            fwd->win_scale = -2;
            rev->win_scale = -2;
        } else if ((s->flags & CAP_TH_ACK) && rev->win_scale == -2) {
            fwd->win_scale = -2;
        }
        fwd->is_first_ack = 1;
        if (!(s->flags & CAP_TH_ACK))
            c->ts_mru_syn = s->ts_ns;
    }
    if ((s->flags & (CAP_TH_SYN | CAP_TH_ACK)) == CAP_TH_ACK) {
        if (c->ts_mru_syn && !c->ts_first_rtt)
            c->ts_first_rtt = s->ts_ns - c->ts_mru_syn;
        fwd->is_first_ack = 0;
    }
}

/* Adds one stall of the data sent in direction dir. */
static void flow__add_stall(struct cap_conn *c, int dir, int64_t end_ns, int64_t t0_ns, int resumed)
{
    struct cap_dir *d = &c->d[dir];
    struct cap_stall *st;

    if (c->out.nstalls < sizeof c->out.stalls / sizeof c->out.stalls[0]) {
        st = &c->out.stalls[c->out.nstalls];
        st->start_s = (double)(d->since_ns - t0_ns) / 1e9;
        st->len_s = (double)(end_ns - d->since_ns) / 1e9;
        st->window = d->since_win;
        st->dir = dir;
        st->resumed = resumed;
    }
    c->out.nstalls++;
}

/* The receiver's window in bytes, scaled as Wireshark would show it. */
static uint32_t flow__scaled(const struct cap_dir *rcv, const struct cap_seg *s)
{
    if ((s->flags & CAP_TH_SYN) || rcv->win_scale < 0)
        return s->win;
    return (uint32_t)s->win << rcv->win_scale;
}

/* Our own view: bytes each way, stalls of each direction. The segment s
 * travels from fwd to rev (dir is fwd's index in c->d): its payload is fwd's
 * data, its ACK and window speak for rev's data. A direction waits while it
 * has unacknowledged data or its receiver's window is 0; a wait that ends
 * (new data acked, or the window reopens with nothing outstanding) after
 * more than stall_ns is a stall. ta: the segment's analysis flags. */
static void flow__track(struct cap_conn *c, int dir, const struct cap_seg *s, uint32_t ta,
                       int64_t t0_ns, int64_t stall_ns)
{
    struct cap_dir *fwd = &c->d[dir], *rev = &c->d[!dir];
    uint32_t rel, win = flow__scaled(fwd, s);
    uint64_t end, acked;

    rel = s->seq - (fwd->base + 1);
    end = (int32_t)rel < 0 ? 0 : (uint64_t)rel + s->len;
    /* A probe's byte is not the data resuming. */
    if (s->len > 0 && end > fwd->max_end && !(ta & CAP_A_ZERO_WINDOW_PROBE)) {
        if (!fwd->waiting) {
            fwd->waiting = 1;
            fwd->since_ns = s->ts_ns;
            fwd->since_win = fwd->peer_win;
        }
        fwd->max_end = end;
        fwd->data_seen = 1;
        c->out.last_data_s[dir] = (double)(s->ts_ns - t0_ns) / 1e9;
        if (rev->zero_seen)
            c->out.resumed_after_zero_window = 1;
    }
    if (!(s->flags & CAP_TH_ACK) || !rev->base_set)
        return;
    rev->peer_win = win;
    if (win == 0 && !(s->flags & (CAP_TH_SYN | CAP_TH_RST)))
        fwd->zero_seen = 1;
    rel = s->ack - (rev->base + 1);
    acked = (int32_t)rel < 0 ? 0 : rel;
    if (acked > rev->max_end)
        acked = rev->max_end;  /* the FIN's sequence number is not data */
    if (acked > rev->max_acked || (rev->waiting && win && acked == rev->max_end)) {
        if (rev->waiting && s->ts_ns - rev->since_ns > stall_ns)
            flow__add_stall(c, !dir, s->ts_ns, t0_ns, 1);
        if (acked > rev->max_acked)
            rev->max_acked = acked;
        rev->waiting = 0;
    }
    if (!rev->waiting && rev->data_seen && (rev->max_end > rev->max_acked || win == 0)) {
        rev->waiting = 1;
        rev->since_ns = s->ts_ns;
        rev->since_win = win;
    }
}

void cap_flow_segment(struct cap_conn *c, int dir, const struct cap_seg *s, int64_t t0_ns,
                      int64_t stall_ns)
{
    struct cap_dir *fwd = &c->d[dir], *rev = &c->d[!dir];
    uint32_t ta, a;
    int rev_probe = rev->our_probe;

    if (!fwd->base_set) {
        fwd->base = (s->flags & CAP_TH_SYN) ? s->seq : s->seq - 1;
        fwd->base_set = 1;
    }
    if (!rev->base_set && (s->flags & CAP_TH_ACK)) {
        rev->base = s->ack - 1;
        rev->base_set = 1;
    }
    ta = flow__window_rules(fwd, rev, s);
    flow__acked_unseen(fwd, rev, s, &ta);
    ta |= flow__retrans_rules(c, fwd, rev, s, ta);

    a = ta;
    c->out.zero_window += !!(a & CAP_A_ZERO_WINDOW);
    c->out.zero_window_probe += !!(a & CAP_A_ZERO_WINDOW_PROBE);
    c->out.zero_window_probe_ack += !!(a & CAP_A_ZERO_WINDOW_PROBE_ACK);
    c->out.window_full += !!(a & CAP_A_WINDOW_FULL);
    c->out.window_update += !!(a & CAP_A_WINDOW_UPDATE);
    c->out.keep_alive += !!(a & CAP_A_KEEP_ALIVE);
    c->out.keep_alive_ack += !!(a & CAP_A_KEEP_ALIVE_ACK);
    c->out.retransmission += !!(a & (CAP_A_RETRANSMISSION | CAP_A_FAST_RETRANSMISSION |
                                     CAP_A_SPURIOUS_RETRANSMISSION));
    c->out.rst += !!(s->flags & CAP_TH_RST);
    c->out.packets++;
    /* Linux persist probes are keep-alives to Wireshark (seq = SND.UNA - 1). */
    fwd->our_probe = (a & CAP_A_ZERO_WINDOW_PROBE) || ((a & CAP_A_KEEP_ALIVE) && rev->window == 0);
    c->out.probes += (unsigned)fwd->our_probe;
    if (rev_probe && s->len == 0 && !fwd->our_probe)
        c->out.probe_acks++;
    if (rev_probe)
        rev->our_probe = 0;

    if (s->flags & CAP_TH_RST) {
        /* The connection is gone: what was waiting never resumed. */
        cap_flow_finish(c, s->ts_ns, t0_ns, stall_ns);
        c->closed = 1;
    }
    if (!c->closed)
        flow__track(c, dir, s, ta, t0_ns, stall_ns);
    flow__update(c, fwd, rev, s, ta);
}

void cap_flow_finish(struct cap_conn *c, int64_t end_ns, int64_t t0_ns, int64_t stall_ns)
{
    for (int dir = 0; dir < 2; dir++) {
        struct cap_dir *d = &c->d[dir];
        if (d->waiting && end_ns - d->since_ns > stall_ns)
            flow__add_stall(c, dir, end_ns, t0_ns, 0);
        d->waiting = 0;
    }
}
