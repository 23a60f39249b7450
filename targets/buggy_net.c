/* buggy_net.c: buggy-server's accept loop, EMFILE handling right or wrong per bug switch. */
#include "targets/buggy.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Out of fds: gives up the spare fd to accept one pending connection and
 * close it at once, so the client learns instead of hanging (libev's advice).
 * Returns 0 if one was shed, -1 if there was nothing more to do. */
static int bnet__shed(struct bloop *l)
{
    int fd;

    if (l->spare_fd < 0)
        return -1;
    close(l->spare_fd);
    /* EINTR retried here too: giving up would leave the ET listener's backlog without an edge
     * (found by edgecase fuzz: nofile with injected EINTR on accept). */
    while ((fd = accept(l->lfd, NULL, NULL)) < 0 && errno == EINTR)
        ;
    if (fd >= 0)
        close(fd);
    l->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0 ? 0 : -1;
}

/* Applies --sndbuf/--rcvbuf to an accepted socket. */
static void bnet__bufsizes(const struct bconf *conf, int fd)
{
    if (conf->sndbuf > 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &conf->sndbuf, sizeof(conf->sndbuf));
    if (conf->rcvbuf > 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &conf->rcvbuf, sizeof(conf->rcvbuf));
}

/* Decides what a failed accept means. Returns 1 to go on, 0 to stop for now, -1 to stop the server. */
static int bnet__failed(struct bloop *l, int e, char *err, size_t errlen)
{
    const uint32_t bugs = l->conf->bugs;

    switch (e) {
    case EINTR:
        return bug_on(bugs, BUG_EINTR_EXIT) ? 0 : 1;
    case EAGAIN:
        return 0;
    case ECONNABORTED: case EPROTO: case ENETDOWN: case ENOPROTOOPT: case EHOSTDOWN:
    case ENONET: case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH:
        return 1;             /* that client's problem, not ours (accept(2)) */
    case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
        l->emfile++;
        /* The bugs: wait for the next edge (ET: none comes) or wakeup (LT: at once). */
        if (bug_on(bugs, BUG_EMFILE_STALL) || bug_on(bugs, BUG_EMFILE_SPIN))
            return 0;
        return bnet__shed(l) == 0 ? 1 : 0;
    }
    snprintf(err, errlen, "accept: %s", strerror(e));
    return -1;
}

int bnet_accept_ready(struct bloop *l, char *err, size_t errlen)
{
    for (;;) {
        int fd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            int r = bnet__failed(l, errno, err, errlen);
            if (r <= 0)
                return r;
            continue;
        }
        bnet__bufsizes(l->conf, fd);
        if (bloop_add_conn(l, fd) < 0)
            close(fd);
        if (bug_on(l->conf->bugs, BUG_ACCEPT_ONCE))
            return 0;         /* the bug: one connection per edge */
    }
}
