/* check_buggy.c: the product's proof: each buggy-server bug FAILS its class's case with that class in the diagnosis,
 * and the correct targets (buggy-server without --bug, shapes-echo in three shapes, libevent-et-echo; buggy-server and edgecase-server
 * speaking repeat:20000) pass every case they can speak.
 * One test: CK_RUN_CASE=bug-drop-tail-exact-tiny-sndbuf (bug-BUG-CASE, correct-buggy, correct-shapes, correct-libevent,
 * correct-repeat-buggy, correct-repeat-server, correct-http-buggy; an http bug row: bug-BUG-CASE-http)
 * make check TESTS=tests/check_buggy. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_util.h"
#include "tests/check_main.h"

/* Which case must catch which bug, the class its diagnosis must name (0: the
 * failure is "vacuous", which names none), whether it must name it first
 * (FIRST) or may list it as "also consistent with" (ALSO: the symptom cannot
 * tell it from another class, e.g. 2 from 1), and what of the injector's
 * trace the diagnosis must cite (NULL: nothing required). */
#define FIRST 1
#define ALSO 0
#define CITE_SPIN "(trace: write after EAGAIN with no EPOLLOUT: "
#define CITE_TRACE "(trace: "
#define ECHO 0
#define HTTP 1
#define CHUNKED 2
static const struct bug_row {
    const char *bug;
    const char *cas;
    int class_no;
    int first;
    const char *cite;
    int http;                 /* 0: echo; HTTP: buggy-server serves the case's files; CHUNKED: and chunks them */
} bug_rows[] = {
    { "drop-tail", "exact-tiny-sndbuf", 1, FIRST, NULL, ECHO },
    { "ignore-write-return", "exact-tiny-sndbuf", 2, ALSO, NULL, ECHO },
    { "spin-eagain", "spin-stalled-reader", 3, FIRST, CITE_SPIN, ECHO },
    { "lt-epollout", "cpu-idle-armed", 4, FIRST, NULL, ECHO },
    { "read-once", "read-burst-frozen", 5, FIRST, NULL, ECHO },
    { "accept-once", "accept-burst-frozen", 6, FIRST, NULL, ECHO },
    { "unbounded-output", "rss-never-reader", 7, FIRST, NULL, ECHO },
    { "no-read-resume", "read-resume-frozen", 8, FIRST, NULL, ECHO },
    { "budget-no-requeue", "budget-requeue-frozen", 9, FIRST, NULL, ECHO },
    { "budget-no-requeue", "budget-large-reply", 9, FIRST, NULL, ECHO },
    { "shared-buffer", "crosstalk-concurrent", 10, FIRST, NULL, ECHO },
    { "shared-buffer", "crosstalk-repeat", 10, FIRST, NULL, ECHO },
    { "if-else-if", "inout-coalesced", 11, FIRST, NULL, ECHO },
    { "oneshot-no-rearm", "oneshot-many-resumptions", 12, FIRST, NULL, ECHO },
    { "sigpipe", "sigpipe-closewait-reset", 13, FIRST, NULL, ECHO },
    { "eagain-is-error", "slow-reader-exact", 14, FIRST, NULL, ECHO },
    { "halfclose-drop", "halfclose-reply", 15, FIRST, NULL, ECHO },
    { "eintr-exit", "eintr-freeze-cycles", 16, FIRST, NULL, ECHO },
    { "writev-offset", "exact-odd-chunks", 17, FIRST, NULL, ECHO },
    { "writev-offset", "inject-faults", 17, FIRST, NULL, ECHO },
    { "partial-writev-base", "exact-odd-chunks", 17, FIRST, NULL, ECHO },
    { "eintr-exit", "inject-faults", 16, FIRST, NULL, ECHO },
    /* The injector's own cases: faults a correct server survives expose these. */
    { "eintr-exit", "inject-eintr-storm", 16, FIRST, CITE_TRACE, ECHO },
    { "drop-tail", "inject-short-eagain", 1, FIRST, CITE_TRACE, ECHO },
    { "ignore-write-return", "inject-short-eagain", 2, ALSO, CITE_TRACE, ECHO },
    { "writev-offset", "inject-short-eagain", 17, FIRST, CITE_TRACE, ECHO },
    { "spin-eagain", "inject-short-eagain", 0, FIRST, CITE_SPIN, ECHO },
    { "spin-eagain", "inject-seed-floor", 0, FIRST, CITE_SPIN, ECHO },
    { "emfile-stall", "emfile-nofile", 18, FIRST, NULL, ECHO },
    { "emfile-spin", "emfile-nofile", 18, FIRST, NULL, ECHO },
    { "starvation", "starvation-bulk-probe", 19, FIRST, NULL, ECHO },
    { "starvation", "starvation-repeat", 19, FIRST, NULL, ECHO },
    { "short-read", "short-read-fin", 20, FIRST, NULL, ECHO },
    /* A lost EPOLLOUT that a timer rescues 4 s later: the stall fails it. */
    { "lost-wakeup", "slow-reader-exact", 11, FIRST, NULL, ECHO },
    /* The same write path serving files over HTTP (--protocol http). */
    { "drop-tail", "exact-tiny-sndbuf", 1, FIRST, NULL, HTTP },
    { "ignore-write-return", "exact-tiny-sndbuf", 2, ALSO, NULL, HTTP },
    { "budget-no-requeue", "budget-large-reply", 9, FIRST, NULL, HTTP },
    { "shared-buffer", "crosstalk-concurrent", 10, FIRST, NULL, HTTP },
    { "oneshot-no-rearm", "oneshot-many-resumptions", 12, FIRST, NULL, HTTP },
    { "eagain-is-error", "slow-reader-exact", 14, FIRST, NULL, HTTP },
    { "writev-offset", "inject-short-eagain", 17, FIRST, CITE_TRACE, HTTP },
    { "partial-writev-base", "inject-short-eagain", 17, FIRST, CITE_TRACE, HTTP },
    /* A chunk-size line written over payload keeps the framing: garbage in the body, 2 or 17. */
    { "chunk-size-overwrite", "inject-short-eagain", 17, ALSO, CITE_TRACE, CHUNKED },
};
#define NROWS ((int)(sizeof(bug_rows) / sizeof(bug_rows[0])))

