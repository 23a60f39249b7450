/* run.c: runs one case: picks the protocol, starts a fresh target, drives the clients, observes, judges. */
#include "harness/run/run_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "harness/netns/netns.h"
#include "harness/util/clock.h"
#include "harness/verdict/verdict.h"
#include "harness/util/strbuf.h"

/* A netns case's namespaces, and the one the case's thread came from. */
struct run_ns {
    struct netns_pair pair;
    int active;
    int home_fd;              /* the thread's network namespace before the case */
    char path[64];            /* /run/netns/<server side>, for the target's setns */
};

void run_conf_init(struct run_conf *rc)
{
    memset(rc, 0, sizeof(*rc));
    rc->proto.kind = PAT_ECHO;
    rc->proto.newline = 1;
    rc->seed = 1;
    rc->timeout_scale = 1.0;
    rc->counters = -1;
    rc->snaplen = 256;
}

/* A fixed port must be bindable again by the next case's target, which may
 * lack SO_REUSEADDR: when the server closes first, its TIME_WAIT would hold
 * the port, so the client answers the server's FIN with a reset, unless the
 * case forbids RSTs on the wire. */
static int run__rst_on_eof(const struct run_ctx *rx)
{
    return rx->rc->fixed_port && case_wire_rst(rx->c) != CASE_RST_NO;
}

/* After the scenario: does a fresh client get served? */
static void run__serve_after(struct run_ctx *rx, const struct client_spec *proto_of)
{
    struct client_spec g = { .count = 1, .proto = proto_of->proto, .repeat_n = proto_of->repeat_n,
                             .repeat_newline = proto_of->repeat_newline,
                             .send_bytes = proto_of->proto == PAT_REPEAT ? 1 : 4096 };
    /* http serves files written before the target started: the fresh client
     * asks for client 0's 4096-byte file, in the document root under the case's seed. */
    struct engine_opts eo = { .host = rx->t->host, .port = rx->t->port,
                              .seed = rx->obs.case_seed + (proto_of->proto == PAT_HTTP ? 0 : 1),
                              .deadline_ms = (int)(3000 * rx->obs.scale), .stall_ms = (int)(2000 * rx->obs.scale),
                              .rst_on_eof = run__rst_on_eof(rx) };
    struct obs_target *tg = &rx->obs.target;
    struct client_result r;
    char err[256];
    int n = 0;

    memset(&r, 0, sizeof(r));
    if (engine_run(&eo, &g, 1, &r, &n, err, sizeof(err)) < 0 || n != 1) {
        tg->served_after = 0;
        snprintf(tg->serve_diag, sizeof(tg->serve_diag), "fresh client: %s", err);
        return;
    }
    tg->served_after = r.end == CE_COMPLETE;
    snprintf(tg->serve_diag, sizeof(tg->serve_diag), "fresh client after the scenario: %s, %llu of %llu bytes%s%.300s",
             engine_end_name(r.end), (unsigned long long)r.received, (unsigned long long)r.expected,
             r.diag[0] ? ": " : "", r.diag);
}

/* Reads the target's counters when it has them. */
static void run__counters(struct run_ctx *rx)
{
    struct obs_target *tg = &rx->obs.target;

    /* target_counters never signals a target that does not catch SIGUSR1. */
    if (rx->rc->counters == 0 || !target_alive(rx->t))
        return;
    if (target_counters(rx->t, (int)((rx->rc->target_cmd ? 300 : 1000) * rx->obs.scale), tg->counters,
                        sizeof(tg->counters)) < 0)
        return;
    tg->eagain = target_counter_get(tg->counters, "eagain");
    tg->resumptions = target_counter_get(tg->counters, "epollout_resumptions");
    tg->pauses = target_counter_get(tg->counters, "backpressure_pauses");
}

/* A fixed port is the previous case's port too: waits until a server without
 * SO_REUSEADDR can bind it, so a busy port is reported as such, not as the
 * target's failure. Returns 0, or -1 with o's diag filled (ERROR). */
static int run__port_free(int port, double scale, struct case_outcome *o)
{
    char err[512];
    double waited = 0;

    /* TIME_WAIT ends within 60 s on Linux; a listener of someone else's does not. */
    if (target_port_wait(port, (int)(2000 * scale), (int)(RUN_PORT_WAIT_MS * scale), &waited, err, sizeof(err)) < 0) {
        snprintf(o->diag, sizeof(o->diag), "%s", err);
        return -1;
    }
    if (waited >= 0.1)
        fprintf(stderr, "edgecase: %s: waited %.1f s for port %d to be free of TIME_WAIT\n", o->name, waited, port);
    return 0;
}

/* The target command for this case, its {conf:PATH} templates written into
 * casedir. Returns 0, or -1 with o's diag filled (ERROR). */
