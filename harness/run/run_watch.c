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
static void run__buf_key(const struct run_obs *ob, const char *spec, const char *key, int val,
                         char *out, size_t outlen)
{
    char ph[32], kv[32];

    snprintf(ph, sizeof(ph), "{%s}", key);
    snprintf(kv, sizeof(kv), "%s=", key);
    if (val <= 0 || strstr(spec, kv) || !ob->rc->target_cmd || strstr(ob->rc->target_cmd, ph))
        return;
    ec_catf(out, outlen, "%s=%d,", key, val);
}

int run__watch_inject(struct run_obs *ob, const char *casedir, struct target_spec *ts, char *err, size_t errlen)
{
    const char *given = ob->rc->inject_spec ? ob->rc->inject_spec : ob->c->inject;
    char why[256], spec[3072] = "", seeded[sizeof(spec)];

    run__buf_key(ob, given, "sndbuf", ob->c->sndbuf, spec, sizeof(spec));
    run__buf_key(ob, given, "rcvbuf", ob->c->rcvbuf, spec, sizeof(spec));
    ec_catf(spec, sizeof(spec), "%s", given);
    if (spec[0] && spec[strlen(spec) - 1] == ',')
        spec[strlen(spec) - 1] = '\0';
    /* The run's seed drives the injected faults too, unless the spec names one. */
    if (inj_spec_with_seed(spec, ob->seed, seeded, sizeof(seeded)) == 0)
        memcpy(spec, seeded, sizeof(spec));

    if (!ob->rc->inject_so)
        return 0;
    if (spec[0] && inj_spec_validate(spec, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "inject = %.300s: %.200s", spec, why);
        return -1;
    }
    snprintf(ob->trace_path, sizeof(ob->trace_path), "%.4000s/trace.bin", casedir);
    snprintf(ob->inj_env[0], sizeof(ob->inj_env[0]), "%s=%.4000s", INJ_ENV_SPEC, spec);
    snprintf(ob->inj_env[1], sizeof(ob->inj_env[1]), "%s=%.4000s", INJ_ENV_TRACE, ob->trace_path);
    ob->inj_envp[0] = ob->inj_env[0];
    ob->inj_envp[1] = ob->inj_env[1];
    ob->inj_envp[2] = NULL;
    ts->preload = ob->rc->inject_so;
    ts->env = ob->inj_envp;
    ob->traced = 1;
    return 0;
}

void run__watch_trace(struct run_obs *ob)
{
    char err[256], line[512];

    if (!ob->traced)
        return;
    if (trace_read_totals(ob->trace_path, &ob->tr, err, sizeof(err)) < 0 || !ob->tr.present) {
        ec_catf(ob->watch_note, sizeof(ob->watch_note),
                "trace: none (%.200s; a static or raw-syscall target?)\n", err);
        return;
    }
    trace_describe(&ob->tr, line, sizeof(line));
    ec_catf(ob->watch_note, sizeof(ob->watch_note), "trace: %.400s\n", line);
    ob->short_writes = (long long)ob->tr.short_writes;
    if (ob->have_counters)
        return;               /* the server's own counters are the primary source */
    ob->eagain = (long long)(ob->tr.eagain_real + ob->tr.eagain_injected);
    ob->resumptions = (long long)ob->tr.resumptions;
    ob->have_counters = 1;
    ob->src = "trace";
}

int run__watch_cap_begin(struct run_obs *ob, const char *casedir, struct case_outcome *o)
{
    char err[256];
    int denied = 0;

    if (!ob->c->capture && !ob->rc->pcap)
        return 0;
    snprintf(ob->pcap_path, sizeof(ob->pcap_path), "%.3900s/%.64s.pcap", casedir, ob->c->name);
    ob->cap = cap_start(ob->cap_iface ? ob->cap_iface : "lo", &ob->t->port, 1, ob->rc->snaplen, ob->pcap_path, &denied, err, sizeof(err));
    if (ob->cap)
        return 0;
    ec_catf(ob->watch_note, sizeof(ob->watch_note),
            "capture: %s: %.200s\n", denied ? "not permitted (needs CAP_NET_RAW)" : "failed", err);
    ob->pcap_path[0] = '\0';
    if (!ob->c->capture || !case_has_wire(ob->c))
        return 0;             /* the case runs uncaptured; the report says why */
    o->status = denied ? CASE_SKIP : CASE_ERROR;
    snprintf(o->diag, sizeof(o->diag), "%s to check its wire assertions (capture: %.300s)",
             denied ? "needs CAP_NET_RAW" : "capture failed", err);
    return -1;
}

void run__watch_cap_end(struct run_obs *ob)
{
    if (!ob->cap)
        return;
    ob->packets = cap_stop(ob->cap);
    ob->cap = NULL;
    ec_catf(ob->watch_note, sizeof(ob->watch_note),
            "capture: %ld packets in %.300s (edgecase pcap FILE analyzes it)\n", ob->packets, ob->pcap_path);
    run__wire_analyze(ob);
}

void run__watch_keep(struct run_obs *ob, int passed)
{
    int i, stalled = 0;

    if (ob->rc->pcap != 2 || !ob->pcap_path[0] || ob->c->capture)
        return;
    for (i = 0; i < ob->nres; i++)
        stalled += ob->res[i].stalls > 0;
    if (passed && !stalled)
        unlink(ob->pcap_path);
}
