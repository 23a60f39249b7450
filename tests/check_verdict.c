/* check_verdict.c: the verdict (harness/verdict/verdict.h) on synthetic observations, no server started.
 *
 * Covered, each checked by its exact status and the head of its diagnosis:
 * - classes (CK_RUN_CASE=classes): for each of the 20 classes, observations
 *   that make the verdict name it first: 1 loss, 2 garbage, 3 hang at high
 *   CPU and a trace retry loop, 4 CPU in an idle phase, 5 hang after some
 *   bytes, 6 hang with no byte, 7 RSS growth, 8 idle stall ordered by the
 *   case's classes, 9 slow finish, 10 cross-talk, 11 idle stall, 12 a ONESHOT
 *   never re-armed (the trace's ring), 13 death by SIGPIPE, 14 truncation,
 *   15 truncation after SHUT_WR, 16 death otherwise, 17 duplication, 18 a
 *   refused connect, 19 probe latency, 20 no FIN after SHUT_WR.
 * - vacuous (CK_RUN_CASE=vacuous): a CPU phase never reached, one under
 *   100 ms, backpressure without EAGAIN (counters, and the trace standing in),
 *   too few resumptions, no zero window on the wire, no RST with wire_rst =
 *   yes; a real failure after a vacuous one still leads.
 * - not observable (CK_RUN_CASE=unobservable): a phase's CPU unknown (target
 *   gone), backpressure and resumptions with no counters and no trace, or
 *   counters without eagain, no capture, a capture not analyzed (a case
 *   without wire assertions passes, one with them fails), no trace file;
 *   backpressure shown by short writes alone passes.
 * - the rest (CK_RUN_CASE=misc): the pass line from counters or the trace
 *   and the wire, the trace's evidence and the pcap pointer in a diagnosis,
 *   the fresh client after the scenario, a failed step, determinism, and
 *   classes.h's table against docs/bug-classes.md.
 * Debug with CK_FORK=no gdb.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/case/case.h"
#include "harness/verdict/classes.h"
#include "harness/verdict/verdict.h"
#include "tests/check_main.h"

static struct ec_case C;
static struct client_result R[4];
static struct observations O;
static struct case_outcome OUT;

/* One echo client that got all 1000 bytes, a live target without counters or trace. */
static void base(void)
{
    memset(&C, 0, sizeof(C));
    memset(R, 0, sizeof(R));
    memset(&O, 0, sizeof(O));
    snprintf(C.name, sizeof(C.name), "synthetic");
    C.ngroups = 1;
    C.groups[0].count = 1;
    C.stall_ms = 1000;
    C.deadline_ms = 5000;
    C.expect.delivered = C.expect.no_hang = C.expect.alive = 1;
    C.expect.rss_growth_max = -1;
    C.expect.resumptions_min = -1;
    R[0] = (struct client_result){ .end = CE_COMPLETE, .sent = 1000, .received = 1000, .expected = 1000,
                                   .t_connect_ms = 1, .t_done_ms = 100 };
    O.run_seed = 7;
    O.case_seed = 42;
    O.scale = 1;
    O.clients.res = R;
    O.clients.nres = 1;
    O.clients.engine_ms = 1000;
    O.target.alive = 1;
    snprintf(O.target.how, sizeof(O.target.how), "running");
    O.target.rss0_kb = O.target.rss_max_kb = 1000;
    O.target.cpu_end_s = 0.01;
    O.target.eagain = O.target.resumptions = O.target.pauses = -1;
    O.target.served_after = -1;
}

static void judge(void)
{
    memset(&OUT, 0, sizeof(OUT));
    verdict(&C, &O, &OUT);
}

/* The verdict failed and its diagnosis starts with head. */
#define FAILS_WITH(head) do { \
    judge(); \
    ck_assert_msg(OUT.status == CASE_FAIL, "status %d, expected FAIL: %s", OUT.status, OUT.diag); \
    ck_assert_msg(!strncmp(OUT.diag, (head), strlen(head)), "diag '%s'\n  does not start with '%s'", OUT.diag, \
                  (head)); \
} while (0)

#define PASSES() do { \
    judge(); \
    ck_assert_msg(OUT.status == CASE_PASS, "status %d, expected PASS: %s\n%s", OUT.status, OUT.diag, \
                  OUT.details); \
} while (0)

