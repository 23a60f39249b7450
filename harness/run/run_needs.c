/* run_needs.c: whether this machine and target can serve a case (namespaces, shaping, capture, {host}), or why not. */
#include "harness/run/run_int.h"

#include <stdio.h>
#include <string.h>

#include "harness/netns/probe.h"

int run_case_servable(const struct run_conf *rc, const struct ec_case *c, char *why, size_t whylen)
{
    const char *missing = NULL;

    /* The clients reach the target at the server namespace's address; a
     * target that listens on loopback only cannot be reached there. */
    if (c->netns && rc->target_cmd && !run_cmd_mentions(rc->target_cmd, rc->tmpl_dir, "{host}")) {
        snprintf(why, whylen, "netns = yes needs the target to listen on {host} (the server namespace's "
                 "address); neither the target command nor a {conf:PATH} template of it has {host}");
        return 0;
    }
    if (c->netns)
        missing = probe_missing(c->netns_rate_kbit > 0 ? PROBE_SHAPE : PROBE_NETNS);
    /* A capture without wire assertions is optional: the case runs uncaptured and says so. */
    if (!missing && c->capture && case_has_wire(c))
        missing = probe_missing(PROBE_CAPTURE);
    if (!missing)
        return 1;
    snprintf(why, whylen, "%s", missing);
    return 0;
}