static int run__cmd(const struct run_ctx *rx, const struct case_proto *pr, int port, const char *casedir,
                    const struct run_ns *ns, char *cmd, size_t cmdlen, struct case_outcome *o)
{
    const struct run_conf *rc = rx->rc;
    char def[1024], pbuf[64], dir[PATH_MAX], err[1024], *confs;
    struct run_subst v = { .port = port, .proto = case_proto_str(pr, pbuf, sizeof(pbuf)),
                           .sndbuf = rx->c->sndbuf, .rcvbuf = rx->c->rcvbuf, .dir = dir,
                           .host = ns->active ? ns->pair.addr[1] : "127.0.0.1" };
    int r;

    mkdir(casedir, 0755);     /* the report made it already; a bare run_case may not have */
    if (!realpath(casedir, dir)) {
        snprintf(o->diag, sizeof(o->diag), "case folder %.400s: %s", casedir, strerror(errno));
        return -1;
    }
    if (!(confs = malloc(cmdlen))) {
        snprintf(o->diag, sizeof(o->diag), "out of memory");
        return -1;
    }
    r = run_expand_confs(rc->target_cmd ? rc->target_cmd : run_default_cmd(rc->server_path, def, sizeof(def)),
                         &v, rc->tmpl_dir, confs, cmdlen, err, sizeof(err));
    if (r < 0)
        snprintf(o->diag, sizeof(o->diag), "target command: %.900s", err);
    /* {host} stays for target_start, which also probes readiness there. */
    v.host = NULL;
    if (r == 0 && (r = run_expand_cmd(confs, &v, cmd, cmdlen)) < 0)
        snprintf(o->diag, sizeof(o->diag), "target command too long");
    free(confs);
    return r;
}

/* Starts the target for case c. Returns 0, or -1 with o filled (ERROR). */
static int run__start(struct run_ctx *rx, const struct case_proto *pr, const char *casedir, struct target *t,
                      const struct run_ns *ns, struct case_outcome *o)
{
    const struct run_conf *rc = rx->rc;
    const struct ec_case *c = rx->c;
    char cmd[2048], err[1024];
    struct target_spec ts = { 0 };
    int port = rc->fixed_port ? rc->fixed_port : target_free_port();

    if (port < 0) {
        snprintf(o->diag, sizeof(o->diag), "no free port on 127.0.0.1");
        return -1;
    }
    if (run__cmd(rx, pr, port, casedir, ns, cmd, sizeof(cmd), o) < 0)
        return -1;
    ts.cmd = cmd;
    ts.port = port;
    ts.logdir = casedir;
    ts.nofile = c->nofile;
    ts.ready_timeout_ms = (int)(5000 * rc->timeout_scale);
    if (ns->active) {
        ts.host = ns->pair.addr[1];
        ts.netns_path = ns->path;
    }
    if (rc->fixed_port && !ns->active && run__port_free(port, rx->obs.scale, o) < 0)
        return -1;
    if (run__watch_inject(rx, casedir, &ts, err, sizeof(err)) < 0) {
        snprintf(o->diag, sizeof(o->diag), "%s", err);
        return -1;
    }
    if (target_start(t, &ts, err, sizeof(err)) < 0) {
        snprintf(o->diag, sizeof(o->diag), "%s", err);
        snprintf(o->details, sizeof(o->details), "command: %s\n", cmd);
        return -1;
    }
    snprintf(o->details, sizeof(o->details), "command: %s\n", cmd);
    if (ns->active) {
        char shape[48] = "unshaped";

        if (c->netns_rate_kbit)
            snprintf(shape, sizeof(shape), "tbf %d kbit/s", c->netns_rate_kbit);
        ec_catf(o->details, sizeof(o->details),
                "netns: target in %s at %s, clients in %s on %s (MTU 1500, %s)\n", ns->pair.ns[1],
                ns->pair.addr[1], ns->pair.ns[0], ns->pair.dev[0], shape);
    }
    return 0;
}

/* For a netns case: makes the namespace pair and moves this thread into the
 * client side. Returns 0, or -1 with o filled (ERROR: run_case_servable has
 * already made a case this machine cannot serve SKIP, so a failure here is real). */
static int run__netns_begin(const struct ec_case *c, struct run_ns *ns, struct case_outcome *o)
{
    char err[512];
    int denied = 0;

    ns->home_fd = -1;
    if (!c->netns)
        return 0;
    netns_sweep();            /* pairs left by harnesses that died mid-case */
    if (netns_create(&ns->pair, c->netns_rate_kbit, &denied, err, sizeof(err)) < 0) {
        o->status = CASE_ERROR;
        snprintf(o->diag, sizeof(o->diag), "cannot make the network namespaces: %.400s", err);
        return -1;
    }
    ns->active = 1;
    snprintf(ns->path, sizeof(ns->path), "/run/netns/%s", ns->pair.ns[1]);
    ns->home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (ns->home_fd < 0 || netns_enter(&ns->pair, 0, err, sizeof(err)) < 0) {
        o->status = CASE_ERROR;
        snprintf(o->diag, sizeof(o->diag), "cannot enter the client namespace: %.400s",
                 ns->home_fd < 0 ? strerror(errno) : err);
        return -1;
    }
    return 0;
}