/* Every failure was vacuous: no class, and no diagnosis line in the details. */
#define ALL_VACUOUS() ck_assert_msg(!strstr(OUT.details, "diagnosis:"), "a real failure:\n%s", OUT.details)

#define DETAILS_HAVE(s) ck_assert_msg(strstr(OUT.details, (s)) != NULL, "details lack '%s':\n%s", (s), OUT.details)
#define DIAG_HAS(s) ck_assert_msg(strstr(OUT.diag, (s)) != NULL, "diag lacks '%s': %s", (s), OUT.diag)

/* The client stopped at received of 1000 bytes, ended as end. */
static void client_ends(enum client_end end, uint64_t received)
{
    R[0].end = end;
    R[0].received = received;
}

/* A stall of 2000 ms from 500 ms that the client survived. */
static void stalled(double cpu_end_s)
{
    R[0].stalls = 1;
    R[0].longest_stall_ms = 2000;
    R[0].stall_start_ms = 500;
    O.target.cpu.n = 2;
    O.target.cpu.t_ms[0] = 400;
    O.target.cpu.t_ms[1] = 2600;
    O.target.cpu.cpu_s[0] = 0;
    O.target.cpu.cpu_s[1] = cpu_end_s;
}

/* A trace with the given counts present. */
static void traced(void)
{
    O.trace.traced = 1;
    O.trace.tr.present = 1;
    O.trace.tr.conns = 1;
    O.trace.tr.write_calls = 10;
}

/* A CPU phase named name of wall ms with cpu seconds, bounded by max_frac. */
static void cpu_phase(const char *name, double wall_ms, double cpu_s)
{
    snprintf(C.phases[0].name, sizeof(C.phases[0].name), "%s", name);
    C.nphases = 1;
    C.expect.ncpu = 1;
    C.expect.cpu[0].phase = 0;
    C.expect.cpu[0].max_frac = 0.2;
    O.target.phase[0] = (struct obs_phase){ .started = 1, .ended = 1, .t0_ms = 100, .t1_ms = 100 + wall_ms,
                                            .cpu0_s = 1, .cpu1_s = 1 + cpu_s };
}

static void set_classes(int a)
{
    C.classes[0] = a;
    C.nclasses = 1;
}

/* The classes: a setup per class that makes the verdict name it first. */
static void s_loss(void) { client_ends(CE_MISMATCH, 500); R[0].fault = PF_LOSS; }
static void s_garbage(void) { client_ends(CE_MISMATCH, 500); R[0].fault = PF_GARBAGE; }
static void s_spin(void)
{
    client_ends(CE_RUNNING, 100);
    O.target.cpu_end_s = 0.9;
    traced();
    O.trace.tr.spin_writes = O.trace.tr.spin_nowait = 500;
}
static void s_idle_cpu(void) { cpu_phase("idle", 1000, 0.9); }
static void s_stuck(void) { client_ends(CE_RUNNING, 500); }
static void s_never(void) { client_ends(CE_RUNNING, 0); }
static void s_rss(void) { C.expect.rss_growth_max = 1 << 20; O.target.rss_max_kb += 10000; }
static void s_stall_case8(void) { stalled(0); set_classes(BC_NO_READ_RESUME); }
static void s_slow(void) { C.expect.finish_within_ms = 50; }
static void s_xtalk(void)
{
    client_ends(CE_MISMATCH, 500);
    R[0].fault = PF_CROSSTALK;
    snprintf(R[0].diag, sizeof(R[0].diag), "cross-talk at offset 0: received bytes of client 1");
}
static void s_stall(void) { stalled(0); }
static void s_oneshot(void)
{
    client_ends(CE_RUNNING, 500);
    traced();
    O.trace.tr.reg_oneshot = 1;
    O.trace.ring.oneshot_unarmed = 1;
}
static void s_sigpipe(void) { O.target.alive = 0; snprintf(O.target.how, sizeof(O.target.how), "killed by SIGPIPE"); }
static void s_trunc(void) { client_ends(CE_SERVER_CLOSED, 500); }
static void s_trunc_shut(void) { client_ends(CE_SERVER_CLOSED, 500); C.groups[0].shut_wr = 1; }
static void s_died(void) { O.target.alive = 0; snprintf(O.target.how, sizeof(O.target.how), "exited with status 1"); }
static void s_dup(void) { client_ends(CE_MISMATCH, 500); R[0].fault = PF_DUPLICATION; }
static void s_refused(void) { client_ends(CE_CONNECT_FAILED, 0); }
static void s_probe(void) { C.groups[0].probe = 1; R[0].probe_max_ms = 500; C.expect.probe_max_ms = 50; }
static void s_nofin(void) { C.groups[0].shut_wr = 1; }

