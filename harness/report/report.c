/* report.c: write a run's results folder: per-case result.txt, results.tap, summary.json, junit.xml, latest. */
#include "harness/report/report.h"
#include "harness/report/report_html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double report__wall(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

const char *report_status_name(enum case_status s)
{
    switch (s) {
    case CASE_PASS: return "pass";
    case CASE_FAIL: return "fail";
    case CASE_SKIP: return "skip";
    case CASE_ERROR: return "error";
    }
    return "?";
}

/* Length of the valid UTF-8 sequence at s, or 0 if s does not start one. */
static size_t report__utf8_len(const unsigned char *s)
{
    size_t n;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* Writes s as a JSON string literal. Invalid UTF-8 bytes become \u00XX so the
 * file stays valid JSON whatever a target printed. */
void report_json_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    fputc('"', f);
    while (*p) {
        size_t n = report__utf8_len(p);

        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || n == 0)
            fprintf(f, "\\u%04x", *p);
        else {
            fwrite(p, 1, n, f);
            p += n;
            continue;
        }
        p++;
    }
    fputc('"', f);
}

/* Writes s escaped for XML text or attributes. Characters XML 1.0 forbids
 * (most controls) and invalid UTF-8 bytes become '?'. */
void report_xml_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    while (*p) {
        size_t n = report__utf8_len(p);

        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\n': fputs("&#10;", f); break;
        case '\t': fputs("&#9;", f); break;
        case '\r': fputs("&#13;", f); break;
        default:
            if (*p < 0x20 || n == 0)
                fputc('?', f);
            else {
                fwrite(p, 1, n, f);
                p += n;
                continue;
            }
        }
        p++;
    }
}

/* mkdir -p: creates path and its missing parents. Returns 0 or -1 (errno set). */
static int report__mkdirs(const char *path)
{
    char buf[4096];
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) == -1 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) == -1 && errno != EEXIST ? -1 : 0;
}

/* Makes the stamped run folder root/<stamp>[-N] and writes its name in name. */
static int report__mkrun(struct report *r, const char *root, char *name, size_t namelen, char *err,
                         size_t errlen)
{
    time_t now = (time_t)r->started;
    char stamp[32];
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    for (int i = 1; i < 1000; i++) {
        if (i == 1)
            snprintf(name, namelen, "%s", stamp);
        else
            snprintf(name, namelen, "%s-%d", stamp, i);
        if ((size_t)snprintf(r->dir, sizeof(r->dir), "%s/%s", root, name) >= sizeof(r->dir)) {
            snprintf(err, errlen, "results path too long: %s", root);
            return -1;
        }
        if (mkdir(r->dir, 0755) == 0)
            return 0;
        if (errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", r->dir, strerror(errno));
            return -1;
        }
    }
    snprintf(err, errlen, "cannot create a run folder under %s: %s-2..999 all exist", root, stamp);
    return -1;
}

/* Points root/latest at name: a fresh relative symlink renamed over the old one,
 * so a reader never sees latest missing. */
