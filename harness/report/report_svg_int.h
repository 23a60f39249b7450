/* report_svg_int.h: the timeline's geometry and drawing helpers, shared by its panels (report_svg.c) and lanes and strips (report_svg_lanes.c). */
#ifndef EC_REPORT_SVG_INT_H
#define EC_REPORT_SVG_INT_H

#include <stdio.h>

#include "harness/report/series.h"

#define SVG_W 960
#define SVG_X0 78                 /* left margin: the axes' labels */
#define SVG_PW (SVG_W - SVG_X0 - 56)  /* right margin: the strips' scales */
#define SVG_BYTES_H 210
#define SVG_LANE_H 14
#define SVG_STRIP_H 44

/* The drawing's one time axis and the next free row. */
struct svg_geo {
    double t1;                    /* ms at the right edge */
    double y;                     /* top of the next panel */
};

/* x of time t (ms), clamped to the plot. */
double svg__x(const struct svg_geo *g, double t);
/* y of value v of [0, vmax] in a panel of height h whose top is top. */
double svg__y(double top, double h, double v, double vmax);
/* ms as "N ms" or "N.N s", by the scale of the axis. */
void svg__time(char *buf, size_t len, double ms, double scale_ms);
/* A round step giving at most about n ticks over [0, max]. */
double svg__step(double max, int n);
/* A <text> with escaped content. */
void svg__text(FILE *f, double x, double y, const char *anchor, const char *cls, const char *text);
/* Shaded intervals of kind over [top, top + h], each with its <title>. */
void svg__spans(FILE *f, const struct series *s, const struct svg_geo *g, enum series_span_kind kind, double top,
               double h);

/* report_svg_lanes.c: the total height of the drawing for s: its panels, then 32 for the time axis's labels. */
double svg__height(const struct series *s);
/* Lanes under the bytes panel: trace events, zero windows. Returns the next free y. */
double svg__lanes(FILE *f, const struct series *s, const struct svg_geo *g, double top);
/* The server's CPU and RSS strips with the case's limits. Returns the next free y. */
double svg__strips(FILE *f, const struct series *s, const struct svg_geo *g, double top);

#endif
