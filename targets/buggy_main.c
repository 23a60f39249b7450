/* buggy_main.c: command-line options and main for buggy-server, the harness's proof that it catches bugs. */
#include "targets/buggy.h"
#include "targets/tnet.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char buggy_usage[] =
    "Usage: buggy-server [OPTION]...\n"
    "An epoll edge-triggered echo, repeat or HTTP server with deliberate write-path bugs.\n"
    "Without --bug it is correct; each --bug NAME switches one bug on.\n"
    "\n"
    "  --listen ADDR:PORT   listen here (default 127.0.0.1:0; [::1]:0 for IPv6);\n"
    "                       prints 'listening on ADDR:PORT' on stdout\n"
    "  --proto P            echo (default), repeat:N (each line M answered\n"
    "                       with N lines 'i:M\\r\\n', i = 0..N-1) or http (HTTP/1.1\n"
    "                       GET and HEAD of files under --docroot: keep-alive,\n"
    "                       pipelining, 404 for a missing file, 400 for garbage)\n"
    "  --docroot DIR        http: the folder request paths name files in (needed)\n"
    "  --chunked            http: bodies to HTTP/1.1 clients go Transfer-Encoding:\n"
    "                       chunked, 16 KiB a chunk (default: Content-Length)\n"
    "  --sndbuf BYTES       SO_SNDBUF of accepted sockets (default: kernel's)\n"
    "  --rcvbuf BYTES       SO_RCVBUF of accepted sockets (default: kernel's)\n"
    "  --hwm BYTES          stop reading a connection with this much queued (default 1m)\n"
    "  --lwm BYTES          read again once drained to this (default 256k)\n"
    "  --budget BYTES       bytes written per connection per turn (default 256k)\n"
    "  --read-cap BYTES     bytes read per connection per turn (default 1m)\n"
    "  --bug NAME           switch a bug on (repeatable, or NAME,NAME,...)\n"
    "  --list-bugs          print the bug table and exit\n"
    "  --help               show this help\n"
    "BYTES accept a k or m suffix. SIGUSR1 prints counters as one JSON line;\n"
    "SIGTERM/SIGINT exit 0.\n"
    "\n"
    "Bugs (NAME, class of docs/bug-classes.md, what goes wrong):\n";

enum buggy_opt { OPT_LISTEN = 1, OPT_PROTO, OPT_SNDBUF, OPT_RCVBUF, OPT_HWM, OPT_LWM, OPT_BUDGET,
                 OPT_READ_CAP, OPT_BUG, OPT_LIST_BUGS, OPT_HELP, OPT_DOCROOT, OPT_CHUNKED };

static const struct option buggy_options[] = {
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"proto", required_argument, NULL, OPT_PROTO},
    {"sndbuf", required_argument, NULL, OPT_SNDBUF},
    {"rcvbuf", required_argument, NULL, OPT_RCVBUF},
    {"hwm", required_argument, NULL, OPT_HWM},
    {"lwm", required_argument, NULL, OPT_LWM},
    {"budget", required_argument, NULL, OPT_BUDGET},
    {"read-cap", required_argument, NULL, OPT_READ_CAP},
    {"bug", required_argument, NULL, OPT_BUG},
    {"list-bugs", no_argument, NULL, OPT_LIST_BUGS},
    {"help", no_argument, NULL, OPT_HELP},
    {"docroot", required_argument, NULL, OPT_DOCROOT},
    {"chunked", no_argument, NULL, OPT_CHUNKED},
    {NULL, 0, NULL, 0},
};

/* Parses a byte count with an optional k/m suffix within [min, max]. Returns 0 or -1. */
static int buggy__bytes(const char *s, unsigned long long min, unsigned long long max, unsigned long long *out)
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
    }
    if (*end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Parses "echo", "repeat:N" or "http". Returns 0 or -1. */
static int buggy__proto(const char *s, struct bconf *conf)
{
    unsigned long long n;

    if (strcmp(s, "echo") == 0 || strcmp(s, "http") == 0) {
        conf->proto = s[0] == 'e' ? BPROTO_ECHO : BPROTO_HTTP;
        return 0;
    }
    if (strncmp(s, "repeat:", 7) != 0 || buggy__bytes(s + 7, 1, 1000000, &n) < 0)
        return -1;
    conf->proto = BPROTO_REPEAT;
    conf->repeat_n = (uint32_t)n;
    return 0;
}

/* Switches on each bug of a comma-separated list. Returns 0 or -1 with err. */
static int buggy__bugs(const char *arg, struct bconf *conf, char *err, size_t errlen)
{
    char buf[512], *save = NULL, *tok;

    snprintf(buf, sizeof(buf), "%s", arg);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int b = bug_lookup(tok);
        if (b < 0) {
            snprintf(err, errlen, "--bug: unknown bug '%s'; --list-bugs lists them", tok);
            return -1;
        }
        conf->bugs |= 1u << b;
    }
    return 0;
}

