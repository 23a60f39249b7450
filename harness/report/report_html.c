/* report_html.c: writes a results folder's self-contained index.html: run summary, a row per case, its timeline. */
#include "harness/report/report_html.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/report/report.h"
#include "harness/report/report_svg.h"
#include "harness/report/series.h"

/* Inline, so the page opens from file:// or a CI artifact with no network. */
static const char html_style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222;background:#fafafa}"
    "h1{font-size:20px;margin:0 0 8px}table{border-collapse:collapse}"
    ".summary td{padding:2px 10px 2px 0;vertical-align:top}.summary td:first-child{color:#666}"
    "code{font:12px ui-monospace,monospace;background:#eee;padding:1px 4px;word-break:break-all}"
    ".cases{width:100%;margin-top:12px}.cases th{text-align:left;border-bottom:2px solid #ccc;padding:4px}"
    ".cases td{padding:4px;vertical-align:top;border-bottom:1px solid #e4e4e4}"
    ".st{font-weight:bold;width:4em}.fail .st,.error .st{color:#c0392b}.pass .st{color:#27ae60}.skip .st{color:#888}"
    ".diag{font:12px ui-monospace,monospace;word-break:break-word}.files{width:12em}"
    ".files a{margin-right:8px;white-space:nowrap;display:inline-block}"
    "tr.tl td{border-bottom:2px solid #ccc;background:#fff}.why{color:#777;font-style:italic}.totals{color:#555}"
    ".wrong{color:#c0392b;font:12px ui-monospace,monospace;margin:4px 0}"
    ".legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:10px;"
    "margin-right:4px;vertical-align:middle}"
    "svg.timeline{display:block;max-width:100%;height:auto;background:#fff}"
    "svg .panel,svg .lane{fill:none;stroke:#bbb}svg .grid{stroke:#eee}svg .ax{font-size:10px;fill:#555}"
    "svg .stall{fill:#e74c3c;fill-opacity:.18;stroke:#e74c3c;stroke-opacity:.6}"
    "svg .frozen{fill:#5b7db1;fill-opacity:.22}svg .zerowin{fill:#f39c12;fill-opacity:.6}"
    "svg .lstall{font-size:11px;fill:#c0392b;font-weight:bold}svg .lfrozen{font-size:11px;fill:#34495e}"
    "svg .lresume{font-size:11px;fill:#1e8449;font-weight:bold}"
    "svg .client,svg .median{fill:none;stroke-width:2}svg .median{stroke:#08519c}"
    "svg .band{fill:#4292c6;fill-opacity:.45}svg .bandmax{fill:#9ecae1;fill-opacity:.4}"
    "svg .legend{font-size:11px;fill:#333}svg .expected{stroke:#333;stroke-dasharray:6 4}"
    "svg .lexp{font-size:11px;fill:#333}svg .mark line{stroke-width:1;stroke-dasharray:2 3}"
    "svg .mark.bad line{stroke:#c0392b}svg .mark.bad circle{fill:#c0392b}"
    "svg .mark.ok line{stroke:#7f8c8d}svg .mark.ok circle{fill:#7f8c8d}"
    "svg .lbad{font-size:11px;fill:#c0392b;font-weight:bold}svg .lmark{font-size:10px;fill:#555}"
    "svg .note{font-size:10px;fill:#888;font-style:italic}svg .lzw{font-size:10px;fill:#6e2c00}svg .cpu{fill:none;stroke:#8e44ad;stroke-width:1.5}"
    "svg .rss{fill:none;stroke:#16a085;stroke-width:1.5}svg .limit{stroke:#c0392b;stroke-dasharray:4 3}"
    "svg .llimit{font-size:10px;fill:#c0392b}";

/* Checks every case row got its timeline or a reason, and says so on <body>
 * (data-render), which a headless browser's DOM dump shows. */
static const char html_script[] =
    "(function(){var rows=document.querySelectorAll('tr.case'),bad=[];"
    "for(var i=0;i<rows.length;i++){var t=document.getElementById('tl-'+rows[i].getAttribute('data-i'));"
    "if(!t||!(t.querySelector('svg.timeline')||t.querySelector('.why')))bad.push(rows[i].id);}"
    "document.body.setAttribute('data-render',bad.length?'missing '+bad.join(' '):'ok '+rows.length);})();";

/* Writes s percent-encoded for a relative href (case names are file names). */
static void html__href(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.~/", *p))
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
}

static void html__esc(FILE *f, const char *s)
{
    report_xml_str(f, s);
}

/* Links to the case's files that exist. */
static void html__files(FILE *f, const char *dir, const char *name)
{
    const char *files[] = { "result.txt", "target.stdout", "target.stderr", "trace.bin", "", SERIES_FILE };
    char rel[400], path[4800];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (files[i][0])
            snprintf(rel, sizeof(rel), "%s/%s", name, files[i]);
        else
            snprintf(rel, sizeof(rel), "%s/%s.pcap", name, name);
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        if (access(path, R_OK) != 0)
            continue;
        fputs("<a href=\"", f);
        html__href(f, rel);
        fputs("\">", f);
        html__esc(f, strchr(rel, '/') + 1);
        fputs("</a>", f);
    }
}