static struct ec_case *cases;
static int ncases;
static char buggy[4096], libevent[4096], server[4096], shapes[4096];

static void cmd_for(const char *bin, const char *bug, int sndbuf_only, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s --listen {host}:{port} --proto {proto} --sndbuf={sndbuf}%s", bin,
             bug ? " --bug " : "", bug ? bug : "", sndbuf_only ? "" : " --rcvbuf={rcvbuf}");
}

/* buggy-server serving the case's document root over HTTP (chunked: Transfer-Encoding: chunked). */
static void http_cmd_for(const char *bug, int chunked, char *buf, size_t len)
{
    cmd_for(buggy, bug, 0, buf, len);
    snprintf(buf + strlen(buf), len - strlen(buf), " --docroot {docroot}%s", chunked ? " --chunked" : "");
}

START_TEST(t_bug)
{
    const struct bug_row *r = &bug_rows[_i];
    const struct ec_case *c = ecu_find(cases, ncases, r->cas);
    struct case_outcome o;
    char cmd[8192], want[32], suite[160];

    ck_assert_msg(c != NULL, "case %s is not in the catalogue", r->cas);
    if (r->http)
        http_cmd_for(r->bug, r->http == CHUNKED, cmd, sizeof(cmd));
    else
        cmd_for(buggy, r->bug, 0, cmd, sizeof(cmd));
    snprintf(suite, sizeof(suite), "bug-%s%s", r->bug, r->http ? "-http" : "");
    ecu_run(c, cmd, r->http ? "http" : NULL, suite, &o);
    snprintf(want, sizeof(want), r->class_no ? "class %d " : "vacuous: ", r->class_no);
    ck_assert_msg(o.status == CASE_FAIL, "--bug %s: case %s should FAIL, got %s: %s\n%s", r->bug, r->cas,
                  report_status_name(o.status), o.diag, o.details);
    ck_assert_msg(strstr(o.diag, want) != NULL, "--bug %s: case %s failed without naming '%s': %s", r->bug,
                  r->cas, want, o.diag);
    ck_assert_msg(!r->first || !strncmp(o.diag, want, strlen(want)), "--bug %s: case %s names another class "
                  "before '%s': %s", r->bug, r->cas, want, o.diag);
    ck_assert_msg(!r->cite || strstr(o.diag, r->cite) != NULL, "--bug %s: case %s: the diagnosis does not cite "
                  "the trace ('%s'): %s", r->bug, r->cas, r->cite, o.diag);
}
END_TEST

