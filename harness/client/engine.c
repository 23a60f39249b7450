/* engine.c: the client engine's setup and its single epoll loop (timers, connect batches, ticks, stall scans). */
#include "harness/client/engine.h"
#include "harness/client/client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "harness/util/clock.h"

#define ENGINE_EVENTS 256
#define ENGINE_CONNECT_BATCH 256     /* connects started per loop turn */
#define ENGINE_CONNECT_INFLIGHT 1024 /* connects not yet resolved, at most */
#define ENGINE_FD_SPARE 64           /* fds kept for the runner, logs, captures */
#define ENGINE_DEFAULT_DEADLINE 60000
#define ENGINE_DEFAULT_STALL 2000

static const char *const eng_end_names[] = {
    [CE_RUNNING] = "running",
    [CE_COMPLETE] = "complete",
    [CE_MISMATCH] = "mismatch",
    [CE_SERVER_CLOSED] = "server-closed",
    [CE_SERVER_RESET] = "server-reset",
    [CE_CLIENT_ENDED] = "client-ended",
    [CE_CONNECT_FAILED] = "connect-failed",
};

void engine_http_plan(const struct client_spec *s, uint32_t id, const char *host, struct http_plan *p)
{
    /* A probe: probe_rounds GETs of one echo record each, one at a time. */
    if (s->probe)
        http_plan_init(p, id, (uint64_t)CLIENT_PROBE_MSG * (uint64_t)s->probe_rounds, s->probe_rounds, host);
    else
        http_plan_init(p, id, s->send_bytes, s->http_requests, host);
}

const char *engine_end_name(enum client_end e)
{
    return eng_end_names[e];
}

/* Raises the soft RLIMIT_NOFILE to the hard limit when need is above it. Returns 0 or -1 with err. */
static int client__raise_nofile(int need, char *err, size_t errlen)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        snprintf(err, errlen, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
        return -1;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= (rlim_t)need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)need) {
        snprintf(err, errlen, "RLIMIT_NOFILE hard limit %llu is below the %d fds needed",
                 (unsigned long long)rl.rlim_max, need);
        return -1;
    }
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? (rlim_t)need : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        snprintf(err, errlen, "setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)rl.rlim_cur, strerror(errno));
        return -1;
    }
    return 0;
}

static int client__addr(struct engine *e, const char *host, int port, char *err, size_t errlen)
{
    struct sockaddr_in *a4 = (struct sockaddr_in *)&e->addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&e->addr;

    memset(&e->addr, 0, sizeof(e->addr));
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        e->addrlen = sizeof(*a4);
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        e->addrlen = sizeof(*a6);
    } else {
        snprintf(err, errlen, "host '%s' is not a numeric IPv4 or IPv6 address", host);
        return -1;
    }
    if (port <= 0 || port > 65535) {
        snprintf(err, errlen, "port %d out of range", port);
        return -1;
    }
    return 0;
}

/* Sets up client c of group spec with global id. Returns 0 or -1 with err. */
static int client__init_client(struct engine *e, struct client *c, const struct client_spec *s, int group, uint32_t id,
                            struct client_result *res, char *err, size_t errlen)
{
    char req[32];
    uint64_t reclen = PATTERN_REPEAT_MSG + (s->repeat_newline ? 1 : 0);

    memset(res, 0, sizeof(*res));
    res->group = group;
    res->id = id;
    res->end = CE_RUNNING;
    c->spec = s;
    c->res = res;
    c->fd = -1;
    c->heap_idx = -1;
    c->state = CS_WAITING;
    c->start_ms = s->start_delay_ms;
    verifier_init(&c->v, s->proto, e->o->seed, id);
    c->v.repeat_n = s->repeat_n;
    c->v.repeat_newline = s->repeat_newline;
    c->v.expected_total = 0;    /* grows with what is sent */
    if (s->proto == PAT_HTTP)
        http_parser_init(&c->hp, &c->hplan, e->o->seed, &c->v);
    if (s->probe && ((s->proto != PAT_ECHO && s->proto != PAT_HTTP) || s->probe_rounds <= 0)) {
        snprintf(err, errlen, "group %d: a probe needs the echo or http protocol and probe_rounds > 0", group);
        return -1;
    }
    switch (s->proto) {
    case PAT_ECHO:
        c->to_send = s->probe ? (uint64_t)CLIENT_PROBE_MSG * (uint64_t)s->probe_rounds : s->send_bytes;
        c->final_expected = c->to_send;
        break;
    case PAT_STREAM:
        c->to_send = (uint64_t)snprintf(req, sizeof(req), "%llu\n", (unsigned long long)s->send_bytes);
        c->final_expected = s->send_bytes;
        break;
    case PAT_REPEAT:
        if (s->repeat_n == 0) {
            snprintf(err, errlen, "group %d: repeat needs repeat_n > 0", group);
            return -1;
        }
        c->to_send = s->send_bytes * reclen;
        c->final_expected = s->send_bytes * pattern_repeat_reply_len(s->repeat_n);
        break;
    case PAT_HTTP:
        /* final_expected counts body bytes; heads come on top (received counts every byte). */
        engine_http_plan(s, id, e->o->host, &c->hplan);
        c->to_send = (uint64_t)c->hplan.nreq * c->hplan.req_len;
        c->final_expected = c->hplan.total;
        break;
    }
    res->expected = c->final_expected;
    client__heap_set(e, c, c->start_ms);
    return 0;
}

