/* report_svg.c: draws one case's timeline (bytes, stalls, marks, trace, zero windows, CPU, RSS) as inline SVG on one time axis. */
#include "harness/report/report_svg.h"

#include <stdlib.h>
#include <string.h>

#include "harness/report/report.h"
#include "harness/report/report_svg_int.h"
#include "harness/util/strbuf.h"

static const char *const svg_palette[SERIES_PER_CLIENT] = {
    "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
};

double svg__x(const struct svg_geo *g, double t)
{
    t = t < 0 ? 0 : t > g->t1 ? g->t1 : t;
    return SVG_X0 + SVG_PW * t / g->t1;
}

double svg__y(double top, double h, double v, double vmax)
{
    v = v < 0 ? 0 : v > vmax ? vmax : v;
    return top + h - h * v / vmax;
}

void report_svg_bytes(char *buf, size_t len, double b)
{
    if (b >= 1048576 * 10.0)
        snprintf(buf, len, "%.0f MiB", b / 1048576);
    else if (b >= 1048576)
        snprintf(buf, len, "%.1f MiB", b / 1048576);
    else if (b >= 10240)
        snprintf(buf, len, "%.0f KiB", b / 1024);
    else if (b >= 1024)
        snprintf(buf, len, "%.1f KiB", b / 1024);
    else
        snprintf(buf, len, "%.0f B", b);
}

void svg__time(char *buf, size_t len, double ms, double scale_ms)
{
    if (scale_ms >= 2000)
        snprintf(buf, len, "%.*f s", scale_ms >= 20000 ? 0 : 1, ms / 1e3);
    else if (scale_ms < 20)
        snprintf(buf, len, "%.1f ms", ms);
    else
        snprintf(buf, len, "%.0f ms", ms);
}

double svg__step(double max, int n)
{
    double raw = max / n, p = 1;

    /* The power of ten at or below raw, without libm. */
    while (p * 10 <= raw)
        p *= 10;
    while (p > raw)
        p /= 10;

    return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

void svg__text(FILE *f, double x, double y, const char *anchor, const char *cls, const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
    report_xml_str(f, text);
    fputs("</text>\n", f);
}

/* The right end of the time axis: the clients' end, or the latest thing seen. */
static double svg__t1(const struct series *s)
{
    const char *end = series_get(s, "t_end_ms");
    double t = end ? atof(end) : 0;

    if (s->nb && s->b[s->nb - 1].t_ms > t)
        t = s->b[s->nb - 1].t_ms;
    for (int i = 0; i < s->nm; i++)
        t = s->m[i].t_ms > t ? s->m[i].t_ms : t;
    return t < 1 ? 1 : t * 1.02;
}

static double svg__bytes_max(const struct series *s)
{
    const char *e = series_get(s, "expected");
    double m = e ? atof(e) : 0;

    for (int i = 0; i < s->nb; i++)
        m = (double)s->b[i].q[4] > m ? (double)s->b[i].q[4] : m;
    for (int i = 0; i < s->nm; i++)
        m = (double)s->m[i].offset > m ? (double)s->m[i].offset : m;
    return m < 1 ? 1 : m * 1.08;
}

/* Vertical grid and time labels under the last panel. */
static void svg__time_axis(FILE *f, const struct svg_geo *g, double top, double bottom)
{
    double step = svg__step(g->t1, 10);
    char lab[32];

    for (double t = 0; t <= g->t1; t += step) {
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", svg__x(g, t), top,
                svg__x(g, t), bottom);
        svg__time(lab, sizeof(lab), t, g->t1);
        svg__text(f, svg__x(g, t), bottom + 13, "middle", "ax", lab);
    }
    svg__text(f, SVG_X0 + SVG_PW, bottom + 26, "end", "ax", "time since the clients started");
}

/* Horizontal grid and byte labels of the bytes panel. */
static void svg__bytes_axis(FILE *f, double top, double vmax)
{
    double step = svg__step(vmax, 5);
    char lab[32];

    for (double v = 0; v <= vmax; v += step) {
        double y = svg__y(top, SVG_BYTES_H, v, vmax);

        fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", SVG_X0, y,
                SVG_X0 + SVG_PW, y);
        report_svg_bytes(lab, sizeof(lab), v);
        svg__text(f, SVG_X0 - 4, y + 4, "end", "ax", lab);
    }
}

