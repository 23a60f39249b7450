/* conn.c: one client's connection: connect, paced writes and reads, behaviours (pause, reset, close, probe) and its end. */
#include "harness/client/client.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define CLIENT_ROUNDS 16             /* write+read rounds per turn before yielding to others */

void client__end(struct engine *e, struct client *c, enum client_end end, int rst, double now, const char *fmt, ...)
{
    va_list ap;

    if (c->state == CS_DONE)
        return;
    c->res->end = end;
    c->res->t_done_ms = now;
    va_start(ap, fmt);
    vsnprintf(c->res->diag, sizeof(c->res->diag), fmt, ap);
    va_end(ap);
    if (c->v.failed) {
        c->res->fault = c->v.fault;
        memcpy(c->res->hexdump, c->v.hexdump, sizeof(c->res->hexdump));
    }
    if (c->fd >= 0) {
        if (rst) {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};

            setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        }
        close(c->fd);
        c->fd = -1;
    }
    client__heap_set(e, c, CLIENT_NEVER);
    if (c->in_stall) {
        client__stall_check(e, c, now, 1);    /* closes the open stall at now */
    }
    switch (c->state) {
    case CS_WAITING:
    case CS_QUEUED:
        e->unresolved--;
        break;
    case CS_CONNECTING:
        e->unresolved--;
        e->connecting--;
        break;
    case CS_ACTIVE:
    case CS_LINGER:
    case CS_IDLE:
    case CS_DONE:
        break;
    }
    if (c->state != CS_IDLE)
        e->live--;
    c->state = CS_DONE;
}

/* Loopback's MSS is 65483 bytes, so a small receive window (rcvbuf,
 * window_clamp) is smaller than one segment there. Linux then sends only
 * when its persist timer fires (every 200 ms and more, backing off), for any
 * server: a stall that is TCP's, not the server's, and one that no real
 * network shows. A client's MSS is set as on Ethernet (1448), and to a
 * quarter of a small window, so every window holds several segments. Set
 * before connect: the SYN announces it, and it bounds both directions.
 * Returns 0, or -1 with errno. */
static int client__clamp_mss(int fd, const struct client_spec *s)
{
    int win = CLIENT_MSS_MAX * 4, mss;

    if (s->rcvbuf > 0 && s->rcvbuf < win)
        win = s->rcvbuf;
    if (s->window_clamp > 0 && s->window_clamp < win)
        win = s->window_clamp;
    mss = win / 4 < CLIENT_MSS_MIN ? CLIENT_MSS_MIN : win / 4;
    return setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss));
}

void client__connect(struct engine *e, struct client *c, double now)
{
    const struct client_spec *s = c->spec;
    struct epoll_event ev = {0};    /* avoid valgrind warning on the padding */

    c->state = CS_CONNECTING;
    e->connecting++;
    c->fd = socket(e->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        client__end(e, c, CE_CONNECT_FAILED, 0, now, "socket: %s", strerror(errno));
        return;
    }
    /* Buffer sizes must be set before connect: the window scale is fixed by the SYN. */
    if (s->rcvbuf > 0 && setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, sizeof(s->rcvbuf)) < 0) {
        client__end(e, c, CE_CONNECT_FAILED, 0, now, "SO_RCVBUF %d: %s", s->rcvbuf, strerror(errno));
        return;
    }
    if (s->window_clamp > 0 &&
        setsockopt(c->fd, IPPROTO_TCP, TCP_WINDOW_CLAMP, &s->window_clamp, sizeof(s->window_clamp)) < 0) {
        client__end(e, c, CE_CONNECT_FAILED, 0, now, "TCP_WINDOW_CLAMP %d: %s", s->window_clamp, strerror(errno));
        return;
    }
    if (client__clamp_mss(c->fd, s) < 0) {
        client__end(e, c, CE_CONNECT_FAILED, 0, now, "TCP_MAXSEG: %s", strerror(errno));
        return;
    }
    if (connect(c->fd, (struct sockaddr *)&e->addr, e->addrlen) < 0 && errno != EINPROGRESS) {
        client__end(e, c, CE_CONNECT_FAILED, 0, now, "connect: %s", strerror(errno));
        return;
    }
    /* Registered after connect: an unconnected socket polls as HUP|OUT. */
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = c;
    if (epoll_ctl(e->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        client__end(e, c, CE_CONNECT_FAILED, 0, now, "epoll_ctl: %s", strerror(errno));
}

/* The connect finished one way or the other. */
static void client__connected(struct engine *e, struct client *c, uint32_t events, double now)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err) {
        client__end(e, c, CE_CONNECT_FAILED, 0, now, "connect: %s", strerror(err));
        return;
    }
    if (!(events & EPOLLOUT))
        return;    /* not yet: the edge that completes it carries EPOLLOUT */
    e->connecting--;
    e->unresolved--;
    c->state = CS_ACTIVE;
    c->res->t_connect_ms = now;
    c->last_progress_ms = now;
    c->read_start_ms = now + c->spec->read_delay_ms;
    c->next_pause_at = c->spec->pause_after > 0 ? (uint64_t)c->spec->pause_after : 0;
    c->can_write = 1;
    c->can_read = (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) != 0;
}

