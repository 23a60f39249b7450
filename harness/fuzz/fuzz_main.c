/* fuzz_main.c: `edgecase fuzz`: its options, its results folder, and its exit status. */
#include "harness/fuzz/fuzz_int.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/util/clock.h"

static const char fuzz_usage[] =
    "Usage: edgecase fuzz [--target 'CMD'] [--protocol P] [--time DUR | --runs N] [--seed N] [-j N]\n"
    "                     [--results DIR] [--shrink-time DUR] [--print]\n"
    "Draws random scenarios from the case model (clients, sizes, read rates and chunks, pauses,\n"
    "late and never-reading clients, windows, send buffers, freezes, half-closes, resets, early\n"
    "closes, injected EINTR/short writes/EAGAIN), runs each against a fresh target as `edgecase\n"
    "run` does and judges it with the same verdict. A failure is shrunk (fewer clients, smaller\n"
    "sizes, fewer faults, shorter schedules; a smaller case is kept only if it fails 3 runs of 3\n"
    "with the same bug class) and written as DIR/fuzz-<stamp>/fuzz-SEED.case, with its diagnosis\n"
    "and the `edgecase run` line that replays it.\n"
    "\n"
    "  --target 'CMD'     the server under test, as for run (default: the reference server)\n"
    "  --protocol P       what it speaks: echo (default), stream, repeat:N, repeat:N:nonl\n"
    "  --time DUR         stop drawing scenarios after DUR (e.g. 90s, 5m; default 60s)\n"
    "  --runs N           stop after N scenarios instead\n"
    "  --seed N           scenario i has seed N+i; `--seed S --runs 1` replays scenario S\n"
    "                     (default: from the clock, printed)\n"
    "  -j N               scenarios at once (default 1); a shrink runs alone\n"
    "  --results DIR      where fuzz-<stamp>/ goes (default ./results)\n"
    "  --shrink-time DUR  how long one shrink may take (default 180s)\n"
    "  --print            print the scenarios as case files instead of running them\n"
    "  --help             show this help\n"
    "\n"
    "Exit status: 0 no failure, 1 a failure found (also when interrupted after one),\n"
    "2 bad usage, 130 interrupted (SIGINT/SIGTERM) before any failure. The target is\n"
    "killed on every path; summary.json lists every finding.\n";

enum { FO_TARGET = 1, FO_PROTOCOL, FO_TIME, FO_RUNS, FO_SEED, FO_RESULTS, FO_SHRINK, FO_PRINT, FO_HELP };

static const struct option fuzz_options[] = {
    {"target", required_argument, NULL, FO_TARGET},
    {"protocol", required_argument, NULL, FO_PROTOCOL},
    {"time", required_argument, NULL, FO_TIME},
    {"runs", required_argument, NULL, FO_RUNS},
    {"seed", required_argument, NULL, FO_SEED},
    {"results", required_argument, NULL, FO_RESULTS},
    {"shrink-time", required_argument, NULL, FO_SHRINK},
    {"print", no_argument, NULL, FO_PRINT},
    {"help", no_argument, NULL, FO_HELP},
    {NULL, 0, NULL, 0},
};

/* What the command line asked beyond the context. */
struct fuzz_args {
    const char *results;
    int print;
};

/* "90", "90s", "1500ms", "5m", "1h" into ms. Returns 0 or -1. */
static int fm__dur(const char *s, double *ms)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || v <= 0)
        return -1;
    if (!strcmp(end, "ms"))
        *ms = v;
    else if (!*end || !strcmp(end, "s"))
        *ms = v * 1e3;
    else if (!strcmp(end, "m"))
        *ms = v * 60e3;
    else if (!strcmp(end, "h"))
        *ms = v * 3600e3;
    else
        return -1;
    return 0;
}

static int fm__num(const char *s, long long lo, long long hi, long long *out)
{
    char *end;

    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno || end == s || *end || *out < lo || *out > hi ? -1 : 0;
}

/* Applies one option. Returns 0 or -1 (bad value). */
static int fm__option(struct fuzz_ctx *fx, struct fuzz_args *a, int opt, const char *v)
{
    char err[256];
    long long n;

    switch (opt) {
    case FO_TARGET: fx->target_cmd = v; return 0;
    case FO_RESULTS: a->results = v; return 0;
    case FO_PRINT: a->print = 1; return 0;
    case FO_PROTOCOL:
        /* A scenario sizes its replies by N: a bare "repeat" cannot be fuzzed. */
        return case_proto_parse(v, &fx->proto, err, sizeof(err)) < 0 ||
               (fx->proto.kind == PAT_REPEAT && !fx->proto.repeat_n) ? -1 : 0;
    case FO_TIME: return fm__dur(v, &fx->time_max_ms);
    case FO_SHRINK: return fm__dur(v, &fx->shrink_ms);
    case FO_RUNS: return fm__num(v, 1, LLONG_MAX, &fx->runs_max);
    case FO_SEED: return fm__num(v, 0, LLONG_MAX, &n) < 0 ? -1 : (fx->seed = (unsigned long long)n, 0);
    case 'j': return fm__num(v, 1, 16, &n) < 0 ? -1 : (fx->jobs = (int)n, 0);
    }
    return -1;
}

