/* main.c: the edgecase command line: list and run cases against a server under test. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "harness/capture/cap.h"
#include "harness/case/case.h"
#include "harness/fuzz/fuzz.h"
#include "harness/inject/trace.h"
#include "harness/report/report.h"
#include "harness/report/report_html.h"
#include "harness/run/run.h"
#include "harness/cli/run_pool.h"
#include "harness/cli/shard.h"
#include "harness/cli/shard_cases.h"
#include "harness/target/target.h"

static const char ec_usage[] =
    "Usage: edgecase list [GLOB]... [--protocol P]\n"
    "       edgecase run [CASE|GLOB]... [OPTION]...\n"
    "       edgecase fuzz [--target 'CMD'] [--protocol P] [--time DUR | --runs N] [OPTION]...\n"
    "       edgecase pcap FILE [--port N] [--stall-ms MS] [--json]\n"
    "       edgecase report DIR\n"
    "Tests the write path of an epoll edge-triggered server from outside.\n"
    "\n"
    "  list               every case with its one-line description; with --protocol P,\n"
    "                     whether it runs against a target speaking P, or why it SKIPs\n"
    "  run                run cases (default: all) against a target; exit 0 when all\n"
    "                     pass or SKIP (a case the target or machine cannot serve says\n"
    "                     why), 1 when any fails, 2 for bad usage\n"
    "  fuzz               run random scenarios drawn from the case model; shrink each\n"
    "                     failure to a minimal case file (edgecase fuzz --help)\n"
    "  pcap               analyze a capture offline (edgecase pcap --help)\n"
    "  report DIR         (re)build DIR/index.html from a results folder's files\n"
    "                     (every run writes it; an older folder gets rows without timelines)\n"
    "\n"
    "Options of run:\n"
    "  --target 'CMD ARGS'    the server under test (default: the reference server);\n"
    "                         {host} {port} {proto} {sndbuf} {rcvbuf} are filled per\n"
    "                         case ({host} is 127.0.0.1, or 10.200.0.2 in a netns case);\n"
    "                         a word whose placeholder is empty is dropped; {dir} is the\n"
    "                         case's results folder, {docroot} is {dir}/docroot;\n"
    "                         {conf:PATH} is the path of {dir}/<basename of PATH>, the\n"
    "                         template PATH (from the current directory, else from the\n"
    "                         source tree's targets/) with those placeholders filled\n"
    "  --port N               the target listens on this fixed port (cases run one at a time)\n"
    "  --protocol P           what the target speaks: echo (default), stream, http\n"
    "                         (GETs of {docroot}'s files), repeat:N, repeat:N:nonl (the\n"
    "                         seed's server: no newline)\n"
    "  --keep                 keep every http case's {docroot} (by default it is removed\n"
    "                         after a case that passed)\n"
    "  --counters yes|no      the target prints JSON counters on SIGUSR1 (default: only\n"
    "                         edgecase-server and buggy-server are asked)\n"
    "  --results DIR          where results/<UTC-stamp>/ goes (default ./results)\n"
    "  --seed N               all randomness derives from N (default 1); printed on failures\n"
    "  --timeout-scale F      multiply every deadline and time bound by F\n"
    "  -j N                   run N cases at once, each with its own target and port\n"
    "  -v                     print each case's assertion details\n"
    "  --cases DIR            read cases from DIR (default: the built-in catalogue)\n"
    "  --inject SPEC          fault spec for the preload injector (e.g. eagain=0.01,short=0.05),\n"
    "                         overriding every case's inject\n"
    "  --no-preload           do not preload the injector (by default every dynamically\n"
    "                         linked target runs under it, traced, to observe resumptions)\n"
    "  --pcap[=stalled]       capture each case's packets (needs CAP_NET_RAW); a failing\n"
    "                         case's diagnosis then names its pcap and the stall in it\n"
    "  --snaplen N            bytes captured per packet (default 256)\n"
    "  --shard K/N            run only shard K of N of the selected cases (1 <= K <= N):\n"
    "                         a deterministic split, round robin in name order\n"
    "  --shard-durations FILE balance the shards by the case durations in a previous\n"
    "                         run's summary.json (longest first, to the lightest shard)\n"
    "  --help                 show this help\n"
    "\n"
    "Environment: EDGECASE_SERVER (reference server), EDGECASE_CASES (cases dir),\n"
    "EDGECASE_INJECT_SO (the injector .so).\n";

enum ec_opt { OPT_TARGET = 1, OPT_PORT, OPT_PROTOCOL, OPT_COUNTERS, OPT_RESULTS, OPT_SEED, OPT_SCALE,
              OPT_CASES, OPT_INJECT, OPT_PCAP, OPT_SNAPLEN, OPT_HELP, OPT_NO_PRELOAD,
              OPT_SHARD, OPT_SHARD_DURATIONS, OPT_KEEP };

static const struct option ec_options[] = {
    {"target", required_argument, NULL, OPT_TARGET},
    {"port", required_argument, NULL, OPT_PORT},
    {"protocol", required_argument, NULL, OPT_PROTOCOL},
    {"counters", required_argument, NULL, OPT_COUNTERS},
    {"results", required_argument, NULL, OPT_RESULTS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"timeout-scale", required_argument, NULL, OPT_SCALE},
    {"cases", required_argument, NULL, OPT_CASES},
    {"inject", required_argument, NULL, OPT_INJECT},
    {"pcap", optional_argument, NULL, OPT_PCAP},
    {"snaplen", required_argument, NULL, OPT_SNAPLEN},
    {"help", no_argument, NULL, OPT_HELP},
    {"no-preload", no_argument, NULL, OPT_NO_PRELOAD},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"shard-durations", required_argument, NULL, OPT_SHARD_DURATIONS},
    {"keep", no_argument, NULL, OPT_KEEP},
    {NULL, 0, NULL, 0},
};

/* Everything the command line decides. */
struct ec_args {
    struct run_conf rc;
    const char *results, *cases_dir;
    int jobs;
    int no_preload;
    int proto_given;          /* --protocol was on the command line (list then says what applies) */
    int shard_k, shard_n;     /* --shard K/N; 0/0 when not given */
    const char *shard_durations;
    char server[PATH_MAX], cases_buf[PATH_MAX], inject_so[PATH_MAX];
};

