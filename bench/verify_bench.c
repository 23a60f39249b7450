/* verify_bench.c: the pattern verifier's throughput per core (echo, stream, repeat streams) next to plain memcmp. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/verify/pattern.h"

static const char vb_usage[] =
    "Usage: verify_bench [--mib N] [--seconds S] [--json]\n"
    "Feeds N MiB (default 64) of correct stream to the harness's verifier (harness/verify/pattern.h),\n"
    "in 64 KiB reads as the engine does, over and over for about S seconds (default 1) per\n"
    "stream kind, on one core; prints GB/s (10^9 bytes/s) per kind and for memcmp of the same\n"
    "buffer against a copy (the floor any verifier pays). --json prints one JSON object.\n";

#define VB_CHUNK 65536

static double vb_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the stream of kind into buf as a correct server would send it to client 0. */
static void vb_fill(enum pattern_kind kind, char *buf, size_t len)
{
    if (kind == PAT_ECHO)
        pattern_echo_fill(1, 0, 0, buf, len);
    else if (kind == PAT_STREAM)
        pattern_stream_fill(0, buf, len);
    else
        pattern_repeat_fill(0, 20000, 0, buf, len);
}

/* One pass of the verifier over buf. Returns 0, or -1 if it (wrongly) saw a mismatch. */
static int vb_verify_pass(enum pattern_kind kind, const char *buf, size_t len)
{
    struct verifier v;

    verifier_init(&v, kind, 1, 0);
    if (kind == PAT_REPEAT) {
        v.repeat_n = 20000;
        v.repeat_newline = 1;
        verifier_set_repeat_msgs(&v, (uint32_t)(len / pattern_repeat_reply_len(20000) + 1));
    }
    for (size_t off = 0; off < len; off += VB_CHUNK)
        if (verifier_feed(&v, buf + off, len - off < VB_CHUNK ? len - off : VB_CHUNK) < 0) {
            fprintf(stderr, "verify_bench: verifier failed on a correct stream: %s\n", v.diag);
            return -1;
        }
    return 0;
}

/* memcmp in the same 64 KiB steps; the sum keeps the compiler from dropping it. */
static int vb_memcmp_pass(const char *a, const char *b, size_t len)
{
    int sum = 0;

    for (size_t off = 0; off < len; off += VB_CHUNK)
        sum |= memcmp(a + off, b + off, len - off < VB_CHUNK ? len - off : VB_CHUNK);
    return sum;
}

/* Repeats passes for at least secs seconds. Returns GB/s, or -1 on a verifier failure. */
static double vb_rate(int kind, const char *buf, const char *copy, size_t len, double secs)
{
    double t0 = vb_now(), t;
    unsigned long long passes = 0;

    do {
        if (kind < 0 ? vb_memcmp_pass(buf, copy, len) != 0 : vb_verify_pass((enum pattern_kind)kind, buf, len) < 0)
            return -1;
        passes++;
    } while ((t = vb_now() - t0) < secs);
    return (double)passes * (double)len / t / 1e9;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"mib", required_argument, NULL, 'm'}, {"seconds", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    static const char *const names[] = { "echo", "stream", "repeat" };
    double secs = 1, gbs[4];
    long mib = 64;
    int opt, json = 0;
    char *end, *buf, *copy;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        errno = 0;
        if (opt == 'h')
            return fputs(vb_usage, stdout), 0;
        if (opt == 'j') {
            json = 1;
        } else if (opt == 'm' && ((mib = strtol(optarg, &end, 10)) < 1 || mib > 4096 || *end || errno)) {
            return fprintf(stderr, "verify_bench: --mib: bad value '%s'\n", optarg), 2;
        } else if (opt == 's' && ((secs = strtod(optarg, &end)) <= 0 || secs > 600 || *end || errno)) {
            return fprintf(stderr, "verify_bench: --seconds: bad value '%s'\n", optarg), 2;
        } else if (opt != 'm' && opt != 's') {
            return fprintf(stderr, "verify_bench: unknown option '%s' (see --help)\n", argv[optind - 1]), 2;
        }
    }
    buf = malloc((size_t)mib << 20);
    copy = malloc((size_t)mib << 20);
    if (!buf || !copy)
        return fprintf(stderr, "verify_bench: out of memory for %ld MiB\n", mib), 1;
    for (int k = 0; k < 3; k++) {
        vb_fill((enum pattern_kind)k, buf, (size_t)mib << 20);
        if ((gbs[k] = vb_rate(k, buf, NULL, (size_t)mib << 20, secs)) < 0)
            return 1;
    }
    memcpy(copy, buf, (size_t)mib << 20);
    gbs[3] = vb_rate(-1, buf, copy, (size_t)mib << 20, secs);
    if (json)
        printf("{\"echo_gbs\":%.3f,\"stream_gbs\":%.3f,\"repeat_gbs\":%.3f,\"memcmp_gbs\":%.3f}\n",
               gbs[0], gbs[1], gbs[2], gbs[3]);
    else
        for (int k = 0; k < 4; k++)
            printf("%-7s %.3f GB/s per core\n", k < 3 ? names[k] : "memcmp", gbs[k]);
    free(buf);
    free(copy);
    return 0;
}
