/* target.c: start one server under test as its own process group, wait until it listens, and end it. */
#include "harness/target/target.h"
#include "harness/target/target_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "harness/util/clock.h"

extern char **environ;

#define TARGET_MAX_ARGS 256
#define TARGET_MAX_ENV 4096
#define TARGET_TAIL 300

/* What the child reports through the exec pipe when it cannot become the target. */
struct target_childerr {
    int stage;                /* index in target_stage_names */
    int err;                  /* errno */
};

static const char *const target_stage_names[] = {
    "setpgid", "parent died before exec", "dup2", "setrlimit RLIMIT_NOFILE", "exec", "setns",
};

/* The arguments of one start, built in the parent so the child only calls
 * async-signal-safe functions between fork and exec (the harness may have threads). */
struct target_launch {
    char *words;              /* backing store for argv */
    char *argv[TARGET_MAX_ARGS + 1];
    char path[4096];          /* argv[0] resolved against PATH */
    char **envp;
    char *env_store;          /* the LD_PRELOAD=... string, if any */
    const char *netns_path;   /* spec's netns_path */
};

void target__sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Copies word w to out with "{port}" and "{host}" replaced. Returns 0, or -1 when out is too small. */
static int target__fill(const char *w, size_t len, const char *port, const char *host, char *out, size_t outlen)
{
    size_t o = 0;

    for (size_t i = 0; i < len;) {
        const char *val = !strncmp(w + i, "{port}", 6) && i + 6 <= len ? port
                          : !strncmp(w + i, "{host}", 6) && i + 6 <= len ? host : NULL;
        size_t n = val ? strlen(val) : 1;

        if (o + n >= outlen)
            return -1;
        memcpy(out + o, val ? val : w + i, n);
        o += n;
        i += val ? 6 : 1;
    }
    out[o] = '\0';
    return 0;
}

/* Splits cmd into words in out (one NUL after each word, by target_words.c's
 * grammar) and points argv at them; "{port}" and "{host}" are replaced
 * anywhere. Returns the word count, or -1 with err. */
static int target__split(const char *cmd, int port, const char *host, char *out, size_t outlen,
                         char **argv, char *err, size_t errlen)
{
    char portstr[16], quote = 0, *filled = malloc(outlen);
    const char *p = cmd, *w;
    size_t o = 0, len;
    int argc = 0, n;

    if (!filled) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(portstr, sizeof(portstr), "%d", port);
    while (argc >= 0 && (len = target_word_next(&p, &w, &quote)) > 0 && !quote) {
        if (argc >= TARGET_MAX_ARGS || target__fill(w, len, portstr, host, filled, outlen) < 0 ||
            (n = target_word_unquote(filled, strlen(filled), out + o, outlen - o)) < 0) {
            snprintf(err, errlen, "target command is too long (or has over %d words)", TARGET_MAX_ARGS);
            argc = -1;
        } else {
            argv[argc++] = out + o;
            o += (size_t)n + 1;
        }
    }
    free(filled);
    if (argc >= 0 && quote)
        snprintf(err, errlen, "target command has an unbalanced %s quote: %s", quote == '"' ? "double" : "single", cmd);
    else if (argc == 0)
        snprintf(err, errlen, "target command is empty");
    if (argc <= 0 || quote)
        return -1;
    argv[argc] = NULL;
    return argc;
}

/* Finds name on PATH the way execvp would, so the child can use execve.
 * Returns 0, or -1 with err. */
static int target__resolve(const char *name, char *out, size_t outlen, char *err, size_t errlen)
{
    const char *path = getenv("PATH");

    if (strchr(name, '/')) {
        snprintf(out, outlen, "%s", name);
        return 0;
    }
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        int len = snprintf(out, outlen, "%.*s%s%s", (int)n, n ? path : ".", "/", name);

        if (len > 0 && (size_t)len < outlen && access(out, X_OK) == 0)
            return 0;
        path += n + (path[n] == ':');
    }
    snprintf(err, errlen, "cannot start target: '%s' not found on PATH", name);
    return -1;
}

/* Returns 1 if "K=V" entry e sets the same variable as "K=V" entry f. */
static int target__same_key(const char *e, const char *f)
{
    size_t n = strcspn(f, "=");

    return strncmp(e, f, n) == 0 && e[n] == '=';
}