/* Applies one option. Returns 0, or -1 with err naming the option. */
static int buggy__option(struct bconf *conf, int opt, const char *arg, char *err, size_t errlen)
{
    unsigned long long v = 0;

    switch ((enum buggy_opt)opt) {
    case OPT_LISTEN: conf->listen = arg; return 0;
    case OPT_PROTO: if (buggy__proto(arg, conf) == 0) return 0; break;
    case OPT_SNDBUF: if (buggy__bytes(arg, 1, INT_MAX, &v) == 0) { conf->sndbuf = (int)v; return 0; } break;
    case OPT_RCVBUF: if (buggy__bytes(arg, 1, INT_MAX, &v) == 0) { conf->rcvbuf = (int)v; return 0; } break;
    case OPT_HWM: if (buggy__bytes(arg, 1, 1ULL << 40, &v) == 0) { conf->hwm = v; return 0; } break;
    case OPT_LWM: if (buggy__bytes(arg, 0, 1ULL << 40, &v) == 0) { conf->lwm = v; return 0; } break;
    case OPT_BUDGET: if (buggy__bytes(arg, 1, 1ULL << 40, &v) == 0) { conf->budget = v; return 0; } break;
    case OPT_READ_CAP: if (buggy__bytes(arg, 1, 1ULL << 40, &v) == 0) { conf->read_cap = v; return 0; } break;
    case OPT_BUG: return buggy__bugs(arg, conf, err, errlen);
    case OPT_DOCROOT: conf->docroot = arg; return 0;
    case OPT_CHUNKED: conf->chunked = 1; return 0;
    case OPT_LIST_BUGS: case OPT_HELP: return 0;
    }
    snprintf(err, errlen, "--%s: bad value '%s'", buggy_options[opt - 1].name, arg);
    return -1;
}

/* Checks the options that go with --proto http. Returns 0, or -1 with err naming the flag. */
static int buggy__http_opts(const struct bconf *conf, char *err, size_t errlen)
{
    struct stat st;

    if (conf->proto != BPROTO_HTTP) {
        if (conf->docroot || conf->chunked)
            snprintf(err, errlen, "--%s: only with --proto http", conf->docroot ? "docroot" : "chunked");
        return conf->docroot || conf->chunked ? -1 : 0;
    }
    if (!conf->docroot) {
        snprintf(err, errlen, "--docroot: needed by --proto http");
        return -1;
    }
    if (stat(conf->docroot, &st) < 0) {
        snprintf(err, errlen, "--docroot: '%s': %s", conf->docroot, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--docroot: '%s' is not a folder", conf->docroot);
        return -1;
    }
    return 0;
}

/* Parses argv. Returns 0, 1 for --help, 2 for --list-bugs, or -1 with err. */
static int buggy__parse_args(int argc, char **argv, struct bconf *conf, char *err, size_t errlen)
{
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", buggy_options, NULL)) != -1) {
        if (opt == OPT_HELP)
            return 1;
        if (opt == OPT_LIST_BUGS)
            return 2;
        if (opt == '?' || opt == ':') {
            snprintf(err, errlen, "unknown option or missing value: '%s'", argv[optind - 1]);
            return -1;
        }
        if (buggy__option(conf, opt, optarg, err, errlen) < 0)
            return -1;
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (conf->lwm >= conf->hwm) {
        snprintf(err, errlen, "--lwm (%zu) must be below --hwm (%zu)", conf->lwm, conf->hwm);
        return -1;
    }
    return buggy__http_opts(conf, err, errlen);
}

static void buggy__on_stop(int sig) { (void)sig; bloop_stop = 1; }
static void buggy__on_dump(int sig) { (void)sig; bloop_dump = 1; }

/* Installs the handlers, without SA_RESTART, and blocks their signals: the
 * loop lets them in only inside epoll_pwait. */
static void buggy__signals(const struct bconf *conf)
{
    struct sigaction sa;
    sigset_t set;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = buggy__on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = buggy__on_dump;
    sigaction(SIGUSR1, &sa, NULL);
    if (!bug_on(conf->bugs, BUG_SIGPIPE))
        signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

int main(int argc, char **argv)
{
    struct bconf conf = {
        .listen = "127.0.0.1:0", .proto = BPROTO_ECHO,
        .hwm = BUGGY_HWM_DEFAULT, .lwm = BUGGY_LWM_DEFAULT,
        .budget = BUGGY_BUDGET_DEFAULT, .read_cap = BUGGY_READ_CAP_DEFAULT,
    };
    static struct bloop loop;  /* static: it holds the read buffer */
    char err[256];
    int fd, r;

    r = buggy__parse_args(argc, argv, &conf, err, sizeof(err));
    if (r == 1 || r == 2) {
        if (r == 1)
            fputs(buggy_usage, stdout);
        bug_print_list(stdout);
        return 0;
    }
    if (r < 0) {
        fprintf(stderr, "buggy-server: %s (see --help)\n", err);
        return 2;
    }
    buggy__signals(&conf);
    fd = tnet_listen(conf.listen, stdout, err, sizeof(err));
    if (fd < 0) {
        fprintf(stderr, "buggy-server: %s\n", err);
        return 1;
    }
    if (bloop_init(&loop, &conf, fd, err, sizeof(err)) < 0 || bloop_run(&loop, err, sizeof(err)) < 0) {
        fprintf(stderr, "buggy-server: %s\n", err);
        bloop_destroy(&loop);
        return 1;
    }
    bloop_destroy(&loop);
    return 0;
}
