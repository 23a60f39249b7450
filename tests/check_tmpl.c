/* check_tmpl.c: unit tests of {conf:PATH} target command templates (expansion, lookup, errors naming file:line). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/run/run.h"
#include "tests/check_main.h"

static char tmp[64];           /* this test's folder: templates here, the case folder in tmp/case */
static char casedir[96];

static void tmpl_setup(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/check_tmpl.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    snprintf(casedir, sizeof(casedir), "%s/case", tmp);
    ck_assert_int_eq(mkdir(casedir, 0755), 0);
}

static void tmpl_teardown(void)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "check_tmpl: could not remove %s\n", tmp);
}

/* Writes text to tmp/name. */
static void tmpl_put(const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmp, name);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Reads tmp/case/name into buf. */
static void tmpl_get(const char *name, char *buf, size_t len)
{
    char path[256];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", casedir, name);
    ck_assert_ptr_nonnull(f = fopen(path, "r"));
    n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static const char nginx_like[] =
    "pid {dir}/nginx.pid;\n"
    "http {\n"
    "  server { listen {host}:{port}; root {docroot}; }\n"
    "  location ~ ^/a{2,3}$ { return 200 ${host}; }\n"
    "}\n";

static const char nginx_want[] =
    "pid %s/nginx.pid;\n"
    "http {\n"
    "  server { listen 10.0.0.2:8080; root %s/docroot; }\n"
    "  location ~ ^/a{2,3}$ { return 200 ${host}; }\n"
    "}\n";

/* Placeholders inside the template, {docroot} built from {dir}, config braces
 * and nginx's ${var} left alone; the command keeps its own placeholders. */
START_TEST(t_nested)
{
    struct run_subst v = { .port = 8080, .host = "10.0.0.2", .proto = "http", .dir = casedir };
    char cmd[1024], out[1024], err[1024] = "", got[2048], want[4096];

    tmpl_put("n.conf", nginx_like);
    snprintf(cmd, sizeof(cmd), "nginx -c {conf:%s/n.conf} -p {dir} --x={conf:%s/n.conf}", tmp, tmp);
    ck_assert_msg(run_expand_confs(cmd, &v, NULL, out, sizeof(out), err, sizeof(err)) == 0, "%s", err);
    snprintf(want, sizeof(want), "nginx -c %s/n.conf -p {dir} --x=%s/n.conf", casedir, casedir);
    ck_assert_str_eq(out, want);
    tmpl_get("n.conf", got, sizeof(got));
    snprintf(want, sizeof(want), nginx_want, casedir, casedir);
    ck_assert_str_eq(got, want);
    ck_assert_msg(run_check_confs(cmd, NULL, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

/* A relative PATH not under the current directory is looked up under tmpl_dir. */
START_TEST(t_tmpl_dir)
{
    struct run_subst v = { .port = 1, .host = "127.0.0.1", .dir = casedir };
    char out[1024], err[1024] = "", got[64], want[256];

    tmpl_put("only-here.conf", "port {port}\n");
    ck_assert_msg(run_expand_confs("s {conf:only-here.conf}", &v, tmp, out, sizeof(out), err, sizeof(err)) == 0,
                  "%s", err);
    snprintf(want, sizeof(want), "s %s/only-here.conf", casedir);
    ck_assert_str_eq(out, want);
    tmpl_get("only-here.conf", got, sizeof(got));
    ck_assert_str_eq(got, "port 1\n");
}
END_TEST

START_TEST(t_missing)
{
    struct run_subst v = { .port = 1, .dir = casedir };
    char out[1024], err[1024] = "";

    ck_assert_int_eq(run_check_confs("s {conf:no-such.conf}", tmp, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "no-such.conf: template not found") && strstr(err, tmp), "%s", err);
    ck_assert_int_eq(run_expand_confs("s {conf:/no/such.conf}", &v, NULL, out, sizeof(out), err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "/no/such.conf: template not found"), "%s", err);
    ck_assert_int_eq(run_check_confs("s {conf:x.conf", NULL, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "closing brace"), "%s", err);
}
END_TEST

/* An unknown placeholder is an error naming file:line, at check and at expansion. */
START_TEST(t_unknown)
{
    struct run_subst v = { .port = 1, .dir = casedir };
    char cmd[256], out[1024], err[1024] = "", want[256];

    tmpl_put("u.conf", "a {port}\nb {\n c {prot} {conf:x}\n");
    snprintf(cmd, sizeof(cmd), "s {conf:%s/u.conf}", tmp);
    snprintf(want, sizeof(want), "%s/u.conf:3: unknown placeholder {prot}", tmp);
    ck_assert_int_eq(run_check_confs(cmd, NULL, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, want), "%s", err);
    ck_assert_int_eq(run_expand_confs(cmd, &v, NULL, out, sizeof(out), err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, want), "%s", err);
    /* Templates do not nest: {conf:...} inside one is unknown too. */
    tmpl_put("u.conf", "{conf:x}\n");
    ck_assert_int_eq(run_check_confs(cmd, NULL, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "u.conf:1: unknown placeholder {conf:x}"), "%s", err);
}
END_TEST

/* A template that cannot be read (here a folder: root reads any file) says so. */
START_TEST(t_unreadable)
{
    char cmd[256], err[1024] = "";

    snprintf(cmd, sizeof(cmd), "s {conf:%s/case}", tmp);
    ck_assert_int_eq(run_check_confs(cmd, NULL, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "cannot read the template"), "%s", err);
}
END_TEST

static Suite *tmpl_suite(void)
{
    Suite *s = suite_create("tmpl");
    TCase *tc = tcase_create("conf");

    tcase_add_checked_fixture(tc, tmpl_setup, tmpl_teardown);
    tcase_add_test(tc, t_nested);
    tcase_add_test(tc, t_tmpl_dir);
    tcase_add_test(tc, t_missing);
    tcase_add_test(tc, t_unknown);
    tcase_add_test(tc, t_unreadable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_main_run(tmpl_suite());
}
