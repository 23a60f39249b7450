/* cap_main.c: the `edgecase pcap FILE` subcommand: analyze a capture and print per-flow TCP stall facts. */
#include "harness/capture/cap.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAP_DEFAULT_STALL_MS 200

static void cap__usage(FILE *out)
{
    fprintf(out,
            "usage: edgecase pcap FILE [--port N] [--stall-ms MS] [--json | --summary]\n"
            "Reads a capture (pcap or pcapng; Ethernet, Linux cooked v1/v2, NULL/LOOP, raw IP;\n"
            "IPv4 and IPv6) and reports per TCP flow: bytes each way, zero windows, window\n"
            "probes and their ACKs, window-full, window updates, keep-alives, retransmissions,\n"
            "RSTs and stalls (no new data acknowledged for more than MS while data was\n"
            "outstanding or the receiver's window was 0). The counters named after Wireshark's\n"
            "tcp.analysis flags follow its rules, so they equal tshark's on the same file.\n"
            "  --port N       only flows with N as either port (default: all)\n"
            "  --stall-ms MS  stall threshold in milliseconds (default %d)\n"
            "  --json         one JSON object instead of text\n"
            "  --summary      one line naming the worst stall (what case reports show)\n"
            "  --help         this text\n"
            "Exit: 0 ok, 2 bad usage or unreadable file.\n",
            CAP_DEFAULT_STALL_MS);
}

/* Parses a non-negative int option value; returns 0 or -1. */
static int cap__int_arg(const char *s, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 0 || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int cap_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'},
        {"stall-ms", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"summary", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int port = 0, stall_ms = CAP_DEFAULT_STALL_MS, json = 0, summary = 0, c;
    struct cap_report r;
    char err[1024];

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (cap__int_arg(optarg, 65535, &port) < 0) {
                fprintf(stderr, "edgecase pcap: --port: bad value '%s' (0-65535)\n", optarg);
                return 2;
            }
            break;
        case 's':
            if (cap__int_arg(optarg, INT_MAX / 1000, &stall_ms) < 0) {
                fprintf(stderr, "edgecase pcap: --stall-ms: bad value '%s'\n", optarg);
                return 2;
            }
            break;
        case 'j':
            json = 1;
            break;
        case 'S':
            summary = 1;
            break;
        case 'h':
            cap__usage(stdout);
            return 0;
        default:
            fprintf(stderr, "edgecase pcap: unknown or incomplete option '%s'\n",
                    argv[optind - 1]);
            cap__usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "edgecase pcap: %s\n", optind >= argc ? "missing FILE" : "one FILE only");
        cap__usage(stderr);
        return 2;
    }
    if (summary) {
        if (cap_summarize(argv[optind], stall_ms, err, sizeof err) < 0) {
            fprintf(stderr, "edgecase %s\n", err);
            return 2;
        }
        printf("%s\n", err);
        return 0;
    }
    if (cap_analyze(argv[optind], port, stall_ms, &r, err, sizeof err) < 0) {
        fprintf(stderr, "edgecase pcap: %s\n", err);
        return 2;
    }
    cap_report_print(&r, json, stdout);
    cap_report_free(&r);
    return 0;
}
