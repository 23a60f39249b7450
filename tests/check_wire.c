/* check_wire.c: the capture cases (wire_* assertions) against every correct target, and a buggy one's report pointing at its pcap.
 * Needs a capture (harness/netns/probe.h): without one, checks that such a case SKIPs with the probe's reason and exits 77.
 * One test: CK_RUN_CASE=libevent make check TESTS=tests/check_wire; under gdb: CK_FORK=no.
 * Captures go to $EC_CAP_DIR (tests/cap_tshark.sh sets it) or tests/wire-pcaps/ in the build dir. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/netns/probe.h"
#include "tests/check_util.h"
#include "tests/check_main.h"

static struct ec_case *cases;
static int ncases;
static char buggy[4096], libevent[4096];

/* One run: a capture case against a target, and what must come of it. */
static const struct wire_row {
    const char *suite;        /* the TCase name and results subfolder */
    const char *cas;
    const char *bin;          /* "buggy", "libevent" or NULL: the reference server */
    const char *bug;
    const char *proto;        /* NULL: the case's first protocol */
    int fail_class;           /* 0: must PASS; else must FAIL naming this class and its pcap */
} rows[] = {
    { "reference", "seed-capture", NULL, NULL, NULL, 0 },
    { "buggy-correct", "seed-capture", "buggy", NULL, NULL, 0 },
    { "libevent", "seed-capture", "libevent", NULL, "echo", 0 },
    { "bug-oneshot-no-rearm", "seed-capture", "buggy", "oneshot-no-rearm", NULL, 12 },
    { "bug-eagain-is-error", "seed-capture", "buggy", "eagain-is-error", NULL, 14 },
};
#define NROWS ((int)(sizeof(rows) / sizeof(rows[0])))

static const char *wire_dir(char *buf, size_t len)
{
    const char *d = getenv("EC_CAP_DIR");

    if (d && *d)
        snprintf(buf, len, "%s", d);
    else
        ecu_build_path("tests/wire-pcaps", buf, len);
    return buf;
}

/* Runs c like tests/check_util's ecu_run, with its logs and pcap in <wire dir>/<suite>/<case>. */
static void wire_run(const struct ec_case *c, const char *cmd, const char *proto, const char *suite,
                     char *dir, size_t dirlen, struct case_outcome *o)
{
    char base[4096];

    wire_dir(base, sizeof(base));
    mkdir(base, 0755);
    snprintf(dir, dirlen, "%.3800s/%.100s", base, suite);
    mkdir(dir, 0755);
    snprintf(dir + strlen(dir), dirlen - strlen(dir), "/%.64s", c->name);
    mkdir(dir, 0755);
    ecu_run_in(c, cmd, proto, dir, o);
}

static void cmd_for(const struct wire_row *r, char *buf, size_t len)
{
    if (!strcmp(r->bin, "libevent"))
        snprintf(buf, len, "%s --listen {host}:{port} --sndbuf={sndbuf}", libevent);
    else
        snprintf(buf, len, "%s%s%s --listen {host}:{port} --proto {proto} --sndbuf={sndbuf}", buggy,
                 r->bug ? " --bug " : "", r->bug ? r->bug : "");
}

START_TEST(t_wire)
{
    const struct wire_row *r = &rows[_i];
    const struct ec_case *c = ecu_find(cases, ncases, r->cas);
    struct case_outcome o;
    char cmd[8192], dir[4096], pcap[4400], want[32];

    ck_assert_msg(c != NULL, "case %s is not in the catalogue", r->cas);
    if (r->bin)
        cmd_for(r, cmd, sizeof(cmd));
    wire_run(c, r->bin ? cmd : NULL, r->proto, r->suite, dir, sizeof(dir), &o);
    snprintf(pcap, sizeof(pcap), "%s/%s.pcap", dir, c->name);
    ck_assert_msg(access(pcap, R_OK) == 0, "%s: no capture at %s: %s\n%s", r->suite, pcap, o.diag, o.details);
    if (!r->fail_class) {
        ck_assert_msg(o.status == CASE_PASS, "%s: case %s should PASS, got %s: %s\n%s(pcap: %s)", r->suite, c->name,
                      report_status_name(o.status), o.diag, o.details, pcap);
        ck_assert_msg(strstr(o.details, "wire: 1 flows") != NULL, "%s: expected one flow on the wire:\n%s",
                      r->suite, o.details);
        return;
    }
    snprintf(want, sizeof(want), "class %d ", r->fail_class);
    ck_assert_msg(o.status == CASE_FAIL, "%s: case %s should FAIL, got %s: %s", r->suite, c->name,
                  report_status_name(o.status), o.diag);
    ck_assert_msg(strstr(o.diag, want) != NULL, "%s: diagnosis lacks '%s': %s", r->suite, want, o.diag);
    /* The failure points at its pcap and at the reader's stall in it. */
    ck_assert_msg(strstr(o.diag, "; pcap: ") && strstr(o.diag, pcap) && strstr(o.diag, " stall at ") &&
                  strstr(o.diag, "(win 0)"), "%s: diagnosis does not point at %s and its stall: %s", r->suite,
                  pcap, o.diag);
    ck_assert_msg(strstr(o.details, "\npcap: flow ") != NULL, "%s: result lacks the pcap summary:\n%s", r->suite,
                  o.details);
    /* A hang: the server's data stopped with nothing in flight, long before the capture ended. */
    ck_assert_msg(r->fail_class != 12 || strstr(o.diag, " stopped at "), "%s: diagnosis does not say when the "
                  "data stopped: %s", r->suite, o.diag);
}
END_TEST

/* Without a capture a case asserting on the wire must SKIP with the probe's reason. Returns 77, or 1. */
static int wire_denied(const char *why)
{
    const struct ec_case *c = ecu_find(cases, ncases, "seed-capture");
    struct case_outcome o;
    char dir[4096];

    if (!c) {
        fprintf(stderr, "case seed-capture is not in the catalogue\n");
        return 1;
    }
    wire_run(c, NULL, NULL, "denied", dir, sizeof(dir), &o);
    if (o.status != CASE_SKIP || !strstr(o.diag, why)) {
        fprintf(stderr, "without a capture seed-capture should SKIP with '%s', got %s: %s\n", why,
                report_status_name(o.status), o.diag);
        return 1;
    }
    printf("SKIP: %s (seed-capture: SKIP)\n", why);
    return 77;
}

int main(void)
{
    Suite *s = suite_create("wire");
    TCase *tc;
    static const char *const need[] = { "targets/buggy-server", NULL };
    const char *why;
    int status;

    if (ecu_load_cases(&cases, &ncases) < 0)
        return 99;
    if (ecu_require_built(ecu_case_bins) < 0 || ecu_require_built(need) < 0)
        return 99;
    ecu_build_path("targets/buggy-server", buggy, sizeof(buggy));
    ecu_build_path("targets/libevent-et-echo", libevent, sizeof(libevent));
    if ((why = probe_missing(PROBE_CAPTURE)) != NULL) {
        status = wire_denied(why);
        free(cases);
        return status;
    }
    for (int i = 0; i < NROWS; i++) {
        if (rows[i].bin && !strcmp(rows[i].bin, "libevent") && !ecu_libevent_expected())
            continue;         /* configure found no libevent: libevent-et-echo is not built */
        tc = tcase_create(rows[i].suite);
        tcase_set_timeout(tc, 60);
        tcase_add_loop_test(tc, t_wire, i, i + 1);
        suite_add_tcase(s, tc);
    }
    status = check_main_run(s);
    free(cases);
    return status;
}