void svg__spans(FILE *f, const struct series *s, const struct svg_geo *g, enum series_span_kind kind,
                      double top, double h)
{
    static const char *const cls[SPAN_KINDS] = { "stall", "frozen", "phase", "zerowin" };
    char lab[160], t0[32], len[32];

    for (int i = 0; i < s->ns; i++) {
        const struct series_span *p = &s->s[i];
        double x0 = svg__x(g, p->t0_ms), x1 = svg__x(g, p->t1_ms);

        if (p->kind != kind)
            continue;
        svg__time(t0, sizeof(t0), p->t0_ms, g->t1);
        svg__time(len, sizeof(len), p->t1_ms - p->t0_ms, p->t1_ms - p->t0_ms);
        if (kind == SPAN_STALL && p->client >= 0)
            snprintf(lab, sizeof(lab), "client %d stalled at %s for %s", p->client, t0, len);
        else
            snprintf(lab, sizeof(lab), "%s %s at %s for %s", kind == SPAN_STALL ? "stall" : cls[kind], p->label, t0, len);
        fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>", cls[kind], x0,
                top, x1 - x0 < 1.5 ? 1.5 : x1 - x0, h);
        report_xml_str(f, lab);
        fputs("</title></rect>\n", f);
    }
}

/* Labels above the stalls and freezes: where the write stopped and where it went on. */
static void svg__span_labels(FILE *f, const struct series *s, const struct svg_geo *g, double top)
{
    char lab[64], len[32];
    int shown = 0;

    for (int i = 0; i < s->ns && shown < 6; i++) {
        const struct series_span *p = &s->s[i];

        if (p->kind != SPAN_STALL && p->kind != SPAN_FROZEN)
            continue;
        svg__time(len, sizeof(len), p->t1_ms - p->t0_ms, p->t1_ms - p->t0_ms);
        snprintf(lab, sizeof(lab), "%s %s", p->kind == SPAN_STALL ? "stalled" : "SIGSTOP", len);
        /* Below the expected total's label, which sits at the top. */
        svg__text(f, svg__x(g, p->t0_ms) + 2, top + 30 + 12 * (shown % 2), "start",
                 p->kind == SPAN_STALL ? "lstall" : "lfrozen", lab);
        if (p->kind == SPAN_STALL && p->t1_ms < g->t1 / 1.02 - 1)
            svg__text(f, svg__x(g, p->t1_ms) + 2, top + SVG_BYTES_H - 4, "start", "lresume", "resumed");
        shown++;
    }
}

/* A polyline through v(i) for the bytes panel. */
static void svg__line(FILE *f, const struct series *s, const struct svg_geo *g, double top, double vmax, int col,
                     int per, const char *cls, const char *style)
{
    fprintf(f, "<polyline class=\"%s\" %s points=\"", cls, style);
    for (int i = 0; i < s->nb; i++) {
        double v = per ? (double)s->b[i].per[col] : (double)s->b[i].q[col];

        fprintf(f, "%.1f,%.1f ", svg__x(g, s->b[i].t_ms), svg__y(top, SVG_BYTES_H, v, vmax));
    }
    fputs("\"/>\n", f);
}

/* The area between quantiles lo and hi. */
static void svg__band(FILE *f, const struct series *s, const struct svg_geo *g, double top, double vmax, int lo, int hi,
                     const char *cls)
{
    fprintf(f, "<polygon class=\"%s\" points=\"", cls);
    for (int i = 0; i < s->nb; i++)
        fprintf(f, "%.1f,%.1f ", svg__x(g, s->b[i].t_ms), svg__y(top, SVG_BYTES_H, (double)s->b[i].q[hi], vmax));
    for (int i = s->nb - 1; i >= 0; i--)
        fprintf(f, "%.1f,%.1f ", svg__x(g, s->b[i].t_ms), svg__y(top, SVG_BYTES_H, (double)s->b[i].q[lo], vmax));
    fputs("\"/>\n", f);
}

/* Bytes per client: a line each for a few clients, a band for many; and the legend. */
static void svg__curves(FILE *f, const struct series *s, const struct svg_geo *g, double top, double vmax)
{
    char style[64], lab[32];

    if (s->nb == 0)
        return;
    if (s->nclients > SERIES_PER_CLIENT) {
        svg__band(f, s, g, top, vmax, 0, 4, "bandmax");
        svg__band(f, s, g, top, vmax, 1, 3, "band");
        svg__line(f, s, g, top, vmax, 2, 0, "median", "");
        svg__text(f, SVG_X0 + 4, top - 6, "start", "legend",
                 "bytes received per client: median (line), p10-p90 (dark band), min-max (light band)");
        return;
    }
    for (int k = 0; k < s->nclients; k++) {
        snprintf(style, sizeof(style), "style=\"stroke:%s\"", svg_palette[k]);
        svg__line(f, s, g, top, vmax, k, 1, "client", style);
        snprintf(lab, sizeof(lab), "client %d", k);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"legend\" style=\"fill:%s\">", SVG_X0 + 4 + 70 * k, top - 6,
                svg_palette[k]);
        report_xml_str(f, lab);
        fputs("</text>\n", f);
    }
}

