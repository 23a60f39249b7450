/* engine_bench.c: N slow readers (plus one fast, or never reading) from one engine_run: the engine's CPU and RSS per client, the fast reader's rate. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "harness/client/engine.h"

static const char eb_usage[] =
    "Usage: engine_bench --port PORT [OPTION]...\n"
    "Runs N clients in one engine_run (harness/client/engine.h) against 127.0.0.1:PORT, verifying\n"
    "every byte. Each asks for RATE*S bytes (stream: request 'RATE*S\\n'; echo: sends them)\n"
    "and reads them paced at RATE bytes/s, for about S seconds.\n"
    "  --clients N      slow readers (default 1000)\n"
    "  --rate BPS       each one's read rate (default 16384)\n"
    "  --seconds S      how long each reads (default 3)\n"
    "  --proto P        stream (default; edgecase-server --proto stream) or echo\n"
    "  --fast BYTES     add one unpaced reader of BYTES (echo: sends them); prints its MB/s\n"
    "  --never-read B   instead: N clients each send B echo bytes and never read, for S seconds\n"
    "  --json           print one JSON object\n"
    "Prints the clients complete, wall and CPU seconds of this process, CPU per client per\n"
    "second (microseconds of CPU per client-second) and peak RSS growth per client (bytes).\n";

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
        return fprintf(stderr, "engine_bench: --%s: bad value '%s'\n", flag, s), -1;
    return 0;
}

/* The numeric options, in eb_args' order. */
enum { EB_PORT, EB_CLIENTS, EB_RATE, EB_SECONDS, EB_FAST, EB_NEVER, EB_NUMS };

static int eb_args(int argc, char **argv, long v[EB_NUMS], int *json, enum pattern_kind *proto)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, EB_PORT}, {"clients", required_argument, NULL, EB_CLIENTS},
        {"rate", required_argument, NULL, EB_RATE}, {"seconds", required_argument, NULL, EB_SECONDS},
        {"fast", required_argument, NULL, EB_FAST}, {"never-read", required_argument, NULL, EB_NEVER},
        {"proto", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    static const long lim[EB_NUMS][2] = { {1, 65535}, {1, 20000}, {1, 1L << 30}, {1, 600}, {1, 1L << 40},
                                          {1, 1L << 40} };
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'h')
            return fputs(eb_usage, stdout), 1;
        if (opt == 'j')
            *json = 1;
        else if (opt == 'p' && (strcmp(optarg, "echo") == 0 || strcmp(optarg, "stream") == 0))
            *proto = strcmp(optarg, "echo") == 0 ? PAT_ECHO : PAT_STREAM;
        else if (opt == 'p')
            return fprintf(stderr, "engine_bench: --proto: bad value '%s'\n", optarg), -1;
        else if (opt >= 0 && opt < EB_NUMS &&
                 eb_num(opts[opt].name, optarg, lim[opt][0], lim[opt][1], &v[opt]) < 0)
            return -1;
        else if (opt < 0 || opt >= EB_NUMS)
            return fprintf(stderr, "engine_bench: unknown option '%s' (see --help)\n", argv[optind - 1]), -1;
    }
    if (v[0] == 0)
        return fprintf(stderr, "engine_bench: --port: required\n"), -1;
    return 0;
}

/* The groups: N slow readers (or never-readers), then the optional fast reader. Returns the group count. */
static int eb_groups(const long v[EB_NUMS], enum pattern_kind proto, struct client_spec g[2])
{
    memset(g, 0, 2 * sizeof(*g));
    g[0].count = (int)v[EB_CLIENTS];
    g[0].proto = v[EB_NEVER] ? PAT_ECHO : proto;
    g[0].read_rate = (uint64_t)v[EB_RATE];
    g[0].send_bytes = (uint64_t)v[EB_RATE] * (uint64_t)v[EB_SECONDS];
    if (v[EB_NEVER]) {
        g[0].never_read = 1;
        g[0].send_bytes = (uint64_t)v[EB_NEVER];
    }
    if (!v[EB_FAST])
        return 1;
    g[1].count = 1;
    g[1].proto = proto;
    g[1].send_bytes = (uint64_t)v[EB_FAST];
    return 2;
}

/* The fast reader's MB/s from its connect to its last byte (0 when there is none or it did not finish). */
static double eb_fast_mbps(const struct client_result *r)
{
    double ms = r->t_done_ms - r->t_connect_ms;

    return r->end == CE_COMPLETE && ms > 0 ? (double)r->received / ms / 1e3 : 0;
}

int main(int argc, char **argv)
{
    long v[EB_NUMS] = { 0, 1000, 16384, 3, 0, 0 };
    enum pattern_kind proto = PAT_STREAM;
    struct client_spec g[2];
    struct engine_opts o = { .host = "127.0.0.1", .seed = 1 };
    struct client_result *res;
    char err[512];
    int json = 0, nres = 0, complete = 0, ng, r = eb_args(argc, argv, v, &json, &proto);
    unsigned long long bytes = 0;
    long rss0;
    double t0, c0, wall, cpu;

    if (r != 0)
        return r > 0 ? 0 : 2;
    ng = eb_groups(v, proto, g);
    o.port = (int)v[EB_PORT];
    /* Never-readers end at the deadline; readers get room to connect 10,000 on a loaded machine. */
    o.deadline_ms = (int)(v[EB_NEVER] ? v[EB_SECONDS] * 1000 : v[EB_SECONDS] * 3000 + 20000);
    rss0 = eb_status_kb("VmRSS:");
    if ((res = calloc((size_t)g[0].count + 1, sizeof(*res))) == NULL)
        return fprintf(stderr, "engine_bench: out of memory\n"), 1;
    t0 = eb_now();
    c0 = eb_cpu();
    if (engine_run(&o, g, ng, res, &nres, err, sizeof(err)) < 0)
        return fprintf(stderr, "engine_bench: %s\n", err), 1;
    wall = eb_now() - t0;
    cpu = eb_cpu() - c0;
    for (int i = 0; i < nres; i++)
        bytes += res[i].received;
    for (int i = 0; i < nres; i++)
        complete += res[i].end == CE_COMPLETE || (v[EB_NEVER] && res[i].end == CE_CLIENT_ENDED);
    if (complete < nres)
        fprintf(stderr, "engine_bench: %d of %d clients incomplete (client 0: %s %s)\n", nres - complete, nres,
                engine_end_name(res[0].end), res[0].diag);
    printf(json ? "{\"clients\":%d,\"complete\":%d,\"wall_s\":%.3f,\"cpu_s\":%.3f,\"cpu_us_per_client_s\":%.2f,"
                  "\"rss_bytes_per_client\":%.0f,\"result_bytes_per_client\":%zu,\"fast_mbps\":%.1f,\"bytes\":%llu}\n"
                : "clients %d complete %d wall_s %.3f cpu_s %.3f cpu_us_per_client_s %.2f "
                  "rss_bytes_per_client %.0f result_bytes_per_client %zu fast_mbps %.1f bytes %llu\n",
           nres, complete, wall, cpu, cpu * 1e6 / ((double)nres * wall),
           (double)(eb_status_kb("VmHWM:") - rss0) * 1024 / nres, sizeof(*res),
           ng > 1 ? eb_fast_mbps(&res[nres - 1]) : 0.0, bytes);
    free(res);
    return complete == nres ? 0 : 1;
}
