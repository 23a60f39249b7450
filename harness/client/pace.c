/* pace.c: the engine's clock, its timer heap, rate pacing and stall bookkeeping. */
#include "harness/client/client.h"

#include <time.h>
#include "harness/util/clock.h"

double client__now(const struct engine *e)
{
    return ec_now_ms() - e->t0;
}

static void client__heap_swap(struct engine *e, int a, int b)
{
    struct client *t = e->heap[a];

    e->heap[a] = e->heap[b];
    e->heap[b] = t;
    e->heap[a]->heap_idx = a;
    e->heap[b]->heap_idx = b;
}

static void client__heap_up(struct engine *e, int i)
{
    while (i > 0 && e->heap[(i - 1) / 2]->wake_ms > e->heap[i]->wake_ms) {
        client__heap_swap(e, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void client__heap_down(struct engine *e, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;

        if (l < e->nheap && e->heap[l]->wake_ms < e->heap[m]->wake_ms)
            m = l;
        if (r < e->nheap && e->heap[r]->wake_ms < e->heap[m]->wake_ms)
            m = r;
        if (m == i)
            return;
        client__heap_swap(e, i, m);
        i = m;
    }
}

static void client__heap_remove(struct engine *e, struct client *c)
{
    int i = c->heap_idx;

    if (i < 0)
        return;
    c->heap_idx = -1;
    if (--e->nheap == i)
        return;
    e->heap[i] = e->heap[e->nheap];
    e->heap[i]->heap_idx = i;
    client__heap_down(e, i);
    client__heap_up(e, i);
}

void client__heap_set(struct engine *e, struct client *c, double wake_ms)
{
    if (wake_ms >= CLIENT_NEVER) {
        client__heap_remove(e, c);
        return;
    }
    c->wake_ms = wake_ms;
    if (c->heap_idx < 0) {
        c->heap_idx = e->nheap;
        e->heap[e->nheap++] = c;
        client__heap_up(e, c->heap_idx);
    } else {
        client__heap_down(e, c->heap_idx);
        client__heap_up(e, c->heap_idx);
    }
}

double client__heap_top(const struct engine *e)
{
    return e->nheap ? e->heap[0]->wake_ms : CLIENT_NEVER;
}

struct client *client__heap_pop_due(struct engine *e, double now)
{
    struct client *c;

    if (e->nheap == 0 || e->heap[0]->wake_ms > now)
        return NULL;
    c = e->heap[0];
    client__heap_remove(e, c);
    return c;
}

double client__pace_next(double next, double now, uint64_t n, uint64_t rate)
{
    if (rate == 0)
        return 0;
    /* Credit does not pile up while idle: a paced side never bursts. */
    return (next > now ? next : now) + (double)n * 1e3 / (double)rate;
}

size_t client__chunk(int size, uint64_t rate)
{
    size_t n = size > 0 ? (size_t)size : CLIENT_BUF;

    if (n > CLIENT_BUF)
        n = CLIENT_BUF;
    if (rate > 0 && size <= 0) {
        uint64_t r = rate / 50;    /* 20 ms worth keeps the pace smooth */

        n = r < 1 ? 1 : r < n ? (size_t)r : n;
    }
    return n;
}

int client__self_paused(const struct client *c, double now)
{
    return c->spec->never_read || now < c->read_start_ms || now < c->pause_until_ms || now < c->next_read_ms;
}

size_t client__probe_msg(const struct client *c)
{
    return c->spec->proto == PAT_HTTP ? c->hplan.req_len : CLIENT_PROBE_MSG;
}

int client__probe_waiting(const struct client *c)
{
    if (c->spec->proto == PAT_HTTP)
        return c->hp.done < client__http_sent(c);
    return c->res->received < c->res->sent;
}

int client__probe_round_done(const struct client *c)
{
    if (c->spec->proto == PAT_HTTP)
        return c->hp.done > (uint32_t)c->probe_round && c->hp.done == client__http_sent(c);
    return c->res->received == c->res->sent && c->res->received % CLIENT_PROBE_MSG == 0;
}

/* When c next needs the engine without an epoll event. */
static double client__wake(const struct client *c, double now)
{
    double w = CLIENT_NEVER, held;
    int probe_waiting = c->spec->probe && client__probe_waiting(c);

    switch (c->state) {
    case CS_WAITING:
        return c->start_ms;
    case CS_LINGER:
        w = c->fin_deadline_ms;
        /* A paused reader must come back for the FIN too. */
        __attribute__((fallthrough));
    case CS_ACTIVE:
        if (c->res->sent < c->to_send && !probe_waiting && c->next_write_ms > now && c->next_write_ms < w)
            w = c->next_write_ms;
        if (!c->spec->never_read) {
            held = c->read_start_ms;
            if (c->pause_until_ms > held)
                held = c->pause_until_ms;
            if (c->next_read_ms > held)
                held = c->next_read_ms;
            if (held > now && held < w)
                w = held;
        }
        return w;
    case CS_QUEUED:
    case CS_CONNECTING:
    case CS_IDLE:
    case CS_DONE:
        return CLIENT_NEVER;
    }
    return CLIENT_NEVER;
}

void client__rearm(struct engine *e, struct client *c, double now)
{
    client__heap_set(e, c, client__wake(c, now));
}

uint32_t client__http_sent(const struct client *c)
{
    return (uint32_t)(c->res->sent / c->hplan.req_len);
}

uint64_t client__owed(const struct client *c)
{
    /* http's replies carry heads of unknown length: its parser knows what is owed. */
    if (c->spec->proto == PAT_HTTP)
        return http_owed(&c->hp, client__http_sent(c));
    return c->v.expected_total != UINT64_MAX && c->v.expected_total > c->res->received
               ? c->v.expected_total - c->res->received : 0;
}

static void client__stall_measure(struct client *c, double now)
{
    double cur = now - c->stall_from_ms;

    if (cur > c->res->longest_stall_ms) {
        c->res->longest_stall_ms = cur;
        c->res->stall_start_ms = c->stall_from_ms;
        c->res->stall_received = c->res->received;
        c->res->stall_owed = client__owed(c);
    }
}

void client__stall_check(struct engine *e, struct client *c, double now, int progressed)
{
    int owed;
    int frozen = e->o->server_frozen && *e->o->server_frozen;

    /* A server the runner froze, or a client pausing on purpose, is waiting
     * by design: the stall clock starts again when the wait ends. */
    if (progressed || c->state != CS_ACTIVE || client__self_paused(c, now) || frozen) {
        if (c->in_stall) {
            client__stall_measure(c, now);
            c->in_stall = 0;
        }
        c->last_progress_ms = now;
        return;
    }
    owed = client__owed(c) > 0 || (c->write_blocked && c->res->sent < c->to_send);
    if (!owed) {
        c->last_progress_ms = now;
        return;
    }
    if (!c->in_stall && now - c->last_progress_ms > e->o->stall_ms) {
        c->in_stall = 1;
        c->stall_from_ms = c->last_progress_ms;
        c->res->stalls++;
    }
    if (c->in_stall)
        client__stall_measure(c, now);
}
