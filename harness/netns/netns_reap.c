/* netns_reap.c: a watcher process that deletes a namespace pair once the harness process that made it is gone, however it died. */
#include "harness/netns/netns.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define NETNS_REAP_DIR "/run/netns"

/* The watcher: waits for EOF on fd (every holder of the write end exited or
 * released it), then does what `ip netns del` does for both names. Only
 * async-signal-safe calls: it runs in the child of a threaded process. */
static void netns__reap_child(int fd, char path[2][96])
{
    struct sigaction sa;
    char c;
    int null;

    /* A Ctrl-C reaches the harness's whole process group: outlive it. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    /* Hold none of the harness's files: a pipe reading its output must see EOF when it dies. */
    null = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3 && null >= 0; i++)
        dup2(null, i);
    for (int i = 3; i < 1024; i++)
        if (i != fd)
            close(i);
    while (read(fd, &c, 1) != 0)
        ;                     /* EINTR or stray bytes: keep waiting for EOF */
    for (int s = 0; s < 2; s++) {
        umount2(path[s], MNT_DETACH);
        unlink(path[s]);
    }
    _exit(0);
}

int netns__reap_start(const struct netns_pair *p, pid_t *pid)
{
    char path[2][96];
    int pfd[2];

    for (int s = 0; s < 2; s++)
        snprintf(path[s], sizeof(path[s]), NETNS_REAP_DIR "/%s", p->ns[s]);
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return -1;
    *pid = fork();
    if (*pid == 0)
        netns__reap_child(pfd[0], path);
    close(pfd[0]);
    if (*pid < 0) {
        close(pfd[1]);
        return -1;
    }
    return pfd[1];
}