static const struct class_row {
    enum bug_class cls;
    void (*setup)(void);
    int decided;              /* evidence names it, not only the symptom's candidates */
} class_rows[] = {
    { BC_UNSENT_TAIL, s_loss, 0 }, { BC_WRITE_RETURN, s_garbage, 0 }, { BC_SPIN_EAGAIN, s_spin, 1 },
    { BC_LT_EPOLLOUT, s_idle_cpu, 0 }, { BC_READ_ONCE, s_stuck, 0 }, { BC_ACCEPT_ONCE, s_never, 0 },
    { BC_UNBOUNDED_OUTPUT, s_rss, 0 }, { BC_NO_READ_RESUME, s_stall_case8, 0 },
    { BC_BUDGET_NO_REQUEUE, s_slow, 0 }, { BC_SHARED_BUFFER, s_xtalk, 1 }, { BC_IF_ELSE_IF, s_stall, 0 },
    { BC_ONESHOT_REARM, s_oneshot, 1 }, { BC_SIGPIPE, s_sigpipe, 1 }, { BC_EAGAIN_ERROR, s_trunc, 0 },
    { BC_HALFCLOSE_DROP, s_trunc_shut, 0 }, { BC_EINTR, s_died, 0 }, { BC_WRITEV_OFFSET, s_dup, 1 },
    { BC_EMFILE, s_refused, 0 }, { BC_STARVATION, s_probe, 0 }, { BC_SHORT_READ, s_nofin, 0 },
};
#define NCLASS_ROWS ((int)(sizeof(class_rows) / sizeof(class_rows[0])))

START_TEST(t_class)
{
    const struct class_row *r = &class_rows[_i];
    char head[160];

    base();
    r->setup();
    snprintf(head, sizeof(head), "class %d %s%s", (int)r->cls, bc_name((int)r->cls), r->decided ? " (evidence: " : "?");
    FAILS_WITH(head);
    DIAG_HAS("[seed 7]");
    DETAILS_HAVE("diagnosis: class ");
}
END_TEST

/* Every class has a row. */
START_TEST(t_class_all)
{
    ck_assert_int_eq(NCLASS_ROWS, BC_COUNT);
    for (int i = 0; i < NCLASS_ROWS; i++)
        ck_assert_int_eq((int)class_rows[i].cls, i + 1);
}
END_TEST

/* Vacuous: the whole diagnosis is the failure, with no class. */
START_TEST(t_vac_phase_unreached)
{
    base();
    cpu_phase("idle", 1000, 0);
    O.target.phase[0].started = 0;
    judge();
    ck_assert_int_eq(OUT.status, CASE_FAIL);
    ck_assert_str_eq(OUT.diag, "vacuous: phase 'idle' was not reached or lasted under 100 ms "
                     "(clients ended at 1000 ms) [seed 7]");
    ALL_VACUOUS();
}
END_TEST

START_TEST(t_vac_phase_short)
{
    base();
    cpu_phase("busy", 50, 0);
    FAILS_WITH("vacuous: phase 'busy' was not reached or lasted under 100 ms");
    ALL_VACUOUS();
}
END_TEST

START_TEST(t_vac_backpressure_counters)
{
    base();
    C.expect.backpressure = 1;
    O.target.eagain = O.target.resumptions = 0;
    judge();
    ck_assert_int_eq(OUT.status, CASE_FAIL);
    ck_assert_str_eq(OUT.diag, "vacuous: the server never saw EAGAIN, so no backpressure was exercised [seed 7]");
    ALL_VACUOUS();
}
END_TEST

/* No counters: the trace's EAGAIN stands in. */
START_TEST(t_vac_backpressure_trace)
{
    base();
    C.expect.backpressure = 1;
    traced();
    FAILS_WITH("vacuous: the server never saw EAGAIN");
    DETAILS_HAVE("trace: 1 conns");
    ALL_VACUOUS();
}
END_TEST

