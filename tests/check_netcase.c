/* check_netcase.c: the netns cases (netns = yes) against the reference server, across a veth between two namespaces.
 * Needs root: without it, checks that such a case SKIPs with "needs root" and exits 77.
 * One case: CK_RUN_CASE=netns-slow-reader make check TESTS=tests/check_netcase; under gdb: CK_FORK=no. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_util.h"
#include "tests/check_main.h"

static struct ec_case *cases;
static int ncases;

START_TEST(t_netcase)
{
    struct case_outcome o;

    ecu_run(&cases[_i], NULL, NULL, "netcase", &o);
    ck_assert_msg(o.status == CASE_PASS, "case %s: expected PASS, got %s: %s\n%s(logs: tests/check-results/netcase/%s)",
                  cases[_i].name, report_status_name(o.status), o.diag, o.details, cases[_i].name);
    /* It really crossed the veth: the target listened on the server namespace's address. */
    ck_assert_msg(strstr(o.details, "netns: target in ") && strstr(o.details, "at 10.200.0.2"),
                  "case %s: no netns line in its details:\n%s", cases[_i].name, o.details);
}
END_TEST

/* As non-root: the first netns case SKIPs with the reason. Returns 77, or 1. */
static int netcase_unprivileged(void)
{
    struct case_outcome o;

    for (int i = 0; i < ncases; i++) {
        if (!cases[i].netns)
            continue;
        ecu_run(&cases[i], NULL, NULL, "netcase", &o);
        if (o.status != CASE_SKIP || !strstr(o.diag, "needs root")) {
            fprintf(stderr, "check_netcase: %s as non-root: expected SKIP \"needs root...\", got %s: %s\n",
                    cases[i].name, report_status_name(o.status), o.diag);
            return 1;
        }
        printf("check_netcase: skipped: %s: %s\n", cases[i].name, o.diag);
        return 77;
    }
    return 77;
}

int main(void)
{
    Suite *s = suite_create("netcase");
    TCase *tc;
    int status;

    if (ecu_load_cases(&cases, &ncases) < 0)
        return 99;
    if (ecu_require_built(ecu_case_bins) < 0)
        return 99;
    if (geteuid() != 0) {
        int rc = netcase_unprivileged();
        free(cases);
        return rc;
    }
    for (int i = 0; i < ncases; i++) {
        if (!cases[i].netns)
            continue;
        tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, ecu_timeout(&cases[i]));
        tcase_add_loop_test(tc, t_netcase, i, i + 1);
        suite_add_tcase(s, tc);
    }
    status = check_main_run(s);
    free(cases);
    return status;
}
