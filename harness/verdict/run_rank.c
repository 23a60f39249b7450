/* run_rank.c: names one bug class first when the evidence decides it, else the candidates still consistent. */
#include "harness/verdict/run_rank.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>


/* The trace's own thresholds (trace_read.c): a correct server's occasional
 * extra write or wake-up stays below them. */
#define RANK_SPIN_MIN 100
#define RANK_LT_IDLE_MIN 100
/* Retries per write that sent bytes: the buggy targets' loops make 50 to 30000. */
#define RANK_SPIN_RATIO 10
/* Descriptors a server holds besides its connections: stdio, epoll, listener, a few more. */
#define RANK_OWN_FDS 8

static void rank__fact(struct rank_ev *ev, enum bug_class cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void rank__fact(struct rank_ev *ev, enum bug_class cls, const char *fmt, ...)
{
    va_list ap;

    if (ev->nfacts == RANK_MAX_FACTS)
        return;
    ev->fact[ev->nfacts].cls = cls;
    va_start(ap, fmt);
    vsnprintf(ev->fact[ev->nfacts].why, sizeof(ev->fact[0].why), fmt, ap);
    va_end(ap);
    ev->nfacts++;
}

/* What the injector's trace proves about the registrations and the writes. */
static void rank__trace_facts(const struct rank_obs *o, struct rank_ev *ev)
{
    if (!o->have_trace)
        return;
    /* Before MOD dropping EPOLLET: that is how EPOLLOUT got level-triggered,
     * which is class 4 whether it shows as idle wake-ups or as a busy transfer. */
    if (o->reg_lt_out && (o->epollout_lt_idle >= RANK_LT_IDLE_MIN || o->mod_dropped_et))
        rank__fact(ev, BC_LT_EPOLLOUT,
                   "EPOLLOUT registered without EPOLLET %llu times, %llu wake-ups with nothing to write",
                   (unsigned long long)o->reg_lt_out, (unsigned long long)o->epollout_lt_idle);
    if (o->mod_dropped_et || o->mod_dropped_out)
        rank__fact(ev, BC_ONESHOT_REARM,
                   "EPOLL_CTL_MOD dropped EPOLLET %llu times, EPOLLOUT with output pending %llu times",
                   (unsigned long long)o->mod_dropped_et, (unsigned long long)o->mod_dropped_out);
    if (o->oneshot_unarmed > 0)
        rank__fact(ev, BC_ONESHOT_REARM, "%d connection%s blocked on EAGAIN under EPOLLONESHOT never re-armed",
                   o->oneshot_unarmed, o->oneshot_unarmed > 1 ? "s" : "");
    /* A retry loop makes many failed writes per one that sends; a server that
     * waits in poll() or select() (which the trace does not see) makes about one. */
    if (o->spin_nowait >= RANK_SPIN_MIN && o->spin_nowait >= RANK_SPIN_RATIO * o->writes)
        rank__fact(ev, BC_SPIN_EAGAIN,
                   "%llu writes retried after EAGAIN with no epoll_wait between, for %llu that sent bytes",
                   (unsigned long long)o->spin_nowait, (unsigned long long)o->writes);
    if (o->inout_unserved > 0)
        rank__fact(ev, BC_IF_ELSE_IF, "%d connection%s blocked on EAGAIN got an event carrying EPOLLIN and EPOLLOUT "
                   "and never wrote again", o->inout_unserved, o->inout_unserved > 1 ? "s" : "");
}

/* Connections opened but never accepted. Under a lowered RLIMIT_NOFILE that
 * is EMFILE (18) only if the server can have reached the limit: fewer
 * accepts in all than the limit leaves room for (its own fds aside) means it
 * stopped accepting with descriptors to spare (6). */
static void rank__accept_fact(const struct rank_obs *o, struct rank_ev *ev)
{
    int emfile = o->nofile > 0 && o->accepted + RANK_OWN_FDS >= o->nofile;

    if (o->nofile > 0 && !emfile)
        rank__fact(ev, BC_ACCEPT_ONCE,
                   "the target accepted %lld of %d connections, fewer than its RLIMIT_NOFILE %ld allows; "
                   "%d clients never got a byte", o->accepted, o->connected, o->nofile, o->hung_zero);
    else
        rank__fact(ev, emfile ? BC_EMFILE : BC_ACCEPT_ONCE,
                   "the target accepted %lld of %d connections%s; %d clients never got a byte",
                   o->accepted, o->connected, emfile ? " at its RLIMIT_NOFILE" : "", o->hung_zero);
}

void rank_facts(const struct rank_obs *o, struct rank_ev *ev)
{
    memset(ev, 0, sizeof(*ev));
    /* Self-identifying bytes of one client in another's stream: only a shared buffer does that. */
    if (o->xtalk_client >= 0)
        rank__fact(ev, BC_SHARED_BUFFER,
                   "client %d received another client's bytes: %s", o->xtalk_client, o->xtalk_diag);
    /* Bytes a client already had, sent again: a short write's sent part resent. */
    if (o->dup_client >= 0)
        rank__fact(ev, BC_WRITEV_OFFSET, "client %d received bytes twice: %s", o->dup_client, o->dup_diag);
    rank__trace_facts(o, ev);
    if (o->accepted >= 0 && o->hung_zero > 0 && o->accepted < o->connected)
        rank__accept_fact(o, ev);
    /* A client that never shut down its side cannot meet the half-close bug,
     * and a close right after EAGAIN is not one after an EINTR or an EOF. */
    if (o->closed_trunc > 0 && o->closed_on_eagain > 0)
        rank__fact(ev, BC_EAGAIN_ERROR,
                   "the server closed %d connection%s right after a write met EAGAIN; %d client%s had not "
                   "shut down", o->closed_on_eagain, o->closed_on_eagain > 1 ? "s" : "", o->closed_trunc,
                   o->closed_trunc > 1 ? "s" : "");
    if (o->died == 1)
        rank__fact(ev, BC_SIGPIPE, "the server was killed by SIGPIPE");
    ev->ruled_out[BC_SIGPIPE] |= o->died != 1;  /* class 13 is death by SIGPIPE's default action */
    /* Classes 14 and 15 close the connection: a client that saw no close was not their victim. */
    ev->ruled_out[BC_EAGAIN_ERROR] |= ev->ruled_out[BC_HALFCLOSE_DROP] |=
        o->hung > 0 && !o->closed_trunc && !o->closed_trunc_shut;
    ev->ruled_out[BC_SHARED_BUFFER] |= o->xtalk_client < 0;
    ev->ruled_out[BC_EAGAIN_ERROR] |= o->eagain == 0;
    if (o->have_trace) {
        ev->ruled_out[BC_SPIN_EAGAIN] |= o->spin_nowait == 0;
        ev->ruled_out[BC_LT_EPOLLOUT] |= o->reg_lt_out == 0;
        ev->ruled_out[BC_ONESHOT_REARM] |= !o->reg_oneshot && !o->mod_dropped_et && !o->mod_dropped_out;
    }
}

static int rank__has(const int *v, int n, enum bug_class cls)
{
    for (int i = 0; i < n; i++)
        if (v[i] == (int)cls)
            return 1;
    return 0;
}

static int rank__out(const struct rank_ev *ev, enum bug_class cls)
{
    return cls > BC_NONE && (int)cls <= BC_COUNT && ev->ruled_out[cls];
}

/* Where cls stands among f's candidates (0 first), or -1 when it is none of them. */
static int rank__pos(const struct rank_fail *f, enum bug_class cls)
{
    for (int i = 0; i < f->ncands; i++)
        if (f->cands[i] == cls)
            return i;
    return -1;
}

/* The first fact naming a candidate of a real failure decides; the failure
 * that lists it earliest leads (cross-talk over the loss it also causes).
 * Returns 1 when a fact decided. */
static int rank__decide(const struct rank_ev *ev, const struct rank_fail *f, int nf, struct rank_out *out)
{
    for (int k = 0; k < ev->nfacts; k++) {
        int best = -1, pos;

        for (int i = 0; i < nf; i++)
            if (!f[i].vacuous && (pos = rank__pos(&f[i], ev->fact[k].cls)) >= 0 &&
                (best < 0 || pos < rank__pos(&f[best], ev->fact[k].cls)))
                best = i;
        if (best >= 0) {
            out->fail = best;
            out->cls = ev->fact[k].cls;
            snprintf(out->why, sizeof(out->why), "%s", ev->fact[k].why);
            return 1;
        }
    }
    return 0;
}

/* How well f fits: the rank of its first candidate the case targets and the
 * evidence allows (0 best), or ncands + 1 when there is none. */
static int rank__fit(const struct rank_ev *ev, const struct rank_fail *f, const int *classes, int nclasses)
{
    for (int i = 0; i < f->ncands; i++)
        if (rank__has(classes, nclasses, f->cands[i]) && !rank__out(ev, f->cands[i]))
            return i;
    return f->ncands + 1;
}

/* Orders f's candidates the evidence allows, the case's own classes first, into out. */
static void rank__order(const struct rank_ev *ev, const struct rank_fail *f, const int *classes, int nclasses,
                        struct rank_out *out)
{
    enum bug_class order[2 * (BC_COUNT + 1)];
    int n = 0;

    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < f->ncands; i++)
            if (rank__has(classes, nclasses, f->cands[i]) == !pass && !rank__out(ev, f->cands[i]))
                order[n++] = f->cands[i];
    if (n == 0 && f->ncands > 0)
        order[n++] = f->cands[0];  /* everything ruled out: keep the symptom's own first guess */
    out->cls = n ? order[0] : BC_NONE;
    for (int i = 1; i < n && out->nalso < RANK_MAX_ALSO; i++)
        out->also[out->nalso++] = order[i];
}

