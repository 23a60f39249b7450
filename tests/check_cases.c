/* check_cases.c: every case of cases/ against the reference server, one TCase per case named after it.
 * One case: CK_RUN_CASE=<name> make check TESTS=tests/check_cases; under gdb: CK_FORK=no. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/check_util.h"
#include "tests/check_main.h"

static struct ec_case *cases;
static int ncases;

START_TEST(t_case)
{
    struct case_outcome o;

    ecu_run(&cases[_i], NULL, NULL, "cases", &o);
    ck_assert_msg(o.status == CASE_PASS, "case %s: expected PASS, got %s: %s\n%s(logs: tests/check-results/cases/%s)",
                  cases[_i].name, report_status_name(o.status), o.diag, o.details, cases[_i].name);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cases");
    TCase *tc;
    int status;

    if (ecu_load_cases(&cases, &ncases) < 0)
        return 99;
    if (ecu_require_built(ecu_case_bins) < 0)
        return 99;
    for (int i = 0; i < ncases; i++) {
        if (case_has_wire(&cases[i]))
            continue;         /* needs CAP_NET_RAW: tests/check_wire runs it, or skips as non-root */
        if (cases[i].netns && geteuid() != 0)
            continue;         /* needs root for its namespaces: it would only SKIP */
        tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, ecu_timeout(&cases[i]));
        tcase_add_loop_test(tc, t_case, i, i + 1);
        suite_add_tcase(s, tc);
    }
    status = check_main_run(s);
    free(cases);
    return status;
}
