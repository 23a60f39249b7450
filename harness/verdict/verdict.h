/* verdict.h: a case's verdict as a pure function of the case and its observations. */
#ifndef EC_VERDICT_H
#define EC_VERDICT_H

#include "harness/case/case.h"
#include "harness/report/report.h"
#include "harness/verdict/obs.h"

/*
 * Judges obs against c's [expect]: sets out->status (PASS or FAIL) and
 * out->diag (the summary, or the failure with its likely bug class and, for
 * a capturing case that failed or stalled, its pcap), and appends every
 * assertion's result to out->details. No I/O, no clock, no global state:
 * the same inputs give the same outcome.
 */
void verdict(const struct ec_case *c, const struct observations *obs, struct case_outcome *out);

/* The client whose longest stall a diagnosis reports (the longest of all), or -1. */
int verdict_stall_client(const struct obs_clients *cl);

#endif
