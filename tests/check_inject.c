/* check_inject.c: Check tests of the LD_PRELOAD injector: loading, buffers, trace counts, faults, bug exposure.
 * Run one case with CK_RUN_CASE=name (names below); debug with CK_FORK=no gdb.
 * Needs $EC_TOP_BUILDDIR/tests/inject_peer and harness/inject/.libs/libedgecase-inject.so. */
#include "harness/inject/trace.h"
#include "tests/inject_util.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024 * 1024)

/* One started peer with its trace, torn down by ij_end. */
struct ij {
    char dir[512], trace[700], so[512], peer[512];
    struct iu_proc p;
};

/* Starts inject_peer in mode under spec; the trace goes to a fresh dir. */
static void ij_start(struct ij *c, const char *mode, const char *spec)
{
    char err[512];
    ck_assert_msg(iu_tmpdir(c->dir, sizeof(c->dir)) == 0, "mkdtemp failed");
    snprintf(c->trace, sizeof(c->trace), "%s/trace", c->dir);
    iu_path("harness/inject/.libs/libedgecase-inject.so", c->so, sizeof(c->so));
    iu_path("tests/inject_peer", c->peer, sizeof(c->peer));
    ck_assert_msg(access(c->so, R_OK) == 0, "injector not built at %s", c->so);
    const char *argv[] = {c->peer, "--mode", mode, "--max-seconds", "90", NULL};
    int rc = iu_start(&c->p, argv, c->so, spec, c->trace, c->dir, 1, err, sizeof(err));
    ck_assert_msg(rc == 0, "mode %s spec '%s': %s", mode, spec, err);
}

/* Waits (3 s at most) for the peer to close every connection, so the
 * counts of its last calls are in; stops it (SIGTERM) and reads its trace,
 * which must be present. */
static void ij_end(struct ij *c, struct trace_totals *t)
{
    char err[512];
    for (int i = 0; i < 300; i++) {
        if (trace_read_totals(c->trace, t, err, sizeof(err)) == 0 && t->open_conns == 0)
            break;
        usleep(10000);
    }
    iu_stop(&c->p, SIGTERM);
    int rc = trace_read_totals(c->trace, t, err, sizeof(err));
    ck_assert_msg(rc == 0 && t->present, "trace %s unreadable: %s", c->trace, err);
}

static void ij_cleanup(struct ij *c)
{
    unlink(c->trace);
    unlink(c->p.err_path);
    rmdir(c->dir);
}

/* The slow-reader transfer most cases use: the client's small receive
 * buffer and pauses fill the server's (shrunken) send buffer again and again. */
static const struct iu_xfer ij_slow = {.total = 2 * MIB, .rcvbuf = 8192, .read_chunk = 4096, .slow_us = 100};

static void ij_expect_exact(const char *what, const struct iu_xfer *x, const struct iu_result *r, const char *trace)
{
    ck_assert_msg(!r->mismatch, "%s: byte %zu differs (trace %s)", what, r->first_bad, trace);
    ck_assert_msg(!r->stalled, "%s: stalled after %zu/%zu bytes back (trace %s)", what, r->received, x->total, trace);
    ck_assert_msg(r->received == x->total, "%s: %zu of %zu bytes came back (eof %d, trace %s)",
                  what, r->received, x->total, r->eof, trace);
}

START_TEST(t_loads)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    struct iu_xfer x = {.total = 65536};
    ij_start(&c, "correct", "seed=42");
    ck_assert_int_eq(iu_transfer(c.p.port, &x, &r), 0);
    ij_expect_exact("loads", &x, &r, c.trace);
    ij_end(&c, &t);
    ck_assert_uint_eq(t.seed, 42);
    ck_assert_str_eq(t.spec, "seed=42");
    ck_assert_uint_eq(t.conns, 1);
    ck_assert_uint_eq(t.bytes_written, x.total);
    ck_assert_uint_eq(t.bytes_read, x.total);
    ck_assert_uint_eq(t.reg_et, 1);
    ck_assert_uint_eq(t.reg_lt, 0);
    ck_assert_uint_eq(t.eagain_injected + t.short_injected + t.eintr_injected, 0);
    ck_assert_int_gt(t.ring_events, 0);
    ck_assert_msg(getenv("LD_PRELOAD") == NULL || strstr(getenv("LD_PRELOAD"), "edgecase-inject") == NULL,
                  "LD_PRELOAD leaked into the test process");
    ij_cleanup(&c);
}
END_TEST

