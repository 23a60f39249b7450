/* report_html.h: a results folder's index.html, built from the folder's files alone. */
#ifndef EC_REPORT_HTML_H
#define EC_REPORT_HTML_H

#include <stddef.h>

/* One case as its folder tells it (result.txt). */
struct html__case {
    char name[128];
    char status[16];              /* pass, fail, skip, error */
    double duration_s;
    char diag[2048];
};

/* The run as summary.json tells it, with what the cases' series add. */
struct html_run {
    char started[64], seed[32], target[1024];
    char kernel[256], proto[128], replay[1024];
    int npass, nfail, nskip, nerror;
};

/* Writes dir/index.html (through a temporary file): the run's summary and a
 * row per case folder with its timeline when it has a series.tsv. Returns
 * the number of cases, or -1 with err. */
int report_html_write(const char *dir, char *err, size_t errlen);

/* report_html_read.c: reads dir/summary.json's run fields into r (absent: left empty). */
void html__read_summary(const char *dir, struct html_run *r);
/* Reads every case folder under dir into a new array, failures first. Returns the count or -1. */
int html__read_cases(const char *dir, struct html__case **out);

#endif