/* Returns this thread to its namespace and deletes the pair; safe on every path. */
static void run__netns_end(struct run_ns *ns)
{
    if (ns->home_fd >= 0) {
        if (setns(ns->home_fd, CLONE_NEWNET) < 0)
            fprintf(stderr, "edgecase: cannot return to the original network namespace: %s\n", strerror(errno));
        close(ns->home_fd);
        ns->home_fd = -1;
    }
    if (ns->active)
        netns_destroy(&ns->pair);
    ns->active = 0;
}

/* http: writes the case's document root before its target starts. Returns 0, or -1 with o's diag (ERROR). */
static int run__docroot_begin(const struct run_ctx *rx, const struct case_proto *pr, const struct client_spec *groups,
                              const char *casedir, const struct run_ns *ns, struct case_outcome *o)
{
    /* The fresh client after the scenario is client 0 of a run of its own, asking for 4096 bytes. */
    const struct client_spec fresh = { .count = 1, .proto = PAT_HTTP, .send_bytes = 4096 };
    const char *host = ns->active ? ns->pair.addr[1] : "127.0.0.1";
    char root[4200];

    if (pr->kind != PAT_HTTP)
        return 0;
    snprintf(root, sizeof(root), "%s/docroot", casedir);
    if (run__docroot_make(root, groups, rx->c->ngroups, rx->obs.case_seed, host, o->diag, sizeof(o->diag)) < 0 ||
        (rx->c->expect.serve_after && run__docroot_make(root, &fresh, 1, rx->obs.case_seed, host, o->diag, sizeof(o->diag)) < 0))
        return -1;
    return 0;
}

/* Removes the case's document root unless --keep, or the case did not pass (its files explain the failure). */
static void run__docroot_end(const struct run_conf *rc, const struct case_proto *pr, const char *casedir, int passed)
{
    char root[4200];

    if (pr->kind != PAT_HTTP || rc->keep || !passed)
        return;
    snprintf(root, sizeof(root), "%s/docroot", casedir);
    run__docroot_remove(root);
}

/* Runs the clients against the started target rx->t, observes it, stops it, judges. */
static void run__drive(struct run_ctx *rx, const struct client_spec *groups, const char *casedir,
                       struct case_outcome *o)
{
    const struct ec_case *c = rx->c;
    struct engine_hooks hooks = { .arg = rx, .on_connected = run__hook_connected,
                                  .on_tick = run__hook_tick, .tick_ms = 10 };
    struct engine_opts eo = { .host = rx->t->host, .hooks = &hooks, .port = rx->t->port, .seed = rx->obs.case_seed,
                              .deadline_ms = (int)(c->deadline_ms * rx->obs.scale),
                              .stall_ms = (int)(c->stall_ms * rx->obs.scale), .server_frozen = &rx->frozen,
                              .may_end_stalled = &rx->may_end_stalled,
                              .ended_stalled = &rx->obs.clients.ended_stalled,
                              .rst_on_eof = run__rst_on_eof(rx) };
    char err[512];
    int rc_engine, nclients = 0;

    if (run__watch_cap_begin(rx, casedir, o) < 0) {
        target_stop(rx->t, 1000);   /* o says why: SKIP without privilege, else ERROR */
        return;
    }
    for (int i = 0; i < c->ngroups; i++)
        nclients += groups[i].count;
    run__series_begin(rx, nclients);
    run__hooks_begin(rx);
    rc_engine = engine_run(&eo, groups, c->ngroups, rx->res, &rx->obs.clients.nres, err, sizeof(err));
    run__hooks_end(rx, ec_now_ms() - rx->t0_ms);
    run__watch_cap_end(rx);
    if (rc_engine < 0) {
        o->status = CASE_ERROR;
        snprintf(o->diag, sizeof(o->diag), "client engine: %s", err);
    } else {
        run__counters(rx);
        if (c->expect.serve_after && target_alive(rx->t))
            run__serve_after(rx, &groups[0]);
        rx->obs.target.alive = target_alive(rx->t);
        target_describe(rx->t, rx->obs.target.how, sizeof(rx->obs.target.how));
    }
    target_stop(rx->t, 1000);
    run__watch_trace(rx);
    if (rc_engine == 0) {
        verdict(c, &rx->obs, o);
        run__watch_keep(rx, o->status == CASE_PASS);
    }
    run__series_end(rx, casedir, groups);
}

