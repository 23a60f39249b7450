/* run_evidence.c: flattens a case's observations (clients, counters, the injector's trace and its ring) for the ranking. */
#include "harness/verdict/verdict_int.h"

#include <stdio.h>
#include <string.h>

/* What the clients saw: cross-talk, hangs, truncations by a close. */
static void ev__clients(const struct ec_case *c, const struct obs_clients *cl, struct rank_obs *o)
{
    for (int i = 0; i < cl->nres; i++) {
        const struct client_result *r = &cl->res[i];
        const struct client_spec *g = &c->groups[r->group];
        int ends_itself = g->reset_after > 0 || g->close_after > 0 || g->never_read;

        if (r->end == CE_MISMATCH && r->fault == PF_CROSSTALK && o->xtalk_client < 0) {
            o->xtalk_client = (int)r->id;
            snprintf(o->xtalk_diag, sizeof(o->xtalk_diag), "%.190s", r->diag);
        }
        if (r->end == CE_MISMATCH && r->fault == PF_DUPLICATION && o->dup_client < 0) {
            o->dup_client = (int)r->id;
            snprintf(o->dup_diag, sizeof(o->dup_diag), "%.190s", r->diag);
        }
        if (r->end == CE_RUNNING) {
            o->hung++;
            o->hung_zero += r->received == 0;
        }
        if ((r->end == CE_SERVER_CLOSED || r->end == CE_SERVER_RESET) && !ends_itself)
            *(g->shut_wr ? &o->closed_trunc_shut : &o->closed_trunc) += 1;
    }
}

void verdict__rank_obs(const struct verdict_judge *j, struct rank_obs *o)
{
    const struct observations *ob = j->ob;
    const struct trace_totals *t = &ob->trace.tr;
    const struct obs_target *tg = &ob->target;

    memset(o, 0, sizeof(*o));
    o->xtalk_client = o->dup_client = -1;
    o->eagain = j->bp.have ? j->bp.eagain : -1;
    o->accepted = -1;
    o->connected = ob->clients.nres;
    o->nofile = j->c->nofile > 0 ? j->c->nofile : 0;
    o->died = tg->alive ? 0 : strstr(tg->how, "SIGPIPE") ? 1 : 2;
    o->hang_cpu = ob->clients.engine_ms > 0 ?
        (tg->cpu_end_s - tg->cpu_start_s) / (ob->clients.engine_ms / 1e3) : 0;
    ev__clients(j->c, &ob->clients, o);
    if (!t->present)
        return;
    o->have_trace = 1;
    o->spin_nowait = t->spin_nowait;
    o->writes = t->write_calls;
    o->reg_lt_out = t->reg_lt_out;
    o->epollout_lt_idle = t->epollout_lt_idle;
    o->mod_dropped_et = t->mod_dropped_et;
    o->mod_dropped_out = t->mod_dropped_out;
    o->reg_oneshot = t->reg_oneshot;
    o->accepted = (long long)t->conns;
    o->oneshot_unarmed = ob->trace.ring.oneshot_unarmed;
    o->inout_unserved = ob->trace.ring.inout_unserved;
    o->closed_on_eagain = ob->trace.ring.closed_on_eagain;
}