void rank_classes(const struct rank_ev *ev, const struct rank_fail *f, int nf, const int *classes, int nclasses,
                  struct rank_out *out)
{
    memset(out, 0, sizeof(*out));
    out->fail = -1;
    if (rank__decide(ev, f, nf, out))
        return;
    /* Nothing decided: the real failure that best fits, earliest on ties. */
    for (int i = 0; i < nf; i++)
        if (!f[i].vacuous && (out->fail < 0 || rank__fit(ev, &f[i], classes, nclasses) <
                                                   rank__fit(ev, &f[out->fail], classes, nclasses)))
            out->fail = i;
    if (out->fail >= 0)
        rank__order(ev, &f[out->fail], classes, nclasses, out);
}

void rank_format(const struct rank_out *r, char *buf, size_t len)
{
    size_t o;

    buf[0] = '\0';
    if (!r->cls)
        return;
    if (r->why[0]) {
        snprintf(buf, len, "class %d %s (evidence: %s)", r->cls, bc_name(r->cls), r->why);
        return;
    }
    o = (size_t)snprintf(buf, len, "class %d %s?", r->cls, bc_name(r->cls));
    for (int i = 0; i < r->nalso && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s class %d %s?", i ? "," : " (also consistent with",
                              r->also[i], bc_name(r->also[i]));
    if (r->nalso && o < len)
        snprintf(buf + o, len - o, ")");
}
