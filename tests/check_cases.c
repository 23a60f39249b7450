/* check_cases.c: every case of cases/ against the reference server, one TCase per case named after it.
 * One case: CK_RUN_CASE=<name> make check TESTS=tests/check_cases; under gdb: CK_FORK=no. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

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
    struct run_conf rc;
    char why[512];
    int status;

    if (ecu_load_cases(&cases, &ncases) < 0)
        return 99;
    if (ecu_require_built(ecu_case_bins) < 0)
        return 99;
    run_conf_init(&rc);
    for (int i = 0; i < ncases; i++) {
        if (case_has_wire(&cases[i]))
            continue;         /* tests/check_wire runs it (or checks that it SKIPs) */
        /* It would only SKIP (tests/check_netcase checks that it does, with the reason). */
        if (!run_case_servable(&rc, &cases[i], why, sizeof(why))) {
            printf("check_cases: %s not run: %s\n", cases[i].name, why);
            continue;
        }
        tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, ecu_timeout(&cases[i]));
        tcase_add_loop_test(tc, t_case, i, i + 1);
        suite_add_tcase(s, tc);
    }
    status = check_main_run(s);
    free(cases);
    return status;
}