static int report__latest(const char *root, const char *name, char *err, size_t errlen)
{
    char tmp[4200], latest[4200];

    snprintf(tmp, sizeof(tmp), "%s/.latest.%ld", root, (long)getpid());
    snprintf(latest, sizeof(latest), "%s/latest", root);
    unlink(tmp);
    if (symlink(name, tmp) == -1) {
        snprintf(err, errlen, "symlink %s: %s", tmp, strerror(errno));
        return -1;
    }
    if (rename(tmp, latest) == -1) {
        snprintf(err, errlen, "cannot replace %s: %s", latest, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int report_open(struct report *r, const char *root, uint64_t seed, const char *target_cmd,
                char *err, size_t errlen)
{
    char name[64], path[4200];

    memset(r, 0, sizeof(*r));
    r->seed = seed;
    r->started = report__wall();
    snprintf(r->target_cmd, sizeof(r->target_cmd), "%s", target_cmd ? target_cmd : "");
    if (report__mkdirs(root) == -1) {
        snprintf(err, errlen, "cannot create %s: %s", root, strerror(errno));
        return -1;
    }
    if (report__mkrun(r, root, name, sizeof(name), err, errlen) == -1 ||
        report__latest(root, name, err, errlen) == -1)
        return -1;
    snprintf(path, sizeof(path), "%s/results.tap", r->dir);
    if (!(r->tap = fopen(path, "we"))) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Case names become folder names: no separators, no dot-only names. */
static int report__name_ok(const char *name)
{
    return name[0] && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

int report_case_dir(struct report *r, const char *case_name, char *buf, size_t buflen)
{
    if (!report__name_ok(case_name))
        return -1;
    if ((size_t)snprintf(buf, buflen, "%s/%s", r->dir, case_name) >= buflen)
        return -1;
    if (mkdir(buf, 0755) == -1 && errno != EEXIST)
        return -1;
    return 0;
}

/* Writes s on one TAP line: newlines become spaces, and '#' in a name would
 * start a directive, so names get it replaced. */
static void report__tap_text(FILE *f, const char *s, int is_name)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\r')
            fputc(' ', f);
        else if (is_name && *p == '#')
            fputc('_', f);
        else
            fputc(*p, f);
    }
}

/* Appends one TAP result line and, for failures, the details as comments. */
static void report__tap_line(struct report *r, const struct case_outcome *o)
{
    const char *ok = o->status == CASE_PASS || o->status == CASE_SKIP ? "ok" : "not ok";

    fprintf(r->tap, "%s %d - ", ok, r->ncases);
    report__tap_text(r->tap, o->name, 1);
    switch (o->status) {
    case CASE_PASS:
        break;
    case CASE_SKIP:
        fputs(" # SKIP ", r->tap);
        report__tap_text(r->tap, o->diag, 0);
        break;
    case CASE_FAIL:
    case CASE_ERROR:
        /* A diagnosis starting with "skip"/"todo" would read as a directive. */
        fputs(o->status == CASE_ERROR ? " # error: " : " # ", r->tap);
        if (o->status == CASE_FAIL && (!strncasecmp(o->diag, "skip", 4) || !strncasecmp(o->diag, "todo", 4)))
            fputs("diag: ", r->tap);
        report__tap_text(r->tap, o->diag, 0);
        break;
    }
    fputc('\n', r->tap);
    if (o->status == CASE_FAIL || o->status == CASE_ERROR) {
        for (const char *p = o->details; *p;) {
            size_t n = strcspn(p, "\n");

            if (n)
                fprintf(r->tap, "#   %.*s\n", (int)n, p);
            p += n + (p[n] == '\n');
        }
    }
    fflush(r->tap);
}

/* Writes r->dir/<case>/result.txt for a human reading one case. */
static void report__result_txt(struct report *r, const struct case_outcome *o)
{
    char dir[4200], path[4300];
    FILE *f;

    if (report_case_dir(r, o->name, dir, sizeof(dir)) == -1)
        return;
    snprintf(path, sizeof(path), "%s/result.txt", dir);
    if (!(f = fopen(path, "we")))
        return;
    fprintf(f, "case: %s\nstatus: %s\nduration_s: %.3f\nseed: %llu\ndiag: %s\n", o->name,
            report_status_name(o->status), o->duration_s, (unsigned long long)r->seed, o->diag);
    if (o->details[0])
        fprintf(f, "\n%s%s", o->details, o->details[strlen(o->details) - 1] == '\n' ? "" : "\n");
    fclose(f);
}

void report_add(struct report *r, const struct case_outcome *o)
{
    if (r->ncases == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        struct case_outcome *grown = realloc(r->outcomes, (size_t)cap * sizeof(*grown));

        if (grown) {
            r->outcomes = grown;
            r->cap = cap;
        }
    }
    if (r->ncases < r->cap)
        r->outcomes[r->ncases] = *o;  /* kept for summary.json and junit.xml */
    r->ncases++;
    switch (o->status) {
    case CASE_PASS: r->npass++; break;
    case CASE_FAIL: r->nfail++; break;
    case CASE_SKIP: r->nskip++; break;
    case CASE_ERROR: r->nerror++; break;
    }
    if (r->tap)
        report__tap_line(r, o);
    report__result_txt(r, o);
}

/* Number of outcomes actually kept (fewer than ncases only after out-of-memory). */
static int report__kept(const struct report *r)
{
    return r->ncases < r->cap ? r->ncases : r->cap;
}

/* When the run started, in UTC, as fmt (strftime) puts it. */
static void report__started(const struct report *r, const char *fmt, char *buf, size_t len)
{
    time_t t = (time_t)r->started;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, len, fmt, &tm);
}

static void report__summary(const struct report *r, FILE *f, double duration)
{
    char started[32];

    report__started(r, "%Y-%m-%dT%H:%M:%SZ", started, sizeof(started));
    fprintf(f, "{\"started\":\"%s\",\"seed\":%llu,\"target\":", started, (unsigned long long)r->seed);
    report_json_str(f, r->target_cmd);
    fprintf(f, ",\"duration_s\":%.3f,\"total\":%d,\"passed\":%d,\"failed\":%d,\"skipped\":%d,\"errors\":%d,\"cases\":[",
            duration, r->ncases, r->npass, r->nfail, r->nskip, r->nerror);
    for (int i = 0; i < report__kept(r); i++) {
        const struct case_outcome *o = &r->outcomes[i];

        fputs(i ? ",\n  {\"name\":" : "\n  {\"name\":", f);
        report_json_str(f, o->name);
        fprintf(f, ",\"status\":\"%s\",\"duration_s\":%.3f,\"diag\":", report_status_name(o->status),
                o->duration_s);
        report_json_str(f, o->diag);
        fputs(",\"details\":", f);
        report_json_str(f, o->details);
        fputc('}', f);
    }
    fputs("\n]}\n", f);
}

/* One <testcase>: failure/error carry the diagnosis as message and details as text. */
static void report__junit_case(FILE *f, const struct case_outcome *o)
{
    static const char *const elem[] = {[CASE_FAIL] = "failure", [CASE_SKIP] = "skipped", [CASE_ERROR] = "error"};

    fputs("    <testcase classname=\"edgecase\" name=\"", f);
    report_xml_str(f, o->name);
    fprintf(f, "\" time=\"%.3f\"", o->duration_s);
    if (o->status == CASE_PASS) {
        fputs(">\n      <system-out>", f);
        report_xml_str(f, o->diag);
        fputs("</system-out>\n    </testcase>\n", f);
        return;
    }
    fprintf(f, ">\n      <%s message=\"", elem[o->status]);
    report_xml_str(f, o->diag);
    fputs("\">", f);
    report_xml_str(f, o->details);
    fprintf(f, "</%s>\n    </testcase>\n", elem[o->status]);
}

static void report__junit(const struct report *r, FILE *f, double duration)
{
    char started[32];

    report__started(r, "%Y-%m-%dT%H:%M:%S", started, sizeof(started));
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n",
            r->ncases, r->nfail, r->nerror, r->nskip, duration);
    fprintf(f, "  <testsuite name=\"edgecase\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" "
               "time=\"%.3f\" timestamp=\"%s\">\n",
            r->ncases, r->nfail, r->nerror, r->nskip, duration, started);
    fprintf(f, "    <properties>\n      <property name=\"seed\" value=\"%llu\"/>\n"
               "      <property name=\"target\" value=\"", (unsigned long long)r->seed);
    report_xml_str(f, r->target_cmd);
    fputs("\"/>\n    </properties>\n", f);
    for (int i = 0; i < report__kept(r); i++)
        report__junit_case(f, &r->outcomes[i]);
    fputs("  </testsuite>\n</testsuites>\n", f);
}

/* Writes dir/name through a temporary file renamed into place, so a reader
 * never sees half a file. Returns 0 or -1 with err. */
static int report__write(const struct report *r, const char *name, double duration,
                         void (*fn)(const struct report *, FILE *, double), char *err, size_t errlen)
{
    char tmp[4200], path[4200];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", r->dir, name);
    snprintf(path, sizeof(path), "%s/%s", r->dir, name);
    if (!(f = fopen(tmp, "we"))) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    fn(r, f, duration);
    if (ferror(f) | fclose(f) || rename(tmp, path) == -1) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int report_close(struct report *r, char *err, size_t errlen)
{
    double duration = report__wall() - r->started;
    int rc = 0;

    if (r->tap) {
        fprintf(r->tap, "1..%d\n", r->ncases);
        if (fclose(r->tap) != 0) {
            snprintf(err, errlen, "cannot write %s/results.tap: %s", r->dir, strerror(errno));
            rc = -1;
        }
        r->tap = NULL;
    }
    if (r->dir[0] && (report__write(r, "summary.json", duration, report__summary, err, errlen) == -1 ||
                      report__write(r, "junit.xml", duration, report__junit, err, errlen) == -1))
        rc = -1;
    /* The page reads the folder just written, as `edgecase report DIR` does. */
    if (r->dir[0] && rc == 0 && report_html_write(r->dir, err, errlen) < 0)
        rc = -1;
    free(r->outcomes);
    r->outcomes = NULL;
    r->cap = 0;
    return rc;
}
