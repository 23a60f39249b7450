/* inj__wait.c: epoll_wait/epoll_pwait/epoll_pwait2 wrappers: injected EINTR, prompt synthetic events, sliced blocking. */
#include "harness/inject/inj.h"

#include <errno.h>

enum inj_wait_kind { INJ_WAIT, INJ_PWAIT, INJ_PWAIT2 };

#define INJ_NS_PER_MS 1000000LL

static int64_t inj__mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Calls the real wait of that kind; tmo_ns < 0 blocks without limit. */
static int inj__real_wait(enum inj_wait_kind kind, int epfd, struct epoll_event *ev, int max,
                         int64_t tmo_ns, const sigset_t *ss)
{
    /* Round up: a 0.3 ms remainder must not turn into a busy 0 ms poll. */
    int ms = tmo_ns < 0 ? -1 : (int)((tmo_ns + INJ_NS_PER_MS - 1) / INJ_NS_PER_MS);
    struct timespec ts = {.tv_sec = tmo_ns / 1000000000LL, .tv_nsec = tmo_ns % 1000000000LL};
    switch (kind) {
    case INJ_WAIT:
        return INJ_REAL(epoll_wait)(epfd, ev, max, ms);
    case INJ_PWAIT:
        return INJ_REAL(epoll_pwait)(epfd, ev, max, ms, ss);
    case INJ_PWAIT2:
        if (!INJ_REAL(epoll_pwait2)) {
            errno = ENOSYS;
            return -1;
        }
        return inj_real.epoll_pwait2(epfd, ev, max, tmo_ns < 0 ? NULL : &ts, ss);
    }
    return -1;
}

/* The slices of inj__wait_sliced, each waiting with signal mask ss. */
static int inj__wait_slices(enum inj_wait_kind kind, int epfd, struct epoll_event *ev, int max,
                           int64_t tmo_ns, const sigset_t *ss)
{
    int64_t deadline = tmo_ns < 0 ? -1 : inj__mono_ns() + tmo_ns;
    for (;;) {
        int64_t slice = INJ_WAIT_SLICE_MS * INJ_NS_PER_MS;
        if (deadline >= 0) {
            int64_t left = deadline - inj__mono_ns();
            if (left < slice)
                slice = left < 0 ? 0 : left;
        }
        int n = inj__real_wait(kind, epfd, ev, max, slice, ss);
        if (n != 0)
            return n;
        if (deadline >= 0 && inj__mono_ns() >= deadline)
            return 0;
        if (atomic_load(&inj_npending) > 0 && inj__has_synth(epfd))
            return 0;
    }
}

/* The signals the process has a handler for. Only those need holding back:
 * a signal left at its default kills, stops or is dropped whenever it comes,
 * and a harness deciding whether a target "takes" SIGUSR1 reads the blocked
 * set, so blocking more would make it send one that kills. */
static void inj__caught(sigset_t *set)
{
    struct sigaction sa;
    sigemptyset(set);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 &&
            sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN)
            sigaddset(set, sig);
}

/* Blocks in slices so a hold made meanwhile (by another thread) gets its
 * synthetic EPOLLOUT without waiting for an unrelated event. Caught signals
 * are blocked between the slices and let in only inside them, as one long
 * wait would: a handler that ran between two slices would interrupt nothing,
 * and a server waiting for EINTR to see its flag (SIGTERM) would sleep on. */
static int inj__wait_sliced(enum inj_wait_kind kind, int epfd, struct epoll_event *ev, int max,
                           int64_t tmo_ns, const sigset_t *ss)
{
    sigset_t caught, orig;
    inj__caught(&caught);
    pthread_sigmask(SIG_BLOCK, &caught, &orig);
    int n = inj__wait_slices(kind == INJ_WAIT ? INJ_PWAIT : kind, epfd, ev, max, tmo_ns, ss ? ss : &orig);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &orig, NULL);
    errno = saved;
    return n;
}

/* A synthetic EPOLLOUT is due now: polls the kernel without blocking and
 * leaves one slot free for it, so a server that asks for few events while
 * others keep coming cannot be denied it wait after wait. */
static int inj__due_wait(enum inj_wait_kind kind, int epfd, struct epoll_event *ev, int max,
                        const sigset_t *ss)
{
    if (max == 1)
        return 0;
    return inj__real_wait(kind, epfd, ev, max - 1, 0, ss);
}

/* The shared body of the three wait wrappers. */
static int inj__wait(enum inj_wait_kind kind, int epfd, struct epoll_event *ev, int max,
                    int64_t tmo_ns, const sigset_t *ss)
{
    if (INJ_BYPASS() || max <= 0)
        return inj__real_wait(kind, epfd, ev, max, tmo_ns, ss);
    if ((inj_spec.eintr_calls & INJ_CALL_EPOLL) && atomic_load(&inj_serving) &&
        inj__chance(epfd, inj_spec.eintr_p)) {
        inj__ctr(epfd, TC_EINTR_INJ, 1);
        inj__event(epfd, TE_EINTR_INJ, 2);
        errno = EINTR;
        return -1;
    }
    int n;
    if (atomic_load(&inj_npending) > 0 && inj__has_synth(epfd))
        n = inj__due_wait(kind, epfd, ev, max, ss);
    else if (inj_faults && tmo_ns != 0)
        n = inj__wait_sliced(kind, epfd, ev, max, tmo_ns, ss);
    else
        n = inj__real_wait(kind, epfd, ev, max, tmo_ns, ss);
    atomic_fetch_add_explicit(&inj_wait_gen, 1, memory_order_relaxed);
    if (n < 0)
        return n;
    int saved = errno;
    n = inj__wait_post(epfd, ev, n, max);
    errno = saved;
    return n;
}

int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
    return inj__wait(INJ_WAIT, epfd, ev, max, timeout < 0 ? -1 : timeout * INJ_NS_PER_MS, NULL);
}

int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout, const sigset_t *ss)
{
    return inj__wait(INJ_PWAIT, epfd, ev, max, timeout < 0 ? -1 : timeout * INJ_NS_PER_MS, ss);
}

int epoll_pwait2(int epfd, struct epoll_event *ev, int max, const struct timespec *t, const sigset_t *ss)
{
    int64_t ns = t ? (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec : -1;
    return inj__wait(INJ_PWAIT2, epfd, ev, max, ns, ss);
}
