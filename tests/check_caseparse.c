/* check_caseparse.c: unit tests of the case file parser (every error names file:line) and the target command expansion. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/case/case.h"
#include "harness/run/run.h"

static const char good_case[] =
    "# a comment\n"
    "[case]\n"
    "name = demo-1\n"
    "description = a demo case\n"
    "classes = 1 2 14\n"
    "protocols = echo repeat:20000\n"
    "deadline = 8s\n"
    "stall = 1500ms\n"
    "\n"
    "[target]\n"
    "sndbuf = 4k\n"
    "nofile = 64\n"
    "inject =\n"
    "capture = yes\n"
    "[clients]\n"
    "count = 3\n"
    "send = 1M\n"
    "rcvbuf = 4096\n"
    "read_delay = 200\n"
    "shut_wr = yes\n"
    "[clients]\n"
    "probe = yes\n"
    "probe_rounds = 50\n"
    "[steps]\n"
    "freeze = start\n"
    "resume = 300ms\n"
    "freeze = connect\n"
    "resume = connect+250ms\n"
    "phase = stalled connect+100ms connect+1s\n"
    "[expect]\n"
    "cpu_max = stalled 0.3\n"
    "rss_growth_max = 64m\n"
    "probe_max = 500ms\n"
    "resumptions_min = 1\n"
    "backpressure = yes\n"
    "serve_after = yes\n";

START_TEST(t_good)
{
    struct ec_case c;
    char err[512] = "";

    ck_assert_msg(case_parse_text(good_case, "cases/demo.case", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(c.name, "demo-1");
    ck_assert_int_eq(c.nclasses, 3);
    ck_assert_int_eq(c.classes[2], 14);
    ck_assert_int_eq(c.nprotos, 2);
    ck_assert_int_eq(c.protos[1].kind, PAT_REPEAT);
    ck_assert_uint_eq(c.protos[1].repeat_n, 20000);
    ck_assert_int_eq(c.deadline_ms, 8000);
    ck_assert_int_eq(c.stall_ms, 1500);
    ck_assert_int_eq(c.sndbuf, 4096);
    ck_assert_int_eq(c.nofile, 64);
    ck_assert_int_eq(c.capture, 1);
    ck_assert_int_eq(c.ngroups, 2);
    ck_assert_int_eq(c.groups[0].count, 3);
    ck_assert_uint_eq(c.groups[0].send_bytes, 1024 * 1024);
    ck_assert_int_eq(c.groups[0].read_delay_ms, 200);
    ck_assert_int_eq(c.groups[0].shut_wr, 1);
    ck_assert_int_eq(c.groups[1].count, 1);
    ck_assert_int_eq(c.groups[1].probe_rounds, 50);
    ck_assert_int_eq(c.nsteps, 4);
    ck_assert_int_eq(c.steps[3].kind, CASE_STEP_RESUME);
    ck_assert_int_eq(c.steps[3].when.anchor, CASE_AT_CONNECT);
    ck_assert_int_eq(c.steps[3].when.ms, 250);
    ck_assert_int_eq(c.nphases, 1);
    ck_assert_int_eq(c.phases[0].to.ms, 1000);
    ck_assert_int_eq(c.expect.ncpu, 1);
    ck_assert_int_eq(c.expect.cpu[0].phase, 0);
    ck_assert_double_eq_tol(c.expect.cpu[0].max_frac, 0.3, 1e-9);
    ck_assert_int_eq(c.expect.rss_growth_max, 64LL * 1024 * 1024);
    ck_assert_int_eq(c.expect.probe_max_ms, 500);
    ck_assert_int_eq(c.expect.delivered, 1);
    ck_assert_int_eq(c.expect.serve_after, 1);
}
END_TEST

START_TEST(t_defaults)
{
    struct ec_case c;
    char err[512] = "";

    ck_assert_msg(case_parse_text("[clients]\nsend = 10\n", "x/plain.case", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(c.name, "plain");
    ck_assert_int_eq(c.nprotos, 1);
    ck_assert_int_eq(c.protos[0].kind, PAT_ECHO);
    ck_assert_int_eq(c.expect.no_hang, 1);
    ck_assert_int_eq(c.expect.rss_growth_max, -1);
    ck_assert_int_eq(c.expect.resumptions_min, -1);
}
END_TEST

/* Each malformed text must be rejected with "f.case:LINE: ..." containing why. */
static const struct bad_case {
    const char *text;
    const char *want;         /* expected err substring, starting with "f.case:LINE:" */
} bad_cases[] = {
    { "name = x\n", "f.case:1: 'name = x' before any [section]" },
    { "[case]\n[bogus]\n", "f.case:2: unknown section [bogus]" },
    { "[case\n", "f.case:1: section header '[case' lacks ']'" },
    { "[case]\n[case]\n", "f.case:2: section [case] appears twice" },
    { "[case]\njunk\n", "f.case:2: expected 'key = value'" },
    { "[case]\nnmae = x\n", "f.case:2: unknown key 'nmae' in [case]" },
    { "[case]\nname = a\nname = b\n", "f.case:3: key 'name' given twice in [case]" },
    { "[clients]\ncount =\n", "f.case:2: count: empty value" },
    { "[clients]\ncount = lots\n", "f.case:2: count: bad value 'lots'" },
    { "[clients]\nsend = 5x\n", "f.case:2: send: bad value '5x'" },
    { "[clients]\nread_delay = soon\n", "f.case:2: read_delay: bad value 'soon'" },
    { "[clients]\nshut_wr = maybe\n", "f.case:2: shut_wr: bad value 'maybe' (expected yes or no)" },
    { "[case]\nclasses = 1 21\n[clients]\n", "f.case:2: classes: '21' is not a list" },
    { "[case]\nprotocols = gopher\n", "f.case:2: protocols: 'gopher' is not a protocol" },
    { "[case]\nprotocols = repeat:0\n", "f.case:2: protocols: 'repeat:0' is not a protocol" },
    { "[case]\nprotocols = repeat:5:crlf\n", "f.case:2: protocols: 'repeat:5:crlf' is not a protocol" },
    { "[steps]\nfreeze = later\n", "f.case:2: 'later' is not a time" },
    { "[steps]\nresume = connect-5ms\n", "f.case:2: 'connect-5ms' is not a time" },
    { "[steps]\nphase = idle 5ms\n", "f.case:2: phase: expected 'NAME FROM TO'" },
    { "[steps]\nphase = idle 50ms 10ms\n", "f.case:2: phase idle: ends before it starts" },
    { "[steps]\nphase = idle 50ms never\n", "f.case:2: phase idle: bad time" },
    { "[expect]\ncpu_max = idle\n", "f.case:2: cpu_max: expected 'PHASE FRACTION'" },
    { "[clients]\n[expect]\ncpu_max = idle 0.2\n", "f.case:3: cpu_max: no phase named 'idle' in [steps]" },
    { "[case]\nname = x\n", "f.case:3: no [clients] section" },
    { "[case]\nname = a b\n[clients]\n", "f.case:4: name 'a b' must be" },
    { "[clients]\ncount = 0\n", "f.case:3: [clients] #1: count must be 1..10000" },
    { "[clients]\n[clients]\n[clients]\n[clients]\n[clients]\n[clients]\n[clients]\n[clients]\n[clients]\n",
      "f.case:9: more than 8 [clients] sections" },
    { "[case]\ndeadline = 0\n[clients]\n", "f.case:4: deadline must be positive" },
    { "[target]\ninject = " "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789"
      "0123456789012345678901234567890123456789012345678901234567890123456789\n",
      "f.case:2: inject: value longer than 255 characters" },
    { "[clients]\n[expect]\nwire_zero_window_resumed = sure\n",
      "f.case:3: wire_zero_window_resumed: bad value 'sure' (expected yes or no)" },
    { "[clients]\n[expect]\nwire_acked_equals_verified = 2\n",
      "f.case:3: wire_acked_equals_verified: bad value '2'" },
    { "[clients]\n[expect]\nwire_rst = sometimes\n", "f.case:3: wire_rst: bad value 'sometimes' (expected no, yes or any)" },
    { "[clients]\n[expect]\nwire_rst = no\nwire_rst = any\n", "f.case:4: key 'wire_rst' given twice in [expect]" },
    { "[clients]\n[expect]\nalive = yes\nwire_rst = any\nwire_zero_window_resumed = yes\n",
      "f.case:4: wire_* assertions need capture = yes in [target]" },
    { "[target]\ncapture = yes\n[clients]\nreset_after = 1k\n[expect]\nwire_acked_equals_verified = yes\n"
      "wire_rst = no\n", "f.case:7: wire_rst = no, but [clients] #1 resets (reset_after)" },
    { "[clients]\nsend_echo = 0\n", "f.case:2: send_echo: bad value '0'" },
    { "[clients]\nsend_echo = 1k\nsend_echo = 2k\n", "f.case:3: key 'send_echo' given twice in [clients]" },
    { "[target]\nnetns = maybe\n[clients]\n", "f.case:2: netns: bad value 'maybe'" },
    { "[target]\nnetns = yes\nnetns_rate = 10mb\n[clients]\n", "f.case:3: netns_rate: bad value '10mb'" },
    { "[target]\nnetns = yes\nnetns_rate = 0kbit\n[clients]\n", "f.case:3: netns_rate: bad value '0kbit'" },
    { "[target]\nnetns = yes\nnetns_rate = 200gbit\n[clients]\n", "f.case:3: netns_rate: bad value '200gbit'" },
    { "[target]\nnetns_rate = 1mbit\n[clients]\n", "f.case:2: netns_rate needs netns = yes in [target]" },
    { "[clients]\nsend@gopher = 1\n", "f.case:2: send@gopher: unknown protocol after '@'" },
    { "[steps]\nfreeze@repeat = start\n", "f.case:2: freeze cannot differ per protocol (@repeat)" },
    { "[case]\nprotocols@repeat = echo\n", "f.case:2: protocols cannot differ per protocol (@repeat)" },
    { "[clients]\nsend@repeat = 1\nsend@repeat = 2\n", "f.case:3: key 'send@repeat' given twice in [clients]" },
    { "[clients]\nsend@repeat = lots\n", "f.case:2: send: bad value 'lots'" },
    { "[clients]\n[expect]\ncpu_max@repeat = idle 0.2\n", "f.case:3: cpu_max: no phase named 'idle' in [steps]" },
};

