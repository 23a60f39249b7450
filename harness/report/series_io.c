/* series_io.c: a case's series as series.tsv (one record per line, tab-separated), written and read back. */
#include "harness/report/series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERIES_MAGIC "edgecase-series\t1"

static const char *const series_span_names[SPAN_KINDS] = {
    [SPAN_STALL] = "stall", [SPAN_FROZEN] = "frozen", [SPAN_PHASE] = "phase", [SPAN_ZEROWIN] = "zerowin",
};

/* Writes text as one field: tabs and line breaks would split the record. */
static void series__field(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++)
        fputc(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p, f);
}

static void series__write_bytes(const struct series *s, FILE *f)
{
    int per = s->nclients <= SERIES_PER_CLIENT ? s->nclients : 0;

    for (int i = 0; i < s->nb; i++) {
        const struct series_bytes *b = &s->b[i];

        fprintf(f, "b\t%.1f\t%llu\t%llu\t%llu\t%llu\t%llu", b->t_ms, (unsigned long long)b->q[0],
                (unsigned long long)b->q[1], (unsigned long long)b->q[2], (unsigned long long)b->q[3],
                (unsigned long long)b->q[4]);
        for (int k = 0; k < per; k++)
            fprintf(f, "\t%llu", (unsigned long long)b->per[k]);
        fputc('\n', f);
    }
}

static void series__write_rest(const struct series *s, FILE *f)
{
    for (int i = 0; i < s->nr; i++)
        fprintf(f, "r\t%.1f\t%.4f\t%ld\n", s->r[i].t_ms, s->r[i].cpu_s, s->r[i].rss_kb);
    for (int i = 0; i < s->ns; i++) {
        fprintf(f, "s\t%s\t%.1f\t%.1f\t%d\t%.3f\t", series_span_names[s->s[i].kind], s->s[i].t0_ms, s->s[i].t1_ms,
                s->s[i].client, s->s[i].limit);
        series__field(f, s->s[i].label);
        fputc('\n', f);
    }
    for (int i = 0; i < s->nm; i++) {
        fprintf(f, "m\t%.1f\t", s->m[i].t_ms);
        series__field(f, s->m[i].kind);
        fprintf(f, "\t%d\t%lld\t", s->m[i].count, s->m[i].offset);
        series__field(f, s->m[i].label);
        fputc('\n', f);
    }
    for (int i = 0; i < s->ne; i++) {
        fprintf(f, "e\t%.1f\t", s->e[i].t_ms);
        series__field(f, s->e[i].kind);
        fprintf(f, "\t%d\n", s->e[i].count);
    }
}

int series_write(const struct series *s, const char *dir)
{
    char tmp[4200], path[4200];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, SERIES_FILE);
    snprintf(path, sizeof(path), "%s/%s", dir, SERIES_FILE);
    if (!(f = fopen(tmp, "we")))
        return -1;
    fprintf(f, "%s\nmeta\tclients\t%d\nmeta\tevery_ms\t%.1f\n", SERIES_MAGIC, s->nclients, s->every_ms);
    for (int i = 0; i < s->nkv; i++) {
        fprintf(f, "meta\t%s\t", s->kv[i].key);
        series__field(f, s->kv[i].val);
        fputc('\n', f);
    }
    if (s->spans_dropped || s->marks_dropped)
        fprintf(f, "meta\tdropped\t%llu spans, %llu marks beyond the file's bounds\n", s->spans_dropped,
                s->marks_dropped);
    series__write_bytes(s, f);
    series__write_rest(s, f);
    if (ferror(f) | fclose(f) || rename(tmp, path) == -1) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Splits line in place at tabs into at most max fields. Returns the count. */
static int series__split(char *line, char **fld, int max)
{
    int n = 0;

    line[strcspn(line, "\n")] = '\0';
    while (n < max) {
        fld[n++] = line;
        if (!(line = strchr(line, '\t')))
            break;
        *line++ = '\0';
    }
    return n;
}

