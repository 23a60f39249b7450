/* check_util.h: helpers for the Check programs that run cases (find the catalogue, binaries, a case folder). */
#ifndef EC_CHECK_UTIL_H
#define EC_CHECK_UTIL_H

#include <stddef.h>

#include "harness/case/case.h"
#include "harness/report/report.h"
#include "harness/run/run.h"

/* Loads the catalogue from $EC_TOP_SRCDIR/cases (or EDGECASE_CASES). Returns
 * 0, or -1 after printing why. */
int ecu_load_cases(struct ec_case **cases, int *n);
/* Returns a case by name, or NULL. */
const struct ec_case *ecu_find(const struct ec_case *cases, int n, const char *name);
/* Writes $EC_TOP_BUILDDIR/rel into buf. */
const char *ecu_build_path(const char *rel, char *buf, size_t buflen);
/* Runs c against cmd (NULL: the reference server) speaking proto (NULL: the
 * case's first protocol) as edgecase run would, with its logs in dir (which exists). */
void ecu_run_in(const struct ec_case *c, const char *cmd, const char *proto, const char *dir,
                struct case_outcome *o);
/* ecu_run_in with logs in $EC_TOP_BUILDDIR/tests/check-results/<suite>/<case>. */
void ecu_run(const struct ec_case *c, const char *cmd, const char *proto, const char *suite,
             struct case_outcome *o);
/* Checks that every path in rels (relative to $EC_TOP_BUILDDIR, NULL-terminated)
 * is built: `make check` builds them all, so a missing one is an error of the
 * build, not a reason to skip. Returns 0, or -1 after printing which one. */
int ecu_require_built(const char *const *rels);
/* What every case run needs: the reference server and the preload injector. */
extern const char *const ecu_case_bins[];
/* Whether configure found libevent (EC_WITH_LIBEVENT=no from make check says
 * it did not): then targets/libevent-et-echo is legitimately absent. */
int ecu_libevent_expected(void);
/* The Check timeout for a case: its deadline, scaled, plus room to start and stop. */
double ecu_timeout(const struct ec_case *c);

#endif