/* Writes len request bytes from offset off into buf. */
static void client__fill_request(const struct engine *e, const struct client *c, uint64_t off, char *buf, size_t len)
{
    char req[32];
    int n;

    switch (c->spec->proto) {
    case PAT_ECHO:
        pattern_echo_fill(e->o->seed, c->res->id, off, buf, len);
        break;
    case PAT_STREAM:
        n = snprintf(req, sizeof(req), "%llu\n", (unsigned long long)c->spec->send_bytes);
        memcpy(buf, req + off, len <= (size_t)n - off ? len : (size_t)n - off);
        break;
    case PAT_REPEAT:
        pattern_repeat_req_fill(c->res->id, c->spec->repeat_newline, off, buf, len);
        break;
    case PAT_HTTP:
        http_req_fill(&c->hplan, off, buf, len);
        break;
    }
}

/* What the server owes once `sent` request bytes went out. */
static void client__expect_more(struct client *c)
{
    uint64_t sent = c->res->sent;

    switch (c->spec->proto) {
    case PAT_ECHO:
        c->v.expected_total = sent;
        break;
    case PAT_STREAM:
        c->v.expected_total = sent == c->to_send ? c->final_expected : 0;
        break;
    case PAT_REPEAT:
        verifier_set_repeat_msgs(&c->v, (uint32_t)(sent / (PATTERN_REPEAT_MSG + (c->spec->repeat_newline ? 1 : 0))));
        break;
    case PAT_HTTP:
        break;                /* its parser counts responses against the requests sent */
    }
}

/* http: where the request stream may be written up to now: `pipeline`
 * requests beyond the responses complete (one at a time without it). */
static uint64_t client__http_window(const struct client *c)
{
    uint64_t ahead = c->spec->http_pipeline > 1 ? (uint64_t)c->spec->http_pipeline : 1;
    uint64_t end = ((uint64_t)c->hp.done + ahead) * c->hplan.req_len;

    return end < c->to_send ? end : c->to_send;
}

/* Ends the reply stream for the verdict: http_finish or verifier_finish. */
static int client__finish(struct client *c, int eof)
{
    return c->spec->proto == PAT_HTTP ? http_finish(&c->hp, eof) : verifier_finish(&c->v);
}