/* Fills the run's kernel, protocol and replay from the first cases that recorded them. */
static void html__run_from_series(const char *dir, const struct html__case *c, int n, struct html_run *r)
{
    char path[4400], why[256];
    int mixed = 0;

    for (int i = 0; i < n; i++) {
        struct series *s;
        const char *v;

        snprintf(path, sizeof(path), "%s/%s", dir, c[i].name);
        if (!(s = series_read(path, why, sizeof(why))))
            continue;
        if (!r->kernel[0] && (v = series_get(s, "kernel")))
            snprintf(r->kernel, sizeof(r->kernel), "%s", v);
        if (!r->replay[0] && (v = series_get(s, "replay")))
            snprintf(r->replay, sizeof(r->replay), "%s", v);
        if ((v = series_get(s, "proto")) && !r->proto[0])
            snprintf(r->proto, sizeof(r->proto), "%s", v);
        else if (v && strcmp(v, r->proto))
            mixed = 1;
        series_free(s);
    }
    if (mixed)
        snprintf(r->proto, sizeof(r->proto), "%s", "per case (the reference server speaks each case's own)");
}

static void html__row_summary(FILE *f, const char *key, const char *val, int code)
{
    fprintf(f, "<tr><td>%s</td><td>%s", key, code ? "<code>" : "");
    html__esc(f, val && *val ? val : "not recorded");
    fprintf(f, "%s</td></tr>\n", code ? "</code>" : "");
}

static void html__summary(FILE *f, const struct html_run *r, int n)
{
    char counts[160], replay[1200];

    snprintf(counts, sizeof(counts), "%d case%s: %d pass, %d fail, %d error, %d skip", n, n == 1 ? "" : "s", r->npass,
             r->nfail, r->nerror, r->nskip);
    snprintf(replay, sizeof(replay), "harness/edgecase run %s", r->replay);
    fputs("<h1>edgecase results</h1>\n<table class=\"summary\">\n", f);
    html__row_summary(f, "result", counts, 0);
    html__row_summary(f, "target", r->target, 1);
    html__row_summary(f, "protocol", r->proto, 0);
    html__row_summary(f, "seed", r->seed, 0);
    html__row_summary(f, "kernel", r->kernel, 0);
    html__row_summary(f, "started", r->started, 0);
    html__row_summary(f, "replay", r->replay[0] ? replay : "", 1);
    fputs("</table>\n", f);
}

static const char html_legend[] =
    "<p class=\"legend\"><span><i class=\"sw\" style=\"background:#1f77b4\"></i>bytes received</span>"
    "<span><i class=\"sw\" style=\"border-top:2px dashed #333;height:0\"></i>expected</span>"
    "<span><i class=\"sw\" style=\"background:rgba(231,76,60,.3)\"></i>stall (no progress, bytes owed)</span>"
    "<span><i class=\"sw\" style=\"background:rgba(91,125,177,.35)\"></i>server frozen (SIGSTOP)</span>"
    "<span><i class=\"sw\" style=\"background:#c0392b;border-radius:6px\"></i>failure / hang / server ended it</span>"
    "<span><i class=\"sw\" style=\"background:#e6550d\"></i>EAGAIN</span>"
    "<span><i class=\"sw\" style=\"background:#31a354\"></i>EPOLLOUT / write resumed</span>"
    "<span><i class=\"sw\" style=\"background:#756bb1\"></i>injected fault</span>"
    "<span><i class=\"sw\" style=\"background:#f39c12\"></i>zero window (capture)</span>"
    "<span><i class=\"sw\" style=\"background:#8e44ad\"></i>server CPU (s/s)</span>"
    "<span><i class=\"sw\" style=\"background:#16a085\"></i>server RSS</span>"
    "<span><i class=\"sw\" style=\"border-top:2px dashed #c0392b;height:0\"></i>the case's limit</span>"
    " Hover a shape for its figures.</p>\n";

/* The first failure's moment and offset, in words beside the drawing. */
static void html__wrong(FILE *f, const struct series *s)
{
    char line[400], at[32];

    for (int i = 0; i < s->nm; i++) {
        const struct series_mark *m = &s->m[i];

        if (strcmp(m->kind, "fail") && strcmp(m->kind, "hang") && strncmp(m->kind, "srv-", 4) && strcmp(m->kind, "exit"))
            continue;
        snprintf(at, sizeof(at), "%.3f s", m->t_ms / 1e3);
        if (m->offset >= 0)
            snprintf(line, sizeof(line), "went wrong at %s, offset %lld: %s: %s", at, m->offset, m->kind, m->label);
        else
            snprintf(line, sizeof(line), "went wrong at %s: %s: %s", at, m->kind, m->label);
        fputs("<p class=\"wrong\">", f);
        html__esc(f, line);
        fputs("</p>\n", f);
        return;
    }
}

