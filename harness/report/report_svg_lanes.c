/* report_svg_lanes.c: the timeline's lanes and strips: trace events, zero windows, the server's CPU and RSS. */
#include "harness/report/report_svg.h"
#include "harness/report/report_svg_int.h"

#include <stdlib.h>
#include <string.h>

#include "harness/report/report.h"

/* The trace lanes: which events go on which row, and how they are drawn. */
struct svg__evkind {
    const char *kind, *color, *what;
    int row;                      /* 0: the write found the socket full; 1: it may go on */
};

static const struct svg__evkind svg_evkinds[] = {
    { "eagain", "#e6550d", "EAGAIN", 0 },
    { "short", "#fdae6b", "short write", 0 },
    { "spin", "#a50f15", "write retried with no EPOLLOUT", 0 },
    { "inj-eagain", "#756bb1", "injected EAGAIN", 0 },
    { "inj-short", "#9e9ac8", "injected short write", 0 },
    { "inj-eintr", "#54278f", "injected EINTR", 0 },
    { "epollout", "#31a354", "EPOLLOUT", 1 },
    { "epollout-syn", "#74c476", "synthetic EPOLLOUT (after an injected fault)", 1 },
    { "resume", "#006d2c", "write resumed after EPOLLOUT", 1 },
};
#define SVG_NEVKINDS (sizeof(svg_evkinds) / sizeof(svg_evkinds[0]))

static int svg__has_wire(const struct series *s)
{
    return series_get(s, "capture") != NULL;
}

double svg__height(const struct series *s)
{
    double h = 20 + SVG_BYTES_H + 6 + 2 * (SVG_LANE_H + 2) + 4;

    if (svg__has_wire(s))
        h += SVG_LANE_H + 4;
    if (s->nr >= 2)
        h += 2 * (SVG_STRIP_H + 10);
    return h + 32;
}