START_TEST(t_vac_resumptions)
{
    base();
    C.expect.resumptions_min = 5;
    O.target.eagain = 3;
    O.target.resumptions = 2;
    FAILS_WITH("vacuous: 2 EPOLLOUT resumptions (writes after EAGAIN or a short write and then EPOLLOUT, "
               "from counters), expected at least 5 [seed 7]");
    ALL_VACUOUS();
}
END_TEST

static void wire_case(void)
{
    C.capture = 1;
    snprintf(O.capture.pcap_path, sizeof(O.capture.pcap_path), "/r/c/c.pcap");
    O.capture.wire.analyzed = 1;
    O.capture.wire.nflows = 1;
    O.capture.wire.acked_to_clients = O.capture.wire.bytes_to_clients = 1000;
}

START_TEST(t_vac_zero_window)
{
    base();
    wire_case();
    C.expect.wire_zero_window_resumed = 1;
    FAILS_WITH("vacuous: no zero window on the wire (1 flows): the reader never closed its window [seed 7]");
    ALL_VACUOUS();
}
END_TEST

START_TEST(t_vac_no_rst)
{
    base();
    wire_case();
    C.expect.wire_rst = CASE_RST_YES;
    FAILS_WITH("vacuous: no RST on the wire (wire_rst = yes) [seed 7]");
    ALL_VACUOUS();
}
END_TEST

/* A real failure after a vacuous one leads the diagnosis. */
START_TEST(t_vac_then_real)
{
    base();
    cpu_phase("idle", 1000, 0);
    O.target.phase[0].started = 0;
    s_loss();
    FAILS_WITH("class 1 unsent tail dropped?");
    DIAG_HAS(" (and more, see result.txt) [seed 7]");
}
END_TEST

/* Not observable: noted in the details, the case passes. */
START_TEST(t_unobs_cpu)
{
    base();
    cpu_phase("idle", 1000, 0.9);
    O.target.phase[0].cpu1_s = -1;
    PASSES();
    DETAILS_HAVE("cpu idle: not observable (target gone)\n");
}
END_TEST

START_TEST(t_unobs_backpressure)
{
    base();
    C.expect.backpressure = 1;
    C.expect.resumptions_min = 1;
    PASSES();
    DETAILS_HAVE("backpressure: not observable (no counters or trace from this target)\n");
    DETAILS_HAVE("resumptions: not observable (no counters or trace from this target)\n");
}
END_TEST

/* Counters without eagain: backpressure unknown, resumptions known. */
START_TEST(t_unobs_eagain)
{
    base();
    C.expect.backpressure = 1;
    C.expect.resumptions_min = 1;
    O.target.resumptions = 3;
    PASSES();
    DETAILS_HAVE("backpressure: not observable");
    ck_assert_ptr_null(strstr(OUT.details, "resumptions: not observable"));
}
END_TEST

START_TEST(t_unobs_short_writes)
{
    base();
    C.expect.backpressure = 1;
    O.target.eagain = O.target.resumptions = 0;
    traced();
    O.trace.tr.short_writes = 5;
    PASSES();
    DETAILS_HAVE("backpressure: no EAGAIN, but 5 short writes (trace)\n");
}
END_TEST

START_TEST(t_unobs_no_capture)
{
    base();
    C.capture = 1;
    PASSES();
    DETAILS_HAVE("wire: not observable (no capture)\n");
}
END_TEST

START_TEST(t_unobs_not_analyzed)
{
    base();
    wire_case();
    O.capture.wire.analyzed = 0;
    snprintf(O.capture.wire.err, sizeof(O.capture.wire.err), "truncated file");
    PASSES();
    DETAILS_HAVE("wire: not observable (truncated file)\n");
    /* With wire assertions the capture was needed. */
    C.expect.wire_acked_equals_verified = 1;
    FAILS_WITH("wire: cannot analyze /r/c/c.pcap: truncated file [seed 7]");
}
END_TEST