/* Parses a whole number in [lo, hi]. Returns 0 or -1. */
static int ec__num(const char *s, long long lo, long long hi, long long *out)
{
    char *end;

    errno = 0;
    *out = strtoll(s, &end, 10);
    return (errno || end == s || *end || *out < lo || *out > hi) ? -1 : 0;
}

/* Applies one option. Returns 0, or -1 with err naming the option. */
static int ec__option(struct ec_args *a, int opt, const char *arg, char *err, size_t errlen)
{
    long long v;
    char *end;

    switch (opt) {
    case OPT_TARGET: a->rc.target_cmd = arg; return 0;
    case OPT_RESULTS: a->results = arg; return 0;
    case OPT_CASES: a->cases_dir = arg; return 0;
    case OPT_INJECT:
        if (inj_spec_validate(arg, err, errlen) < 0) {
            char why[256];

            snprintf(why, sizeof(why), "%.255s", err);
            snprintf(err, errlen, "--inject: %s", why);
            return -1;
        }
        a->rc.inject_spec = arg;
        return 0;
    case OPT_NO_PRELOAD: a->no_preload = 1; return 0;
    case OPT_SHARD:
        if (shard_parse(arg, &a->shard_k, &a->shard_n) < 0)
            break;
        return 0;
    case OPT_SHARD_DURATIONS: a->shard_durations = arg; return 0;
    case OPT_KEEP: a->rc.keep = 1; return 0;
    case OPT_PCAP:
        if (arg && strcmp(arg, "stalled") != 0)
            break;
        a->rc.pcap = arg ? 2 : 1;
        return 0;
    case OPT_PORT:
        if (ec__num(arg, 1, 65535, &v) < 0)
            break;
        a->rc.fixed_port = (int)v;
        return 0;
    case OPT_PROTOCOL:
        a->proto_given = 1;
        return case_proto_parse(arg, &a->rc.proto, err, errlen) < 0 ? (snprintf(err, errlen,
                "--protocol: '%s' is not echo, stream, http, repeat:N or repeat:N:nonl", arg), -1) : 0;
    case OPT_COUNTERS:
        if (strcmp(arg, "yes") && strcmp(arg, "no"))
            break;
        a->rc.counters = !strcmp(arg, "yes");
        return 0;
    case OPT_SEED:
        if (ec__num(arg, 0, LLONG_MAX, &v) < 0)
            break;
        a->rc.seed = (uint64_t)v;
        return 0;
    case OPT_SCALE:
        errno = 0;
        a->rc.timeout_scale = strtod(arg, &end);
        if (errno || end == arg || *end || a->rc.timeout_scale <= 0 || a->rc.timeout_scale > 100)
            break;
        return 0;
    case OPT_SNAPLEN:
        if (ec__num(arg, 64, 262144, &v) < 0)
            break;
        a->rc.snaplen = (int)v;
        return 0;
    case 'j':
        if (ec__num(arg, 1, 64, &v) < 0)
            break;
        a->jobs = (int)v;
        return 0;
    }
    snprintf(err, errlen, "%s%s: bad value '%s'", opt == 'j' ? "-" : "--",
             opt == 'j' ? "j" : ec_options[opt - 1].name, arg ? arg : "");
    return -1;
}