/* Why case c may SKIP for a target speaking proto (NULL: the case's own
 * first protocol): the words its diagnosis must start with, or NULL when the
 * case must run. A protocol the target does not speak, or what the machine
 * cannot make (run_case_servable: a namespace, shaping, a capture for wire
 * assertions, decided by probing); nothing else. why has room for the reason. */
static const char *expected_skip(const struct ec_case *c, const char *proto, char *why, size_t whylen)
{
    struct case_proto p;
    struct run_conf rc;
    char err[128];
    int i;

    if (proto && case_proto_parse(proto, &p, err, sizeof(err)) == 0) {
        for (i = 0; i < c->nprotos && c->protos[i].kind != p.kind; i++)
            ;
        if (i == c->nprotos)
            return "needs protocol ";
    }
    run_conf_init(&rc);
    rc.target_cmd = "{host}";   /* every command here listens on {host} */
    return run_case_servable(&rc, c, why, whylen) ? NULL : why;
}

/* A correct server passes every case it can serve; it may SKIP only a case
 * whose stated requirement it does not meet (expected_skip). */
static void correct_target(const char *cmd, const char *proto, const char *suite, int i)
{
    char buf[512];
    const char *why = expected_skip(&cases[i], proto, buf, sizeof(buf));
    struct case_outcome o;

    ecu_run(&cases[i], cmd, proto, suite, &o);
    if (o.status == CASE_SKIP) {
        ck_assert_msg(why && !strncmp(o.diag, why, strlen(why)), "%s: case %s should run%s%s, got SKIP: %s",
                      suite, cases[i].name, why ? " or SKIP with " : "", why ? why : "", o.diag);
        return;
    }
    ck_assert_msg(!why || strcmp(why, "needs protocol "), "%s: case %s should SKIP (%s...), got %s: %s", suite,
                  cases[i].name, why, report_status_name(o.status), o.diag);
    ck_assert_msg(o.status == CASE_PASS, "%s: case %s should pass, got %s: %s\n%s",
                  suite, cases[i].name, report_status_name(o.status), o.diag, o.details);
}

START_TEST(t_correct_buggy)
{
    char cmd[8192];

    cmd_for(buggy, NULL, 0, cmd, sizeof(cmd));
    correct_target(cmd, NULL, "correct-buggy", _i);
}
END_TEST

/* buggy-server without a bug is a correct HTTP server, with Content-Length bodies and chunked ones. */
START_TEST(t_correct_http_buggy)
{
    char cmd[8192];

    http_cmd_for(NULL, _i >= ncases, cmd, sizeof(cmd));
    correct_target(cmd, "http", _i >= ncases ? "correct-http-chunked" : "correct-http-buggy", _i % ncases);
}
END_TEST

START_TEST(t_correct_libevent)
{
    char cmd[8192];

    cmd_for(libevent, NULL, 1, cmd, sizeof(cmd));
    correct_target(cmd, "echo", "correct-libevent", _i);  /* it speaks only echo */
}
END_TEST

