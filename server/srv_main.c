/* srv_main.c: command-line options and main for edgecase-server, the reference ET server. */
#include "server/srv.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char srv_usage[] =
    "Usage: edgecase-server [OPTION]...\n"
    "A reference epoll edge-triggered server with a correct write path.\n"
    "\n"
    "  --listen ADDR:PORT   listen here (default 127.0.0.1:0; [::1]:0 for IPv6);\n"
    "                       prints 'listening on ADDR:PORT' on stdout\n"
    "  --proto P            echo (default), repeat:N or stream\n"
    "                         echo:     every byte read is written back\n"
    "                         repeat:N: each line M answered with N lines 'i:M\\r\\n'\n"
    "                         stream:   request 'N\\n' answered with N pattern bytes,\n"
    "                                   16-byte records printf(\"%015llx\\n\", 16*k)\n"
    "  --repeat N           same as --proto repeat:N (with --proto repeat); a bare\n"
    "                       --proto repeat means N = 20000, the seed's count\n"
    "  --max-line BYTES     longest request line (default 65536); longer closes\n"
    "  --sndbuf BYTES       SO_SNDBUF of accepted sockets (default: kernel's)\n"
    "  --rcvbuf BYTES       SO_RCVBUF of accepted sockets (default: kernel's)\n"
    "  --hwm BYTES          stop reading a connection with this much queued (default 524288)\n"
    "  --lwm BYTES          read again once drained to this (default 131072)\n"
    "  --budget BYTES       bytes written (and read) per connection per loop turn\n"
    "                       (default 262144)\n"
    "  --max-conns N        connections beyond this are accepted and closed (default 100000)\n"
    "  --help               show this help\n"
    "BYTES accept a k, m or g suffix (powers of 1024).\n"
    "SIGUSR1 prints the counters as one JSON line on stdout; SIGTERM/SIGINT print them\n"
    "and exit 0.\n";

enum srv_opt { OPT_LISTEN = 1, OPT_PROTO, OPT_REPEAT, OPT_MAX_LINE, OPT_SNDBUF, OPT_RCVBUF,
               OPT_HWM, OPT_LWM, OPT_BUDGET, OPT_MAX_CONNS, OPT_HELP };

static const struct option srv_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"proto", required_argument, NULL, OPT_PROTO},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"sndbuf", required_argument, NULL, OPT_SNDBUF},
    {"rcvbuf", required_argument, NULL, OPT_RCVBUF},
    {"hwm", required_argument, NULL, OPT_HWM},
    {"lwm", required_argument, NULL, OPT_LWM},
    {"budget", required_argument, NULL, OPT_BUDGET},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Parses a byte count with an optional k/m/g suffix within [min, max]. Returns 0 or -1. */
