/* run_watch.c: a case's optional observers: the preload injector (fault spec, trace) and packet capture. */
#include "harness/run/run_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/capture/cap.h"
#include "harness/util/strbuf.h"

/*
 * Appends "key=N," to out for a case buffer the target command cannot be told:
 * a custom target without the {sndbuf}/{rcvbuf} placeholder still gets the
 * case's buffers, set by the injector on every accepted socket. A spec that
 * names the key itself wins.
 */
static void run__buf_key(const struct run_ctx *rx, const char *spec, const char *key, int val,
                         char *out, size_t outlen)
{
    char ph[32], kv[32];

    snprintf(ph, sizeof(ph), "{%s}", key);
    snprintf(kv, sizeof(kv), "%s=", key);
    if (val <= 0 || strstr(spec, kv) || !rx->rc->target_cmd || strstr(rx->rc->target_cmd, ph))
        return;
    ec_catf(out, outlen, "%s=%d,", key, val);
}

int run__watch_inject(struct run_ctx *rx, const char *casedir, struct target_spec *ts, char *err, size_t errlen)
{
    const char *given = rx->rc->inject_spec ? rx->rc->inject_spec : rx->c->inject;
    char why[256], spec[3072] = "", seeded[sizeof(spec)];

    run__buf_key(rx, given, "sndbuf", rx->c->sndbuf, spec, sizeof(spec));
    run__buf_key(rx, given, "rcvbuf", rx->c->rcvbuf, spec, sizeof(spec));
    ec_catf(spec, sizeof(spec), "%s", given);
    if (spec[0] && spec[strlen(spec) - 1] == ',')
        spec[strlen(spec) - 1] = '\0';
    /* The run's seed drives the injected faults too, unless the spec names one. */
    if (inj_spec_with_seed(spec, rx->obs.case_seed, seeded, sizeof(seeded)) == 0)
        memcpy(spec, seeded, sizeof(spec));

    if (!rx->rc->inject_so)
        return 0;
    if (spec[0] && inj_spec_validate(spec, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "inject = %.300s: %.200s", spec, why);
        return -1;
    }
    snprintf(rx->trace_path, sizeof(rx->trace_path), "%.4000s/trace.bin", casedir);
    snprintf(rx->inj_env[0], sizeof(rx->inj_env[0]), "%s=%.4000s", INJ_ENV_SPEC, spec);
    snprintf(rx->inj_env[1], sizeof(rx->inj_env[1]), "%s=%.4000s", INJ_ENV_TRACE, rx->trace_path);
    rx->inj_envp[0] = rx->inj_env[0];
    rx->inj_envp[1] = rx->inj_env[1];
    rx->inj_envp[2] = NULL;
    ts->preload = rx->rc->inject_so;
    ts->env = rx->inj_envp;
    rx->obs.trace.traced = 1;
    return 0;
}

void run__watch_trace(struct run_ctx *rx)
{
    struct obs_trace *tr = &rx->obs.trace;

    if (!tr->traced)
        return;
    if (trace_read_totals(rx->trace_path, &tr->tr, tr->err, sizeof(tr->err)) < 0 || !tr->tr.present)
        return;
    run__trace_ring(rx->trace_path, tr->tr.conns, rx->t0_ms + rx->obs.clients.engine_ms, &tr->ring);
    run__stall_trace(rx);
}

int run__watch_cap_begin(struct run_ctx *rx, const char *casedir, struct case_outcome *o)
{
    struct obs_capture *cap = &rx->obs.capture;
    char err[256];
    int denied = 0;

    if (!rx->c->capture && !rx->rc->pcap)
        return 0;
    snprintf(cap->pcap_path, sizeof(cap->pcap_path), "%.3900s/%.64s.pcap", casedir, rx->c->name);
    rx->cap = cap_start(rx->cap_iface ? rx->cap_iface : "lo", &rx->t->port, 1, rx->rc->snaplen, cap->pcap_path, &denied, err, sizeof(err));
    if (rx->cap)
        return 0;
    ec_catf(cap->note, sizeof(cap->note),
            "capture: %s: %.200s\n", denied ? "not permitted (needs CAP_NET_RAW)" : "failed", err);
    cap->pcap_path[0] = '\0';
    if (!rx->c->capture || !case_has_wire(rx->c))
        return 0;             /* the case runs uncaptured; the report says why */
    o->status = denied ? CASE_SKIP : CASE_ERROR;
    snprintf(o->diag, sizeof(o->diag), "%s to check its wire assertions (capture: %.300s)",
             denied ? "needs CAP_NET_RAW" : "capture failed", err);
    return -1;
}

void run__watch_cap_end(struct run_ctx *rx)
{
    struct obs_capture *cap = &rx->obs.capture;
    long packets;

    if (!rx->cap)
        return;
    packets = cap_stop(rx->cap);
    rx->cap = NULL;
    ec_catf(cap->note, sizeof(cap->note),
            "capture: %ld packets in %.300s (edgecase pcap FILE analyzes it)\n", packets, cap->pcap_path);
    run__wire_analyze(rx);
}

void run__watch_keep(struct run_ctx *rx, int passed)
{
    int i, stalled = 0;

    if (rx->rc->pcap != 2 || !rx->obs.capture.pcap_path[0] || rx->c->capture)
        return;
    for (i = 0; i < rx->obs.clients.nres; i++)
        stalled += rx->res[i].stalls > 0;
    if (passed && !stalled)
        unlink(rx->obs.capture.pcap_path);
}
