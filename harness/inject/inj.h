/* inj.h: shared state and helpers of the preload injector (internal to libedgecase-inject.so). */
#ifndef EC_INJ_H
#define EC_INJ_H

#include "harness/inject/inj_spec.h"
#include "harness/inject/trace_layout.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#define INJ_MAX_FD TRACE_MAX_FD
/* With short/eagain faults on, a blocking epoll_wait sleeps in slices this long
 * so a hold created by another thread is still delivered promptly. */
#define INJ_WAIT_SLICE_MS 20

/* The real functions, resolved with dlsym(RTLD_NEXT). */
struct inj_real {
    int (*accept)(int, struct sockaddr *, socklen_t *);
    int (*accept4)(int, struct sockaddr *, socklen_t *, int);
    int (*setsockopt)(int, int, int, const void *, socklen_t);
    int (*close)(int);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*recv)(int, void *, size_t, int);
    ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
    ssize_t (*recvmsg)(int, struct msghdr *, int);
    ssize_t (*readv)(int, const struct iovec *, int);
    ssize_t (*read_chk)(int, void *, size_t, size_t);
    ssize_t (*recv_chk)(int, void *, size_t, size_t, int);
    ssize_t (*recvfrom_chk)(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*send)(int, const void *, size_t, int);
    ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    ssize_t (*sendmsg)(int, const struct msghdr *, int);
    ssize_t (*writev)(int, const struct iovec *, int);
    ssize_t (*sendfile)(int, int, off_t *, size_t);
    ssize_t (*sendfile64)(int, int, off_t *, size_t);
    int (*epoll_create)(int);
    int (*epoll_create1)(int);
    int (*epoll_ctl)(int, int, int, struct epoll_event *);
    int (*epoll_wait)(int, struct epoll_event *, int, int);
    int (*epoll_pwait)(int, struct epoll_event *, int, int, const sigset_t *);
    int (*epoll_pwait2)(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);
};

/* Registrations of one fd kept per epoll set: a server may put a connection
 * in more than one set, and a held socket's EPOLLOUT is due in each. */
#define INJ_MAX_SETS 4

/* One registration of an fd in epoll set epfd. Under inj_lock. */
struct inj_reg {
    int epfd;                     /* -1: slot unused */
    uint32_t events;              /* as last given to ADD or MOD */
    uint64_t data;
    uint8_t armed;                /* ONESHOT: not yet consumed by an event */
    uint8_t due;                  /* a synthetic EPOLLOUT is owed through this set */
};

/* What the injector knows about one fd of the process. Written mostly by the
 * thread using the fd; the registration and hold fields under inj_lock. */
struct inj_fd {
    uint32_t ordinal;             /* accept ordinal; 0 = not a connection */
    uint8_t is_epoll;
    uint8_t after_eagain;         /* the last write ended in EAGAIN (real or injected) */
    uint8_t full;                 /* found full (EAGAIN or a short write), no write succeeded since */
    uint8_t out_since;            /* an EPOLLOUT was delivered since it was last found full */
    uint8_t held;                 /* injected fullness: writes get EAGAIN until an EPOLLOUT */
    uint8_t pending;              /* in the list of fds owed a synthetic EPOLLOUT */
    uint8_t nreg;                 /* registrations in use in reg[] */
    uint8_t spin_logged;
    uint32_t held_spins;
    uint64_t eagain_gen;          /* inj_wait_gen when the last EAGAIN happened */
    struct inj_reg reg[INJ_MAX_SETS];
    _Atomic uint64_t rng;         /* per-fd PRNG state; 0 = not seeded yet */
};

extern struct inj_real inj_real;
extern struct inj_spec inj_spec;
extern int inj_ready;             /* constructor done */
extern int inj_faults;            /* short or eagain faults are on */
extern struct inj_fd inj_fds[INJ_MAX_FD];
extern pthread_mutex_t inj_lock;
/* Set at the first accepted connection. EINTR on epoll and accept starts
 * only then: a server must get to listen and serve before a storm, or a
 * target that dies on EINTR would look like one that never started. */
extern _Atomic int inj_serving;
extern _Atomic int inj_npending;  /* fds waiting for a synthetic EPOLLOUT */
extern _Atomic uint64_t inj_wait_gen; /* epoll waits returned so far, all threads */
extern __thread int inj_busy __attribute__((tls_model("initial-exec")));

/* inj_main.c */
void inj__resolve(void);
/* True when the wrapper should pass straight through (not ready or re-entered). */
#define INJ_BYPASS() (!inj_ready || inj_busy)
/* A real function, resolving lazily if a wrapper runs before the constructor. */
#define INJ_REAL(name) (inj_real.name ? inj_real.name : (inj__resolve(), inj_real.name))

/* Returns the connection state of fd, or NULL if fd is not a tracked connection. */
static inline struct inj_fd *inj_conn(int fd)
{
    if (fd < 0 || fd >= INJ_MAX_FD || inj_fds[fd].ordinal == 0)
        return NULL;
    return &inj_fds[fd];
}

/* inj_rng.c-like helpers live in inj_trace.c */
uint64_t inj__rng_next(int fd);
/* Draws one decision with probability p for fd (always 0 when p is 0). */
int inj__chance(int fd, double p);

/* inj_trace.c: the trace file. All are no-ops when no trace is mapped. */
int inj__trace_open(const char *path, const char *spec_str, char *err, size_t errlen);
void inj__ctr(int fd, enum trace_ctr c, uint64_t n);
void inj__event(int fd, enum trace_ev kind, int64_t arg);
void inj__slot_open(int fd, uint32_t ordinal, int sndbuf, int rcvbuf);
void inj__slot_close(int fd);
void inj__slot_setbuf(int fd, int value);
void inj__slot_reg(int fd, uint32_t events);
uint32_t inj__next_ordinal(void);
void inj__note_fork(void);
void inj__note_untracked(void);
void inj__note_bufs(int sndbuf, int rcvbuf);

/* inj_reg.c: which epoll sets each connection is registered in. Under inj_lock. */
/* The registration of fd in set epfd, or NULL. */
struct inj_reg *inj__reg_find(int fd, int epfd);
/* The connection an event of set epfd with this user data belongs to, or -1. */
int inj__reg_lookup(int epfd, uint64_t data);
/* Forgets every registration of fd (fd being closed or re-accepted). */
void inj__reg_forget(int fd);
/* Drops every registration made in set epfd (epfd being closed). */
void inj__reg_forget_set(int epfd);

/* inj_epoll.c: holds and their synthetic EPOLLOUT, called by the I/O wrappers. */
/* Marks fd "full" after an injected fault; caller holds no lock. */
void inj__hold(int fd);
/* Gives up fd's injected fullness without an EPOLLOUT; caller holds no lock. */
void inj__unhold(int fd);
/* Owes set r a synthetic EPOLLOUT when fd is held (a registration made or
 * changed while held). Under inj_lock. */
void inj__hold_note_reg(int fd, struct inj_reg *r);
/* Forgets fd's registrations and any pending hold (fd being closed). */
void inj__epoll_forget(int fd);
/* Drops every registration made in epoll set epfd (epfd being closed). */
void inj__epoll_forget_set(int epfd);
/* 1 if a held fd registered in epfd is due a synthetic EPOLLOUT. */
int inj__has_synth(int epfd);
/* Accounts the n events a wait on epfd returned and merges synthetic ones
 * (room for max); returns the new count. */
int inj__wait_post(int epfd, struct epoll_event *ev, int n, int max);

#endif