/* Finds the reference server and the cases: env, then the build tree next to
 * this binary, then the installed locations. */
static void ec__locate(struct ec_args *a)
{
    char exe[PATH_MAX - 64], *slash;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *env;
    int built = 0;

    exe[n > 0 ? n : 0] = '\0';
    if ((slash = strrchr(exe, '/')) != NULL)
        *slash = '\0';
    /* A libtool wrapper runs the real binary from harness/.libs/. */
    if ((slash = strrchr(exe, '/')) != NULL && !strcmp(slash, "/.libs"))
        *slash = '\0';
    snprintf(a->server, sizeof(a->server), "%s/../server/edgecase-server", exe);
    if (access(a->server, X_OK) == 0)
        built = 1;
    else
        snprintf(a->server, sizeof(a->server), "%s/edgecase-server", exe);
    if ((env = getenv("EDGECASE_SERVER")) != NULL && *env)
        snprintf(a->server, sizeof(a->server), "%s", env);
    snprintf(a->cases_buf, sizeof(a->cases_buf), "%s", built ? EC_CASES_DIR : EC_PKGDATA_CASES);
    if ((env = getenv("EDGECASE_CASES")) != NULL && *env)
        snprintf(a->cases_buf, sizeof(a->cases_buf), "%s", env);
    if (!a->cases_dir)
        a->cases_dir = a->cases_buf;
    a->rc.server_path = a->server;
    a->rc.tmpl_dir = EC_TARGETS_DIR;
    if (built)
        snprintf(a->inject_so, sizeof(a->inject_so), "%s/../harness/inject/.libs/libedgecase-inject.so", exe);
    else
        snprintf(a->inject_so, sizeof(a->inject_so), "%s", EC_PKGLIB_INJECT);
    if ((env = getenv("EDGECASE_INJECT_SO")) != NULL && *env)
        snprintf(a->inject_so, sizeof(a->inject_so), "%s", env);
    if (!a->no_preload && access(a->inject_so, R_OK) == 0)
        a->rc.inject_so = a->inject_so;
}

/* Selects the cases named or matched by pats (all when none). Returns the
 * count, or -1 with err naming an argument that matches nothing. */
static int ec__select(const struct ec_case *all, int nall, char *const *pats, int npats,
                      const struct ec_case **sel, char *err, size_t errlen)
{
    int i, k, n = 0, hit;

    for (i = 0; i < nall; i++) {
        for (k = 0; k < npats; k++)
            if (fnmatch(pats[k], all[i].name, 0) == 0)
                break;
        if (npats == 0 || k < npats)
            sel[n++] = &all[i];
    }
    for (k = 0; k < npats; k++) {
        for (hit = 0, i = 0; i < nall && !hit; i++)
            hit = fnmatch(pats[k], all[i].name, 0) == 0;
        if (!hit) {
            snprintf(err, errlen, "unknown case '%s' (edgecase list shows them)", pats[k]);
            return -1;
        }
    }
    return n;
}