/* What is known before anything is observed: the run's conditions, and "unknown" where 0 would be a value. */
static void run__obs_init(struct observations *obs, const struct run_conf *rc, const struct ec_case *c)
{
    obs->run_seed = rc->seed;
    obs->case_seed = run_case_seed(rc->seed, c->name);
    obs->scale = rc->timeout_scale > 0 ? rc->timeout_scale : 1.0;
    obs->target.served_after = -1;
    obs->target.eagain = obs->target.resumptions = obs->target.pauses = -1;
}

/* Runs the protocol variant c of a case with protocol pr (run_case's contract). */
static int run__case_as(const struct run_conf *rc, const struct ec_case *c, const struct case_proto *pr0,
                        const char *casedir, struct case_outcome *o)
{
    struct run_ctx rx = { .c = c, .rc = rc };
    struct client_spec groups[CASE_MAX_GROUPS];
    struct case_proto pr = *pr0;
    struct target t;
    struct run_ns ns = { .home_fd = -1 };
    double t_begin = ec_now_ms();
    int i, total = 0;

    run__obs_init(&rx.obs, rc, c);
    if ((rc->inject_spec || c->inject[0]) && !rc->inject_so) {
        o->status = CASE_SKIP;
        snprintf(o->diag, sizeof(o->diag), "needs the preload injector (inject = %s), which is not built",
                 rc->inject_spec ? rc->inject_spec : c->inject);
        return 0;
    }
    if (!run_case_servable(rc, c, o->diag, sizeof(o->diag))) {
        o->status = CASE_SKIP;
        return 0;
    }
    for (i = 0; i < c->ngroups; i++) {
        groups[i] = c->groups[i];
        groups[i].proto = pr.kind;
        groups[i].repeat_n = pr.repeat_n;
        groups[i].repeat_newline = pr.newline;
        if ((pr.kind == PAT_ECHO || pr.kind == PAT_HTTP) && c->send_echo[i])
            groups[i].send_bytes = c->send_echo[i];
        total += groups[i].count;
    }
    if (run__netns_begin(c, &ns, o) < 0) {
        run__netns_end(&ns);
        o->duration_s = (ec_now_ms() - t_begin) / 1e3;
        return 0;
    }
    rx.cap_iface = ns.active ? ns.pair.dev[0] : NULL;
    if (run__docroot_begin(&rx, &pr, groups, casedir, &ns, o) < 0 || run__start(&rx, &pr, casedir, &t, &ns, o) < 0) {
        run__docroot_end(rc, &pr, casedir, 0);
        run__netns_end(&ns);
        o->status = CASE_ERROR;
        o->duration_s = (ec_now_ms() - t_begin) / 1e3;
        return 0;
    }
    rx.t = &t;
    rx.t_ready_ms = ec_now_ms() - t_begin;
    rx.res = calloc((size_t)total, sizeof(*rx.res));
    if (!rx.res) {
        target_stop(&t, 500);
        run__netns_end(&ns);
        o->status = CASE_ERROR;
        snprintf(o->diag, sizeof(o->diag), "out of memory");
        return -1;
    }
    rx.obs.clients.res = rx.res;
    run__drive(&rx, groups, casedir, o);
    run__docroot_end(rc, &pr, casedir, o->status == CASE_PASS || o->status == CASE_SKIP);
    run__netns_end(&ns);
    free(rx.res);
    o->duration_s = (ec_now_ms() - t_begin) / 1e3;
    ec_catf(o->details, sizeof(o->details),
            "timing: target listening after %.0f ms, clients ran %.0f ms, %.0f ms in all\n", rx.t_ready_ms,
            rx.obs.clients.engine_ms, o->duration_s * 1e3);
    return 0;
}

int run_case(const struct run_conf *rc, const struct ec_case *c, const char *casedir,
             struct case_outcome *o)
{
    struct case_proto pr;
    struct ec_case *cv;
    int rc_run;

    memset(o, 0, sizeof(*o));
    snprintf(o->name, sizeof(o->name), "%s", c->name);
    if (case_pick_proto(c, rc->target_cmd ? &rc->proto : NULL, &pr, o->diag, sizeof(o->diag)) < 0) {
        o->status = CASE_SKIP;
        return 0;
    }
    /* The case as written for that protocol (its key@PROTO lines applied). */
    if (!(cv = malloc(sizeof(*cv))) || case_variant(c, pr.kind, cv, o->diag, sizeof(o->diag)) < 0) {
        o->status = CASE_ERROR;
        if (!cv)
            snprintf(o->diag, sizeof(o->diag), "out of memory");
        free(cv);
        return -1;
    }
    rc_run = run__case_as(rc, cv, &pr, casedir, o);
    free(cv);
    return rc_run;
}
