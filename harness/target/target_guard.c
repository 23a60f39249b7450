/* target_guard.c: a registry of live target groups that an interrupted harness kills before it dies. */
#include "harness/target/target.h"
#include "harness/target/target_int.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TARGET_GUARD_SLOTS 64

/* Each slot holds (registering pid << 32 | pgid), 0 when free, written with
 * atomics by any thread and read by the signal handler. A process forked
 * from the harness (the runner's per-case children) inherits the handlers
 * and a copy of this table, and kills only the groups it registered itself.
 * More live targets than slots only lose the guard, not the run. */
static uint64_t target_guard_slots[TARGET_GUARD_SLOTS];
static int target_guard_installed;

static uint64_t target__guard_key(pid_t pgid)
{
    return (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)pgid;
}

void target__guard_add(pid_t pgid)
{
    uint64_t key = target__guard_key(pgid);

    for (int i = 0; i < TARGET_GUARD_SLOTS; i++) {
        uint64_t zero = 0;

        if (__atomic_compare_exchange_n(&target_guard_slots[i], &zero, key, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return;
    }
}

void target__guard_remove(pid_t pgid)
{
    uint64_t key = target__guard_key(pgid);

    for (int i = 0; i < TARGET_GUARD_SLOTS; i++) {
        uint64_t want = key;

        if (__atomic_compare_exchange_n(&target_guard_slots[i], &want, 0, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return;
    }
}

/* Async-signal-safe: getpid and killpg only. */
static void target__guard_killall(void)
{
    uint32_t self = (uint32_t)getpid();

    for (int i = 0; i < TARGET_GUARD_SLOTS; i++) {
        uint64_t v = __atomic_load_n(&target_guard_slots[i], __ATOMIC_SEQ_CST);

        if (v && (uint32_t)(v >> 32) == self)
            killpg((pid_t)(uint32_t)v, SIGKILL);
    }
}

/* Kills every live group, then dies of the same signal so the shell that ran
 * the harness sees an interrupted program, not an ordinary exit. */
static void target__guard_handler(int sig)
{
    struct sigaction sa;
    sigset_t set;

    target__guard_killall();
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(sig, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

void target_guard_install(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;

    if (target_guard_installed)
        return;
    target_guard_installed = 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = target__guard_handler;
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    atexit(target__guard_killall);  /* a harness that exits without target_stop */
}