/* One write. Returns 1 after moving bytes (or EINTR), 0 when nothing can be written now, -1 if c ended. */
static int client__write_once(struct engine *e, struct client *c, double now)
{
    const struct client_spec *s = c->spec;
    uint64_t sent = c->res->sent;
    size_t n;
    ssize_t r;

    if (c->state != CS_ACTIVE || !c->can_write || sent >= c->to_send || now < c->next_write_ms)
        return 0;
    if (s->probe && client__probe_waiting(c))
        return 0;    /* a probe waits for its echo (or response) before the next round */
    n = client__chunk(s->write_size, s->write_rate);
    if (n > c->to_send - sent)
        n = (size_t)(c->to_send - sent);
    if (s->proto == PAT_HTTP) {
        uint64_t end = client__http_window(c);

        if (sent >= end)
            return 0;         /* waits for responses before asking for more */
        if (n > end - sent)
            n = (size_t)(end - sent);
    }
    if (s->probe && n > client__probe_msg(c) - sent % client__probe_msg(c))
        n = client__probe_msg(c) - sent % client__probe_msg(c);
    client__fill_request(e, c, sent, e->buf, n);
    r = send(c->fd, e->buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r < 0) {
        if (errno == EINTR)
            return 1;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->can_write = 0;
            c->write_blocked = 1;
            return 0;
        }
        client__end(e, c, CE_SERVER_RESET, 0, now, "send after %llu bytes: %s", (unsigned long long)sent,
                 strerror(errno));
        return -1;
    }
    if (s->probe && sent % client__probe_msg(c) == 0)
        c->probe_sent_ms = now;
    c->res->sent += (uint64_t)r;
    c->write_blocked = 0;
    if (s->write_rate)
        c->next_write_ms = client__pace_next(c->next_write_ms, now, (uint64_t)r, s->write_rate);
    client__expect_more(c);
    client__stall_check(e, c, now, 1);
    if (c->res->sent == c->to_send) {
        if (s->shut_wr && !c->shut_done) {
            shutdown(c->fd, SHUT_WR);
            c->shut_done = 1;
            c->res->t_shut_ms = now;
        }
        if (s->never_read) {
            c->state = CS_IDLE;    /* done with all it will ever do; the socket stays open */
            e->live--;
        }
    }
    return 1;
}

/* Returns 1 if the server's FIN is already queued on c's socket: closing now
 * would leave the TIME_WAIT on the server's side. */
