/* report_svg.h: one case's timeline as inline SVG, drawn from its series. */
#ifndef EC_REPORT_SVG_H
#define EC_REPORT_SVG_H

#include <stdio.h>

#include "harness/report/series.h"

/* Writes an <svg class="timeline"> of s to f: bytes per client over time
 * (a line per client, or a min/p10/p50/p90/max band), the expected total,
 * stalls, freezes and endings, then lanes for the trace's events, zero
 * windows, and strips for the server's CPU and RSS with the case's limits.
 * Every text is escaped. */
void report_svg(FILE *f, const struct series *s);

/* Formats bytes for an axis or a label ("0", "512 B", "64 KiB", "1.5 MiB"). */
void report_svg_bytes(char *buf, size_t len, double bytes);

#endif
