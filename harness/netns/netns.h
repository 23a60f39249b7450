/* netns.h: two network namespaces joined by a veth pair, so a case can cross a real 1500-byte-MTU link. */
#ifndef EC_NETNS_H
#define EC_NETNS_H

#include <stddef.h>
#include <sys/types.h>

/* Side 0 ("a", the client) has 10.200.0.1, side 1 ("b", the server) has
 * 10.200.0.2: addresses on a veth between two namespaces we created, so no
 * packet ever leaves the machine. */
struct netns_pair {
    char ns[2][32];               /* namespace names, "ec-<pid>-<n>-a" / "-b" */
    char dev[2][16];              /* veth ends, one in each namespace */
    char addr[2][16];             /* "10.200.0.1", "10.200.0.2" */
    int made[2];                  /* which namespaces exist (for netns_destroy) */
    int reap_fd;                  /* netns_reap.c's watcher: its pipe, -1 none */
    pid_t reaper;
};

/* Creates both namespaces, the veth pair (MTU 1500, no GSO: one segment per frame), the addresses, brings
 * the links and lo up, and with rate_kbit > 0 shapes both ends with tbf.
 * Returns 0, or -1 with err (and everything created so far deleted);
 * *denied = 1 when the reason is missing privilege. Tried whatever the user id:
 * harness/netns/probe.h says in advance whether it can work here. */
int netns_create(struct netns_pair *p, int rate_kbit, int *denied, char *err, size_t errlen);
/* Deletes the namespaces (the veth pair goes with them). Safe to call twice
 * and on a pair whose creation failed. */
void netns_destroy(struct netns_pair *p);
/* Moves the calling thread into namespace side (0 or 1). Returns 0 or -1. */
int netns_enter(const struct netns_pair *p, int side, char *err, size_t errlen);
/* Forks a child that enters namespace side and exits with fn(arg), or execs
 * argv there (netns_exec). Returns the child's pid for waitpid, or -1. */
pid_t netns_spawn(const struct netns_pair *p, int side, int (*fn)(void *), void *arg,
                  char *err, size_t errlen);
pid_t netns_exec(const struct netns_pair *p, int side, char *const argv[], char *err,
                 size_t errlen);
/* netns_reap.c: forks a watcher that deletes p's namespaces when the write
 * end returned (close-on-exec) is closed by every holder: netns_destroy, or
 * the death of the harness, even by SIGKILL. Returns the fd and *pid, or -1. */
int netns__reap_start(const struct netns_pair *p, pid_t *pid);
/* Deletes namespaces left behind by edgecase processes that died before
 * cleaning up ("ec-<pid>-..." with no such pid). Returns how many. */
int netns_sweep(void);

#endif
