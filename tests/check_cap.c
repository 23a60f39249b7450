/* check_cap.c: the capture analyzer on handcrafted captures (exact counts) and on a live stalled transfer.
 * Run one case with CK_RUN_CASE=synth|framing|cli|live; CK_FORK=no for gdb.
 * Every capture is left in $EC_TOP_BUILDDIR/tests/cap-*.pcap for tests/cap_tshark.sh. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/capture/cap.h"
#include "tests/cap_synth.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* Implemented in tests/cap_live.c. */
TCase *cap_live_tcase(void);
int cap_live_possible(char *why, size_t len);
void cap_test_path(char *buf, size_t len, const char *name);

/* What one handcrafted capture must yield (its single flow). */
struct expect {
    unsigned zw, zwp, zwpa, wf, wu, ka, kaa, rt, rst, probes, probe_acks;
    uint64_t bytes_ab, bytes_ba, acked_ab, acked_ba;
    unsigned nstalls;
    int resumed_zw;
};

static void handshake(struct synth *s, int ws)
{
    synth_seg(s, 0, SYN_SYN, 1000, 0, 65535, 0, ws, 0);
    synth_seg(s, 1, SYN_SYN | SYN_ACK, 5000, 1001, 65535, 0, ws, 100);
    synth_seg(s, 0, SYN_ACK, 1001, 5001, 512, 0, -1, 100);
    /* A 10-byte request and its ACK. */
    synth_seg(s, 0, SYN_PSH | SYN_ACK, 1001, 5001, 512, 10, -1, 100);
    synth_seg(s, 1, SYN_ACK, 5001, 1011, 512, 0, -1, 100);
}

/* Four 16 KiB segments fill the client's 512<<7 window exactly (Window Full). */
static void fill_window(struct synth *s)
{
    for (uint32_t i = 0; i < 4; i++)
        synth_seg(s, 1, SYN_ACK, 5001 + i * 16384, 1011, 512, 16384, -1, 50);
    synth_seg(s, 0, SYN_ACK, 1011, 70537, 0, 0, -1, 1000);  /* Zero Window */
}

static void close_both(struct synth *s, uint32_t bseq)
{
    synth_seg(s, 1, SYN_FIN | SYN_ACK, bseq, 1011, 512, 0, -1, 1000);
    synth_seg(s, 0, SYN_FIN | SYN_ACK, 1011, bseq + 1, 512, 0, -1, 100);
    synth_seg(s, 1, SYN_ACK, bseq + 1, 1012, 512, 0, -1, 100);
}

/* Linux style: persist probes are zero-length with seq = SND.UNA - 1. */
static void scen_linux_stall(struct synth *s)
{
    handshake(s, 7);
    fill_window(s);
    for (int i = 0; i < 3; i++) {
        synth_seg(s, 1, SYN_ACK, 70536, 1011, 512, 0, -1, 200000 << i);  /* Keep-Alive */
        synth_seg(s, 0, SYN_ACK, 1011, 70537, 0, 0, -1, 50);             /* Zero Window */
    }
    synth_seg(s, 0, SYN_ACK, 1011, 70537, 512, 0, -1, 100000);  /* Window Update */
    synth_seg(s, 1, SYN_PSH | SYN_ACK, 70537, 1011, 512, 1000, -1, 100);
    synth_seg(s, 0, SYN_ACK, 1011, 71537, 512, 0, -1, 100);
    close_both(s, 71537);
}
static const struct expect exp_linux_stall = {
    .zw = 4, .wf = 1, .wu = 1, .ka = 3, .probes = 3, .probe_acks = 3,
    .bytes_ab = 10, .bytes_ba = 66536, .acked_ab = 10, .acked_ba = 66536,
    .nstalls = 1, .resumed_zw = 1,
};

