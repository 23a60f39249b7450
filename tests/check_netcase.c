/* check_netcase.c: the netns cases (netns = yes) against the reference server, across a veth between two namespaces.
 * A case this machine cannot serve (harness/netns/probe.h: namespaces, shaping) must SKIP with the probe's
 * reason; when none can run, the program checks that and exits 77 with the reason. A netns case
 * against a target without {host} must SKIP saying so, on every machine.
 * One case: CK_RUN_CASE=netns-slow-reader make check TESTS=tests/check_netcase; under gdb: CK_FORK=no. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check_util.h"
#include "tests/check_main.h"

static struct ec_case *cases;
static int ncases;

START_TEST(t_netcase)
{
    struct case_outcome o;

    ecu_run(&cases[_i], NULL, NULL, "netcase", &o);
    ck_assert_msg(o.status == CASE_PASS, "case %s: expected PASS, got %s: %s\n%s(logs: tests/check-results/netcase/%s)",
                  cases[_i].name, report_status_name(o.status), o.diag, o.details, cases[_i].name);
    /* It really crossed the veth: the target listened on the server namespace's address. */
    ck_assert_msg(strstr(o.details, "netns: target in ") && strstr(o.details, "at 10.200.0.2"),
                  "case %s: no netns line in its details:\n%s", cases[_i].name, o.details);
}
END_TEST

/* Runs c (against cmd, NULL: the reference server) and checks that it SKIPs
 * with a diagnosis containing want. Returns 0, or -1 with msg saying what came instead. */
static int netcase_skips(const struct ec_case *c, const char *cmd, const char *want, char *msg, size_t len)
{
    struct case_outcome o;

    ecu_run(c, cmd, NULL, "netcase", &o);
    if (o.status == CASE_SKIP && strstr(o.diag, want))
        return 0;
    snprintf(msg, len, "case %s: expected SKIP \"%.500s\", got %s: %.1000s", c->name, want,
             report_status_name(o.status), o.diag);
    return -1;
}

/* The first netns case against a server that listens on 127.0.0.1 only. */
static int netcase_no_host(char *msg, size_t len)
{
    char server[4096], cmd[4200];

    for (int i = 0; i < ncases; i++)
        if (cases[i].netns) {
            snprintf(cmd, sizeof(cmd), "%s --port {port} --proto {proto}",
                     ecu_build_path("server/edgecase-server", server, sizeof(server)));
            return netcase_skips(&cases[i], cmd, "a {conf:PATH} template of it has {host}", msg, len);
        }
    snprintf(msg, len, "no netns = yes case in the catalogue");
    return -1;
}

START_TEST(t_no_host)
{
    char msg[2048];

    ck_assert_msg(netcase_no_host(msg, sizeof(msg)) == 0, "%s", msg);
}
END_TEST

START_TEST(t_unservable)
{
    char why[512], msg[2048];
    struct run_conf rc;

    run_conf_init(&rc);
    ck_assert(!run_case_servable(&rc, &cases[_i], why, sizeof(why)));
    ck_assert_msg(netcase_skips(&cases[_i], NULL, why, msg, sizeof(msg)) == 0, "%s", msg);
}
END_TEST

/* When no netns case can run here: each SKIPs with its reason, and so does a
 * target without {host}. Returns 77 (Automake's SKIP, with the reason printed), or 1. */
static int netcase_none_servable(const char *first_why)
{
    char msg[2048];
    struct run_conf rc;
    char why[512];

    run_conf_init(&rc);
    for (int i = 0; i < ncases; i++) {
        if (!cases[i].netns || run_case_servable(&rc, &cases[i], why, sizeof(why)))
            continue;
        if (netcase_skips(&cases[i], NULL, why, msg, sizeof(msg)) < 0) {
            fprintf(stderr, "check_netcase: %s\n", msg);
            return 1;
        }
    }
    if (netcase_no_host(msg, sizeof(msg)) < 0) {
        fprintf(stderr, "check_netcase: %s\n", msg);
        return 1;
    }
    printf("SKIP: %s\n", first_why);
    return 77;
}

int main(void)
{
    Suite *s = suite_create("netcase");
    TCase *tc;
    struct run_conf rc;
    char why[512], first_why[512] = "";
    int status, servable = 0;

    if (ecu_load_cases(&cases, &ncases) < 0)
        return 99;
    if (ecu_require_built(ecu_case_bins) < 0)
        return 99;
    run_conf_init(&rc);
    for (int i = 0; i < ncases; i++) {
        if (!cases[i].netns)
            continue;
        tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, ecu_timeout(&cases[i]));
        if (run_case_servable(&rc, &cases[i], why, sizeof(why))) {
            servable++;
            tcase_add_loop_test(tc, t_netcase, i, i + 1);
        } else {
            printf("check_netcase: %s must SKIP: %s\n", cases[i].name, why);
            if (!first_why[0])
                snprintf(first_why, sizeof(first_why), "%s", why);
            tcase_add_loop_test(tc, t_unservable, i, i + 1);
        }
        suite_add_tcase(s, tc);
    }
    if (!servable && first_why[0]) {
        status = netcase_none_servable(first_why);
        free(cases);
        return status;
    }
    tc = tcase_create("no-host");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, t_no_host);
    suite_add_tcase(s, tc);
    status = check_main_run(s);
    free(cases);
    return status;
}