static int srv__bytes(const char *s, unsigned long long min, unsigned long long max, unsigned long long *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return -1;
    switch (*end) {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    }
    if (*end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Applies one option to conf. Returns 0, or -1 with err naming the option. */
static int srv__option(struct srv_conf *conf, int opt, const char *arg, char *err, size_t errlen)
{
    unsigned long long v = 0;
    const char *name = "?";
    char perr[160];

    for (const struct option *o = srv_options; o->name; o++)
        if (o->val == opt)
            name = o->name;

    switch ((enum srv_opt)opt) {
    case OPT_LISTEN: conf->listen = arg; return 0;
    case OPT_PROTO:
        if (proto_parse_spec(arg, &conf->proto, perr, sizeof(perr)) == 0)
            return 0;
        snprintf(err, errlen, "--proto: %s", perr);
        return -1;
    case OPT_REPEAT:
        if (proto_parse_repeat_n(arg, &conf->proto.repeat_n, perr, sizeof(perr)) == 0)
            return 0;
        snprintf(err, errlen, "--repeat: %s", perr);
        return -1;
    case OPT_MAX_LINE: if (srv__bytes(arg, 1, 1ULL << 30, &v) == 0) { conf->proto.max_line = v; return 0; } break;
    case OPT_SNDBUF: if (srv__bytes(arg, 1, INT_MAX, &v) == 0) { conf->sndbuf = (int)v; return 0; } break;
    case OPT_RCVBUF: if (srv__bytes(arg, 1, INT_MAX, &v) == 0) { conf->rcvbuf = (int)v; return 0; } break;
    case OPT_HWM: if (srv__bytes(arg, 1, 1ULL << 40, &v) == 0) { conf->hwm = v; return 0; } break;
    case OPT_LWM: if (srv__bytes(arg, 0, 1ULL << 40, &v) == 0) { conf->lwm = v; return 0; } break;
    case OPT_BUDGET: if (srv__bytes(arg, 1, 1ULL << 40, &v) == 0) { conf->budget = v; return 0; } break;
    case OPT_MAX_CONNS: if (srv__bytes(arg, 1, 10000000, &v) == 0) { conf->max_conns = (unsigned)v; return 0; } break;
    case OPT_HELP: return 0;
    }
    snprintf(err, errlen, "--%s: bad value '%s'", name, arg);
    return -1;
}

/* Parses argv into conf. Returns 0, 1 for --help, or -1 with err naming the option. */
static int srv__parse_args(int argc, char **argv, struct srv_conf *conf, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", srv_options, NULL)) != -1) {
        if (opt == OPT_HELP)
            return 1;
        if (opt == '?' || opt == ':') {
            snprintf(err, errlen, "unknown option or missing value: '%s'", argv[optind - 1]);
            return -1;
        }
        if (srv__option(conf, opt, optarg, err, errlen) < 0)
            return -1;
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (conf->proto.kind == PROTO_REPEAT && conf->proto.repeat_n == 0)
        conf->proto.repeat_n = PROTO_REPEAT_DEFAULT;
    if (srv_net_resolve(conf->listen, &ss, &sl, err, errlen) < 0)
        return -1;
    if (conf->lwm >= conf->hwm) {
        snprintf(err, errlen, "--lwm (%zu) must be below --hwm (%zu)", conf->lwm, conf->hwm);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct srv_conf conf = {
        .proto = {.kind = PROTO_ECHO, .repeat_n = 0, .max_line = PROTO_MAX_LINE_DEFAULT},
        .listen = "127.0.0.1:0",
        .hwm = SRV_HWM_DEFAULT,
        .lwm = SRV_LWM_DEFAULT,
        .budget = SRV_BUDGET_DEFAULT,
        .max_conns = SRV_MAX_CONNS_DEFAULT,
    };
    static struct srv_loop loop;  /* static: it holds the 64 KiB read buffer */
    char err[256];
    sigset_t sigs;
    int fd, r;

    r = srv__parse_args(argc, argv, &conf, err, sizeof(err));
    if (r > 0) {
        fputs(srv_usage, stdout);
        return 0;
    }
    if (r < 0) {
        fprintf(stderr, "edgecase-server: %s (see --help)\n", err);
        return 2;
    }
    /* Output chunks come and go at line rate: glibc would hand a freed chunk's
     * pages back to the kernel and fault them in again for the next one (12 %
     * of the echo path's time in page faults, bench/README.md). Keeping a few
     * MiB of freed heap costs less than that and bounds nothing the hwm bounds. */
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
    srv_loop_block_signals(&sigs);
    fd = srv_net_listen(&conf, stdout, err, sizeof(err));
    if (fd < 0) {
        fprintf(stderr, "edgecase-server: %s\n", err);
        return 1;
    }
    if (srv_loop_init(&loop, &conf, fd, err, sizeof(err)) < 0 ||
        srv_loop_run(&loop, err, sizeof(err)) < 0) {
        fprintf(stderr, "edgecase-server: %s\n", err);
        srv_loop_destroy(&loop);
        return 1;
    }
    srv_stats_print(stdout, &loop.stats);
    srv_loop_destroy(&loop);
    return 0;
}