/* RFC 9293 style: a one-byte zero window probe, acknowledged with win 0. */
static void scen_zwp(struct synth *s)
{
    handshake(s, 7);
    fill_window(s);
    synth_seg(s, 1, SYN_ACK, 70537, 1011, 512, 1, -1, 300000);  /* ZeroWindowProbe */
    synth_seg(s, 0, SYN_ACK, 1011, 70537, 0, 0, -1, 50);        /* ZeroWindow + ProbeAck */
    synth_seg(s, 0, SYN_ACK, 1011, 70537, 512, 0, -1, 300000);  /* Window Update */
    synth_seg(s, 1, SYN_PSH | SYN_ACK, 70537, 1011, 512, 1000, -1, 100);
    synth_seg(s, 0, SYN_ACK, 1011, 71537, 512, 0, -1, 100);
    close_both(s, 71537);
}
static const struct expect exp_zwp = {
    .zw = 2, .zwp = 1, .zwpa = 1, .wf = 1, .wu = 1, .probes = 1, .probe_acks = 1,
    .bytes_ab = 10, .bytes_ba = 66536, .acked_ab = 10, .acked_ba = 66536,
    .nstalls = 1, .resumed_zw = 1,
};

/* The receiver takes the probe's byte (ack = probe + 1) while still at win 0. */
static void scen_zwp_taken(struct synth *s)
{
    handshake(s, 7);
    fill_window(s);
    synth_seg(s, 1, SYN_ACK, 70537, 1011, 512, 1, -1, 300000);  /* ZeroWindowProbe */
    synth_seg(s, 0, SYN_ACK, 1011, 70538, 0, 0, -1, 50);        /* ZeroWindow (4.0: no ProbeAck) */
    synth_seg(s, 0, SYN_ACK, 1011, 70538, 512, 0, -1, 300000);  /* Window Update */
    synth_seg(s, 1, SYN_PSH | SYN_ACK, 70538, 1011, 512, 999, -1, 100);
    synth_seg(s, 0, SYN_ACK, 1011, 71537, 512, 0, -1, 100);
    close_both(s, 71537);
}
static const struct expect exp_zwp_taken = {
    .zw = 2, .zwp = 1, .zwpa = 0, .wf = 1, .wu = 1, .probes = 1, .probe_acks = 1,
    .bytes_ab = 10, .bytes_ba = 66536, .acked_ab = 10, .acked_ba = 66536,
    .nstalls = 1, .resumed_zw = 1,
};

/* An idle keep-alive and its ACK, then a segment missing from the capture,
 * three duplicate ACKs and its fast retransmission. */
static void scen_keepalive_fast(struct synth *s)
{
    handshake(s, -1);
    synth_seg(s, 0, SYN_ACK, 1010, 5001, 512, 0, -1, 2000000);  /* Keep-Alive */
    synth_seg(s, 1, SYN_ACK, 5001, 1011, 512, 0, -1, 100);      /* Keep-Alive ACK */
    for (uint32_t i = 1; i < 4; i++)  /* 5001..6000 was lost before the capture point */
        synth_seg(s, 1, SYN_ACK, 5001 + i * 1000, 1011, 512, 1000, -1, 100);
    for (int i = 0; i < 3; i++)
        synth_seg(s, 0, SYN_ACK, 1011, 5001, 512, 0, -1, 50);   /* Dup ACKs */
    synth_seg(s, 1, SYN_ACK, 5001, 1011, 512, 1000, -1, 100);   /* Fast Retransmission */
    synth_seg(s, 0, SYN_ACK, 1011, 9001, 512, 0, -1, 100);
    close_both(s, 9001);
}
static const struct expect exp_keepalive_fast = {
    .ka = 1, .kaa = 1, .rt = 1, .bytes_ab = 10, .bytes_ba = 4000, .acked_ab = 10,
    .acked_ba = 4000,
};

/* A lost segment resent after 300 ms, then resent once more after its ACK. */
static void scen_retrans(struct synth *s)
{
    handshake(s, -1);
    synth_seg(s, 1, SYN_ACK, 5001, 1011, 512, 100, -1, 100);
    synth_seg(s, 1, SYN_ACK, 5001, 1011, 512, 100, -1, 300000);  /* Retransmission */
    synth_seg(s, 0, SYN_ACK, 1011, 5101, 512, 0, -1, 100);
    synth_seg(s, 1, SYN_ACK, 5001, 1011, 512, 100, -1, 100000);  /* Spurious Retransmission */
    synth_seg(s, 0, SYN_ACK | SYN_RST, 1011, 5101, 0, 0, -1, 100);
}
static const struct expect exp_retrans = {
    .rt = 2, .rst = 1, .bytes_ab = 10, .bytes_ba = 100, .acked_ab = 10, .acked_ba = 100,
    .nstalls = 1,
};

