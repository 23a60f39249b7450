/* check_target.c: tests of the target module: start, readiness errors, argv, freeze, samples, stop, guard.
 * Run one case: make check TESTS=tests/check_target CK_RUN_CASE=freeze; debug with CK_FORK=no gdb. */
#include "harness/target/target.h"

#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A fake target: listens on argv[1]; argv[2] picks extra behaviour. */
static const char fake_py[] =
    "import signal, socket, sys, threading\n"
    "port, mode = int(sys.argv[1]), sys.argv[2]\n"
    "n = [0]\n"
    "def usr1(*a):\n"
    "    n[0] += 1\n"
    "    sys.stdout.write('noise\\n{\"connections\":%d,\"bytes_out\":123}\\n' % n[0])\n"
    "    sys.stdout.flush()\n"
    "def spin():\n"
    "    while True:\n"
    "        pass\n"
    "if mode == 'counters':\n"
    "    signal.signal(signal.SIGUSR1, usr1)\n"
    "if mode == 'busy':\n"
    "    for _ in range(2):\n"
    "        threading.Thread(target=spin, daemon=True).start()\n"
    "blob = b'\\x01' * (64 << 20) if mode == 'rss' else b''\n"
    "s = socket.socket()\n"
    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('127.0.0.1', port))\n"
    "s.listen(16)\n"
    "while True:\n"
    "    c, _ = s.accept()\n"
    "    c.close()\n";

static char tdir[256];
static char fake[300];

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether t's CPU time grows past from + by within limit_ms: a busy target
 * gets its share sooner or later, however loaded the machine (a bound in
 * wall time alone would judge the machine). *last gets the last sample. */
static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Whether t's CPU time grows past from + by within limit_s: a busy target
 * gets its share sooner or later, however loaded the machine (a bound in
 * wall time alone would judge the machine). *last gets the last sample. */
static int cpu_grows(struct target *t, double from, double by, double limit_s, struct target_sample *last)
{
    double end = now_s() + limit_s;

    do {
        sleep_ms(20);
        if (target_sample(t, last) < 0)
            return 0;
        if (last->cpu_s - from > by)
            return 1;
    } while (now_s() < end);
    return 0;
}

/* Runs in each forked test: a fresh log folder holding the fake target script. */
static void setup(void)
{
    FILE *f;

    snprintf(tdir, sizeof(tdir), "/tmp/ec-check-target-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tdir));
    snprintf(fake, sizeof(fake), "%s/fake.py", tdir);
    f = fopen(fake, "w");
    ck_assert_ptr_nonnull(f);
    fputs(fake_py, f);
    fclose(f);
}

/* Removes the log folder; only reached when the test passed, so a failure keeps its logs. */
static void cleanup(void)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
    ck_assert_int_eq(system(cmd), 0);
}

static struct target_spec spec_for(const char *cmd, int timeout_ms)
{
    struct target_spec s = {.cmd = cmd, .port = target_free_port(), .logdir = tdir,
                            .ready_timeout_ms = timeout_ms};

    ck_assert_int_gt(s.port, 0);
    return s;
}

/* Counts live (non-zombie) processes in process group pgid. */
static int group_count(pid_t pgid)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d))) {
        char path[300], buf[1024], *rp, state;
        int pgrp;
        FILE *f;

        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        if (!(f = fopen(path, "r")))
            continue;
        if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')) &&
            sscanf(rp + 2, "%c %*d %d", &state, &pgrp) == 2 && pgrp == pgid && state != 'Z' && state != 'X')
            n++;
        fclose(f);
    }
    closedir(d);
    return n;
}

/* Waits up to ms for group pgid to have at least (want>0) or exactly zero (want==0) members,
 * reaping orphans handed to us as subreaper. Returns the last count. */
static int wait_group(pid_t pgid, int want, int ms)
{
    double deadline = now_s() + ms / 1000.0;
    int n;

    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        n = group_count(pgid);
        if ((want == 0 && n == 0) || (want > 0 && n >= want) || now_s() > deadline)
            return n;
        sleep_ms(10);
    }
}

static char thread_state(pid_t pid)
{
    char path[64], buf[512], *rp, st = '?';
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (!(f = fopen(path, "r")))
        return '?';
    if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')))
        st = rp[2];
    fclose(f);
    return st;
}