static int ec__run(struct ec_args *a, const struct ec_case *const *sel, int n)
{
    struct report r;
    struct pool_conf pc = { .rc = &a->rc, .report = &r, .jobs = a->rc.fixed_port ? 1 : a->jobs,
                            .tty = isatty(STDOUT_FILENO) };
    char err[1024], def[PATH_MAX + 128];
    const char *shown = a->rc.target_cmd ? a->rc.target_cmd : run_default_cmd(a->server, def, sizeof(def));

    if (report_open(&r, a->results, a->rc.seed, shown, err, sizeof(err)) < 0) {
        fprintf(stderr, "edgecase: %s\n", err);
        return 2;
    }
    printf("edgecase: %d cases, target %s, seed %llu, results %s\n", n, shown,
           (unsigned long long)a->rc.seed, r.dir);
    fflush(stdout);
    target_guard_install();
    if (run_pool(&pc, sel, n) < 0)
        fprintf(stderr, "edgecase: could not start case runners: %s\n", strerror(errno));
    printf("%d cases: %d pass, %d fail, %d error, %d skip; seed %llu; results in %s\n", r.ncases, r.npass,
           r.nfail, r.nerror, r.nskip, (unsigned long long)a->rc.seed, r.dir);
    n = r.nfail + r.nerror > 0 || r.ncases < n;
    if (report_close(&r, err, sizeof(err)) < 0)
        fprintf(stderr, "edgecase: %s\n", err);
    return n ? 1 : 0;
}

/* Parses options after the subcommand. Returns 0, or 2 after printing why. */
static int ec__parse(struct ec_args *a, int argc, char **argv)
{
    char err[512];
    int opt;

    opterr = 0;
    /* '+': stop at the first case name; ':': tell a missing value from an unknown option. */
    while ((opt = getopt_long(argc, argv, "+:j:v", ec_options, NULL)) != -1) {
        if (opt == OPT_HELP) {
            fputs(ec_usage, stdout);
            exit(0);
        }
        if (opt == 'v') {
            a->rc.verbose = 1;
            continue;
        }
        /* One line naming the culprit: a page of usage would bury it. */
        if (opt == ':') {
            fprintf(stderr, "edgecase: option '%s' needs a value (edgecase --help)\n", argv[optind - 1]);
            return 2;
        }
        if (opt == '?') {
            fprintf(stderr, "edgecase: unknown option '%s' (edgecase --help)\n", argv[optind - 1]);
            return 2;
        }
        if (ec__option(a, opt, optarg, err, sizeof(err)) < 0) {
            fprintf(stderr, "edgecase: %s\n", err);
            return 2;
        }
    }
    return 0;
}

/* edgecase list: every case with its description, or with --protocol P
 * whether it runs against a target speaking P and, if not, why. Returns 0. */
static int ec__list(const struct ec_args *a, const struct ec_case *const *sel, int n)
{
    struct case_proto pr;
    char why[512], p[64];
    int applies = 0;

    for (int i = 0; i < n; i++) {
        if (!a->proto_given) {
            printf("%-28s %s\n", sel[i]->name, sel[i]->description);
            continue;
        }
        if (case_pick_proto(sel[i], &a->rc.proto, &pr, why, sizeof(why)) == 0) {
            applies++;
            printf("%-28s runs  %s\n", sel[i]->name, sel[i]->description);
        } else {
            printf("%-28s SKIP  %s\n", sel[i]->name, why);
        }
    }
    if (a->proto_given)
        printf("%d of %d cases apply to %s\n", applies, n, case_proto_str(&a->rc.proto, p, sizeof(p)));
    return 0;
}