static void series__read_bytes(struct series *s, char **fld, int n)
{
    struct series_bytes *b;

    if (n < 7 || s->nb == SERIES_SAMPLES)
        return;
    b = &s->b[s->nb++];
    memset(b, 0, sizeof(*b));
    b->t_ms = strtod(fld[1], NULL);
    for (int k = 0; k < 5; k++)
        b->q[k] = strtoull(fld[2 + k], NULL, 10);
    for (int k = 0; k + 7 < n && k < SERIES_PER_CLIENT; k++)
        b->per[k] = strtoull(fld[7 + k], NULL, 10);
}

static void series__read_span(struct series *s, char **fld, int n)
{
    struct series_span *p;
    int kind;

    for (kind = 0; kind < SPAN_KINDS && strcmp(fld[1], series_span_names[kind]); kind++)
        ;
    if (n < 7 || kind == SPAN_KINDS || s->ns == SERIES_SPANS)
        return;
    p = &s->s[s->ns++];
    *p = (struct series_span){ .kind = kind, .t0_ms = strtod(fld[2], NULL), .t1_ms = strtod(fld[3], NULL),
                               .client = atoi(fld[4]), .limit = strtod(fld[5], NULL) };
    snprintf(p->label, sizeof(p->label), "%s", fld[6]);
}

static void series__read_mark(struct series *s, char **fld, int n)
{
    struct series_mark *m;

    if (n < 6 || s->nm == SERIES_MARKS)
        return;
    m = &s->m[s->nm++];
    *m = (struct series_mark){ .t_ms = strtod(fld[1], NULL), .count = atoi(fld[3]),
                               .offset = strtoll(fld[4], NULL, 10) };
    snprintf(m->kind, sizeof(m->kind), "%s", fld[2]);
    snprintf(m->label, sizeof(m->label), "%s", fld[5]);
}

/* Applies one record; unknown records are skipped, so a newer file still reads. */
static void series__record(struct series *s, char **fld, int n)
{
    if (!strcmp(fld[0], "b"))
        series__read_bytes(s, fld, n);
    else if (!strcmp(fld[0], "r") && n >= 4 && s->nr < SERIES_SAMPLES)
        s->r[s->nr++] = (struct series_res){ strtod(fld[1], NULL), strtod(fld[2], NULL), atol(fld[3]) };
    else if (!strcmp(fld[0], "s"))
        series__read_span(s, fld, n);
    else if (!strcmp(fld[0], "m"))
        series__read_mark(s, fld, n);
    else if (!strcmp(fld[0], "e") && n >= 4 && s->ne < SERIES_EVENTS) {
        struct series_event *e = &s->e[s->ne++];

        *e = (struct series_event){ .t_ms = strtod(fld[1], NULL), .count = atoi(fld[3]) };
        snprintf(e->kind, sizeof(e->kind), "%s", fld[2]);
    } else if (!strcmp(fld[0], "meta") && n >= 3) {
        if (!strcmp(fld[1], "clients"))
            s->nclients = atoi(fld[2]);
        else
            series_meta(s, fld[1], "%s", fld[2]);
    }
}

struct series *series_read(const char *dir, char *why, size_t whylen)
{
    char path[4200], line[4096], *fld[16];
    struct series *s;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, SERIES_FILE);
    if (!(f = fopen(path, "re"))) {
        snprintf(why, whylen, errno == ENOENT ? "no %s in the case folder (written by edgecase runs since the HTML report)"
                                              : "cannot read %s", SERIES_FILE);
        return NULL;
    }
    if (!fgets(line, sizeof(line), f) || strncmp(line, SERIES_MAGIC, strlen(SERIES_MAGIC))) {
        snprintf(why, whylen, "%s is not an edgecase series (version 1)", SERIES_FILE);
        fclose(f);
        return NULL;
    }
    if (!(s = series_new(0))) {
        snprintf(why, whylen, "out of memory");
        fclose(f);
        return NULL;
    }
    while (fgets(line, sizeof(line), f)) {
        int n = series__split(line, fld, 16);

        series__record(s, fld, n);
    }
    fclose(f);
    return s;
}
