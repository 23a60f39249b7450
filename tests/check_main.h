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

/* Adds test fn to s in a TCase of its own named name, with setup before it
 * (NULL: none) and a timeout in seconds, so CK_RUN_CASE=name runs it alone. */
static inline void check_main_add(Suite *s, const char *name, const TTest *fn, void (*setup)(void), double timeout)
{
    TCase *tc = tcase_create(name);

    if (setup)
        tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, fn);
    suite_add_tcase(s, tc);
}

#endif