/* Correct servers of other shapes: plain ET, level-triggered with EPOLLOUT
 * toggled, EPOLLONESHOT re-armed (targets/shapes-echo). */
START_TEST(t_correct_shapes)
{
    static const char *const modes[] = { "et", "lt", "oneshot" };
    const char *mode = modes[_i / ncases];
    char cmd[8192], suite[64];

    snprintf(cmd, sizeof(cmd), "%s --mode %s --listen {host}:{port} --sndbuf={sndbuf}", shapes, mode);
    snprintf(suite, sizeof(suite), "correct-shapes-%s", mode);
    correct_target(cmd, "echo", suite, _i % ncases);
}
END_TEST

/* The repeat variants of the cases (one seed-sized message per client) are
 * sound: both correct repeat servers pass every case that runs with repeat:20000. */
START_TEST(t_correct_repeat_buggy)
{
    char cmd[8192];

    cmd_for(buggy, NULL, 0, cmd, sizeof(cmd));
    correct_target(cmd, "repeat:20000", "correct-repeat-buggy", _i);
}
END_TEST

START_TEST(t_correct_repeat_server)
{
    char cmd[8192];

    cmd_for(server, NULL, 0, cmd, sizeof(cmd));
    correct_target(cmd, "repeat:20000", "correct-repeat-server", _i);
}
END_TEST

static double max_timeout(void)
{
    double t = 0;

    for (int i = 0; i < ncases; i++)
        if (ecu_timeout(&cases[i]) > t)
            t = ecu_timeout(&cases[i]);
    return t;
}

/* Adds a TCase running fn for loop indexes [from, to). */
static void add_loop(Suite *s, const char *name, const TTest *fn, int from, int to)
{
    TCase *tc = tcase_create(name);

    tcase_set_timeout(tc, max_timeout());
    tcase_add_loop_test(tc, fn, from, to);
    suite_add_tcase(s, tc);
}

static Suite *buggy_suite(void)
{
    Suite *s = suite_create("buggy");
    char name[160];

    for (int i = 0; i < NROWS; i++) {
        snprintf(name, sizeof(name), "bug-%s-%s%s", bug_rows[i].bug, bug_rows[i].cas, bug_rows[i].http ? "-http" : "");
        add_loop(s, strdup(name), t_bug, i, i + 1);
    }
    add_loop(s, "correct-buggy", t_correct_buggy, 0, ncases);
    add_loop(s, "correct-shapes", t_correct_shapes, 0, 3 * ncases);
    add_loop(s, "correct-repeat-buggy", t_correct_repeat_buggy, 0, ncases);
    add_loop(s, "correct-repeat-server", t_correct_repeat_server, 0, ncases);
    add_loop(s, "correct-http-buggy", t_correct_http_buggy, 0, 2 * ncases);
    if (ecu_libevent_expected())
        add_loop(s, "correct-libevent", t_correct_libevent, 0, ncases);
    return s;
}

int main(void)
{
    static const char *const need[] = { "targets/buggy-server", "targets/shapes-echo", NULL };
    static const char *const need_ev[] = { "targets/libevent-et-echo", NULL };
    int status;

    if (ecu_load_cases(&cases, &ncases) < 0)
        return 99;
    ecu_build_path("targets/buggy-server", buggy, sizeof(buggy));
    ecu_build_path("targets/libevent-et-echo", libevent, sizeof(libevent));
    ecu_build_path("server/edgecase-server", server, sizeof(server));
    ecu_build_path("targets/shapes-echo", shapes, sizeof(shapes));
    /* Every bug row needs these; a missing one would turn rows into vacuous passes. */
    if (ecu_require_built(ecu_case_bins) < 0 || ecu_require_built(need) < 0 || (ecu_libevent_expected() && ecu_require_built(need_ev) < 0))
        return 99;
    if (!ecu_libevent_expected())
        printf("check_buggy: correct-libevent not run: configure found no libevent\n");
    status = check_main_run(buggy_suite());
    free(cases);
    return status;
}