static int client__setup(struct engine *e, const struct client_spec *groups, int ngroups, struct client_result *results,
                      char *err, size_t errlen)
{
    int total = 0, i = 0;

    for (int g = 0; g < ngroups; g++) {
        if (groups[g].count < 0 || groups[g].count > 0xffffff - total) {
            snprintf(err, errlen, "group %d: bad client count %d", g, groups[g].count);
            return -1;
        }
        total += groups[g].count;
    }
    if (client__addr(e, e->o->host ? e->o->host : "127.0.0.1", e->o->port, err, errlen) < 0 ||
        client__raise_nofile(total + ENGINE_FD_SPARE, err, errlen) < 0)
        return -1;
    e->ncli = total;
    e->cli = calloc((size_t)total + 1, sizeof(*e->cli));
    e->heap = calloc((size_t)total + 1, sizeof(*e->heap));
    e->ready = calloc(2 * (size_t)total + 1, sizeof(*e->ready));
    e->queue = calloc((size_t)total + 1, sizeof(*e->queue));
    e->buf = malloc(CLIENT_BUF);
    if (!e->cli || !e->heap || !e->ready || !e->queue || !e->buf) {
        snprintf(err, errlen, "out of memory for %d clients", total);
        return -1;
    }
    e->ep = epoll_create1(EPOLL_CLOEXEC);
    if (e->ep < 0) {
        snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
        return -1;
    }
    for (int g = 0; g < ngroups; g++) {
        for (int k = 0; k < groups[g].count; k++, i++) {
            if (client__init_client(e, &e->cli[i], &groups[g], g, (uint32_t)i, &results[i], err, errlen) < 0)
                return -1;
        }
    }
    e->live = e->unresolved = total;
    return 0;
}

/* Starts due connects, a batch at a time, with a bound on those in flight. */
static void client__connect_batch(struct engine *e, double now)
{
    for (int n = 0; n < ENGINE_CONNECT_BATCH && e->qhead < e->qtail && e->connecting < ENGINE_CONNECT_INFLIGHT; n++)
        client__connect(e, e->queue[e->qhead++], now);
}

static void client__run_timers(struct engine *e, double now)
{
    struct client *c;

    while ((c = client__heap_pop_due(e, now)) != NULL)
        client__on_timer(e, c, now);
}

/* Gives clients that used up their budget another turn. */
static void client__run_ready(struct engine *e, double now)
{
    int n = e->nready;

    for (int i = 0; i < n; i++) {
        e->ready[i]->in_ready = 0;
        client__progress(e, e->ready[i], now);
    }
    memmove(e->ready, e->ready + n, (size_t)(e->nready - n) * sizeof(*e->ready));
    e->nready -= n;
}

/* Checks every active client for a stall. A mismatch still waiting for its
 * lookahead window is diagnosed as soon as its client stalls: no more bytes
 * are coming to fill the window. */
static void client__scan_stalls(struct engine *e, double now)
{
    for (int i = 0; i < e->ncli; i++) {
        struct client *c = &e->cli[i];

        if (c->state != CS_ACTIVE)
            continue;
        client__stall_check(e, c, now, 0);
        if (c->in_stall && c->v.pending && verifier_finish(&c->v) < 0)
            client__end(e, c, CE_MISMATCH, 0, now, "%s", c->v.diag);
    }
}