START_TEST(t_sndbuf)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    char line[128];
    int seen = -1;
    struct iu_xfer x = {.total = 4096};
    ij_start(&c, "correct", "sndbuf=4096,rcvbuf=4096");
    ck_assert_int_eq(iu_transfer(c.p.port, &x, &r), 0);
    ck_assert_msg(iu_line(&c.p, 5000, line, sizeof(line)) == 0 && sscanf(line, "sndbuf %d", &seen) == 1,
                  "peer printed no sndbuf line");
    ij_end(&c, &t);
    /* Linux doubles the request; the server must see it, not the default (>= 16 KiB). */
    ck_assert_int_eq(seen, 8192);
    ck_assert_int_eq(t.sndbuf_applied, 8192);
    ck_assert_int_eq(t.rcvbuf_applied, 8192);
    ij_cleanup(&c);
}
END_TEST

START_TEST(t_slow_reader)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    ij_start(&c, "correct", "sndbuf=4096");
    ck_assert_int_eq(iu_transfer(c.p.port, &ij_slow, &r), 0);
    ij_expect_exact("slow reader", &ij_slow, &r, c.trace);
    ij_end(&c, &t);
    char d[1024];
    trace_describe(&t, d, sizeof(d));
    ck_assert_msg(t.bytes_written == ij_slow.total, "bytes_written %llu: %s", (unsigned long long)t.bytes_written, d);
    ck_assert_msg(t.eagain_real > 0 && t.epollout_real > 0 && t.resumptions > 0, "no EAGAIN/EPOLLOUT cycle: %s", d);
    /* It writes until EAGAIN, so a short write is followed by EAGAIN: one wait, one resumption. */
    ck_assert_msg(t.resumptions <= t.eagain_real, "more resumptions than EAGAIN (counted twice?): %s", d);
    ck_assert_msg(t.spin_writes == 0, "a correct server spun: %s", d);
    ck_assert_msg(t.write_calls > 16, "too few writes: %s", d);
    ij_cleanup(&c);
}
END_TEST

/* A server that waits for EPOLLOUT right after a short write (the seed's
 * way) never sees EAGAIN, yet it resumes: each wait counts once. */
START_TEST(t_short_wait)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    char d[1024];
    ij_start(&c, "shortwait", "sndbuf=4096");
    ck_assert_int_eq(iu_transfer(c.p.port, &ij_slow, &r), 0);
    ij_expect_exact("short wait", &ij_slow, &r, c.trace);
    ij_end(&c, &t);
    trace_describe(&t, d, sizeof(d));
    /* Counting only after EAGAIN would give at most eagain_real. */
    ck_assert_msg(t.resumptions > t.eagain_real, "resumptions after short writes not counted: %s", d);
    ck_assert_msg(t.resumptions <= t.short_writes + t.eagain_real, "a wait counted twice: %s", d);
    ck_assert_msg(t.resumptions <= t.epollout_real + t.epollout_synth, "more resumptions than EPOLLOUT: %s", d);
    ck_assert_msg(t.spin_writes == 0, "a correct server spun: %s", d);
    ij_cleanup(&c);
}
END_TEST

/* Faults a correct ET server must survive byte-exact and without a stall. */
static const struct {
    const char *mode, *spec;
    int want_short, want_eagain, want_eintr;
} ij_faults[] = {
    {"correct", "sndbuf=4096,short=0.3,seed=1", 1, 0, 0},
    {"correct", "eagain=0.3,seed=2", 0, 1, 0},
    {"correct", "eintr=0.2,seed=3", 0, 0, 1},
    {"correct", "eintr=0.3:read+write,seed=4", 0, 0, 1},
    {"correct", "sndbuf=4096,short=0.2,eagain=0.2,eintr=0.1,seed=5", 1, 1, 1},
    {"oneshot", "sndbuf=4096,short=0.2,eagain=0.2,eintr=0.1,seed=6", 1, 1, 1},
    {"lt", "sndbuf=4096,short=0.2,eagain=0.2,seed=7", 1, 1, 0},
    {"shortwait", "sndbuf=4096,short=0.2,eagain=0.2,eintr=0.1,seed=8", 1, 1, 1},
};

