/* series.c: samples a case's time series in bounded memory: quantiles of bytes per client, stalls, marks, CPU/RSS. */
#include "harness/report/series.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct series *series_new(int nclients)
{
    struct series *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->nclients = nclients > 0 ? nclients : 0;
    s->every_ms = 10;
    s->res_every_ms = 20;
    if (s->nclients) {
        s->cl = calloc((size_t)s->nclients, sizeof(*s->cl));
        s->scratch = calloc((size_t)s->nclients, sizeof(*s->scratch));
        if (!s->cl || !s->scratch) {
            series_free(s);
            return NULL;
        }
        for (int i = 0; i < s->nclients; i++)
            s->cl[i].stall_from_ms = -1;
    }
    return s;
}

void series_free(struct series *s)
{
    if (!s)
        return;
    free(s->cl);
    free(s->scratch);
    free(s);
}

/* The k-th smallest of v[0..n) (reorders v): quickselect, O(n), so 10,000
 * clients cost well under a millisecond per sample. */
static uint64_t series__select(uint64_t *v, int n, int k)
{
    int lo = 0, hi = n - 1;

    while (lo < hi) {
        uint64_t pivot = v[lo + (hi - lo) / 2];
        int i = lo, j = hi;

        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                uint64_t t = v[i];

                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

/* Keeps every other sample once full and samples half as often, so a long
 * case still spans its whole run. Returns the new count. */
static int series__halve(void *arr, int n, size_t size, double *every)
{
    char *a = arr;

    for (int i = 0; i < n / 2; i++)
        memmove(a + (size_t)i * size, a + (size_t)(2 * i) * size, size);
    *every *= 2;
    return n / 2;
}

/* Where the sample at t goes in arr (*n samples of size bytes, one per
 * *every ms): a sample too soon after the one before the newest (at prev)
 * replaces the newest, so the latest value is always in the series (the
 * last sample of a run is its final count) while samples stay about a
 * period apart. Full: halved first. */
static int series__slot(void *arr, size_t size, int *n, double *every, double t, double prev)
{
    if (*n >= 2 && t - prev < *every)
        return *n - 1;
    if (*n == SERIES_SAMPLES)
        *n = series__halve(arr, *n, size, every);
    return (*n)++;
}

/* Opens and closes each client's stall span from its progress and the engine's stall count. */
static void series__track_stalls(struct series *s, double t_ms, const uint64_t *recv, const int *stalls,
                                 const int *done)
{
    for (int i = 0; i < s->nclients; i++) {
        struct series_client *c = &s->cl[i];
        int moved = recv[i] != c->last_recv;

        if (stalls && stalls[i] > c->stalls_seen) {
            c->stalls_seen = stalls[i];
            if (c->stall_from_ms < 0)
                c->stall_from_ms = c->last_change_ms;
        }
        if (c->stall_from_ms >= 0 && (moved || (done && done[i]))) {
            series_span(s, SPAN_STALL, c->stall_from_ms, t_ms, i, -1, NULL);
            c->stall_from_ms = -1;
        }
        if (moved) {
            c->last_recv = recv[i];
            c->last_change_ms = t_ms;
        }
    }
}

void series_sample_bytes(struct series *s, double t_ms, const uint64_t *recv, const int *stalls, const int *done)
{
    struct series_bytes *b;
    int n = s->nclients;

    if (n == 0)
        return;
    series__track_stalls(s, t_ms, recv, stalls, done);
    b = &s->b[series__slot(s->b, sizeof(s->b[0]), &s->nb, &s->every_ms, t_ms, s->nb > 1 ? s->b[s->nb - 2].t_ms : 0)];
    memset(b, 0, sizeof(*b));
    b->t_ms = t_ms;
    memcpy(s->scratch, recv, (size_t)n * sizeof(*recv));
    b->q[0] = series__select(s->scratch, n, 0);
    b->q[4] = series__select(s->scratch, n, n - 1);
    b->q[2] = series__select(s->scratch, n, n / 2);
    b->q[1] = series__select(s->scratch, n, n / 10);
    b->q[3] = series__select(s->scratch, n, n - 1 - n / 10);
    for (int i = 0; i < n && i < SERIES_PER_CLIENT; i++)
        b->per[i] = recv[i];
}

void series_sample_res(struct series *s, double t_ms, double cpu_s, long rss_kb)
{
    int i = series__slot(s->r, sizeof(s->r[0]), &s->nr, &s->res_every_ms, t_ms, s->nr > 1 ? s->r[s->nr - 2].t_ms : 0);

    s->r[i] = (struct series_res){ .t_ms = t_ms, .cpu_s = cpu_s, .rss_kb = rss_kb };
}

void series_close_stalls(struct series *s, double t_ms)
{
    for (int i = 0; i < s->nclients; i++)
        if (s->cl[i].stall_from_ms >= 0) {
            series_span(s, SPAN_STALL, s->cl[i].stall_from_ms, t_ms, i, -1, NULL);
            s->cl[i].stall_from_ms = -1;
        }
}

/* Finds a span of kind overlapping [t0, t1], of the same client unless any. */
static struct series_span *series__overlap(struct series *s, enum series_span_kind kind, double t0, double t1,
                                           int client, int any)
{
    for (int i = 0; i < s->ns; i++) {
        struct series_span *p = &s->s[i];

        if (p->kind == kind && p->t0_ms <= t1 && t0 <= p->t1_ms && (any || p->client == client))
            return p;
    }
    return NULL;
}

void series_span(struct series *s, enum series_span_kind kind, double t0_ms, double t1_ms, int client,
                 double limit, const char *label)
{
    struct series_span *p = kind == SPAN_STALL ? series__overlap(s, kind, t0_ms, t1_ms, client, 0) : NULL;

    if (!p && kind == SPAN_STALL && s->ns >= SERIES_SPANS - 8)
        p = series__overlap(s, kind, t0_ms, t1_ms, client, 1);  /* keep room for the other kinds */
    if (p) {
        p->t0_ms = p->t0_ms < t0_ms ? p->t0_ms : t0_ms;
        p->t1_ms = p->t1_ms > t1_ms ? p->t1_ms : t1_ms;
        if (p->client != client)
            p->client = -1;
        return;
    }
    if (s->ns == SERIES_SPANS || (kind == SPAN_STALL && s->ns >= SERIES_SPANS - 8)) {
        s->spans_dropped++;
        return;
    }
    p = &s->s[s->ns++];
    *p = (struct series_span){ .kind = kind, .t0_ms = t0_ms, .t1_ms = t1_ms, .client = client, .limit = limit };
    snprintf(p->label, sizeof(p->label), "%s", label ? label : "");
}

void series_span_exact(struct series *s, double t0_ms, double t1_ms, int client)
{
    /* The engine measured this one: drop what sampling guessed for it. */
    for (int i = 0; i < s->ns; i++) {
        struct series_span *p = &s->s[i];

        if (p->kind == SPAN_STALL && p->client == client && p->t0_ms <= t1_ms && t0_ms <= p->t1_ms)
            s->s[i--] = s->s[--s->ns];
    }
    series_span(s, SPAN_STALL, t0_ms, t1_ms, client, -1, NULL);
}

void series_mark(struct series *s, double t_ms, const char *kind, long long offset, double merge_ms,
                 const char *label)
{
    struct series_mark *m;

    for (int i = 0; i < s->nm; i++) {
        m = &s->m[i];
        if (!strcmp(m->kind, kind) && t_ms - m->t_ms <= merge_ms && m->t_ms - t_ms <= merge_ms) {
            m->count++;
            return;
        }
    }
    if (s->nm == SERIES_MARKS) {
        s->marks_dropped++;
        return;
    }
    m = &s->m[s->nm++];
    *m = (struct series_mark){ .t_ms = t_ms, .count = 1, .offset = offset };
    snprintf(m->kind, sizeof(m->kind), "%s", kind);
    snprintf(m->label, sizeof(m->label), "%s", label ? label : "");
}

void series_event(struct series *s, double t_ms, const char *kind, double bucket_ms)
{
    double t = bucket_ms > 0 ? (double)(long long)(t_ms / bucket_ms) * bucket_ms : t_ms;
    struct series_event *e;

    for (int i = s->ne - 1; i >= 0 && i >= s->ne - 64; i--) {
        e = &s->e[i];
        if (e->t_ms == t && !strcmp(e->kind, kind)) {
            e->count++;
            return;
        }
    }
    if (s->ne == SERIES_EVENTS)
        return;
    e = &s->e[s->ne++];
    *e = (struct series_event){ .t_ms = t, .count = 1 };
    snprintf(e->kind, sizeof(e->kind), "%s", kind);
}

void series_meta(struct series *s, const char *key, const char *fmt, ...)
{
    struct series_kv *kv = NULL;
    va_list ap;

    for (int i = 0; i < s->nkv && !kv; i++)
        if (!strcmp(s->kv[i].key, key))
            kv = &s->kv[i];
    if (!kv) {
        if (s->nkv == SERIES_META)
            return;
        kv = &s->kv[s->nkv++];
        snprintf(kv->key, sizeof(kv->key), "%s", key);
    }
    va_start(ap, fmt);
    vsnprintf(kv->val, sizeof(kv->val), fmt, ap);
    va_end(ap);
}

const char *series_get(const struct series *s, const char *key)
{
    for (int i = 0; i < s->nkv; i++)
        if (!strcmp(s->kv[i].key, key))
            return s->kv[i].val;
    return NULL;
}
