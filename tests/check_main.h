/* check_main.h: the one way our Check programs run a suite and turn its counts into an Automake exit status. */
#ifndef EC_CHECK_MAIN_H
#define EC_CHECK_MAIN_H

#include <check.h>

/*
 * Runs s with CK_ENV verbosity and frees it. Returns 0 when every test
 * passed, 1 when any failed, and 77 (Automake's SKIP) when none ran: a
 * CK_RUN_CASE that matches nothing would otherwise "pass" silently.
 */
static inline int check_main_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int ran, failed;

    srunner_run_all(sr, CK_ENV);
    ran = srunner_ntests_run(sr);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (ran == 0)
        return 77;
    return failed ? 1 : 0;
}

#endif