static int client__peer_closed(const struct client *c)
{
    char b;

    return recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Everything arrived? Returns 1 to go on, -1 if c ended. */
static int client__check_done(struct engine *e, struct client *c, double now)
{
    if (c->state == CS_LINGER && c->v.pending) {
        verifier_finish(&c->v);
        client__end(e, c, CE_MISMATCH, 0, now, "%s", c->v.diag);
        return -1;
    }
    if (c->state != CS_ACTIVE || c->res->sent < c->to_send)
        return 1;
    /* http's heads make received larger than the bodies: its parser says when all arrived. */
    if (c->spec->proto == PAT_HTTP ? !http_complete(&c->hp) : c->res->received < c->final_expected)
        return 1;
    if (c->spec->proto != PAT_HTTP && verifier_finish(&c->v) < 0) {
        client__end(e, c, CE_MISMATCH, 0, now, "%s", c->v.diag);
        return -1;
    }
    if (c->spec->shut_wr) {
        c->state = CS_LINGER;
        c->fin_deadline_ms = now + e->o->stall_ms;
        return 1;
    }
    client__end(e, c, CE_COMPLETE, e->o->rst_on_eof && client__peer_closed(c), now, "%s", "");
    return -1;
}

/* Accounts for r received bytes in e->buf. Returns 1 to go on, -1 if c ended. */
static int client__after_read(struct engine *e, struct client *c, size_t r, double now)
{
    const struct client_spec *s = c->spec;
    struct client_result *res = c->res;

    res->received += r;
    if (s->proto == PAT_HTTP ? http_feed(&c->hp, e->buf, r, client__http_sent(c)) < 0
                             : verifier_feed(&c->v, e->buf, r) < 0) {
        client__end(e, c, CE_MISMATCH, 0, now, "%s", c->v.diag);
        return -1;
    }
    client__stall_check(e, c, now, 1);
    if (s->read_rate)
        c->next_read_ms = client__pace_next(c->next_read_ms, now, r, s->read_rate);
    if (c->next_pause_at && res->received >= c->next_pause_at) {
        c->pause_until_ms = now + s->pause_ms;
        c->next_pause_at = s->pause_repeat ? c->next_pause_at + (uint64_t)s->pause_after : 0;
    }
    if (s->probe && client__probe_round_done(c)) {
        double rtt = now - c->probe_sent_ms;

        if (rtt > res->probe_max_ms)
            res->probe_max_ms = rtt;
        c->probe_round++;
        c->next_write_ms = now + (s->probe_interval_ms > 0 ? s->probe_interval_ms : 10);
    }
    if (s->reset_after && res->received >= s->reset_after) {
        client__end(e, c, CE_CLIENT_ENDED, 1, now, "reset by the client after %llu bytes, as asked",
                 (unsigned long long)res->received);
        return -1;
    }
    if (s->close_after && res->received >= s->close_after) {
        client__end(e, c, CE_CLIENT_ENDED, 0, now, "closed by the client after %llu bytes, as asked",
                 (unsigned long long)res->received);
        return -1;
    }
    return client__check_done(e, c, now);
}

/* http: the server closed with no framing fault; a close-delimited last body may have completed the client. */
static void client__http_eof(struct engine *e, struct client *c, double now)
{
    const struct client_result *res = c->res;

    if (c->state == CS_ACTIVE && !c->v.failed && client__check_done(e, c, now) < 0)
        return;
    client__end(e, c, CE_SERVER_CLOSED, e->o->rst_on_eof, now, "server closed after %llu bytes: %u of %u responses "
             "complete (%u of %u requests sent)%s%s", (unsigned long long)res->received, c->hp.done, c->hplan.nreq,
             client__http_sent(c), c->hplan.nreq, c->v.failed ? ": " : "", c->v.failed ? c->v.diag : "");
}

/* The server's FIN arrived. */
static void client__eof(struct engine *e, struct client *c, double now)
{
    struct client_result *res = c->res;

    if (c->state == CS_LINGER) {
        res->got_fin = 1;
        client__end(e, c, CE_COMPLETE, 0, now, "%s", "");
        return;
    }
    if (client__finish(c, 1) < 0 && c->v.fault != PF_TRUNCATED) {
        client__end(e, c, CE_MISMATCH, e->o->rst_on_eof, now, "%s", c->v.diag);
        return;
    }
    res->got_fin = 1;
    if (c->spec->proto == PAT_HTTP) {
        client__http_eof(e, c, now);
        return;
    }
    client__end(e, c, CE_SERVER_CLOSED, e->o->rst_on_eof, now, "server closed after %llu of %llu bytes (sent %llu of %llu)",
             (unsigned long long)res->received, (unsigned long long)c->final_expected,
             (unsigned long long)res->sent, (unsigned long long)c->to_send);
}

/* How much the next read may take: size, rate, and the next threshold that changes behaviour. */
static size_t client__read_len(const struct client *c)
{
    const struct client_spec *s = c->spec;
    uint64_t got = c->res->received;
    size_t n = client__chunk(s->read_size, s->read_rate);

    if (s->reset_after > got && s->reset_after - got < n)
        n = (size_t)(s->reset_after - got);
    if (s->close_after > got && s->close_after - got < n)
        n = (size_t)(s->close_after - got);
    if (c->next_pause_at > got && c->next_pause_at - got < n)
        n = (size_t)(c->next_pause_at - got);
    return n;
}

/* One read. Returns 1 after moving bytes (or EINTR), 0 when nothing can be read now, -1 if c ended. */
static int client__read_once(struct engine *e, struct client *c, double now)
{
    ssize_t r;

    if ((c->state != CS_ACTIVE && c->state != CS_LINGER) || !c->can_read || client__self_paused(c, now))
        return 0;
    r = recv(c->fd, e->buf, client__read_len(c), MSG_DONTWAIT);
    if (r > 0)
        return client__after_read(e, c, (size_t)r, now);
    if (r == 0) {
        client__eof(e, c, now);
        return -1;
    }
    if (errno == EINTR)
        return 1;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        c->can_read = 0;
        return 0;
    }
    if (client__finish(c, 0) < 0 && c->v.fault != PF_TRUNCATED) {
        client__end(e, c, CE_MISMATCH, 0, now, "%s", c->v.diag);
        return -1;
    }
    client__end(e, c, CE_SERVER_RESET, 0, now, "recv after %llu of %llu bytes: %s", (unsigned long long)c->res->received,
             (unsigned long long)c->final_expected, strerror(errno));
    return -1;
}

