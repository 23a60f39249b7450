/* run.h: run one case against a fresh target (start, clients, steps, observations, verdict). */
#ifndef EC_RUN_H
#define EC_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "harness/case/case.h"
#include "harness/report/report.h"

/* How long a fixed port's case may wait for the previous case's closed
 * connections (TIME_WAIT lasts 60 s on Linux) before its target starts. */
#define RUN_PORT_WAIT_MS 62000

/* How cases are run: the same for every case of a run. */
struct run_conf {
    const char *target_cmd;   /* NULL: the reference server, started per case with
                                 the case's protocol and buffers */
    const char *server_path;  /* the reference server binary (for the default target) */
    int fixed_port;           /* 0: a free port per case; else the target's fixed port */
    struct case_proto proto;  /* what a custom target speaks (default echo) */
    uint64_t seed;            /* every case's randomness derives from it and the case name */
    double timeout_scale;     /* multiplies deadlines, stall bounds and time limits */
    int verbose;
    int counters;             /* 1: the target prints counters on SIGUSR1; 0: never signal it;
                                 -1: decide from the command (edgecase-server, buggy-server) */
    const char *tmpl_dir;     /* where {conf:PATH} looks when PATH is not under the current
                                 directory (the source tree's targets/), or NULL */
    const char *inject_so;    /* the preload injector .so, NULL when not built */
    const char *inject_spec;  /* --inject SPEC: overrides every case's inject */
    int pcap;                 /* 0: only cases with capture = yes; 1: every case; 2: keep only stalled/failed */
    int snaplen;
    int keep;                 /* --keep: keep every case's http document root (else kept only when it failed) */
};

/* Fills rc with the defaults: reference target, echo, seed 1, scale 1. */
void run_conf_init(struct run_conf *rc);

/* The command line the default target gets; {port}, {proto}, {sndbuf} and
 * {rcvbuf} are filled per case (a word whose placeholder is empty is dropped),
 * as are {dir} and {docroot} in other targets' commands. */
const char *run_default_cmd(const char *server_path, char *buf, size_t buflen);

/* What the placeholders of a target command (and of its {conf:PATH} templates)
 * stand for in one case. */
struct run_subst {
    int port;
    const char *host;         /* {host}; NULL: left in the command for target_start */
    const char *proto;        /* {proto} */
    int sndbuf, rcvbuf;       /* {sndbuf} {rcvbuf}; 0: empty */
    const char *dir;          /* {dir}: the case's results folder, absolute; {docroot} is {dir}/docroot */
};

/* Expands the placeholders of cmd for one case into out. Returns 0 or -1 (too long). */
int run_expand_cmd(const char *cmd, const struct run_subst *v, char *out, size_t outlen);

/* {conf:PATH} in a target command: PATH is a template read from the current
 * directory, else from under tmpl_dir (the source tree's targets/; may be NULL).
 * Replaces each {conf:PATH} of cmd with the absolute path of v->dir/<basename
 * of PATH>, written with the template's placeholders expanded as v says.
 * Returns 0, or -1 with err naming the file (and line). */
int run_expand_confs(const char *cmd, const struct run_subst *v, const char *tmpl_dir, char *out,
                     size_t outlen, char *err, size_t errlen);
/* Checks cmd before any case runs: its quotes balance, and every {conf:PATH}
 * is found, readable, with no unknown placeholder. Returns 0, or -1 with err
 * (as "PATH:LINE: ..." for a template). */
int run_check_confs(const char *cmd, const char *tmpl_dir, char *err, size_t errlen);
/* Whether cmd, or a {conf:PATH} template it names, mentions placeholder ("{host}"). */
int run_cmd_mentions(const char *cmd, const char *tmpl_dir, const char *placeholder);

/* The seed a case runs with: derived from the run's seed and the case name,
 * so a case replays the same whatever else runs. */
uint64_t run_case_seed(uint64_t seed, const char *name);

/* Whether case c can run on this machine against rc's target: 1, or 0 with
 * the reason it SKIPs in why: a netns case whose custom target has no {host},
 * or namespaces, shaping or a capture (for wire assertions) that
 * harness/netns/probe.h found this machine cannot provide. Probes on first use. */
int run_case_servable(const struct run_conf *rc, const struct ec_case *c, char *why, size_t whylen);

/* Runs case c with its logs in casedir and fills o. Never exits; a target
 * that cannot start gives CASE_ERROR; a protocol the target cannot speak or
 * a case that is not servable here (run_case_servable) gives CASE_SKIP. Returns 0, or -1 only when the harness itself failed (o says why). */
int run_case(const struct run_conf *rc, const struct ec_case *c, const char *casedir,
             struct case_outcome *o);

#endif