/* edgecase report DIR: rebuilds DIR/index.html from the folder alone. */
static int ec__report(int argc, char **argv)
{
    char err[1024];
    int n;

    if (argc != 3 || argv[2][0] == '-') {
        if (argc == 3 && !strcmp(argv[2], "--help")) {
            fputs("Usage: edgecase report DIR\nWrites DIR/index.html from a results folder "
                  "(results/<stamp> or results/latest).\n", stdout);
            return 0;
        }
        fprintf(stderr, "edgecase: usage: edgecase report DIR\n");
        return 2;
    }
    /* A results root holds runs: a page of it would list no case. */
    snprintf(err, sizeof(err), "%s/latest", argv[2]);
    if (access(err, F_OK) == 0) {
        fprintf(stderr, "edgecase: %s holds runs, not cases: try edgecase report %s\n", argv[2], err);
        return 2;
    }
    if ((n = report_html_write(argv[2], err, sizeof(err))) < 0) {
        fprintf(stderr, "edgecase: %s\n", err);
        return 1;
    }
    printf("edgecase: %s/index.html: %d cases\n", argv[2], n);
    return 0;
}

int main(int argc, char **argv)
{
    struct ec_args a = { .results = "results", .jobs = 1 };
    struct ec_case *all = NULL;
    const struct ec_case **sel;
    char err[8192], *pats[256];
    int nall, n, npats = 0, i, rc;

    run_conf_init(&a.rc);
    if (argc >= 2 && !strcmp(argv[1], "pcap"))
        return cap_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "report"))
        return ec__report(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "fuzz")) {
        ec__locate(&a);
        target_guard_install();   /* fuzz's runners keep it; its own process only sets a flag */
        return fuzz_main(argc - 1, argv + 1, a.server, a.rc.inject_so);
    }
    if (argc < 2 || (strcmp(argv[1], "list") && strcmp(argv[1], "run"))) {
        if (argc >= 2 && !strcmp(argv[1], "--help")) {
            fputs(ec_usage, stdout);
            return 0;
        }
        if (argc < 2)
            fprintf(stderr, "edgecase: missing command\n%s", ec_usage);
        else
            fprintf(stderr, "edgecase: unknown command '%s' (edgecase --help)\n", argv[1]);
        return 2;
    }
    /* Options and case names may mix: collect non-options, then parse the rest. */
    for (optind = 2; optind < argc;) {
        if ((rc = ec__parse(&a, argc, argv)) != 0)
            return rc;
        while (optind < argc && argv[optind][0] != '-' && npats < 256)
            pats[npats++] = argv[optind++];
    }
    if (a.shard_durations && !a.shard_n) {
        fprintf(stderr, "edgecase: --shard-durations: needs --shard K/N\n");
        return 2;
    }
    ec__locate(&a);
    if (case_load_dir(a.cases_dir, &all, &nall, err, sizeof(err)) < 0) {
        fprintf(stderr, "edgecase: %s\n", err);
        return 2;
    }
    sel = calloc((size_t)nall + 1, sizeof(*sel));
    n = sel ? ec__select(all, nall, pats, npats, sel, err, sizeof(err)) : -1;
    if (n > 0 && a.shard_n)
        n = shard_cases(sel, n, a.shard_k, a.shard_n, a.shard_durations, err, sizeof(err));
    if (n < 0) {
        fprintf(stderr, "edgecase: %s\n", sel ? err : "out of memory");
        free(sel);
        free(all);
        return 2;
    }
    for (i = 0; i < n && !strcmp(argv[1], "run"); i++)
        if (sel[i]->inject[0] && inj_spec_validate(sel[i]->inject, err, sizeof(err)) < 0) {
            fprintf(stderr, "edgecase: %s: inject = %s: %s\n", sel[i]->path, sel[i]->inject, err);
            free(sel);
            free(all);
            return 2;
        }
    /* An unbalanced quote or a broken {conf:PATH} template is bad usage: said once, before any case runs. */
    if (!strcmp(argv[1], "run") && a.rc.target_cmd &&
        run_check_confs(a.rc.target_cmd, a.rc.tmpl_dir, err, sizeof(err)) < 0) {
        fprintf(stderr, "edgecase: --target: %s\n", err);
        free(sel);
        free(all);
        return 2;
    }
    if (!strcmp(argv[1], "list")) {
        rc = ec__list(&a, sel, n);
    } else {
        rc = ec__run(&a, sel, n);
    }
    free(sel);
    free(all);
    return rc;
}