void client__progress(struct engine *e, struct client *c, double now)
{
    int i, w = 0, r = 0;

    for (i = 0; i < CLIENT_ROUNDS; i++) {
        if ((w = client__write_once(e, c, now)) < 0 || (r = client__read_once(e, c, now)) < 0)
            return;
        if (w == 0 && r == 0)
            break;
    }
    if (c->state == CS_ACTIVE && client__check_done(e, c, now) < 0)
        return;    /* e.g. nothing to send and nothing expected */
    if (i == CLIENT_ROUNDS && !c->in_ready) {
        /* Budget used up with readiness left: no new edge will come, so requeue ourselves. */
        c->in_ready = 1;
        e->ready[e->nready++] = c;
    }
    client__rearm(e, c, now);
}

void client__on_event(struct engine *e, struct client *c, uint32_t events, double now)
{
    switch (c->state) {
    case CS_DONE:
    case CS_IDLE:
    case CS_WAITING:
    case CS_QUEUED:
        return;    /* events of a closed socket still in this batch, or ignored on purpose */
    case CS_CONNECTING:
        client__connected(e, c, events, now);
        if (c->state != CS_ACTIVE)
            return;
        break;
    case CS_ACTIVE:
    case CS_LINGER:
        break;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        c->can_read = 1;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        c->can_write = 1;
    client__progress(e, c, now);
}

void client__on_timer(struct engine *e, struct client *c, double now)
{
    switch (c->state) {
    case CS_WAITING:
        c->state = CS_QUEUED;
        e->queue[e->qtail++] = c;
        return;
    case CS_LINGER:
        if (now >= c->fin_deadline_ms) {
            client__end(e, c, CE_COMPLETE, 0, now, "full reply verified; no FIN within %d ms", e->o->stall_ms);
            return;
        }
        break;
    case CS_ACTIVE:
        break;
    case CS_QUEUED:
    case CS_CONNECTING:
    case CS_IDLE:
    case CS_DONE:
        return;
    }
    client__progress(e, c, now);
}

void client__end_unfinished(struct engine *e, struct client *c, double now)
{
    const struct client_result *res = c->res;

    switch (c->state) {
    case CS_DONE:
        return;
    case CS_IDLE:
        client__end(e, c, CE_CLIENT_ENDED, 0, now, "never read, by design; sent %llu of %llu bytes",
                 (unsigned long long)res->sent, (unsigned long long)c->to_send);
        return;
    case CS_WAITING:
    case CS_QUEUED:
        client__end(e, c, CE_RUNNING, 0, now, "never started: the run ended first");
        return;
    case CS_CONNECTING:
        client__end(e, c, CE_CONNECT_FAILED, 0, now, "connect did not complete before the run ended");
        return;
    case CS_LINGER:
        client__end(e, c, CE_COMPLETE, 0, now, "full reply verified; no FIN before the run ended");
        return;
    case CS_ACTIVE:
        break;
    }
    if (c->spec->never_read) {
        client__end(e, c, CE_CLIENT_ENDED, 0, now, "never read, by design; sent %llu of %llu bytes (writes blocked)",
                 (unsigned long long)res->sent, (unsigned long long)c->to_send);
    } else if ((c->v.pending || c->spec->proto == PAT_HTTP) && client__finish(c, 0) < 0) {
        client__end(e, c, CE_MISMATCH, 0, now, "%s", c->v.diag);
    } else if (c->spec->proto == PAT_HTTP) {
        /* Heads make received larger than the bodies owed: count responses. */
        client__end(e, c, CE_RUNNING, 0, now, "no progress for %.0f ms, received %llu bytes: %u of %u responses "
                 "complete (%u requests sent)", now - c->last_progress_ms, (unsigned long long)res->received,
                 c->hp.done, c->hplan.nreq, client__http_sent(c));
    } else {
        client__end(e, c, CE_RUNNING, 0, now, "no progress for %.0f ms, received %llu of %llu (sent %llu of %llu)",
                 now - c->last_progress_ms, (unsigned long long)res->received,
                 (unsigned long long)c->final_expected, (unsigned long long)res->sent,
                 (unsigned long long)c->to_send);
    }
}
