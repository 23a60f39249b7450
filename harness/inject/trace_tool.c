/* trace_tool.c: edgecase-trace, prints an injector trace file (totals, diagnosis, open connections, last events). */
#include "harness/inject/trace.h"

#include <stdio.h>
#include <string.h>

static const char trace_tool_usage[] =
    "usage: edgecase-trace [--totals] TRACE-FILE\n"
    "       edgecase-trace --check-spec SPEC\n"
    "Prints a trace written by libedgecase-inject.so (EDGECASE_TRACE=...).\n"
    "  --totals        only the one-line diagnosis\n"
    "  --check-spec S  validate an EDGECASE_INJECT spec and exit 0 or 1\n"
    "  --help          this text\n";

int main(int argc, char **argv)
{
    char err[512];
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(trace_tool_usage, stdout);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--check-spec") == 0) {
        if (inj_spec_validate(argv[2], err, sizeof(err)) < 0) {
            fprintf(stderr, "edgecase-trace: bad spec: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--totals") == 0) {
        struct trace_totals t;
        char line[1024];
        int rc = trace_read_totals(argv[2], &t, err, sizeof(err));
        trace_describe(&t, line, sizeof(line));
        printf("%s\n", line);
        if (rc < 0)
            fprintf(stderr, "edgecase-trace: %s\n", err);
        return rc < 0 ? 1 : 0;
    }
    if (argc == 2 && argv[1][0] != '-') {
        if (trace_dump(argv[1], stdout, err, sizeof(err)) < 0) {
            fprintf(stderr, "edgecase-trace: %s\n", err);
            return 1;
        }
        return 0;
    }
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-' && strcmp(argv[i], "--totals") != 0 && strcmp(argv[i], "--check-spec") != 0) {
            fprintf(stderr, "edgecase-trace: unknown option '%s'\n%s", argv[i], trace_tool_usage);
            return 2;
        }
    fputs(trace_tool_usage, stderr);
    return 2;
}
