/* inj_main.c: the injector's constructor: resolves the real functions and reads its configuration once. */
#include "harness/inject/inj.h"
#include "harness/inject/trace.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct inj_real inj_real;
struct inj_spec inj_spec;
int inj_ready;
int inj_faults;
struct inj_fd inj_fds[INJ_MAX_FD];
pthread_mutex_t inj_lock = PTHREAD_MUTEX_INITIALIZER;
_Atomic int inj_npending;
_Atomic uint64_t inj_wait_gen;
__thread int inj_busy __attribute__((tls_model("initial-exec")));

#define INJ_SYM(name) (inj_real.name = (__typeof__(inj_real.name))dlsym(RTLD_NEXT, #name))

void inj__resolve(void)
{
    /* dlsym may allocate; nothing it does must come back into our wrappers' logic. */
    inj_busy++;
    INJ_SYM(accept); INJ_SYM(accept4); INJ_SYM(setsockopt); INJ_SYM(close);
    INJ_SYM(read); INJ_SYM(recv); INJ_SYM(recvfrom); INJ_SYM(recvmsg); INJ_SYM(readv);
    inj_real.read_chk = (__typeof__(inj_real.read_chk))dlsym(RTLD_NEXT, "__read_chk");
    inj_real.recv_chk = (__typeof__(inj_real.recv_chk))dlsym(RTLD_NEXT, "__recv_chk");
    inj_real.recvfrom_chk = (__typeof__(inj_real.recvfrom_chk))dlsym(RTLD_NEXT, "__recvfrom_chk");
    INJ_SYM(write); INJ_SYM(send); INJ_SYM(sendto); INJ_SYM(sendmsg); INJ_SYM(writev);
    INJ_SYM(sendfile); INJ_SYM(sendfile64);
    INJ_SYM(epoll_create); INJ_SYM(epoll_create1); INJ_SYM(epoll_ctl);
    INJ_SYM(epoll_wait); INJ_SYM(epoll_pwait); INJ_SYM(epoll_pwait2);
    inj_busy--;
}

/* Writes msg to stderr with the real write (our wrapper is not ready yet). */
static void inj__die(const char *what, const char *msg)
{
    char line[600];
    int n = snprintf(line, sizeof(line), "edgecase-inject: %s: %s\n", what, msg);
    if (n > (int)sizeof(line) - 1) n = (int)sizeof(line) - 1;
    if (inj_real.write && inj_real.write(2, line, (size_t)n) < 0) { /* nothing left to report to */ }
    _exit(2);
}

/* Fork: the child keeps the shared mapping, so parent and child write the
 * same trace; the lock is held across fork so the child never inherits it
 * locked by a thread that does not exist there. */
static void inj__prefork(void) { pthread_mutex_lock(&inj_lock); }
static void inj__postfork_parent(void) { pthread_mutex_unlock(&inj_lock); }
static void inj__postfork_child(void)
{
    pthread_mutex_unlock(&inj_lock);
    inj__note_fork();
}

__attribute__((constructor)) static void inj_init(void)
{
    char err[300];
    inj_busy++;
    inj__resolve();
    const char *spec = getenv(INJ_ENV_SPEC);
    if (inj_spec_parse(spec, &inj_spec, err, sizeof(err)) < 0)
        inj__die("bad " INJ_ENV_SPEC, err);
    inj_faults = inj_spec.short_p > 0 || inj_spec.eagain_p > 0;
    const char *path = getenv(INJ_ENV_TRACE);
    if (path && *path) {
        if (inj__trace_open(path, spec ? spec : "", err, sizeof(err)) < 0)
            inj__die("cannot create trace " INJ_ENV_TRACE, err);
    }
    pthread_atfork(inj__prefork, inj__postfork_parent, inj__postfork_child);
    inj_busy--;
    inj_ready = 1;
}
