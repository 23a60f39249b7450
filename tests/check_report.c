/* check_report.c: tests of the report module: escaping, the run folder's files, results/latest, TAP.
 * Run one case: make check TESTS=tests/check_report CK_RUN_CASE=run; debug with CK_FORK=no gdb. */
#include "harness/report/report.h"

#include <check.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/check_main.h"

static char root[256];

static void setup(void)
{
    snprintf(root, sizeof(root), "/tmp/ec-check-report-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

/* Removes the results root; only reached when the test passed, so a failure keeps its files. */
static void cleanup(void)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

static void slurp(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
    n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs an escaper into memory. */
static char *escaped(void (*fn)(FILE *, const char *), const char *s)
{
    static char *buf;
    size_t len;
    FILE *f;

    free(buf);
    f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    fn(f, s);
    fclose(f);
    return buf;
}

START_TEST(t_json_escape)
{
    ck_assert_str_eq(escaped(report_json_str, "plain"), "\"plain\"");
    ck_assert_str_eq(escaped(report_json_str, "a\"b\\c\n\r\t\x01\x1f"),
                     "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\"");
    ck_assert_str_eq(escaped(report_json_str, "caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
    ck_assert_str_eq(escaped(report_json_str, "bad\xff\xc3("), "\"bad\\u00ff\\u00c3(\"");
    ck_assert_str_eq(escaped(report_json_str, NULL), "\"\"");
    cleanup();
}
END_TEST

START_TEST(t_xml_escape)
{
    ck_assert_str_eq(escaped(report_xml_str, "<a & 'b' \"c\">"),
                     "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;");
    ck_assert_str_eq(escaped(report_xml_str, "x\x01y\nz\xfe"), "x?y&#10;z?");
    ck_assert_str_eq(escaped(report_xml_str, "caf\xc3\xa9"), "caf\xc3\xa9");
    cleanup();
}
END_TEST

static void add(struct report *r, const char *name, enum case_status st, const char *diag, const char *details)
{
    struct case_outcome o;

    memset(&o, 0, sizeof(o));
    snprintf(o.name, sizeof(o.name), "%s", name);
    o.status = st;
    o.duration_s = 0.25;
    snprintf(o.diag, sizeof(o.diag), "%s", diag);
    snprintf(o.details, sizeof(o.details), "%s", details);
    report_add(r, &o);
}

/* Asserts that file path (in a run folder) contains want. */
static void has(const char *dir, const char *file, const char *want)
{
    char path[4400], buf[16384];

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    slurp(path, buf, sizeof(buf));
    ck_assert_msg(strstr(buf, want) != NULL, "%s lacks '%s'; it holds:\n%s", path, want, buf);
}

START_TEST(t_run)
{
    struct report r;
    char err[512], cdir[4200], link[256], latest[300], dir[4096], tap[4096];

    ck_assert_msg(report_open(&r, root, 42, "server/edgecase-server --listen \"127.0.0.1:{port}\"", err,
                              sizeof(err)) == 0, "open: %s", err);
    ck_assert_int_eq(report_case_dir(&r, "echo", cdir, sizeof(cdir)), 0);
    ck_assert_int_eq(access(cdir, W_OK), 0);
    add(&r, "echo", CASE_PASS, "1000 bytes echoed", "");
    add(&r, "slow-reader", CASE_FAIL, "lost 17 bytes at offset 4096 \"seed 42\"\nsecond line",
        "assert bytes_out == 8192: got 8175\nsee slow-reader/target.stderr <here> & there");
    add(&r, "pcap", CASE_SKIP, "no CAP_NET_RAW", "");
    add(&r, "crashy", CASE_ERROR, "target killed by SIGSEGV", "");
    ck_assert_int_eq(r.ncases, 4);
    snprintf(dir, sizeof(dir), "%s", r.dir);
    ck_assert_msg(report_close(&r, err, sizeof(err)) == 0, "close: %s", err);

    slurp(strcat(strcpy(tap, dir), "/results.tap"), tap, sizeof(tap));
    ck_assert_str_eq(tap, "ok 1 - echo\n"
                          "not ok 2 - slow-reader # lost 17 bytes at offset 4096 \"seed 42\" second line\n"
                          "#   assert bytes_out == 8192: got 8175\n"
                          "#   see slow-reader/target.stderr <here> & there\n"
                          "ok 3 - pcap # SKIP no CAP_NET_RAW\n"
                          "not ok 4 - crashy # error: target killed by SIGSEGV\n"
                          "1..4\n");
    has(dir, "summary.json", "\"seed\":42,\"target\":\"server/edgecase-server --listen \\\"127.0.0.1:{port}\\\"\"");
    has(dir, "summary.json", "\"total\":4,\"passed\":1,\"failed\":1,\"skipped\":1,\"errors\":1,\"cases\":[");
    has(dir, "summary.json", "{\"name\":\"slow-reader\",\"status\":\"fail\",\"duration_s\":0.250,"
                             "\"diag\":\"lost 17 bytes at offset 4096 \\\"seed 42\\\"\\nsecond line\"");
    has(dir, "summary.json", "\"started\":\"20");
    has(dir, "junit.xml", "tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\"");
    has(dir, "junit.xml", "<failure message=\"lost 17 bytes at offset 4096 &quot;seed 42&quot;&#10;second line\">");
    has(dir, "junit.xml", "&lt;here&gt; &amp; there</failure>");
    has(dir, "junit.xml", "<skipped message=\"no CAP_NET_RAW\">");
    has(dir, "junit.xml", "<error message=\"target killed by SIGSEGV\">");
    has(dir, "slow-reader/result.txt", "status: fail\n");
    has(dir, "slow-reader/result.txt", "seed: 42\n");
    has(dir, "echo/result.txt", "diag: 1000 bytes echoed\n");

    snprintf(latest, sizeof(latest), "%s/latest", root);
    ssize_t n = readlink(latest, link, sizeof(link) - 1);
    ck_assert_int_gt(n, 0);
    link[n] = '\0';
    ck_assert_str_eq(link, basename(dir));  /* relative, so the folder can move */
    ck_assert_msg(strlen(link) == 16 && link[8] == 'T' && link[15] == 'Z', "stamp '%s'", link);
    cleanup();
}
END_TEST

/* The files parse with real parsers (python3's json and xml.etree), when python3 is there. */
START_TEST(t_well_formed)
{
    struct report r;
    char err[512], cmd[10000];

    ck_assert_int_eq(report_open(&r, root, 18446744073709551615ULL, "t <&>\"'\x01\xff", err, sizeof(err)), 0);
    add(&r, "a", CASE_FAIL, "q\"<&>\x02\xfe", "line1\nline2\x7f\xc3");
    add(&r, "b", CASE_PASS, "", "");
    ck_assert_int_eq(report_close(&r, err, sizeof(err)), 0);
    if (system("python3 -c 'pass' 2>/dev/null") != 0) {
        fprintf(stderr, "t_well_formed: no python3, parse check skipped\n");
        cleanup();
        return;
    }
    snprintf(cmd, sizeof(cmd),
             "python3 -c \"import json, sys, xml.etree.ElementTree as E; "
             "d = json.load(open('%s/summary.json')); "
             "assert d['total'] == 2 and d['failed'] == 1 and d['cases'][0]['diag'] == 'q\\\"<&>\\x02\\xfe', d; "
             "assert d['seed'] == 18446744073709551615, d; "
             "t = E.parse('%s/junit.xml').getroot(); "
             "assert t.find('testsuite').get('tests') == '2'; "
             "assert t.find('testsuite/testcase/failure').get('message').startswith('q\\\"<&>?')\"",
             r.dir, r.dir);
    ck_assert_msg(system(cmd) == 0, "python3 could not parse %s/summary.json or junit.xml", r.dir);
    cleanup();
}
END_TEST

/* Two runs in the same second get -2; latest follows the newest. */
START_TEST(t_same_second)
{
    struct report a, b;
    char err[512], link[256], latest[300], an[64], bn[64];
    int tries = 0;

    do {
        ck_assert_int_eq(report_open(&a, root, 1, "x", err, sizeof(err)), 0);
        ck_assert_int_eq(report_open(&b, root, 2, "x", err, sizeof(err)), 0);
        snprintf(an, sizeof(an), "%s", basename(a.dir));
        snprintf(bn, sizeof(bn), "%s", basename(b.dir));
        ck_assert_int_eq(report_close(&a, err, sizeof(err)), 0);
        ck_assert_int_eq(report_close(&b, err, sizeof(err)), 0);
    } while (strncmp(an, bn, 16) != 0 && ++tries < 3);  /* crossed a second boundary: again */
    ck_assert_msg(strlen(bn) == strlen(an) + 2 && strcmp(bn + strlen(an), "-2") == 0, "a=%s b=%s", an, bn);
    snprintf(latest, sizeof(latest), "%s/latest", root);
    ssize_t n = readlink(latest, link, sizeof(link) - 1);
    ck_assert_int_gt(n, 0);
    link[n] = '\0';
    ck_assert_str_eq(link, bn);
    cleanup();
}
END_TEST

START_TEST(t_names)
{
    struct report r;
    char err[512], buf[4200], tap[1024];

    ck_assert_int_eq(report_open(&r, root, 7, "x", err, sizeof(err)), 0);
    ck_assert_int_eq(report_case_dir(&r, "../evil", buf, sizeof(buf)), -1);
    ck_assert_int_eq(report_case_dir(&r, "a/b", buf, sizeof(buf)), -1);
    ck_assert_int_eq(report_case_dir(&r, "..", buf, sizeof(buf)), -1);
    ck_assert_int_eq(report_case_dir(&r, "", buf, sizeof(buf)), -1);
    add(&r, "odd#name", CASE_FAIL, "skip: not a directive", "");
    add(&r, "t2", CASE_PASS, "ok", "");
    snprintf(buf, sizeof(buf), "%s/results.tap", r.dir);
    ck_assert_int_eq(report_close(&r, err, sizeof(err)), 0);
    slurp(buf, tap, sizeof(tap));
    ck_assert_str_eq(tap, "not ok 1 - odd_name # diag: skip: not a directive\nok 2 - t2\n1..2\n");
    ck_assert_str_eq(report_status_name(CASE_PASS), "pass");
    ck_assert_str_eq(report_status_name(CASE_FAIL), "fail");
    ck_assert_str_eq(report_status_name(CASE_SKIP), "skip");
    ck_assert_str_eq(report_status_name(CASE_ERROR), "error");
    cleanup();
}
END_TEST

/* Many cases: the outcome array grows, the plan counts them all. */
START_TEST(t_many)
{
    struct report r;
    char err[512], name[32], dir[4096];

    ck_assert_int_eq(report_open(&r, root, 9, "x", err, sizeof(err)), 0);
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "c%02d", i);
        add(&r, name, i % 3 ? CASE_PASS : CASE_FAIL, "d", "");
    }
    snprintf(dir, sizeof(dir), "%s", r.dir);
    ck_assert_int_eq(report_close(&r, err, sizeof(err)), 0);
    ck_assert_ptr_null(r.outcomes);
    has(dir, "results.tap", "not ok 40 - c39 # d\n1..40\n");
    has(dir, "summary.json", "\"total\":40,\"passed\":26,\"failed\":14,");
    has(dir, "summary.json", "{\"name\":\"c39\"");
    cleanup();
}
END_TEST

START_TEST(t_bad_root)
{
    struct report r;
    char err[512], deep[400];

    snprintf(deep, sizeof(deep), "%s/a/b/results/", root);
    ck_assert_msg(report_open(&r, deep, 1, "x", err, sizeof(err)) == 0, "nested root: %s", err);
    ck_assert_int_eq(report_close(&r, err, sizeof(err)), 0);

    ck_assert_int_eq(report_open(&r, "/proc/no-such/results", 1, "x", err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "/proc/no-such/results") != NULL, "err = '%s'", err);
    cleanup();
}
END_TEST

#define ADD(name, fn) check_main_add(s, name, fn, setup, 30)

int main(void)
{
    Suite *s = suite_create("report");

    ADD("json_escape", t_json_escape);
    ADD("xml_escape", t_xml_escape);
    ADD("run", t_run);
    ADD("well_formed", t_well_formed);
    ADD("same_second", t_same_second);
    ADD("names", t_names);
    ADD("many", t_many);
    ADD("bad_root", t_bad_root);
    return check_main_run(s);
}
