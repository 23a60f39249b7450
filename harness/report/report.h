/* report.h: write a run's results folder: per-case logs, summary.json, junit.xml, TAP, results/latest. */
#ifndef EC_REPORT_H
#define EC_REPORT_H

#include <stdint.h>
#include <stdio.h>

enum case_status { CASE_PASS, CASE_FAIL, CASE_SKIP, CASE_ERROR };

/* What one case ended with. */
struct case_outcome {
    char name[128];
    enum case_status status;
    double duration_s;
    char diag[2048];          /* one-line diagnosis (PASS: a short summary of what was observed) */
    char details[8192];       /* multi-line: per-assertion results, hexdumps, paths to logs/pcaps */
};

struct report {
    char dir[4096];           /* results/<UTC-stamp> */
    uint64_t seed;
    FILE *tap;                /* dir/results.tap, written as cases finish */
    int ncases, npass, nfail, nskip, nerror;
    double started;           /* wall clock, seconds */
    struct case_outcome *outcomes;  /* grows; kept for summary.json and junit.xml */
    int cap;
    char target_cmd[1024];
};

/* Creates root/<UTC-stamp>/ (e.g. results/20261128T031500Z, with a -N suffix
 * if taken) and points root/latest at it (a relative symlink, replaced
 * atomically). Returns 0 or -1 with err. */
int report_open(struct report *r, const char *root, uint64_t seed, const char *target_cmd,
                char *err, size_t errlen);
/* Creates and returns the per-case folder r->dir/<case> in buf. Returns 0 or -1. */
int report_case_dir(struct report *r, const char *case_name, char *buf, size_t buflen);
/* Records a finished case: appends a TAP line ("ok N - name # SKIP reason" ...) and
 * writes r->dir/<case>/result.txt. */
void report_add(struct report *r, const struct case_outcome *o);
/* Writes summary.json, junit.xml, the TAP plan, and frees. Returns 0 or -1. */
int report_close(struct report *r, char *err, size_t errlen);
const char *report_status_name(enum case_status s);
/* Writes s as a quoted JSON string (invalid UTF-8 bytes as \u00XX). */
void report_json_str(FILE *f, const char *s);
/* Writes s escaped for XML text and attribute values (forbidden characters as '?'). */
void report_xml_str(FILE *f, const char *s);

#endif