/* 1 when every client still running is stalled: nothing will move unless
 * the server does, and a stall fails the case whatever comes later. */
static int client__all_stalled(const struct engine *e)
{
    int stalled = 0;

    for (int i = 0; i < e->ncli; i++) {
        switch (e->cli[i].state) {
        case CS_ACTIVE:
            if (!e->cli[i].in_stall)
                return 0;
            stalled++;
            break;
        case CS_WAITING:
        case CS_QUEUED:
        case CS_CONNECTING:
        case CS_LINGER:
            return 0;
        case CS_IDLE:
        case CS_DONE:
            break;
        }
    }
    return stalled > 0;
}

static double client__min(double a, double b)
{
    return a < b ? a : b;
}

/* The loop. Returns 0 when the run ended (done, deadline, stop), -1 with err if epoll fails. */
static int client__loop(struct engine *e, const struct engine_hooks *h, char *err, size_t errlen)
{
    struct epoll_event ev[ENGINE_EVENTS];
    double deadline = e->o->deadline_ms, tick = h && h->on_tick && h->tick_ms > 0 ? h->tick_ms : 0;
    double scan = client__min(100, e->o->stall_ms / 4.0), next_tick = tick ? tick : CLIENT_NEVER, next_scan = 0;
    int connected = 0;

    if (scan < 5)
        scan = 5;
    for (;;) {
        double now = client__now(e), wake;
        int n, timeout;

        if (now >= deadline)
            return 0;
        client__run_timers(e, now);
        client__connect_batch(e, now);
        if (!connected && e->unresolved == 0) {
            connected = 1;
            if (h && h->on_connected)
                h->on_connected(h->arg);
        }
        if (now >= next_scan) {
            client__scan_stalls(e, now);
            next_scan = now + scan;
            if (e->o->may_end_stalled && *e->o->may_end_stalled && client__all_stalled(e)) {
                if (e->o->ended_stalled)
                    *e->o->ended_stalled = 1;
                return 0;
            }
        }
        if (now >= next_tick) {
            next_tick = next_tick + tick > now ? next_tick + tick : now + tick;
            if (h->on_tick(h->arg, now))
                return 0;
        }
        if (e->live == 0)
            return 0;
        client__run_ready(e, now);
        wake = client__min(client__min(deadline, next_tick), client__min(next_scan, client__heap_top(e)));
        wake -= client__now(e);
        timeout = wake > 1e9 ? 1000000000 : (int)wake;
        if (timeout < wake)
            timeout++;    /* round up: waking early would spin until the timer is due */
        if (timeout < 0 || e->nready > 0 || (e->qhead < e->qtail && e->connecting < ENGINE_CONNECT_INFLIGHT))
            timeout = 0;
        n = epoll_wait(e->ep, ev, ENGINE_EVENTS, timeout);
        if (n < 0 && errno != EINTR) {
            snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
            return -1;
        }
        now = client__now(e);
        for (int i = 0; i < n; i++)
            client__on_event(e, ev[i].data.ptr, ev[i].events, now);
    }
}

static void client__free(struct engine *e)
{
    if (e->ep >= 0)
        close(e->ep);
    free(e->cli);
    free(e->heap);
    free(e->ready);
    free(e->queue);
    free(e->buf);
}

int engine_run(const struct engine_opts *o, const struct client_spec *groups, int ngroups,
               struct client_result *results, int *nresults, char *err, size_t errlen)
{
    struct engine_opts opts = *o;
    struct engine e = {.o = &opts, .ep = -1};
    int rc = -1;

    *nresults = 0;
    if (opts.deadline_ms <= 0)
        opts.deadline_ms = ENGINE_DEFAULT_DEADLINE;
    if (opts.stall_ms <= 0)
        opts.stall_ms = ENGINE_DEFAULT_STALL;
    e.t0 = ec_now_ms();
    if (client__setup(&e, groups, ngroups, results, err, errlen) == 0) {
        rc = client__loop(&e, o->hooks, err, errlen);
        double now = client__now(&e);

        for (int i = 0; i < e.ncli; i++)
            client__end_unfinished(&e, &e.cli[i], now);
        *nresults = e.ncli;
    } else {
        /* Sockets exist only after setup succeeded: nothing to close but e's own. */
        *nresults = 0;
    }
    client__free(&e);
    return rc;
}