/* Returns 0, or 2 after saying what is wrong. */
static int fm__parse(struct fuzz_ctx *fx, struct fuzz_args *a, int argc, char **argv)
{
    int opt;

    opterr = 0;
    optind = 0;
    while ((opt = getopt_long(argc, argv, ":j:", fuzz_options, NULL)) != -1) {
        if (opt == FO_HELP) {
            fputs(fuzz_usage, stdout);
            exit(0);
        }
        if (opt == ':' || opt == '?') {
            fprintf(stderr, "edgecase fuzz: %s '%s' (edgecase fuzz --help)\n",
                    opt == ':' ? "option needs a value:" : "unknown option", argv[optind - 1]);
            return 2;
        }
        if (fm__option(fx, a, opt, optarg) < 0) {
            fprintf(stderr, "edgecase fuzz: %s: bad value '%s'\n", argv[optind - 1], optarg);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "edgecase fuzz: unexpected argument '%s' (edgecase fuzz --help)\n", argv[optind]);
        return 2;
    }
    return 0;
}

/* Prints the scenarios as case files (--print). */
static int fm__print(const struct fuzz_ctx *fx)
{
    static char text[16384];
    struct ec_case c;
    char err[1200];

    for (long long i = 0; i < (fx->runs_max ? fx->runs_max : 1); i++) {
        snprintf(err, sizeof(err), "scenario too large to print");
        if (fuzz_gen(fx->seed + (unsigned long long)i, &fx->proto, &c, err, sizeof(err)) < 0 ||
            fuzz_write(&c, NULL, text, sizeof(text)) < 0) {
            fprintf(stderr, "edgecase fuzz: seed %llu: %s\n", fx->seed + (unsigned long long)i, err);
            return 1;
        }
        printf("%s\n", text);
    }
    return 0;
}

/* Creates RESULTS/fuzz-<UTC stamp>/runs/ and keeps its absolute path in fx->dir. */
static int fm__dirs(struct fuzz_ctx *fx, const char *results)
{
    char stamp[32], path[4200], *abs;
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    mkdir(results, 0755);
    snprintf(path, sizeof(path), "%s/fuzz-%s", results, stamp);
    for (int k = 2; mkdir(path, 0755) < 0; k++) {
        if (errno != EEXIST || k > 99)
            return -1;
        snprintf(path, sizeof(path), "%s/fuzz-%s-%d", results, stamp, k);
    }
    if (!(abs = realpath(path, NULL)))
        return -1;
    snprintf(fx->dir, sizeof(fx->dir), "%s", abs);
    free(abs);
    snprintf(path, sizeof(path), "%s/runs", fx->dir);
    return mkdir(path, 0755);
}

static void fm__summary(const struct fuzz_ctx *fx, int interrupted)
{
    double secs = (ec_now_ms() - fx->t0_ms) / 1e3;
    char bug[128];

    printf("%s%lld scenarios in %.0f s (%.2f/s): %lld failures, %d bugs, %lld skip, %lld error; seed %llu; "
           "results in %s\n", interrupted ? "interrupted: " : "", fx->runs, secs, secs > 0 ? fx->runs / secs : 0.0,
           fx->fails, fx->nfound, fx->skips, fx->errors, fx->seed, fx->dir);
    for (int i = 0; i < fx->nfound; i++)
        printf("  %s.case  %s  (seed %llu at %.1f s; clients %d, bytes %llu, steps %d)\n", fx->found[i].name,
               fuzz_bug_str(&fx->found[i].bug, bug, sizeof(bug)), fx->found[i].seed, fx->found[i].t_found_s,
               fx->found[i].clients, fx->found[i].bytes, fx->found[i].steps);
}

int fuzz_main(int argc, char **argv, const char *server_path, const char *inject_so)
{
    static struct fuzz_ctx fx;
    static volatile sig_atomic_t stop;
    struct fuzz_args a = { .results = "results" };
    char limit[64];
    int rc, interrupted;

    memset(&fx, 0, sizeof(fx));
    run_conf_init(&fx.rc);
    fx.proto = fx.rc.proto;
    fx.seed = (unsigned long long)time(NULL) % 1000000;
    fx.jobs = 1;
    fx.shrink_ms = 180e3;
    fx.stop = &stop;
    if ((rc = fm__parse(&fx, &a, argc, argv)) != 0)
        return rc;
    if (!fx.runs_max && !fx.time_max_ms)
        fx.time_max_ms = 60e3;
    if (a.print)
        return fm__print(&fx);
    fx.rc.target_cmd = fx.target_cmd;
    fx.rc.server_path = server_path;
    fx.rc.proto = fx.proto;
    fx.rc.inject_so = inject_so;
    fx.tty = isatty(STDERR_FILENO);
    if (fm__dirs(&fx, a.results) < 0) {
        fprintf(stderr, "edgecase fuzz: cannot create a folder under %s: %s\n", a.results, strerror(errno));
        return 2;
    }
    if (fx.runs_max)
        snprintf(limit, sizeof(limit), "%lld scenarios", fx.runs_max);
    else
        snprintf(limit, sizeof(limit), "%.0f s", fx.time_max_ms / 1e3);
    printf("edgecase fuzz: target %s, seed %llu, %s, results %s\n", fx.target_cmd ? fx.target_cmd : "reference server",
           fx.seed, limit, fx.dir);
    fflush(stdout);
    fuzz_job_signals(&stop);
    fx.t0_ms = ec_now_ms();
    interrupted = fuzz_loop(&fx);
    fuzz_progress(&fx, 1);
    if (fx.tty)
        fputc('\n', stderr);
    if (fuzz_summary(&fx, interrupted) < 0)
        fprintf(stderr, "edgecase fuzz: cannot write %s/summary.json\n", fx.dir);
    fm__summary(&fx, interrupted);
    return fx.fails ? 1 : interrupted ? 130 : 0;
}