/* The trace lanes' totals in words: what the drawing's ticks add up to. */
static void html__event_totals(FILE *f, const struct series *s)
{
    static const char *const kinds[] = { "eagain", "short", "spin", "inj-eagain", "inj-short", "inj-eintr",
                                         "epollout", "epollout-syn", "resume" };
    char line[512];
    size_t n = 0;

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && n < sizeof(line); k++) {
        long total = 0;

        for (int i = 0; i < s->ne; i++)
            total += strcmp(s->e[i].kind, kinds[k]) ? 0 : s->e[i].count;
        if (total)
            n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%ld %s", n ? ", " : "", total, kinds[k]);
    }
    if (!n)
        return;
    fputs("<p class=\"totals\">server write path (injector trace): ", f);
    html__esc(f, line);
    fputs("</p>\n", f);
}

/* The timeline cell: the drawing, or why there is none. */
static void html__timeline(FILE *f, const char *dir, const struct html__case *c)
{
    char path[4400], why[256];
    struct series *s;
    const char *v;

    snprintf(path, sizeof(path), "%s/%s", dir, c->name);
    if (!strcmp(c->status, "skip")) {
        fputs("<p class=\"why\">no timeline: the case was skipped, no client ran</p>\n", f);
        return;
    }
    if (!(s = series_read(path, why, sizeof(why)))) {
        if (!strcmp(c->status, "error"))
            snprintf(why, sizeof(why), "the case ended before its clients ran (see result.txt)");
        fputs("<p class=\"why\">no timeline: ", f);
        html__esc(f, why);
        fputs("</p>\n", f);
        return;
    }
    html__wrong(f, s);
    report_svg(f, s);
    html__event_totals(f, s);
    if ((v = series_get(s, "replay")) != NULL) {
        fputs("<p>protocol ", f);
        html__esc(f, series_get(s, "proto") ? series_get(s, "proto") : "?");
        fputs(", replay: <code>harness/edgecase run ", f);
        html__esc(f, c->name);
        fputc(' ', f);
        html__esc(f, v);
        fputs("</code></p>\n", f);
    }
    series_free(s);
}

static void html__case(FILE *f, const char *dir, const struct html__case *c, int i)
{
    int open = !strcmp(c->status, "fail") || !strcmp(c->status, "error");

    fputs("<tr class=\"case ", f);
    html__esc(f, c->status);
    fprintf(f, "\" data-i=\"%d\" id=\"case-", i);
    html__esc(f, c->name);
    fputs("\"><td class=\"st\">", f);
    html__esc(f, c->status);
    fputs("</td><td><a href=\"#case-", f);
    html__href(f, c->name);
    fputs("\">", f);
    html__esc(f, c->name);
    fprintf(f, "</a></td><td>%.2f s</td><td class=\"diag\">", c->duration_s);
    html__esc(f, c->diag);
    fputs("</td><td class=\"files\">", f);
    html__files(f, dir, c->name);
    fprintf(f, "</td></tr>\n<tr class=\"tl\" id=\"tl-%d\"><td colspan=\"5\"><details%s><summary>timeline</summary>\n",
            i, open ? " open" : "");
    html__timeline(f, dir, c);
    fputs("</details></td></tr>\n", f);
}

static void html__count(struct html_run *r, const struct html__case *c, int n)
{
    for (int i = 0; i < n; i++) {
        r->npass += !strcmp(c[i].status, "pass");
        r->nfail += !strcmp(c[i].status, "fail");
        r->nskip += !strcmp(c[i].status, "skip");
        r->nerror += !strcmp(c[i].status, "error");
    }
}

static void html__page(FILE *f, const char *dir, const struct html_run *r, const struct html__case *c, int n)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width\">\n"
               "<title>edgecase: %d pass, %d fail, %d error, %d skip</title>\n<style>%s</style></head>\n"
               "<body data-render=\"pending\">\n", r->npass, r->nfail, r->nerror, r->nskip, html_style);
    html__summary(f, r, n);
    fputs(html_legend, f);
    fputs("<table class=\"cases\"><thead><tr><th>status</th><th>case</th><th>duration</th><th>diagnosis</th>"
          "<th>files</th></tr></thead>\n<tbody>\n", f);
    for (int i = 0; i < n; i++)
        html__case(f, dir, &c[i], i);
    fprintf(f, "</tbody></table>\n<script>%s</script>\n</body></html>\n", html_script);
}

int report_html_write(const char *dir, char *err, size_t errlen)
{
    struct html_run r = { 0 };
    struct html__case *c = NULL;
    char tmp[4200], path[4200];
    int n = html__read_cases(dir, &c);
    FILE *f;

    if (n < 0) {
        snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
        return -1;
    }
    html__read_summary(dir, &r);
    html__run_from_series(dir, c, n, &r);
    html__count(&r, c, n);
    snprintf(tmp, sizeof(tmp), "%s/.index.html.tmp", dir);
    snprintf(path, sizeof(path), "%s/index.html", dir);
    if (!(f = fopen(tmp, "we"))) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        free(c);
        return -1;
    }
    html__page(f, dir, &r, c, n);
    free(c);
    if (ferror(f) | fclose(f) || rename(tmp, path) == -1) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return n;
}
