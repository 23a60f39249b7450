/* engine_bench.c: the client engine's own cost: CPU per client per second and RSS per client for N slow readers in one process. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "harness/engine.h"

static const char eb_usage[] =
    "Usage: engine_bench --port PORT [--clients N] [--rate BPS] [--seconds S] [--json]\n"
    "Runs N clients (default 1000) in one engine_run (harness/engine.h) against a server speaking\n"
    "the stream protocol (edgecase-server --proto stream) on 127.0.0.1:PORT. Each asks for\n"
    "RATE*S bytes and reads them paced at RATE bytes/s (default 16384) for about S seconds\n"
    "(default 3), verifying every byte. Prints the clients complete, wall and CPU seconds of\n"
    "this process, CPU per client per second (microseconds of CPU per client-second) and\n"
    "peak RSS growth per client (bytes). --json prints one JSON object.\n";

static double eb_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double eb_cpu(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* VmRSS or VmHWM of this process in kB (0 if unreadable). */
static long eb_status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;

    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, key, strlen(key)))
            kb = strtol(line + strlen(key) + 1, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

/* Parses a whole number in [lo, hi] for flag. Returns 0, or -1 after saying which flag. */
static int eb_num(const char *flag, const char *s, long lo, long hi, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(s, &end, 10);
    if (errno || end == s || *end || *out < lo || *out > hi)
        return fprintf(stderr, "engine_bench: %s: bad value '%s'\n", flag, s), -1;
    return 0;
}

static int eb_args(int argc, char **argv, long v[4], int *json)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 0}, {"clients", required_argument, NULL, 1},
        {"rate", required_argument, NULL, 2}, {"seconds", required_argument, NULL, 3},
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    static const long lim[4][2] = { {1, 65535}, {1, 20000}, {1, 1L << 30}, {1, 600} };
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'h')
            return fputs(eb_usage, stdout), 1;
        if (opt == 'j')
            *json = 1;
        else if (opt >= 0 && opt < 4 && eb_num(argv[optind - 1], optarg, lim[opt][0], lim[opt][1], &v[opt]) < 0)
            return -1;
        else if (opt < 0 || opt >= 4)
            return fprintf(stderr, "engine_bench: unknown option '%s' (see --help)\n", argv[optind - 1]), -1;
    }
    if (v[0] == 0)
        return fprintf(stderr, "engine_bench: --port: required\n"), -1;
    return 0;
}

int main(int argc, char **argv)
{
    long v[4] = { 0, 1000, 16384, 3 };   /* port, clients, rate, seconds */
    struct client_spec g = { .proto = PAT_STREAM };
    struct engine_opts o = { .host = "127.0.0.1", .seed = 1 };
    struct client_result *res;
    char err[512];
    int json = 0, nres = 0, complete = 0, r = eb_args(argc, argv, v, &json);
    long rss0;
    double t0, c0, wall, cpu;

    if (r != 0)
        return r > 0 ? 0 : 2;
    g.count = (int)v[1];
    g.read_rate = (uint64_t)v[2];
    g.send_bytes = (uint64_t)v[2] * (uint64_t)v[3];
    o.port = (int)v[0];
    o.deadline_ms = (int)(v[3] * 1000 * 3 + 20000);  /* room for connecting 10,000 on a loaded machine */
    rss0 = eb_status_kb("VmRSS:");
    if ((res = calloc((size_t)g.count, sizeof(*res))) == NULL)
        return fprintf(stderr, "engine_bench: out of memory\n"), 1;
    t0 = eb_now();
    c0 = eb_cpu();
    if (engine_run(&o, &g, 1, res, &nres, err, sizeof(err)) < 0)
        return fprintf(stderr, "engine_bench: %s\n", err), 1;
    wall = eb_now() - t0;
    cpu = eb_cpu() - c0;
    for (int i = 0; i < nres; i++)
        complete += res[i].end == CE_COMPLETE;
    if (complete < nres)
        fprintf(stderr, "engine_bench: %d of %d clients incomplete (first: %s)\n", nres - complete, nres,
                res[0].end == CE_COMPLETE ? "" : res[0].diag);
    printf(json ? "{\"clients\":%d,\"complete\":%d,\"wall_s\":%.3f,\"cpu_s\":%.3f,\"cpu_us_per_client_s\":%.2f,"
                  "\"rss_bytes_per_client\":%.0f,\"result_bytes_per_client\":%zu}\n"
                : "clients %d complete %d wall_s %.3f cpu_s %.3f cpu_us_per_client_s %.2f "
                  "rss_bytes_per_client %.0f result_bytes_per_client %zu\n",
           nres, complete, wall, cpu, cpu * 1e6 / ((double)nres * wall),
           (double)(eb_status_kb("VmHWM:") - rss0) * 1024 / nres, sizeof(*res));
    free(res);
    return complete == nres ? 0 : 1;
}