static void svg__expected(FILE *f, const struct series *s, double top, double vmax)
{
    const char *e = series_get(s, "expected"), *emin = series_get(s, "expected_min");
    char lab[96], b[32];
    double y;

    if (!e || atof(e) <= 0)
        return;
    y = svg__y(top, SVG_BYTES_H, atof(e), vmax);
    report_svg_bytes(b, sizeof(b), atof(e));
    snprintf(lab, sizeof(lab), "expected %s (%s B)%s", b, e,
             emin && strcmp(emin, e) ? " for the largest client" : " per client");
    fprintf(f, "<line class=\"expected\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", SVG_X0, y, SVG_X0 + SVG_PW, y);
    svg__text(f, SVG_X0 + SVG_PW - 2, y - 4, "end", "lexp", lab);
}

/* Endings and failures: a line at the moment, a dot at the offset, a label. */
static void svg__marks(FILE *f, const struct series *s, const struct svg_geo *g, double top, double vmax)
{
    char lab[200];
    int said = 0;

    for (int i = 0; i < s->nm; i++) {
        const struct series_mark *m = &s->m[i];
        double x = svg__x(g, m->t_ms), y = m->offset >= 0 ? svg__y(top, SVG_BYTES_H, (double)m->offset, vmax) : top + 8;
        int bad = !strcmp(m->kind, "fail") || !strcmp(m->kind, "hang") || !strcmp(m->kind, "exit") ||
                  !strncmp(m->kind, "srv-", 4) || !strcmp(m->kind, "no-connect");

        if (m->count > 1)
            snprintf(lab, sizeof(lab), "%s x%d: %s", m->kind, m->count, m->label);
        else
            snprintf(lab, sizeof(lab), "%s: %s", m->kind, m->label);
        fprintf(f, "<g class=\"mark %s\" data-kind=\"", bad ? "bad" : "ok");
        report_xml_str(f, m->kind);
        fprintf(f, "\"><title>");
        report_xml_str(f, lab);
        fprintf(f, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\"/></g>\n",
                x, top, x, top + SVG_BYTES_H, x, y, bad ? 5 : 3);
        if (bad || i < 6) {
            /* The first failure in words; later ones by kind, their words in the tooltip. */
            snprintf(lab, sizeof(lab), "%s%s%s", m->kind, m->count > 1 ? " (several)" : "", bad && !said ? ": " : "");
            if (bad && !said++)
                ec_catf(lab, sizeof(lab), "%.90s", m->label);
            svg__text(f, x > SVG_X0 + SVG_PW * 0.55 ? x - 7 : x + 7, y - 7 < top + 10 ? top + 30 : y - 7,
                     x > SVG_X0 + SVG_PW * 0.55 ? "end" : "start", bad ? "lbad" : "lmark", lab);
        }
    }
}

/* The bytes panel. Returns its bottom. */
static double svg__bytes_panel(FILE *f, const struct series *s, const struct svg_geo *g, double top)
{
    double vmax = svg__bytes_max(s);

    fprintf(f, "<rect class=\"panel\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\"/>\n", SVG_X0, top, SVG_PW,
            SVG_BYTES_H);
    svg__bytes_axis(f, top, vmax);
    svg__spans(f, s, g, SPAN_FROZEN, top, SVG_BYTES_H);
    svg__spans(f, s, g, SPAN_STALL, top, SVG_BYTES_H);
    svg__expected(f, s, top, vmax);
    svg__curves(f, s, g, top, vmax);
    svg__span_labels(f, s, g, top);
    svg__marks(f, s, g, top, vmax);
    return top + SVG_BYTES_H;
}

void report_svg(FILE *f, const struct series *s)
{
    struct svg_geo g = { .t1 = svg__t1(s), .y = 20 };
    double top = g.y, h = svg__height(s);

    fprintf(f, "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
               "viewBox=\"0 0 %d %.0f\" role=\"img\">\n", SVG_W, h, SVG_W, h);
    /* The grid first: everything else is drawn over it. */
    svg__time_axis(f, &g, top, h - 32);
    g.y = svg__bytes_panel(f, s, &g, top) + 6;
    g.y = svg__lanes(f, s, &g, g.y);
    svg__strips(f, s, &g, g.y);
    fputs("</svg>\n", f);
}