/* Reads a whole small file into buf. */
static void slurp(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

START_TEST(t_start_stop)
{
    char cmd[512], err[1024], how[64];
    struct target t;

    snprintf(cmd, sizeof(cmd), "python3 %s {port} listen", fake);
    struct target_spec s = spec_for(cmd, 10000);
    ck_assert_msg(target_start(&t, &s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert_int_eq(t.port, s.port);
    ck_assert_int_eq(getpgid(t.pid), t.pid);
    ck_assert_int_eq(target_alive(&t), 1);
    ck_assert_int_eq(target_port_open(s.port), 1);
    ck_assert_str_eq(target_describe(&t, how, sizeof(how)), "running");
    target_stop(&t, 2000);
    ck_assert_int_eq(t.exited, 1);
    ck_assert_str_eq(target_describe(&t, how, sizeof(how)), "killed by SIGTERM");
    target_stop(&t, 2000);  /* idempotent */
    ck_assert_int_eq(target_alive(&t), 0);
    ck_assert_int_eq(target_port_open(s.port), 0);
    ck_assert_int_eq(kill(t.pid, 0), -1);
    cleanup();
}
END_TEST

START_TEST(t_never_listens)
{
    char err[1024], want[128];
    struct target t;
    struct target_spec s = spec_for("sh -c \"echo boom-on-stderr >&2; exec sleep 30\"", 300);
    double t0 = now_s();

    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_double_lt(now_s() - t0, 5.0);
    snprintf(want, sizeof(want), "target never listened on 127.0.0.1:%d within 300 ms; its stderr: ", s.port);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "err = '%s'", err);
    ck_assert_msg(strstr(err, "boom-on-stderr") != NULL, "err = '%s'", err);
    ck_assert_int_eq(t.exited, 1);
    ck_assert_int_eq(kill(t.pid, 0), -1);
    cleanup();
}
END_TEST

START_TEST(t_exits_at_once)
{
    char err[1024];
    struct target t;
    struct target_spec s = spec_for("sh -c \"echo bad option --frob >&2; exit 2\"", 5000);

    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "target exited with status 2 before listening; its stderr: bad option --frob");
    cleanup();
}
END_TEST

START_TEST(t_crash_before_listen)
{
    char err[1024];
    struct target t;
    struct target_spec s = spec_for("sh -c \"kill -SEGV $$\"", 5000);

    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_msg(strncmp(err, "target killed by SIGSEGV", 24) == 0, "err = '%s'", err);
    cleanup();
}
END_TEST

START_TEST(t_not_found)
{
    char err[1024];
    struct target t;
    struct target_spec s = spec_for("/nonexistent/edgecase-prog --x", 5000);

    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "/nonexistent/edgecase-prog") && strstr(err, "No such file"), "err = '%s'", err);
    s.cmd = "edgecase-no-such-prog-on-path";
    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "not found on PATH") != NULL, "err = '%s'", err);
    s.cmd = "sh -c \"unbalanced";
    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "unbalanced double quote") != NULL, "err = '%s'", err);
    cleanup();
}
END_TEST

/* Cuts "a|b|c|" to "a|b|". */
static void drop_last_field(char *s)
{
    char *end = s + strlen(s) - 1, *p = end;

    while (p > s && *--p != '|')
        ;
    if (*p == '|')
        p[1] = '\0';
}

/* Port substitution, quoting, extra env, LD_PRELOAD and RLIMIT_NOFILE reach the child only. */
START_TEST(t_argv_env)
{
    char err[1024], want[256], got[1024];
    const char *env[] = {"EC_T_FOO=bar baz", NULL};
    const char *before = getenv("LD_PRELOAD");
    struct target t;
    struct target_spec s = spec_for("sh -c \"printf '%s|' \\\"$0\\\" \\\"$@\\\" "
                                    "\\\"$EC_T_FOO\\\" \\\"$LD_PRELOAD\\\" $(ulimit -n) >&2; exit 3\" "
                                    "arg0 \"two  words\" x{port}y{port}", 5000);

    s.env = env;
    s.preload = "libc.so.6";
    s.nofile = 77;
    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_msg(strncmp(err, "target exited with status 3 ", 28) == 0, "err = '%s'", err);
    slurp(t.err_path, got, sizeof(got));
    snprintf(want, sizeof(want), "arg0|two  words|x%dy%d|bar baz|libc.so.6|77|", s.port, s.port);
    if (before && strstr(before, "vgpreload")) {
        /* Under valgrind our setrlimit is emulated: compare all but the limit. */
        drop_last_field(got);
        drop_last_field(want);
    }
    ck_assert_str_eq(got, want);
    ck_assert_msg(getenv("EC_T_FOO") == NULL, "extra env leaked into the harness");
    ck_assert_pstr_eq(getenv("LD_PRELOAD"), before);
    cleanup();
}
END_TEST