START_TEST(t_faults)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    char d[1024], what[200];
    snprintf(what, sizeof(what), "faults[%d] %s '%s'", _i, ij_faults[_i].mode, ij_faults[_i].spec);
    ij_start(&c, ij_faults[_i].mode, ij_faults[_i].spec);
    ck_assert_int_eq(iu_transfer(c.p.port, &ij_slow, &r), 0);
    ij_expect_exact(what, &ij_slow, &r, c.trace);
    ij_end(&c, &t);
    trace_describe(&t, d, sizeof(d));
    ck_assert_msg(!ij_faults[_i].want_short || t.short_injected > 0, "%s: no short write injected: %s", what, d);
    ck_assert_msg(!ij_faults[_i].want_eagain || t.eagain_injected > 0, "%s: no EAGAIN injected: %s", what, d);
    ck_assert_msg(!ij_faults[_i].want_eintr || t.eintr_injected > 0, "%s: no EINTR injected: %s", what, d);
    ck_assert_msg(t.spin_writes == 0, "%s: correct server counted as spinning: %s", what, d);
    ck_assert_msg(t.hold_spin_releases == 0, "%s: a hold had to be abandoned: %s", what, d);
    if (strcmp(ij_faults[_i].mode, "lt") != 0)
        ck_assert_msg(t.epollout_lt_idle == 0 && t.reg_lt_out == 0, "%s: LT counted for ET: %s", what, d);
    if (ij_faults[_i].want_short || ij_faults[_i].want_eagain)
        ck_assert_msg(t.epollout_synth + t.epollout_real > 0, "%s: no EPOLLOUT delivered: %s", what, d);
    ck_assert_uint_eq(t.bytes_written, ij_slow.total);
    ij_cleanup(&c);
}
END_TEST

START_TEST(t_ignore_return)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    struct iu_xfer x = ij_slow;
    x.stall_ms = 1500; /* lost bytes never come: a short quiet time ends the wait */
    ij_start(&c, "ignore", "short=0.3,seed=11");
    ck_assert_int_eq(iu_transfer(c.p.port, &x, &r), 0);
    ij_end(&c, &t);
    ck_assert_msg(r.mismatch || r.received < x.total,
                  "server ignoring write()'s return went unnoticed: %zu/%zu bytes, no mismatch", r.received, x.total);
    ck_assert_msg(t.short_injected > 0, "no short write injected");
    ck_assert_msg(t.bytes_written < t.bytes_read, "trace shows no loss: wrote %llu of %llu read",
                  (unsigned long long)t.bytes_written, (unsigned long long)t.bytes_read);
    ij_cleanup(&c);
}
END_TEST

START_TEST(t_spin)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    char d[1024];
    ij_start(&c, "spin", "sndbuf=4096");
    ck_assert_int_eq(iu_transfer(c.p.port, &ij_slow, &r), 0);
    ij_end(&c, &t);
    trace_describe(&t, d, sizeof(d));
    ck_assert_msg(t.spin_writes > 1000 && t.spin_nowait > 1000, "spinning server not exposed: %s", d);
    ck_assert_msg(strstr(d, "write after EAGAIN with no EPOLLOUT") != NULL, "diagnosis lacks the spin: %s", d);
    ij_cleanup(&c);
}
END_TEST

START_TEST(t_registration_bugs)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    char d[1024];
    struct iu_xfer x = {.total = 256 * 1024, .rcvbuf = 8192, .slow_us = 100};
    ij_start(&c, _i == 0 ? "lt" : "dropet", "sndbuf=4096");
    ck_assert_int_eq(iu_transfer(c.p.port, &x, &r), 0);
    ij_end(&c, &t);
    trace_describe(&t, d, sizeof(d));
    if (_i == 0) {
        ck_assert_msg(t.reg_lt_out > 0 && strstr(d, "EPOLLOUT registered level-triggered"), "lt: %s", d);
        ck_assert_msg(t.epollout_lt_idle > 100, "lt: idle wake-ups not counted: %s", d);
    } else {
        ck_assert_msg(t.mod_dropped_et > 0 && strstr(d, "MOD dropped EPOLLET"), "dropet: %s", d);
        ck_assert_msg(t.reg_oneshot > 0, "dropet: no oneshot registration counted: %s", d);
    }
    ij_cleanup(&c);
}
END_TEST