/* A lane's frame and its name in the left margin. */
static void svg__lane_frame(FILE *f, double top, double h, const char *name)
{
    fprintf(f, "<rect class=\"lane\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"/>\n", SVG_X0, top, SVG_PW, h);
    svg__text(f, SVG_X0 - 4, top + h / 2 + 4, "end", "ax", name);
}

static const struct svg__evkind *svg__evkind(const char *kind)
{
    for (size_t i = 0; i < SVG_NEVKINDS; i++)
        if (!strcmp(svg_evkinds[i].kind, kind))
            return &svg_evkinds[i];
    return NULL;
}

/* One tick per time bucket and kind, its count in the tooltip. */
static void svg__events(FILE *f, const struct series *s, const struct svg_geo *g, double top)
{
    char lab[160], t[32];

    for (int i = 0; i < s->ne; i++) {
        const struct series_event *e = &s->e[i];
        const struct svg__evkind *k = svg__evkind(e->kind);
        double y = top + (k ? k->row : 0) * (SVG_LANE_H + 2);

        if (!k)
            continue;
        svg__time(t, sizeof(t), e->t_ms, g->t1);
        snprintf(lab, sizeof(lab), "%s x%d at %s", k->what, e->count, t);
        fprintf(f, "<rect class=\"ev\" data-kind=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"2\" height=\"%d\" "
                   "style=\"fill:%s\"><title>", k->kind, svg__x(g, e->t_ms) - 1, y + 1, SVG_LANE_H - 2, k->color);
        report_xml_str(f, lab);
        fputs("</title></rect>\n", f);
    }
}

/* Why a lane is empty, written inside it. */
static void svg__lane_note(FILE *f, double top, const char *note)
{
    svg__text(f, SVG_X0 + 6, top + SVG_LANE_H - 3, "start", "note", note);
}

/* A wide enough zero window says when it closed and reopened. */
static void svg__zerowin_labels(FILE *f, const struct series *s, const struct svg_geo *g, double top)
{
    char lab[128], a[32], b[32];

    for (int i = 0; i < s->ns; i++) {
        const struct series_span *p = &s->s[i];

        if (p->kind != SPAN_ZEROWIN || svg__x(g, p->t1_ms) - svg__x(g, p->t0_ms) < 160)
            continue;
        svg__time(a, sizeof(a), p->t0_ms, g->t1);
        svg__time(b, sizeof(b), p->t1_ms, g->t1);
        snprintf(lab, sizeof(lab), "client's window closed at %s, reopened at %s", a, b);
        svg__text(f, svg__x(g, p->t0_ms) + 4, top + SVG_LANE_H - 3, "start", "lzw", lab);
    }
}

/* A lane's totals at its right end; an empty EPOLLOUT lane after a full
 * socket says the write never resumed, which is the point of the drawing. */
static void svg__lane_totals(FILE *f, const struct series *s, double top)
{
    long n[2] = { 0, 0 };
    char note[96];

    for (int i = 0; i < s->ne; i++) {
        const struct svg__evkind *k = svg__evkind(s->e[i].kind);

        n[k ? k->row : 0] += k ? s->e[i].count : 0;
    }
    for (int row = 0; row < 2; row++) {
        if (n[row])
            snprintf(note, sizeof(note), "%ld %s", n[row], row ? "EPOLLOUT/resumed events" : "full-socket events");
        else
            snprintf(note, sizeof(note), "%s", row ? "none: the write was never resumed by EPOLLOUT" : "none");
        svg__text(f, SVG_X0 + SVG_PW - 4, top + row * (SVG_LANE_H + 2) + SVG_LANE_H - 3, "end",
                 !n[row] && row && n[0] ? "lbad" : "note", note);
    }
}

double svg__lanes(FILE *f, const struct series *s, const struct svg_geo *g, double top)
{
    const char *tr = series_get(s, "trace"), *from = series_get(s, "trace_from_ms");
    char note[160];

    svg__lane_frame(f, top, SVG_LANE_H, "EAGAIN");
    svg__lane_frame(f, top + SVG_LANE_H + 2, SVG_LANE_H, "EPOLLOUT");
    if (s->ne) {
        svg__events(f, s, g, top);
        svg__lane_totals(f, s, top);
    } else {
        snprintf(note, sizeof(note), "no write-path events: injector trace %.100s", tr ? tr : "not recorded");
        svg__lane_note(f, top, note);
    }
    if (from) {
        snprintf(note, sizeof(note), "(the trace's ring begins at %.0f ms)", atof(from));
        svg__lane_note(f, top + SVG_LANE_H + 2, note);
    }
    top += 2 * (SVG_LANE_H + 2) + 4;
    if (!svg__has_wire(s))
        return top;
    svg__lane_frame(f, top, SVG_LANE_H, "zero window");
    svg__spans(f, s, g, SPAN_ZEROWIN, top, SVG_LANE_H);
    svg__zerowin_labels(f, s, g, top);
    return top + SVG_LANE_H + 4;
}

/* The server's CPU use (s/s) between samples i-1 and i. */
static double svg__cpu_rate(const struct series *s, int i)
{
    double dt = (s->r[i].t_ms - s->r[i - 1].t_ms) / 1e3;

    return dt > 0 ? (s->r[i].cpu_s - s->r[i - 1].cpu_s) / dt : 0;
}

/* CPU phases' limits as dashed lines over their intervals. */
static void svg__cpu_limits(FILE *f, const struct series *s, const struct svg_geo *g, double top, double vmax)
{
    char lab[128];

    for (int i = 0; i < s->ns; i++) {
        const struct series_span *p = &s->s[i];
        double y;

        if (p->kind != SPAN_PHASE)
            continue;
        y = p->limit >= 0 ? svg__y(top, SVG_STRIP_H, p->limit, vmax) : top + SVG_STRIP_H;
        if (p->limit >= 0)
            snprintf(lab, sizeof(lab), "phase %s: at most %.2f CPU", p->label, p->limit);
        else
            snprintf(lab, sizeof(lab), "phase %s", p->label);
        fprintf(f, "<line class=\"limit\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"><title>",
                svg__x(g, p->t0_ms), y, svg__x(g, p->t1_ms), y);
        report_xml_str(f, lab);
        fputs("</title></line>\n", f);
        svg__text(f, svg__x(g, p->t0_ms) + 2, y - 2, "start", "llimit", lab);
    }
}

static double svg__cpu_strip(FILE *f, const struct series *s, const struct svg_geo *g, double top)
{
    double vmax = 1, r;
    char lab[32];

    for (int i = 1; i < s->nr; i++)
        vmax = (r = svg__cpu_rate(s, i)) > vmax ? r : vmax;
    svg__lane_frame(f, top, SVG_STRIP_H, "server CPU");
    snprintf(lab, sizeof(lab), "%.1f", vmax);
    svg__text(f, SVG_X0 + SVG_PW + 2, top + 8, "start", "ax", lab);
    fprintf(f, "<polyline class=\"cpu\" points=\"%.1f,%.1f ", svg__x(g, s->r[0].t_ms), top + SVG_STRIP_H);
    for (int i = 1; i < s->nr; i++) {
        double y = svg__y(top, SVG_STRIP_H, svg__cpu_rate(s, i), vmax);

        fprintf(f, "%.1f,%.1f %.1f,%.1f ", svg__x(g, s->r[i - 1].t_ms), y, svg__x(g, s->r[i].t_ms), y);
    }
    fputs("\"/>\n", f);
    svg__cpu_limits(f, s, g, top, vmax);
    return top + SVG_STRIP_H + 10;
}

static double svg__rss_strip(FILE *f, const struct series *s, const struct svg_geo *g, double top)
{
    const char *lim = series_get(s, "rss_limit_kb");
    double vmax = lim ? atof(lim) * 1.1 : 0;
    char lab[96], b[32];

    for (int i = 0; i < s->nr; i++)
        vmax = s->r[i].rss_kb * 1.1 > vmax ? s->r[i].rss_kb * 1.1 : vmax;
    vmax = vmax < 1 ? 1 : vmax;
    svg__lane_frame(f, top, SVG_STRIP_H, "server RSS");
    report_svg_bytes(b, sizeof(b), vmax * 1024);
    svg__text(f, SVG_X0 + SVG_PW + 2, top + 8, "start", "ax", b);
    fputs("<polyline class=\"rss\" points=\"", f);
    for (int i = 0; i < s->nr; i++)
        fprintf(f, "%.1f,%.1f ", svg__x(g, s->r[i].t_ms), svg__y(top, SVG_STRIP_H, (double)s->r[i].rss_kb, vmax));
    fputs("\"/>\n", f);
    if (lim) {
        double y = svg__y(top, SVG_STRIP_H, atof(lim), vmax);

        report_svg_bytes(b, sizeof(b), atof(lim) * 1024);
        snprintf(lab, sizeof(lab), "RSS limit %s", b);
        fprintf(f, "<line class=\"limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", SVG_X0, y, SVG_X0 + SVG_PW, y);
        svg__text(f, SVG_X0 + 4, y - 2, "start", "llimit", lab);
    }
    return top + SVG_STRIP_H + 10;
}

double svg__strips(FILE *f, const struct series *s, const struct svg_geo *g, double top)
{
    if (s->nr < 2)
        return top;
    top = svg__cpu_strip(f, s, g, top);
    return svg__rss_strip(f, s, g, top);
}
