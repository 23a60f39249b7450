/* case.h: the declarative case file format (cases/NAME.case), parsed into a struct ec_case. */
#ifndef EC_CASE_H
#define EC_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "harness/client/engine.h"

#define CASE_MAX_GROUPS 8
#define CASE_MAX_STEPS 16
#define CASE_MAX_PHASES 4
#define CASE_MAX_PROTOS 4
#define CASE_MAX_CLASSES 8
#define CASE_MAX_CPU 4
#define CASE_MAX_OVERRIDES 32

/* A protocol a case can run with; repeat_n 0 = whatever the target speaks. */
struct case_proto {
    enum pattern_kind kind;
    uint32_t repeat_n;
    int newline;              /* repeat: messages end in '\n' (0 = the seed's server) */
};

/* A point in time: ms after the clients start, or after they all connected. */
enum case_anchor { CASE_AT_START, CASE_AT_CONNECT };
struct case_when {
    enum case_anchor anchor;
    int ms;
};

enum case_step_kind { CASE_STEP_FREEZE, CASE_STEP_RESUME };
struct case_step {
    enum case_step_kind kind;
    struct case_when when;
    int line;
};

/* A named interval over which the target's CPU time is measured. */
struct case_phase {
    char name[32];
    struct case_when from, to;
    int line;
};

/* A CPU bound: at most max_frac CPU-seconds per wall second over a phase. */
struct case_cpu_limit {
    char phase_name[32];
    int phase;                /* index into phases, resolved after parsing */
    double max_frac;
    int line;
};

/* A latency bound: every client of a group finishes within max_ms of connecting. */
struct case_done_limit {
    int group;                /* index into groups (the file counts from 1) */
    int max_ms;
    int line;
};

/* RSTs on the wire: DEFAULT = NO for a capture case unless a client resets on purpose, then ANY. */
enum case_wire_rst { CASE_RST_DEFAULT, CASE_RST_NO, CASE_RST_YES, CASE_RST_ANY };

/* What must hold at the end; 0 / -1 leave an assertion out. */
struct case_expect {
    int delivered;            /* every client not ending itself completes byte-exact */
    int no_hang;              /* no client left running at the deadline */
    int alive;                /* the target still runs at the end */
    int serve_after;          /* a fresh client is served after the scenario */
    int backpressure;         /* the case is vacuous unless the target saw EAGAIN */
    int finish_within_ms;     /* 0 = no bound beyond the deadline */
    long long rss_growth_max; /* bytes; -1 = unbounded */
    int probe_max_ms;         /* 0 = no bound */
    int resumptions_min;      /* -1 = not asserted */
    struct case_cpu_limit cpu[CASE_MAX_CPU];
    int ncpu;
    struct case_done_limit done[CASE_MAX_GROUPS];
    int ndone;
    /* On the wire (needs capture = yes; checked on the case's pcap after the run). */
    int wire_zero_window_resumed;  /* a receiver's zero window that later reopened, data resuming */
    enum case_wire_rst wire_rst;   /* RSTs allowed on the case's flows */
    int wire_acked_equals_verified;  /* bytes the clients ACKed == bytes they verified */
    int wire_line;            /* the first wire_* key's line, for validation messages */
    int wire_rst_line;
};

/* A "key@PROTO = value" line: applied over the plain keys when the case runs
 * with PROTO (case_variant), so one file can size a scenario per protocol. */
struct case_override {
    enum pattern_kind kind;   /* the protocol it applies to */
    int key;                  /* index in the parser's key table */
    int group;                /* [clients] section it belongs to (0-based), -1 elsewhere */
    int line;
    char val[96];
};

/* One parsed case file. */
struct ec_case {
    char name[64];
    char description[256];
    char path[4096];
    int classes[CASE_MAX_CLASSES];   /* bug classes (1..BC_COUNT, harness/verdict/classes.h) the case is meant to catch */
    int nclasses;
    struct case_proto protos[CASE_MAX_PROTOS];
    int nprotos;
    int deadline_ms;          /* hard bound for the clients (before --timeout-scale) */
    int stall_ms;             /* no progress this long with bytes outstanding = a stall */
    /* [target] */
    int sndbuf, rcvbuf;       /* server socket buffers; 0 = the target's default */
    long nofile;              /* RLIMIT_NOFILE of the target; 0 = inherit */
    char inject[256];         /* preload injector spec, "" = none */
    int capture;              /* capture packets (when privileged) */
    int netns;                /* client and target in two namespaces joined by a veth (needs root) */
    int netns_rate_kbit;      /* tbf rate on both veth ends; 0 = unshaped */
    int netns_rate_line;      /* where netns_rate was given, for "needs netns = yes" */
    /* [clients] sections; proto fields are filled at run time */
    struct client_spec groups[CASE_MAX_GROUPS];
    int ngroups;
    uint64_t send_echo[CASE_MAX_GROUPS];  /* [clients] send_echo: send when run with echo; 0 = send */
    struct case_step steps[CASE_MAX_STEPS];
    int nsteps;
    struct case_phase phases[CASE_MAX_PHASES];
    int nphases;
    struct case_expect expect;
    struct case_override over[CASE_MAX_OVERRIDES];
    int nover;
    char protocols_why[256];  /* [case] protocols_why: why other protocols cannot express it */
};

/* Parses case text; fname is used for messages and the default name. Returns
 * 0, or -1 with "fname:LINE: reason" in err. */
int case_parse_text(const char *text, const char *fname, struct ec_case *c, char *err, size_t errlen);
/* Reads and parses one file. Returns 0 or -1 with err as above. */
int case_parse_file(const char *path, struct ec_case *c, char *err, size_t errlen);
/* Loads every *.case of dir sorted by file name into a malloc'd array.
 * Returns 0 or -1 with err (the first malformed file, or a duplicate name). */
int case_load_dir(const char *dir, struct ec_case **cases, int *ncases, char *err, size_t errlen);

/* Parses "echo", "stream", "repeat", "repeat:N" or "repeat:N:nonl". Returns 0 or -1. */
int case_proto_parse(const char *s, struct case_proto *p, char *err, size_t errlen);
/* Formats a protocol as the reference server's --proto takes it. */
const char *case_proto_str(const struct case_proto *p, char *buf, size_t buflen);

/* The case as it runs with protocol kind: a copy of c with its key@PROTO
 * overrides for that protocol applied. Returns 0, or -1 with err (an
 * override that does not fit; the parser already rejected those). */
int case_variant(const struct ec_case *c, enum pattern_kind kind, struct ec_case *out, char *err, size_t errlen);

/* Picks the protocol case c runs with against a target speaking *target
 * (NULL: the reference server, which speaks the case's first protocol).
 * Returns 0 with *out filled, or -1 with why the case cannot run (SKIP). */
int case_pick_proto(const struct ec_case *c, const struct case_proto *target, struct case_proto *out,
                    char *why, size_t whylen);

/* Whether the case asserts anything on the wire (and so needs its capture). */
int case_has_wire(const struct ec_case *c);
/* The RST rule the case runs with: its wire_rst, or the default for it. */
enum case_wire_rst case_wire_rst(const struct ec_case *c);


#endif