START_TEST(t_sigkill)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    char err[512];
    struct iu_xfer x = ij_slow;
    x.stop_after = 256 * 1024;
    ij_start(&c, "correct", "sndbuf=4096,seed=9");
    ck_assert_int_eq(iu_transfer(c.p.port, &x, &r), 0);
    iu_stop(&c.p, SIGKILL);
    ck_assert_msg(WIFSIGNALED(c.p.status) && WTERMSIG(c.p.status) == SIGKILL, "peer not killed");
    ck_assert_msg(trace_read_totals(c.trace, &t, err, sizeof(err)) == 0, "after SIGKILL: %s", err);
    ck_assert_int_eq(t.present, 1);
    ck_assert_uint_eq(t.seed, 9);
    ck_assert_uint_eq(t.conns, 1);
    ck_assert_msg(t.bytes_written >= r.received && r.received >= x.stop_after,
                  "written %llu, client got %zu", (unsigned long long)t.bytes_written, r.received);
    ij_cleanup(&c);
}
END_TEST

/* Bad specs stop the target at start with exit 2 and a message naming the key. */
static const struct {
    const char *spec, *msg;
} ij_bad[] = {
    {"foo=1", "unknown key 'foo'"},
    {"eagain=2", "eagain: '2' is not a probability"},
    {"sndbuf=lots", "sndbuf: 'lots' is not a buffer size"},
    {"eintr=0.1:read+sleep", "eintr: unknown call 'sleep'"},
    {"short", "short: missing '=value'"},
    {"seed=-3", "seed: '-3' is not an unsigned integer"},
};

START_TEST(t_spec_validate)
{
    char err[256];
    ck_assert_int_eq(inj_spec_validate(ij_bad[_i].spec, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, ij_bad[_i].msg) != NULL, "spec '%s': got '%s', want '%s'",
                  ij_bad[_i].spec, err, ij_bad[_i].msg);
}
END_TEST

START_TEST(t_spec_good)
{
    static const char *const good[] = {"", "seed=7", "sndbuf=4k,rcvbuf=1m", "eintr=0.1",
                                       "eintr=0.5:epoll_wait+accept", "short=0,eagain=1", ",seed=0x10,"};
    char err[256];
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_msg(inj_spec_validate(good[i], err, sizeof(err)) == 0, "'%s' rejected: %s", good[i], err);
}
END_TEST