/* Builds the child's environment: ours, minus anything the spec overrides,
 * plus the spec's env and LD_PRELOAD. Returns 0 or -1 with err. */
static int target__env(struct target_launch *l, const struct target_spec *spec, char *err,
                       size_t errlen)
{
    size_t n = 0, nenv = 0, nextra = 0;

    while (environ[nenv])
        nenv++;
    while (spec->env && spec->env[nextra])
        nextra++;
    if (nenv + nextra + 2 > TARGET_MAX_ENV || !(l->envp = calloc(nenv + nextra + 2, sizeof(char *)))) {
        snprintf(err, errlen, "target environment too large");
        return -1;
    }
    if (spec->preload) {
        size_t len = strlen(spec->preload) + sizeof("LD_PRELOAD=");

        if (!(l->env_store = malloc(len))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        snprintf(l->env_store, len, "LD_PRELOAD=%s", spec->preload);
    }
    for (size_t i = 0; i < nenv; i++) {
        int keep = !(l->env_store && target__same_key(environ[i], l->env_store));

        for (size_t j = 0; keep && j < nextra; j++)
            keep = !target__same_key(environ[i], spec->env[j]);
        if (keep)
            l->envp[n++] = environ[i];
    }
    for (size_t j = 0; j < nextra; j++)
        l->envp[n++] = (char *)spec->env[j];
    if (l->env_store)
        l->envp[n++] = l->env_store;
    l->envp[n] = NULL;
    return 0;
}

static void target__launch_free(struct target_launch *l)
{
    free(l->words);
    free(l->envp);
    free(l->env_store);
}

/* In the child: sets RLIMIT_NOFILE, soft and hard, so a target that raises
 * its soft limit at startup still meets EMFILE. The hard limit only goes as
 * high as ours (raising it needs root). Under valgrind the harness's own
 * setrlimit is emulated, so the limit does not reach the target there.
 * Returns 0 or -1 (errno set). */
static int target__nofile(long nofile)
{
    struct rlimit cur = {RLIM_INFINITY, RLIM_INFINITY};
    struct rlimit rl = {.rlim_cur = (rlim_t)nofile, .rlim_max = (rlim_t)nofile};

    if (nofile <= 0)
        return 0;
    if (getrlimit(RLIMIT_NOFILE, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && rl.rlim_max > cur.rlim_max)
        rl.rlim_max = cur.rlim_max;
    if (rl.rlim_cur > rl.rlim_max)
        rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
        return 0;
    rl.rlim_max = cur.rlim_max;  /* valgrind refuses to lower the hard limit */
    return setrlimit(RLIMIT_NOFILE, &rl);
}

/* Runs in the child after fork: only async-signal-safe calls. Never returns. */
static void target__child(const struct target_launch *l, pid_t parent, long nofile, int outfd,
                          int errfd, int pipefd)
{
    struct target_childerr ce = {0, 0};
    struct sigaction sa;
    sigset_t none;
    int devnull;

    if (setpgid(0, 0) == -1)
        goto fail;
    /* The leader dies with the harness; its own children are covered by killpg
     * in target_stop and the guard, not by this. */
    ce.stage = 1;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
        goto fail;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        sigaction(s, &sa, NULL);  /* undo ignored signals (SIGPIPE) the harness may have */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    ce.stage = 2;
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull == -1 || dup2(devnull, 0) == -1 || dup2(outfd, 1) == -1 || dup2(errfd, 2) == -1)
        goto fail;
    ce.stage = 3;
    if (target__nofile(nofile) == -1)
        goto fail;
    /* Descriptors the harness left without O_CLOEXEC must not leak into the target. */
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
        for (int fd = 3; fd < 1024; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (l->netns_path) {
        int nsfd = open(l->netns_path, O_RDONLY | O_CLOEXEC);

        ce.stage = 5;
        if (nsfd == -1 || setns(nsfd, CLONE_NEWNET) == -1)
            goto fail;
    }
    ce.stage = 4;
    execve(l->path, l->argv, l->envp);
fail:
    ce.err = errno;
    if (write(pipefd, &ce, sizeof(ce)) < 0) {
        /* nothing left to tell anyone */
    }
    _exit(127);
}

/* Copies the last ~300 bytes of path into buf as one line. */
void target__tail(const char *path, char *buf, size_t buflen)
{
    char raw[TARGET_TAIL + 1];
    ssize_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    buf[0] = '\0';
    if (fd == -1)
        return;
    off_t size = lseek(fd, 0, SEEK_END);
    if (size > 0 && lseek(fd, size > TARGET_TAIL ? size - TARGET_TAIL : 0, SEEK_SET) >= 0)
        n = read(fd, raw, TARGET_TAIL);
    close(fd);
    if (n <= 0) {
        snprintf(buf, buflen, "(empty)");
        return;
    }
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == ' '))
        n--;
    for (ssize_t i = 0; i < n; i++)
        if ((unsigned char)raw[i] < 0x20)
            raw[i] = raw[i] == '\n' ? '|' : ' ';
    raw[n] = '\0';
    snprintf(buf, buflen, "%s%s", size > TARGET_TAIL ? "..." : "", raw);
}