/* key@PROTO: the variant for PROTO has the override, the others the plain value. */
START_TEST(t_variant)
{
    static const char text[] = "[case]\nprotocols = echo repeat:20000\n[clients]\nsend = 1\npause_after = 100\n"
                               "pause_after@repeat = 200\n[clients]\nprobe = yes\nprobe_rounds = 3\nprobe@repeat = no\n"
                               "[expect]\ndone_within@repeat = 2 400ms\n";
    struct ec_case c, v;
    char err[512] = "";

    ck_assert_msg(case_parse_text(text, "v.case", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(c.groups[0].pause_after, 100);
    ck_assert_int_eq(c.groups[1].probe, 1);
    ck_assert_int_eq(c.expect.ndone, 0);
    ck_assert_msg(case_variant(&c, PAT_REPEAT, &v, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(v.groups[0].pause_after, 200);
    ck_assert_int_eq(v.groups[1].probe, 0);
    ck_assert_int_eq(v.groups[1].probe_rounds, 3);
    ck_assert_int_eq(v.expect.ndone, 1);
    ck_assert_int_eq(v.expect.done[0].max_ms, 400);
    ck_assert_msg(case_variant(&c, PAT_ECHO, &v, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(v.groups[0].pause_after, 100);
    ck_assert_int_eq(v.groups[1].probe, 1);
}
END_TEST

/* http is sized as echo: its variant is the echo variant with key@http on top; send@http beats send_echo. */
START_TEST(t_variant_http)
{
    static const char text[] = "[case]\nprotocols = echo http\n[clients]\nsend_echo = 64k\nread_rate@echo = 4m\n"
                               "pipeline@http = 4\nrequests@http = 8\n[clients]\nsend_echo = 1k\nsend@http = 2k\n";
    struct ec_case c, v;
    char err[512] = "";

    ck_assert_msg(case_parse_text(text, "h.case", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(case_variant(&c, PAT_HTTP, &v, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(v.groups[0].read_rate, 4 << 20);
    ck_assert_int_eq(v.groups[0].http_pipeline, 4);
    ck_assert_int_eq(v.groups[0].http_requests, 8);
    ck_assert_uint_eq(v.send_echo[0], 64 << 10);
    ck_assert_uint_eq(v.send_echo[1], 0);
    ck_assert_uint_eq(v.groups[1].send_bytes, 2 << 10);
}
END_TEST

/* Which protocol a case runs with against a target, and the SKIP reasons. */
START_TEST(t_pick_proto)
{
    struct ec_case c;
    struct case_proto t, pr;
    char err[512] = "", why[512] = "";

    ck_assert(case_parse_text("[case]\nprotocols = echo repeat:20000\nprotocols_why = why not\n[clients]\n"
                              "send = 2\nsend@repeat = 1\n", "p.case", &c, err, sizeof(err)) == 0);
    ck_assert(case_proto_parse("repeat:20000:nonl", &t, err, sizeof(err)) == 0);
    ck_assert_msg(case_pick_proto(&c, &t, &pr, why, sizeof(why)) == 0, "%s", why);
    ck_assert(pr.kind == PAT_REPEAT && pr.repeat_n == 20000 && pr.newline == 0);
    ck_assert(case_proto_parse("repeat:100", &t, err, sizeof(err)) == 0);
    ck_assert_int_eq(case_pick_proto(&c, &t, &pr, why, sizeof(why)), -1);
    ck_assert_str_eq(why, "needs protocol echo repeat:20000; the target speaks repeat:100 (--protocol): why not");
    ck_assert(case_parse_text("[case]\nprotocols = repeat\n[clients]\nsend = 3\n", "p.case", &c, err,
                              sizeof(err)) == 0);
    ck_assert(case_proto_parse("repeat:7:nonl", &t, err, sizeof(err)) == 0);
    ck_assert_int_eq(case_pick_proto(&c, &t, &pr, why, sizeof(why)), -1);
    ck_assert_msg(strstr(why, "[clients] #1 sends 3 messages on one connection; repeat:N:nonl carries one") == why,
                  "%s", why);
    ck_assert(case_proto_parse("repeat:7", &t, err, sizeof(err)) == 0);
    ck_assert_int_eq(case_pick_proto(&c, &t, &pr, why, sizeof(why)), 0);
    ck_assert_int_eq(pr.repeat_n, 7);
}
END_TEST

/* netns = yes and its tbf rate in tc's units (powers of 1000). */
START_TEST(t_netns)
{
    static const struct { const char *v; int kbit; } rates[] = {
        { "500kbit", 500 }, { "10mbit", 10000 }, { "1gbit", 1000000 },
    };
    struct ec_case c;
    char err[512] = "", text[256];

    ck_assert_msg(case_parse_text("[target]\nnetns = yes\n[clients]\n", "n.case", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(c.netns, 1);
    ck_assert_int_eq(c.netns_rate_kbit, 0);
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        snprintf(text, sizeof(text), "[target]\nnetns = yes\nnetns_rate = %s\n[clients]\n", rates[i].v);
        ck_assert_msg(case_parse_text(text, "n.case", &c, err, sizeof(err)) == 0, "%s", err);
        ck_assert_int_eq(c.netns_rate_kbit, rates[i].kbit);
    }
    ck_assert_msg(case_parse_text("[clients]\n", "n.case", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(c.netns, 0);
}
END_TEST

/* The wire assertions and their defaults: RST forbidden unless a client resets on purpose. */
START_TEST(t_wire)
{
    static const char text[] =
        "[target]\ncapture = yes\n[clients]\nsend = 1\nsend_echo = 350k\n[clients]\n[expect]\n"
        "wire_zero_window_resumed = yes\nwire_acked_equals_verified = yes\n";
    struct ec_case c;
    char err[512] = "";

    ck_assert_msg(case_parse_text(text, "w.case", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(c.expect.wire_zero_window_resumed, 1);
    ck_assert_int_eq(c.expect.wire_acked_equals_verified, 1);
    ck_assert_int_eq(c.expect.wire_rst, CASE_RST_DEFAULT);
    ck_assert_int_eq(case_wire_rst(&c), CASE_RST_NO);
    ck_assert_int_eq(case_has_wire(&c), 1);
    ck_assert_uint_eq(c.send_echo[0], 350 * 1024);
    ck_assert_uint_eq(c.send_echo[1], 0);
    ck_assert_uint_eq(c.groups[0].send_bytes, 1);
    c.groups[1].reset_after = 10;
    ck_assert_int_eq(case_wire_rst(&c), CASE_RST_ANY);
    ck_assert_msg(case_parse_text("[target]\ncapture = yes\n[clients]\n[expect]\nwire_rst = yes\n", "w.case", &c,
                                  err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(case_wire_rst(&c), CASE_RST_YES);
    ck_assert_int_eq(case_has_wire(&c), 1);
    ck_assert_msg(case_parse_text("[target]\ncapture = yes\n[clients]\n", "w.case", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(case_has_wire(&c), 0);
    ck_assert_int_eq(case_wire_rst(&c), CASE_RST_NO);
}
END_TEST

START_TEST(t_bad)
{
    const struct bad_case *b = &bad_cases[_i];
    struct ec_case c;
    char err[512] = "";

    ck_assert_msg(case_parse_text(b->text, "f.case", &c, err, sizeof(err)) < 0,
                  "case %d accepted, expected error '%s'", _i, b->want);
    ck_assert_msg(strstr(err, b->want) != NULL, "case %d: got '%s', want '%s'", _i, err, b->want);
}
END_TEST

START_TEST(t_missing_file)
{
    struct ec_case c;
    char err[512] = "";

    ck_assert_int_eq(case_parse_file("/nonexistent/x.case", &c, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "/nonexistent/x.case: No such file") != NULL, "%s", err);
}
END_TEST

/* The shipped catalogue must parse (EC_TOP_SRCDIR is set by make check). */
START_TEST(t_catalogue)
{
    const char *top = getenv("EC_TOP_SRCDIR");
    struct ec_case *all;
    char dir[4096], err[1024] = "";
    int n;

    snprintf(dir, sizeof(dir), "%s/cases", top ? top : ".");
    ck_assert_msg(case_load_dir(dir, &all, &n, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_gt(n, 20);
    free(all);
}
END_TEST

static const struct expand_case {
    const char *cmd;
    const char *proto;
    int sndbuf, rcvbuf;
    const char *want;
} expand_cases[] = {
    { "srv --listen 127.0.0.1:{port} --proto {proto} --sndbuf={sndbuf} --rcvbuf={rcvbuf}", "echo", 0, 0,
      "srv --listen 127.0.0.1:5555 --proto echo" },
    /* {host} is left for target_start, which knows where the target listens. */
    { "srv --listen {host}:{port}", "echo", 0, 0, "srv --listen {host}:5555" },
    { "srv --listen 127.0.0.1:{port} --proto {proto} --sndbuf={sndbuf}", "repeat:20000", 4096, 0,
      "srv --listen 127.0.0.1:5555 --proto repeat:20000 --sndbuf=4096" },
    { "  sh  -c \"exec srv {port}\"  ", "echo", 0, 0, "sh -c \"exec srv 5555\"" },
    /* Single quotes group a word too, so its spaces do not split it or drop it. */
    { "sh -c 'exec srv {port}  --proto {proto}' x", "echo", 0, 0, "sh -c 'exec srv 5555  --proto echo' x" },
    { "sh -c 'say \"hi there\"' --sndbuf={sndbuf}", "echo", 0, 0, "sh -c 'say \"hi there\"'" },
    /* {docroot} is {dir}/docroot; the case folder here is /r/case. */
    { "srv --root={docroot} --log {dir}/x.log", "echo", 0, 0, "srv --root=/r/case/docroot --log /r/case/x.log" },
};

START_TEST(t_expand)
{
    const struct expand_case *e = &expand_cases[_i];
    char out[512];

    struct run_subst v = { .port = 5555, .proto = e->proto, .sndbuf = e->sndbuf, .rcvbuf = e->rcvbuf,
                           .dir = "/r/case" };

    ck_assert_int_eq(run_expand_cmd(e->cmd, &v, out, sizeof(out)), 0);
    ck_assert_str_eq(out, e->want);
}
END_TEST

START_TEST(t_seed)
{
    ck_assert_uint_eq(run_case_seed(1, "a"), run_case_seed(1, "a"));
    ck_assert_uint_ne(run_case_seed(1, "a"), run_case_seed(2, "a"));
    ck_assert_uint_ne(run_case_seed(1, "a"), run_case_seed(1, "b"));
}
END_TEST

static Suite *caseparse_suite(void)
{
    Suite *s = suite_create("caseparse");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, t_good);
    tcase_add_test(tc, t_defaults);
    tcase_add_test(tc, t_wire);
    tcase_add_test(tc, t_netns);
    tcase_add_test(tc, t_variant);
    tcase_add_test(tc, t_variant_http);
    tcase_add_test(tc, t_pick_proto);
    tcase_add_loop_test(tc, t_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(tc, t_missing_file);
    tcase_add_test(tc, t_catalogue);
    suite_add_tcase(s, tc);
    tc = tcase_create("command");
    tcase_add_loop_test(tc, t_expand, 0, (int)(sizeof(expand_cases) / sizeof(expand_cases[0])));
    tcase_add_test(tc, t_seed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(caseparse_suite());
    int failed, ran;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    ran = srunner_ntests_run(sr);
    srunner_free(sr);
    if (ran == 0)
        return 77;
    return failed ? 1 : 0;
}