START_TEST(t_bad_spec_exits)
{
    struct ij c;
    char err[512], text[2048], want[300];
    ck_assert_int_eq(iu_tmpdir(c.dir, sizeof(c.dir)), 0);
    snprintf(c.trace, sizeof(c.trace), "%s/trace", c.dir);
    iu_path("harness/inject/.libs/libedgecase-inject.so", c.so, sizeof(c.so));
    iu_path("tests/inject_peer", c.peer, sizeof(c.peer));
    const char *argv[] = {c.peer, NULL};
    ck_assert_msg(iu_start(&c.p, argv, c.so, ij_bad[_i].spec, c.trace, c.dir, 0, err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(iu_wait(&c.p, 5000) == 0, "target with bad spec '%s' kept running", ij_bad[_i].spec);
    iu_stop(&c.p, SIGKILL);
    iu_stderr(&c.p, text, sizeof(text));
    ck_assert_msg(WIFEXITED(c.p.status) && WEXITSTATUS(c.p.status) == 2, "spec '%s': status 0x%x",
                  ij_bad[_i].spec, c.p.status);
    snprintf(want, sizeof(want), "edgecase-inject: bad EDGECASE_INJECT: %s", ij_bad[_i].msg);
    ck_assert_msg(strstr(text, want) != NULL, "stderr '%s' lacks '%s'", text, want);
    ij_cleanup(&c);
}
END_TEST

START_TEST(t_absent)
{
    struct trace_totals t;
    char err[512], dir[512], path[700], d[512];
    ck_assert_int_eq(trace_read_totals("/nonexistent/edgecase-trace", &t, err, sizeof(err)), -1);
    ck_assert_int_eq(t.present, 0);
    ck_assert_msg(strstr(err, "no trace") != NULL, "err: %s", err);
    trace_describe(&t, d, sizeof(d));
    ck_assert_msg(strstr(d, "no injector trace") != NULL, "describe: %s", d);
    /* A file the target created but died before initialising. */
    ck_assert_int_eq(iu_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/empty", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(trace_read_totals(path, &t, err, sizeof(err)), -1);
    ck_assert_int_eq(t.present, 0);
    f = fopen(path, "w");
    ck_assert_int_eq(ftruncate(fileno(f), 8192), 0);
    fclose(f);
    ck_assert_int_eq(trace_read_totals(path, &t, err, sizeof(err)), -1);
    ck_assert_int_eq(t.present, 0);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(t_describe)
{
    struct trace_totals t = {.present = 1, .conns = 2, .spin_writes = 48213, .mod_dropped_et = 3,
                             .reg_lt_out = 5, .mod_dropped_out = 1};
    char d[1024], small[40];
    trace_describe(&t, d, sizeof(d));
    ck_assert_msg(strstr(d, "write after EAGAIN with no EPOLLOUT: 48213 times"), "%s", d);
    ck_assert_msg(strstr(d, "MOD dropped EPOLLET 3 times"), "%s", d);
    ck_assert_msg(strstr(d, "EPOLLOUT registered level-triggered 5 times"), "%s", d);
    ck_assert_msg(strstr(d, "MOD dropped EPOLLOUT with output pending 1 times"), "%s", d);
    ck_assert_msg(strstr(d, "2 conns"), "%s", d);
    trace_describe(&t, small, sizeof(small));
    ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

/* The evidence a failed case's diagnosis cites: bug signs only above their
 * thresholds (a correct server's few extra writes are not cited), then the faults. */
START_TEST(t_evidence)
{
    struct trace_totals t = {.present = 1, .spin_writes = 48213, .spin_nowait = 48000, .mod_dropped_et = 3};
    char d[1024];
    ck_assert_int_eq(trace_evidence(&t, d, sizeof(d)), 2);
    ck_assert_msg(strstr(d, "write after EAGAIN with no EPOLLOUT: 48213 times"), "%s", d);
    ck_assert_msg(strstr(d, "MOD dropped EPOLLET 3 times") && d[strlen(d) - 1] != ' ', "%s", d);
    struct trace_totals ok = {.present = 1, .spin_writes = 40, .spin_nowait = 0, .reg_lt_out = 1,
                              .epollout_lt_idle = 3, .short_injected = 7, .eintr_injected = 2};
    ck_assert_int_eq(trace_evidence(&ok, d, sizeof(d)), 0);
    ck_assert_str_eq(d, "injected 7 short writes, 2 EINTR; 0 writes, 0 short, EAGAIN 0 real + 0 injected");
    /* A bug that struck on the kernel's own short writes still gets the write-side figures. */
    struct trace_totals real = {.present = 1, .write_calls = 9, .short_writes = 9, .eagain_real = 3};
    ck_assert_int_eq(trace_evidence(&real, d, sizeof(d)), 0);
    ck_assert_str_eq(d, "9 writes, 9 short, EAGAIN 3 real + 0 injected");
    struct trace_totals none = {.present = 0};
    ck_assert_int_eq(trace_evidence(&none, d, sizeof(d)), 0);
    ck_assert_str_eq(d, "");
    char sp[64];
    ck_assert_int_eq(inj_spec_with_seed("short=0.3", 9, sp, sizeof(sp)), 0);
    ck_assert_str_eq(sp, "short=0.3,seed=9");
    ck_assert_int_eq(inj_spec_with_seed("", 9, sp, sizeof(sp)), 0);
    ck_assert_str_eq(sp, "seed=9");
    ck_assert_int_eq(inj_spec_with_seed("seed=4,short=0.3", 9, sp, sizeof(sp)), 0);
    ck_assert_str_eq(sp, "seed=4,short=0.3");
    ck_assert_int_eq(inj_spec_with_seed("eagain=0.1,seed=4", 9, sp, sizeof(sp)), 0);
    ck_assert_str_eq(sp, "eagain=0.1,seed=4");
    ck_assert_int_eq(inj_spec_with_seed("short=0.3", 9, sp, 8), -1);
}
END_TEST

/* A target that starts another (a shell running the server; dash uses vfork,
 * which runs no fork handlers, so forks may stay 0) keeps one
 * trace: the exec'd process attaches instead of truncating it. */
START_TEST(t_exec_attach)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    char err[512], cmd[700];
    struct iu_xfer x = {.total = 65536};
    ck_assert_int_eq(iu_tmpdir(c.dir, sizeof(c.dir)), 0);
    snprintf(c.trace, sizeof(c.trace), "%s/trace", c.dir);
    iu_path("harness/inject/.libs/libedgecase-inject.so", c.so, sizeof(c.so));
    iu_path("tests/inject_peer", c.peer, sizeof(c.peer));
    snprintf(cmd, sizeof(cmd), "'%s' --max-seconds 60; true", c.peer);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    ck_assert_msg(iu_start(&c.p, argv, c.so, "seed=3", c.trace, c.dir, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(iu_transfer(c.p.port, &x, &r), 0);
    ij_expect_exact("exec_attach", &x, &r, c.trace);
    ij_end(&c, &t);
    ck_assert_msg(t.pid == (int32_t)c.p.pid, "trace pid %d is not the shell's %d: the exec'd server truncated it",
                  (int)t.pid, (int)c.p.pid);
    ck_assert_uint_eq(t.conns, 1);
    ck_assert_uint_eq(t.bytes_written, x.total);
    ck_assert_str_eq(t.spec, "seed=3");
    ij_cleanup(&c);
}
END_TEST

/* The reference server under every fault at once. */
START_TEST(t_refserver)
{
    struct ij c;
    struct trace_totals t;
    struct iu_result r;
    char err[512], d[1024];
    iu_path("server/edgecase-server", c.peer, sizeof(c.peer));
    ck_assert_msg(access(c.peer, X_OK) == 0, "%s is not built (make check builds it)", c.peer);
    ck_assert_int_eq(iu_tmpdir(c.dir, sizeof(c.dir)), 0);
    snprintf(c.trace, sizeof(c.trace), "%s/trace", c.dir);
    iu_path("harness/inject/.libs/libedgecase-inject.so", c.so, sizeof(c.so));
    const char *argv[] = {c.peer, "--listen", "127.0.0.1:0", NULL};
    const char *spec = "sndbuf=4096,short=0.2,eagain=0.1,eintr=0.05,seed=12";
    ck_assert_msg(iu_start(&c.p, argv, c.so, spec, c.trace, c.dir, 1, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(iu_transfer(c.p.port, &ij_slow, &r), 0);
    ij_expect_exact("refserver", &ij_slow, &r, c.trace);
    ij_end(&c, &t);
    trace_describe(&t, d, sizeof(d));
    ck_assert_msg(t.short_injected > 0 && t.eagain_injected > 0, "no faults injected: %s", d);
    /* It tries a write when new input arrives while waiting for EPOLLOUT:
     * wasteful, not a spin. A retry loop has no epoll_wait in between. */
    ck_assert_msg(t.spin_nowait == 0, "reference server spun: %s", d);
    ck_assert_msg(t.spin_writes <= t.eagain_real + t.eagain_injected, "reference server spun: %s", d);
    ij_cleanup(&c);
}
END_TEST

static void ij_case(Suite *s, const char *name, const TTest *fn, int loops)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 120);
    if (loops > 0)
        tcase_add_loop_test(tc, fn, 0, loops);
    else
        tcase_add_test(tc, fn);
    suite_add_tcase(s, tc);
}

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
    Suite *s = suite_create("inject");
    ij_case(s, "spec_validate", t_spec_validate, NELEM(ij_bad));
    ij_case(s, "spec_good", t_spec_good, 0);
    ij_case(s, "bad_spec_exits", t_bad_spec_exits, NELEM(ij_bad));
    ij_case(s, "describe", t_describe, 0);
    ij_case(s, "evidence", t_evidence, 0);
    ij_case(s, "absent", t_absent, 0);
    ij_case(s, "loads", t_loads, 0);
    ij_case(s, "sndbuf", t_sndbuf, 0);
    ij_case(s, "slow_reader", t_slow_reader, 0);
    ij_case(s, "short_wait", t_short_wait, 0);
    ij_case(s, "faults", t_faults, NELEM(ij_faults));
    ij_case(s, "ignore_return", t_ignore_return, 0);
    ij_case(s, "spin", t_spin, 0);
    ij_case(s, "registration_bugs", t_registration_bugs, 2);
    ij_case(s, "sigkill", t_sigkill, 0);
    ij_case(s, "exec_attach", t_exec_attach, 0);
    ij_case(s, "refserver", t_refserver, 0);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int ran = srunner_ntests_run(sr), failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (ran == 0)
        return 77;
    return failed ? 1 : 0;
}