/* Opens logdir/name for the child's output. Returns the fd or -1 with err. */
static int target__logfile(const char *logdir, const char *name, char *path, size_t pathlen,
                           char *err, size_t errlen)
{
    int fd;

    if ((size_t)snprintf(path, pathlen, "%s/%s", logdir, name) >= pathlen) {
        snprintf(err, errlen, "log path too long: %s/%s", logdir, name);
        return -1;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd == -1)
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    return fd;
}

/* Forks and execs; on return the child exists (pid set) or -1 with err.
 * Reads the exec pipe so a failed exec is reported by name. */
static int target__spawn(struct target *t, const struct target_spec *spec,
                         const struct target_launch *l, char *err, size_t errlen)
{
    int outfd = -1, errfd = -1, pfd[2] = {-1, -1}, rc = -1;
    struct target_childerr ce;
    pid_t parent = getpid(), pid;
    ssize_t n;

    mkdir(spec->logdir, 0755);  /* the runner usually made it already */
    if ((outfd = target__logfile(spec->logdir, "target.stdout", t->out_path, sizeof(t->out_path), err, errlen)) == -1 ||
        (errfd = target__logfile(spec->logdir, "target.stderr", t->err_path, sizeof(t->err_path), err, errlen)) == -1)
        goto out;
    if (pipe2(pfd, O_CLOEXEC) == -1) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        goto out;
    }
    pid = fork();
    if (pid == -1) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0)
        target__child(l, parent, spec->nofile, outfd, errfd, pfd[1]);
    setpgid(pid, pid);  /* also here, so killpg works even before the child ran */
    t->pid = pid;
    target__guard_add(pid);
    close(pfd[1]);
    pfd[1] = -1;
    while ((n = read(pfd[0], &ce, sizeof(ce))) == -1 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof(ce)) {
        snprintf(err, errlen, "cannot start target %s: %s: %s", l->path,
                 target_stage_names[ce.stage], strerror(ce.err));
        target_stop(t, 0);
        goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < 2; i++)
        if (pfd[i] != -1)
            close(pfd[i]);
    if (outfd != -1)
        close(outfd);
    if (errfd != -1)
        close(errfd);
    return rc;
}

/* Polls until host:port accepts, the child exits, or the deadline passes.
 * Returns 0, or -1 with err (the target is then stopped). */
static int target__wait_ready(struct target *t, int timeout_ms, char *err, size_t errlen)
{
    double deadline = (ec_now_ms() / 1e3) + timeout_ms / 1000.0;
    char tail[TARGET_TAIL * 2], how[64], why[256];

    for (;;) {
        if (!target_alive(t)) {
            target__tail(t->err_path, tail, sizeof(tail));
            target_describe(t, how, sizeof(how));
            target_port_explain(t->port, t->port_free_at_start, why, sizeof(why));
            if (WIFEXITED(t->status))
                snprintf(err, errlen, "target exited with status %d before listening%s; its stderr: %s",
                         WEXITSTATUS(t->status), why, tail);
            else
                snprintf(err, errlen, "target %s before listening; its stderr: %s", how, tail);
            target_stop(t, 0);
            return -1;
        }
        if (target_host_open(t->host, t->port))
            return 0;
        if ((ec_now_ms() / 1e3) >= deadline)
            break;
        target__sleep_ms(10);
    }
    target_stop(t, 200);
    target__tail(t->err_path, tail, sizeof(tail));
    snprintf(err, errlen, "target never listened on %s:%d within %d ms; its stderr: %s",
             t->host, t->port, timeout_ms, tail);
    return -1;
}