/* Single quotes group as in sh: literally, with double quotes and backslashes kept inside. */
START_TEST(t_single_quotes)
{
    char err[1024], want[256], got[1024];
    struct target t;
    struct target_spec s = spec_for("sh -c 'printf \"%s|\" \"$0\" \"$@\" >&2; exit 3' "
                                    "'arg 0' 'a \"b\"  c\\d' \"it's\" x'{port}'y", 5000);

    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_msg(strncmp(err, "target exited with status 3 ", 28) == 0, "err = '%s'", err);
    slurp(t.err_path, got, sizeof(got));
    snprintf(want, sizeof(want), "arg 0|a \"b\"  c\\d|it's|x%dy|", s.port);
    ck_assert_str_eq(got, want);
    s.cmd = "sh -c 'unbalanced";
    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "unbalanced single quote") != NULL, "err = '%s'", err);
    cleanup();
}
END_TEST

/* A descriptor the harness left inheritable does not reach the target; stdin is /dev/null. */
START_TEST(t_no_fd_leak)
{
    char err[1024];
    struct target t;
    int leak = dup(2);
    /* test is a dash builtin: the shell opens nothing while it looks. */
    struct target_spec s = spec_for("sh -c \"for i in 3 4 5 6 7 8 9 10 11 12; do test -e /proc/$$/fd/$i && "
                                    "echo leaked fd $i >&2; done; readlink /proc/$$/fd/0 >&2; exit 3\"", 5000);

    ck_assert_int_ge(leak, 3);
    ck_assert_int_le(leak, 12);
    ck_assert_int_eq(target_start(&t, &s, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "target exited with status 3 before listening; its stderr: /dev/null");
    close(leak);
    cleanup();
}
END_TEST

START_TEST(t_freeze_resume)
{
    char cmd[512], err[1024];
    struct target t;
    struct target_sample a, b;

    snprintf(cmd, sizeof(cmd), "python3 %s {port} busy", fake);
    struct target_spec s = spec_for(cmd, 10000);
    ck_assert_msg(target_start(&t, &s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert_msg(target_freeze(&t, 3000, err, sizeof(err)) == 0, "freeze: %s", err);
    ck_assert_int_eq(thread_state(t.pid), 'T');
    ck_assert_int_eq(target_sample(&t, &a), 0);
    sleep_ms(300);
    ck_assert_int_eq(target_sample(&t, &b), 0);
    ck_assert_msg(b.cpu_s - a.cpu_s < 0.05, "frozen target used %.3f s CPU", b.cpu_s - a.cpu_s);
    ck_assert_int_eq(target_resume(&t), 0);
    ck_assert_msg(cpu_grows(&t, b.cpu_s, 0.05, 10, &a), "resumed target used only %.3f s CPU in 10 s",
                  a.cpu_s - b.cpu_s);
    ck_assert_int_ne(thread_state(t.pid), 'T');
    /* Stop must also end a frozen target. */
    ck_assert_int_eq(target_freeze(&t, 3000, err, sizeof(err)), 0);
    target_stop(&t, 2000);
    ck_assert_int_eq(t.exited, 1);
    cleanup();
}
END_TEST

/* A busy shell leader (its grandchild python listens): CPU time grows. */
START_TEST(t_cpu_sample)
{
    char cmd[512], err[1024];
    struct target t;
    struct target_sample a, b;

    snprintf(cmd, sizeof(cmd), "sh -c \"python3 %s {port} listen & while :; do :; done\"", fake);
    struct target_spec s = spec_for(cmd, 10000);
    ck_assert_msg(target_start(&t, &s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert_int_eq(target_sample(&t, &a), 0);
    double t0 = now_s();
    ck_assert_msg(cpu_grows(&t, a.cpu_s, 0.15, 10, &b), "busy loop used only %.3f s CPU in 10 s",
                  b.cpu_s - a.cpu_s);
    /* One thread cannot use more CPU than the time that passed. */
    double wall = now_s() - t0 + 0.05;
    ck_assert_msg(b.cpu_s - a.cpu_s < wall, "one thread used %.3f s CPU in %.2f s", b.cpu_s - a.cpu_s, wall);
    target_stop(&t, 1000);
    ck_assert_int_eq(wait_group(t.pid, 0, 3000), 0);
    ck_assert_int_eq(target_sample(&t, &a), -1);
    cleanup();
}
END_TEST

START_TEST(t_rss_sample)
{
    char cmd[512], err[1024];
    struct target t;
    struct target_sample a;

    snprintf(cmd, sizeof(cmd), "python3 %s {port} rss", fake);
    struct target_spec s = spec_for(cmd, 10000);
    ck_assert_msg(target_start(&t, &s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert_int_eq(target_sample(&t, &a), 0);
    ck_assert_msg(a.rss_kb > 60000, "rss %ld kB, want > 60000 (64 MiB touched)", a.rss_kb);
    ck_assert_int_ge(a.hwm_kb, a.rss_kb);
    target_stop(&t, 2000);
    cleanup();
}
END_TEST

START_TEST(t_counters)
{
    char cmd[512], err[1024], line[512];
    struct target t;

    snprintf(cmd, sizeof(cmd), "python3 %s {port} counters", fake);
    struct target_spec s = spec_for(cmd, 10000);
    ck_assert_msg(target_start(&t, &s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert_int_eq(target_counters(&t, 5000, line, sizeof(line)), 0);
    ck_assert_str_eq(line, "{\"connections\":1,\"bytes_out\":123}");
    ck_assert_int_eq(target_counters(&t, 5000, line, sizeof(line)), 0);
    ck_assert_int_eq(target_counter_get(line, "connections"), 2);
    ck_assert_int_eq(target_counter_get(line, "bytes_out"), 123);
    target_stop(&t, 2000);
    ck_assert_int_eq(target_counters(&t, 200, line, sizeof(line)), -1);
    /* A target without counters (SIGUSR1 would kill it) is not signalled. */
    snprintf(cmd, sizeof(cmd), "python3 %s {port} listen", fake);
    s.cmd = cmd;
    s.port = target_free_port();
    ck_assert_msg(target_start(&t, &s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert_int_eq(target_counters(&t, 300, line, sizeof(line)), -1);
    ck_assert_str_eq(line, "");
    ck_assert_int_eq(target_alive(&t), 1);
    target_stop(&t, 2000);
    cleanup();
}
END_TEST

START_TEST(t_counter_get)
{
    const char *j = "{\"a\":1,\"ab\": 22,\"x\":\"ab\",\"neg\":-5,\"s\":\"q\\\"ab\\\":9\",\"b\" : 7}";

    ck_assert_int_eq(target_counter_get(j, "a"), 1);
    ck_assert_int_eq(target_counter_get(j, "ab"), 22);
    ck_assert_int_eq(target_counter_get(j, "b"), 7);
    ck_assert_int_eq(target_counter_get(j, "neg"), -5);
    ck_assert_int_eq(target_counter_get(j, "x"), -1);
    ck_assert_int_eq(target_counter_get(j, "missing"), -1);
    ck_assert_int_eq(target_counter_get("", "a"), -1);
    cleanup();
}
END_TEST

/* The leader ignores SIGTERM, so does a grandchild: stop escalates and kills the whole group. */
START_TEST(t_stop_group)
{
    char cmd[512], err[1024], how[64];
    struct target t;

    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    snprintf(cmd, sizeof(cmd), "sh -c \"trap '' TERM; sleep 300 & exec python3 %s {port} listen\"", fake);
    struct target_spec s = spec_for(cmd, 10000);
    ck_assert_msg(target_start(&t, &s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert_int_ge(wait_group(t.pid, 2, 3000), 2);
    double t0 = now_s();
    target_stop(&t, 300);
    ck_assert_double_ge(now_s() - t0, 0.25);
    ck_assert_str_eq(target_describe(&t, how, sizeof(how)), "killed by SIGKILL");
    ck_assert_int_eq(wait_group(t.pid, 0, 3000), 0);
    cleanup();
}
END_TEST

/* A mini harness starts a target and reports its pid, then waits to be killed.
 * guard 2: like the runner, it starts the target in a forked per-case child
 * that gets SIGTERM when the harness dies, and that child's guard must act. */
static void mini_harness(int wfd, int guard, const char *cmd)
{
    char err[1024];
    struct target t;
    struct target_spec s = {.cmd = cmd, .port = target_free_port(), .logdir = tdir, .ready_timeout_ms = 10000};

    if (guard)
        target_guard_install();
    if (guard == 2) {
        pid_t c = fork();

        if (c == -1)
            _exit(1);
        if (c > 0) {
            for (int i = 0; i < 300; i++)
                sleep_ms(100);
            _exit(0);
        }
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
            _exit(1);
    }
    if (target_start(&t, &s, err, sizeof(err)) == -1) {
        fprintf(stderr, "mini harness: %s\n", err);
        _exit(1);
    }
    if (write(wfd, &t.pid, sizeof(t.pid)) != sizeof(t.pid))
        _exit(1);
    for (int i = 0; i < 300; i++)
        sleep_ms(100);
    _exit(0);
}

/* Kills a mini harness with sig and checks its target's group is gone soon after. */
static void guard_case(int sig, int guard, const char *cmd, int members)
{
    int pfd[2], status;
    pid_t h, tp = 0;

    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    ck_assert_int_eq(pipe(pfd), 0);
    h = fork();
    ck_assert_int_ne(h, -1);
    if (h == 0)
        mini_harness(pfd[1], guard, cmd);
    close(pfd[1]);
    ck_assert_int_eq(read(pfd[0], &tp, sizeof(tp)), sizeof(tp));
    ck_assert_int_ge(wait_group(tp, members, 3000), members);
    kill(h, sig);
    ck_assert_int_eq(waitpid(h, &status, 0), h);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sig, "harness status %#x", status);
    ck_assert_msg(wait_group(tp, 0, 5000) == 0, "target group %d outlived the harness", (int)tp);
    cleanup();
}

START_TEST(t_guard_sigkill)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "python3 %s {port} listen", fake);
    guard_case(SIGKILL, 0, cmd, 1);
}
END_TEST

START_TEST(t_guard_sigterm)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "sh -c \"sleep 300 & exec python3 %s {port} listen\"", fake);
    guard_case(SIGTERM, 1, cmd, 2);
}
END_TEST

START_TEST(t_guard_pool_child)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "sh -c \"sleep 300 & exec python3 %s {port} listen\"", fake);
    guard_case(SIGKILL, 2, cmd, 2);
}
END_TEST

START_TEST(t_free_port)
{
    int p = target_free_port();

    ck_assert_int_gt(p, 0);
    ck_assert_int_lt(p, 65536);
    ck_assert_int_eq(target_port_open(p), 0);
    cleanup();
}
END_TEST

static char server_bin[4096];

/* The reference server, when built: listens, prints counters, exits 0 on SIGTERM. */
START_TEST(t_real_server)
{
    char cmd[4200], err[1024], line[1024], how[64];
    struct target t;

    snprintf(cmd, sizeof(cmd), "%s --listen 127.0.0.1:{port}", server_bin);
    struct target_spec s = spec_for(cmd, 10000);
    ck_assert_msg(target_start(&t, &s, err, sizeof(err)) == 0, "start: %s", err);
    ck_assert_msg(target_counters(&t, 5000, line, sizeof(line)) == 0, "no counters in %s", t.out_path);
    ck_assert_msg(target_counter_get(line, "connections") >= 1, "readiness probe not counted: %s", line);
    /* A sanitized server's exit (LeakSanitizer's scan) can take seconds on a loaded machine. */
    target_stop(&t, (int)(5000 * (getenv("EC_TIMEOUT_SCALE") ? atof(getenv("EC_TIMEOUT_SCALE")) : 1)));
    ck_assert_str_eq(target_describe(&t, how, sizeof(how)), "exited 0");
    cleanup();
}
END_TEST

/* One TCase per test so CK_RUN_CASE can pick any single one. */
static TCase *tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    return tc;
}

#define ADD(name, fn)                   \
    do {                                \
        TCase *tc_ = tcase(name);       \
        tcase_add_test(tc_, fn);        \
        suite_add_tcase(s, tc_);        \
    } while (0)

int main(void)
{
    Suite *s = suite_create("target");
    const char *b = getenv("EC_TOP_BUILDDIR");
    SRunner *sr;
    int failed, run;

    ADD("start_stop", t_start_stop);
    ADD("never_listens", t_never_listens);
    ADD("exits_at_once", t_exits_at_once);
    ADD("crash_before_listen", t_crash_before_listen);
    ADD("not_found", t_not_found);
    ADD("argv_env", t_argv_env);
    ADD("single_quotes", t_single_quotes);
    ADD("no_fd_leak", t_no_fd_leak);
    ADD("freeze", t_freeze_resume);
    ADD("cpu", t_cpu_sample);
    ADD("rss", t_rss_sample);
    ADD("counters", t_counters);
    ADD("counter_get", t_counter_get);
    ADD("stop_group", t_stop_group);
    ADD("guard_sigkill", t_guard_sigkill);
    ADD("guard_sigterm", t_guard_sigterm);
    ADD("guard_pool_child", t_guard_pool_child);
    ADD("free_port", t_free_port);
    snprintf(server_bin, sizeof(server_bin), "%s/server/edgecase-server", b ? b : ".");
    ADD("server", t_real_server);  /* make check builds the server: t_real_server fails without it */
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    run = srunner_ntests_run(sr);
    srunner_free(sr);
    if (run == 0)
        return 77;
    return failed ? 1 : 0;
}