START_TEST(t_unobs_no_trace)
{
    base();
    O.trace.traced = 1;
    snprintf(O.trace.err, sizeof(O.trace.err), "no such file");
    snprintf(O.capture.note, sizeof(O.capture.note), "capture: 12 packets in /r/c/c.pcap\n");
    PASSES();
    DETAILS_HAVE("capture: 12 packets in /r/c/c.pcap\ntrace: none (no such file; a static or raw-syscall target?)\n");
}
END_TEST

/* The pass line, from the counters, else the trace, and the wire. */
START_TEST(t_pass_lines)
{
    base();
    O.target.eagain = 3;
    O.target.resumptions = 2;
    PASSES();
    ck_assert_str_eq(OUT.diag, "1 clients, 1000 bytes verified in 1000 ms; eagain 3, resumptions 2 (counters)");
    base();
    traced();
    O.trace.tr.eagain_real = 4;
    O.trace.tr.eagain_injected = 1;
    O.trace.tr.resumptions = 3;
    wire_case();
    O.capture.wire.zero_window = 2;
    O.capture.wire.resumed_flows = 1;
    PASSES();
    ck_assert_str_eq(OUT.diag, "1 clients, 1000 bytes verified in 1000 ms; eagain 5, resumptions 3 (trace); "
                     "wire: zero-window 2, reopened on 1 flows, RST 0");
    ck_assert_ptr_null(strstr(OUT.diag, "pcap:"));  /* passed without a stall: no pointer */
}
END_TEST

/* A failure's diagnosis points at its pcap and the stall in it; so does a stall in a passing case. */
START_TEST(t_pcap_pointer)
{
    base();
    snprintf(O.capture.pcap_path, sizeof(O.capture.pcap_path), "/r/c/c.pcap");
    O.capture.wire.analyzed = 1;
    snprintf(O.capture.wire.summary, sizeof(O.capture.wire.summary), "pcap: 1 flow, longest stall 900 ms");
    s_loss();
    FAILS_WITH("class 1 unsent tail dropped?");
    DIAG_HAS(" [seed 7]; pcap: /r/c/c.pcap 1 flow, longest stall 900 ms");
    DETAILS_HAVE("pcap: /r/c/c.pcap\npcap: 1 flow, longest stall 900 ms\n");
    base();
    snprintf(O.capture.pcap_path, sizeof(O.capture.pcap_path), "/r/c/c.pcap");
    O.capture.wire.analyzed = 1;
    C.expect.no_hang = 0;
    stalled(0);
    PASSES();
    DIAG_HAS("; pcap: /r/c/c.pcap ");
}
END_TEST

/* The trace's bug signs back the diagnosis. */
START_TEST(t_trace_evidence)
{
    base();
    s_spin();
    FAILS_WITH("class 3 spin on EAGAIN (evidence: 500 writes retried after EAGAIN with no epoll_wait between");
    DIAG_HAS(" (trace: write after EAGAIN with no EPOLLOUT: 500 times");
}
END_TEST

/* A stall's CPU picks busy or idle candidates; its write-path events are cited. */
START_TEST(t_stall_context)
{
    base();
    stalled(1.8);
    snprintf(O.trace.stall_line, sizeof(O.trace.stall_line), "eagain on conn 1 (fd 5) 3 ms before it began");
    FAILS_WITH("class 3 spin on EAGAIN?");
    DIAG_HAS("server CPU 0.82 s/s during it; its write path: eagain on conn 1 (fd 5)");
    base();
    stalled(0);
    O.target.cpu.n = 0;       /* no samples around the stall: its CPU is unknown */
    FAILS_WITH("class 11 IN and OUT handled with if/else-if?");
    ck_assert_ptr_null(strstr(OUT.diag, "server CPU"));
}
END_TEST

START_TEST(t_serve_after_and_step)
{
    base();
    O.target.served_after = 0;
    snprintf(O.target.serve_diag, sizeof(O.target.serve_diag), "fresh client: connection refused");
    FAILS_WITH("class 18 EMFILE on accept? (also consistent with class 16 EINTR not retried?): "
               "fresh client: connection refused [seed 7]");
    base();
    O.target.served_after = 1;
    snprintf(O.target.serve_diag, sizeof(O.target.serve_diag), "fresh client after the scenario: complete");
    PASSES();
    DETAILS_HAVE("fresh client after the scenario: complete\n");
    base();
    snprintf(O.target.step_err, sizeof(O.target.step_err), "freeze (line 3): gone");
    FAILS_WITH("step failed: freeze (line 3): gone [seed 7]");
}
END_TEST