int target_start(struct target *t, const struct target_spec *spec, char *err, size_t errlen)
{
    struct target_launch l;
    size_t wlen;
    int rc = -1;

    memset(t, 0, sizeof(*t));
    memset(&l, 0, sizeof(l));
    t->port = spec->port;
    snprintf(t->host, sizeof(t->host), "%s", spec->host ? spec->host : "127.0.0.1");
    l.netns_path = spec->netns_path;
    if (!spec->cmd || !spec->logdir || spec->port <= 0 || spec->port > 65535) {
        snprintf(err, errlen, "target spec needs cmd, logdir and a port (got port %d)", spec->port);
        return -1;
    }
    if (target_host_open(t->host, spec->port)) {
        snprintf(err, errlen, "%s:%d already accepts connections before the target started",
                 t->host, spec->port);
        return -1;
    }
    /* Known only where the harness shares the target's network namespace. */
    t->port_free_at_start = spec->netns_path ? -1 : target_port_bindable(spec->port);
    wlen = strlen(spec->cmd) * (2 + strlen(t->host)) + 64;  /* room for {port} and {host} growing */
    if (!(l.words = malloc(wlen))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (target__split(spec->cmd, spec->port, t->host, l.words, wlen, l.argv, err, errlen) < 0 ||
        target__resolve(l.argv[0], l.path, sizeof(l.path), err, errlen) < 0 ||
        target__env(&l, spec, err, errlen) < 0 || target__spawn(t, spec, &l, err, errlen) < 0)
        goto out;
    rc = target__wait_ready(t, spec->ready_timeout_ms > 0 ? spec->ready_timeout_ms : 5000, err, errlen);
out:
    target__launch_free(&l);
    return rc;
}

/* Reaps the leader if it exited, first killing what is left of its group
 * (the zombie keeps the pgid from being reused until then). */
int target_alive(struct target *t)
{
    siginfo_t si;

    if (t->pid <= 0 || t->exited)
        return 0;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)t->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
        if (errno != ECHILD)
            return 1;
    } else if (si.si_pid == 0) {
        return 1;
    }
    killpg(t->pid, SIGKILL);
    if (waitpid(t->pid, &t->status, 0) == t->pid)
        t->exited = 1;
    else {
        t->exited = 1;
        t->status = 0;
    }
    target__guard_remove(t->pid);
    return 0;
}

void target_stop(struct target *t, int grace_ms)
{
    double deadline;

    if (t->pid <= 0 || !target_alive(t))
        return;
    killpg(t->pid, SIGTERM);
    killpg(t->pid, SIGCONT);  /* a frozen group would hold SIGTERM pending forever */
    deadline = (ec_now_ms() / 1e3) + grace_ms / 1000.0;
    while (target_alive(t) && (ec_now_ms() / 1e3) < deadline)
        target__sleep_ms(5);
    if (t->exited)
        return;
    killpg(t->pid, SIGKILL);
    /* SIGKILL cannot be caught; only a process stuck in the kernel (state D) delays it. */
    deadline = (ec_now_ms() / 1e3) + 10.0;
    while (target_alive(t) && (ec_now_ms() / 1e3) < deadline)
        target__sleep_ms(5);
}

const char *target_describe(const struct target *t, char *buf, size_t buflen)
{
    if (!t->exited) {
        snprintf(buf, buflen, "%s", t->pid > 0 ? "running" : "not started");
    } else if (WIFEXITED(t->status)) {
        snprintf(buf, buflen, "exited %d", WEXITSTATUS(t->status));
    } else if (WIFSIGNALED(t->status)) {
        int sig = WTERMSIG(t->status);
        const char *abbrev = sigabbrev_np(sig);

        if (abbrev)
            snprintf(buf, buflen, "killed by SIG%s%s", abbrev, WCOREDUMP(t->status) ? " (core dumped)" : "");
        else
            snprintf(buf, buflen, "killed by %s", strsignal(sig));
    } else {
        snprintf(buf, buflen, "ended with wait status %d", t->status);
    }
    return buf;
}