static const struct {
    const char *name;
    void (*write)(struct synth *);
    const struct expect *e;
} scenarios[] = {
    {"linux-stall", scen_linux_stall, &exp_linux_stall},
    {"zwp", scen_zwp, &exp_zwp},
    {"retrans", scen_retrans, &exp_retrans},
    {"zwp-taken", scen_zwp_taken, &exp_zwp_taken},
    {"keepalive-fast", scen_keepalive_fast, &exp_keepalive_fast},
};

static const struct {
    const char *name;
    int dlt, family;
} framings[] = {
    {"eth4", DLT_EN10MB, 4}, {"eth6", DLT_EN10MB, 6}, {"sll4", DLT_LINUX_SLL, 4},
    {"sll2-6", DLT_LINUX_SLL2, 6}, {"null6", DLT_NULL, 6}, {"raw4", DLT_RAW, 4},
};

#define EXPECT_U(name, field, want)                                                         \
    ck_assert_msg((uint64_t)(field) == (uint64_t)(want), "%s: %s = %llu, expected %llu (see %s)", \
                  name, #field, (unsigned long long)(field), (unsigned long long)(want), path)

static void check_flow(const char *name, const char *path, const struct cap_flow *f,
                       const struct expect *e)
{
    EXPECT_U(name, f->zero_window, e->zw);
    EXPECT_U(name, f->zero_window_probe, e->zwp);
    EXPECT_U(name, f->zero_window_probe_ack, e->zwpa);
    EXPECT_U(name, f->window_full, e->wf);
    EXPECT_U(name, f->window_update, e->wu);
    EXPECT_U(name, f->keep_alive, e->ka);
    EXPECT_U(name, f->keep_alive_ack, e->kaa);
    EXPECT_U(name, f->retransmission, e->rt);
    EXPECT_U(name, f->rst, e->rst);
    EXPECT_U(name, f->probes, e->probes);
    EXPECT_U(name, f->probe_acks, e->probe_acks);
    EXPECT_U(name, f->bytes_ab, e->bytes_ab);
    EXPECT_U(name, f->bytes_ba, e->bytes_ba);
    EXPECT_U(name, f->acked_ab, e->acked_ab);
    EXPECT_U(name, f->acked_ba, e->acked_ba);
    EXPECT_U(name, f->nstalls, e->nstalls);
    EXPECT_U(name, f->resumed_after_zero_window, e->resumed_zw);
}

/* Writes scenario i in the given framing and analyzes it back. */
static void run_scenario(int i, int dlt, int family, const char *tag, struct cap_report *r,
                         char *path, size_t pathlen)
{
    struct synth s;
    char name[128], err[512];

    snprintf(name, sizeof name, "%s-%s", scenarios[i].name, tag);
    cap_test_path(path, pathlen, name);
    ck_assert_msg(synth_open(&s, path, dlt, family) == 0, "cannot write %s", path);
    scenarios[i].write(&s);
    synth_close(&s);
    ck_assert_msg(cap_analyze(path, 0, 200, r, err, sizeof err) == 0, "%s: %s", name, err);
    ck_assert_msg(r->nflows == 1, "%s: %u flows, expected 1 (see %s)", name, r->nflows, path);
}

START_TEST(t_scenario)
{
    struct cap_report r;
    char path[4096];

    run_scenario(_i, DLT_EN10MB, 4, "eth4", &r, path, sizeof path);
    check_flow(scenarios[_i].name, path, &r.flows[0], scenarios[_i].e);
    ck_assert_str_eq(r.flows[0].a, "127.0.0.1:40312");
    ck_assert_str_eq(r.flows[0].b, "127.0.0.1:5000");
    cap_report_free(&r);
}
END_TEST

/* The same Linux stall in every framing and both IP versions. */
START_TEST(t_framing)
{
    struct cap_report r;
    char path[4096];

    run_scenario(0, framings[_i].dlt, framings[_i].family, framings[_i].name, &r, path,
                 sizeof path);
    check_flow(framings[_i].name, path, &r.flows[0], &exp_linux_stall);
    ck_assert_msg(r.flows[0].stalls[0].dir == 1 && r.flows[0].stalls[0].window == 0 &&
                  r.flows[0].stalls[0].resumed, "%s: stall dir %d win %u resumed %d", path,
                  r.flows[0].stalls[0].dir, r.flows[0].stalls[0].window,
                  r.flows[0].stalls[0].resumed);
    /* Zero window at 0.0015 s, window update 1.5 s later (0.2+0.4+0.8+0.1 s). */
    ck_assert_double_eq_tol(r.flows[0].stalls[0].len_s, 1.5002, 0.0005);
    if (framings[_i].family == 6)
        ck_assert_str_eq(r.flows[0].a, "[::1]:40312");
    cap_report_free(&r);
}
END_TEST

START_TEST(t_summary)
{
    struct cap_report r;
    char path[4096], line[512];

    run_scenario(0, DLT_EN10MB, 4, "summary", &r, path, sizeof path);
    cap_report_free(&r);
    ck_assert_int_eq(cap_summarize(path, 200, line, sizeof line), 0);
    ck_assert_msg(strstr(line, "pcap: flow 127.0.0.1:5000>127.0.0.1:40312 zero-window 4, stall at")
                  && strstr(line, "(win 0)"), "summary: %s", line);
    ck_assert_int_eq(cap_summarize("/nonexistent/x.pcap", 200, line, sizeof line), -1);
    ck_assert_msg(strstr(line, "/nonexistent/x.pcap"), "error names the path: %s", line);
}
END_TEST

/* A server that stops writing with nothing in flight shows no TCP stall; the
 * summary still says when its data stopped and how long the capture went on. */
START_TEST(t_summary_stopped)
{
    struct cap_report r;
    struct synth s;
    char path[4096], line[512], err[512];

    cap_test_path(path, sizeof path, "stopped-eth4");
    ck_assert_msg(synth_open(&s, path, DLT_EN10MB, 4) == 0, "cannot write %s", path);
    handshake(&s, 7);
    for (uint32_t i = 0; i < 3; i++) {
        synth_seg(&s, 1, SYN_PSH | SYN_ACK, 5001 + i * 1000, 1011, 512, 1000, -1, 100);
        synth_seg(&s, 0, SYN_ACK, 1011, 6001 + i * 1000, 512, 0, -1, 100);
    }
    /* The client waits 2 s for more, then gives up with a FIN. */
    synth_seg(&s, 0, SYN_FIN | SYN_ACK, 1011, 8001, 512, 0, -1, 2000000);
    synth_close(&s);
    ck_assert_msg(cap_analyze(path, 0, 200, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r.nflows, 1);
    ck_assert_uint_eq(r.flows[0].nstalls, 0);
    ck_assert_double_eq_tol(r.flows[0].last_data_s[1], 0.0009, 0.00005);
    ck_assert_double_eq_tol(r.duration_s, 2.0010, 0.00005);
    cap_report_free(&r);
    ck_assert_int_eq(cap_summarize(path, 200, line, sizeof line), 0);
    ck_assert_msg(strstr(line, "no stall over 200 ms; data 127.0.0.1:5000>127.0.0.1:40312 stopped at 0.001 s, "
                  "capture ends at 2.001 s"), "summary (%s): %s", path, line);
}
END_TEST

/* The same port pair used twice: a new SYN with another ISN is a new flow. */
START_TEST(t_port_reuse)
{
    struct synth s;
    struct cap_report r;
    char path[4096], err[512];

    cap_test_path(path, sizeof path, "port-reuse");
    ck_assert_int_eq(synth_open(&s, path, DLT_EN10MB, 4), 0);
    handshake(&s, 7);
    close_both(&s, 5001);
    synth_seg(&s, 0, SYN_SYN, 9000, 0, 65535, 0, 7, 1000000);
    synth_seg(&s, 1, SYN_SYN | SYN_ACK, 7000, 9001, 65535, 0, 7, 100);
    synth_seg(&s, 0, SYN_ACK, 9001, 7001, 512, 0, -1, 100);
    synth_seg(&s, 0, SYN_PSH | SYN_ACK, 9001, 7001, 512, 300, -1, 100);
    synth_seg(&s, 1, SYN_RST | SYN_ACK, 7001, 9301, 0, 0, -1, 100);
    synth_close(&s);
    ck_assert_msg(cap_analyze(path, 5000, 200, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(r.nflows == 2, "%u flows in %s, expected 2", r.nflows, path);
    ck_assert_msg(r.flows[0].bytes_ab == 10 && r.flows[1].bytes_ab == 300 && r.flows[1].rst == 1 &&
                  r.flows[0].rst == 0, "%s: bytes %llu/%llu rst %u/%u", path,
                  (unsigned long long)r.flows[0].bytes_ab, (unsigned long long)r.flows[1].bytes_ab,
                  r.flows[0].rst, r.flows[1].rst);
    cap_report_free(&r);
    /* --port filters whole flows. */
    ck_assert_int_eq(cap_analyze(path, 5001, 200, &r, err, sizeof err), 0);
    ck_assert_int_eq(r.nflows, 0);
    cap_report_free(&r);
}
END_TEST

/* Runs cap_main with its output sent to /dev/null; returns its exit status. */
static int run_cli(char **argv, int argc)
{
    int rc, out = dup(1), err = dup(2), null = open("/dev/null", O_WRONLY);

    fflush(stdout);
    dup2(null, 1);
    dup2(null, 2);
    rc = cap_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(out, 1);
    dup2(err, 2);
    close(out);
    close(err);
    close(null);
    return rc;
}

START_TEST(t_cli)
{
    char *bad_file[] = {"pcap", "/nonexistent/x.pcap", NULL};
    char *bad_opt[] = {"pcap", "--bogus", "x", NULL};
    char *bad_port[] = {"pcap", "--port", "70000", "x", NULL};
    char *help[] = {"pcap", "--help", NULL};
    char *none[] = {"pcap", NULL};

    ck_assert_int_eq(run_cli(bad_file, 2), 2);
    ck_assert_int_eq(run_cli(bad_opt, 3), 2);
    ck_assert_int_eq(run_cli(bad_port, 4), 2);
    ck_assert_int_eq(run_cli(help, 2), 0);
    ck_assert_int_eq(run_cli(none, 1), 2);
}
END_TEST

/* Without CAP_NET_RAW, cap_start must say so through *denied (the runner
 * then runs the case uncaptured); with it, the capture must start. */
START_TEST(t_denied)
{
    char why[256], err[512], path[4096];
    int port = 9, denied = -1, possible = cap_live_possible(why, sizeof why);
    struct cap *c;

    cap_test_path(path, sizeof path, "denied");
    c = cap_start("lo", &port, 1, 0, path, &denied, err, sizeof err);
    if (possible) {
        ck_assert_msg(c != NULL && denied == 0, "cap_start as root: %s", err);
        cap_stop(c);
        unlink(path);
    } else {
        ck_assert_msg(c == NULL && denied == 1 && strstr(err, "CAP_NET_RAW"),
                      "cap_start unprivileged: denied %d, err '%s'", denied, err);
    }
}
END_TEST

static Suite *cap_suite(void)
{
    Suite *s = suite_create("cap");
    TCase *tc = tcase_create("synth");
    char why[256];

    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, t_scenario, 0, (int)(sizeof scenarios / sizeof scenarios[0]));
    tcase_add_test(tc, t_summary);
    tcase_add_test(tc, t_summary_stopped);
    tcase_add_test(tc, t_port_reuse);
    suite_add_tcase(s, tc);
    tc = tcase_create("framing");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, t_framing, 0, (int)(sizeof framings / sizeof framings[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("cli");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, t_cli);
    tcase_add_test(tc, t_denied);
    suite_add_tcase(s, tc);
    if (cap_live_possible(why, sizeof why))
        suite_add_tcase(s, cap_live_tcase());
    else
        printf("check_cap: live capture test skipped: %s\n", why);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cap_suite());
    int failed, run;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    run = srunner_ntests_run(sr);
    srunner_free(sr);
    if (run == 0)
        return 77;  /* CK_RUN_CASE matched nothing, or live without CAP_NET_RAW */
    return failed ? 1 : 0;
}