/* RSTs on a wire that forbids them. */
START_TEST(t_wire_rst)
{
    base();
    wire_case();
    O.capture.wire.rst = 2;
    FAILS_WITH("class 14 EAGAIN taken for an error?");
    DIAG_HAS("wire: 2 RST segments (wire_rst = no)");
}
END_TEST

/* The same inputs give the same outcome, whatever the outcome held before. */
START_TEST(t_deterministic)
{
    struct case_outcome a;

    base();
    s_oneshot();
    stalled(0.3);
    judge();
    a = OUT;
    memset(&OUT, 0xa5, sizeof(OUT));
    OUT.details[0] = OUT.diag[0] = '\0';
    verdict(&C, &O, &OUT);
    ck_assert_int_eq(a.status, OUT.status);
    ck_assert_str_eq(a.diag, OUT.diag);
    ck_assert_str_eq(a.details, OUT.details);
}
END_TEST

/* classes.h against docs/bug-classes.md: each "## N name" heading and each
 * row "| N | name | symptom |" of its table. */
START_TEST(t_docs)
{
    const char *top = getenv("EC_TOP_SRCDIR");
    char path[4096], line[2048], want[1024];
    int heads = 0, rows = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/docs/bug-classes.md", top ? top : ".");
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    while (fgets(line, sizeof(line), f)) {
        int n;

        if (sscanf(line, "## %d ", &n) == 1) {
            snprintf(want, sizeof(want), "## %d %s\n", n, bc_name(n));
            ck_assert_str_eq(line, want);
            ck_assert_int_eq(n, ++heads);
        } else if (sscanf(line, "| %d | ", &n) == 1) {
            snprintf(want, sizeof(want), "| %d | %s | %s | ", n, bc_name(n), bc_symptom(n));
            ck_assert_msg(!strncmp(line, want, strlen(want)), "table row\n  %s  does not start with\n  %s", line,
                          want);
            ck_assert_int_eq(n, ++rows);
        }
    }
    fclose(f);
    ck_assert_int_eq(heads, BC_COUNT);
    ck_assert_int_eq(rows, BC_COUNT);
    ck_assert_str_eq(bc_name(0), "unknown class");
    ck_assert_str_eq(bc_name(BC_COUNT + 1), "unknown class");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("verdict");
    TCase *tc = tcase_create("classes");

    tcase_add_loop_test(tc, t_class, 0, NCLASS_ROWS);
    tcase_add_test(tc, t_class_all);
    suite_add_tcase(s, tc);
    tc = tcase_create("vacuous");
    tcase_add_test(tc, t_vac_phase_unreached);
    tcase_add_test(tc, t_vac_phase_short);
    tcase_add_test(tc, t_vac_backpressure_counters);
    tcase_add_test(tc, t_vac_backpressure_trace);
    tcase_add_test(tc, t_vac_resumptions);
    tcase_add_test(tc, t_vac_zero_window);
    tcase_add_test(tc, t_vac_no_rst);
    tcase_add_test(tc, t_vac_then_real);
    suite_add_tcase(s, tc);
    tc = tcase_create("unobservable");
    tcase_add_test(tc, t_unobs_cpu);
    tcase_add_test(tc, t_unobs_backpressure);
    tcase_add_test(tc, t_unobs_eagain);
    tcase_add_test(tc, t_unobs_short_writes);
    tcase_add_test(tc, t_unobs_no_capture);
    tcase_add_test(tc, t_unobs_not_analyzed);
    tcase_add_test(tc, t_unobs_no_trace);
    suite_add_tcase(s, tc);
    tc = tcase_create("misc");
    tcase_add_test(tc, t_pass_lines);
    tcase_add_test(tc, t_pcap_pointer);
    tcase_add_test(tc, t_trace_evidence);
    tcase_add_test(tc, t_stall_context);
    tcase_add_test(tc, t_serve_after_and_step);
    tcase_add_test(tc, t_wire_rst);
    tcase_add_test(tc, t_deterministic);
    tcase_add_test(tc, t_docs);
    suite_add_tcase(s, tc);
    return check_main_run(s);
}
