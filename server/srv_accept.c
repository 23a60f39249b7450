/* srv_accept.c: accepting until EAGAIN, and shedding connections promptly when out of fds (EMFILE). */
#include "server/srv.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Out of fds: give up the reserve fd, accept one pending connection and
 * close it, so its client learns at once instead of hanging, then take the
 * reserve back. Returns 1 if one was shed, 0 if none was pending, -1 if
 * shedding is impossible (no reserve).
 */
static int srv__shed_one(struct srv_loop *l)
{
    int fd, saved;

    if (l->reserve_fd < 0)
        l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (l->reserve_fd < 0)
        return -1;
    close(l->reserve_fd);
    do {
        fd = accept4(l->listener.fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    saved = errno;  /* the open() below may change errno */
    if (fd >= 0)
        close(fd);
    l->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        return 1;
    return saved == EAGAIN || saved == EWOULDBLOCK ? 0 : -1;
}

/*
 * Accepts until EAGAIN: one edge may stand for many connections. On a
 * resource error it sets accept_blocked, and the loop retries once a
 * connection closes: the listener gets no new edge for connections
 * already pending.
 */
void srv_accept(struct srv_loop *l)
{
    l->accept_blocked = 0;
    for (;;) {
        int fd = accept4(l->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd >= 0) {
            if (l->stats.open >= l->conf->max_conns)
                close(fd);  /* over --max-conns: refuse promptly rather than let it hang */
            else
                srv_conn_open(l, fd);
            continue;
        }
        switch (errno) {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue;
        case EAGAIN:
            return;
        case EMFILE:
        case ENFILE:
            l->stats.accept_emfile++;
            switch (srv__shed_one(l)) {
            case 1:
                continue;
            case 0:
                return;  /* the backlog is empty: the next connection brings a new edge */
            }
            l->accept_blocked = 1;
            return;
        default:
            /* ENOBUFS, ENOMEM and the like: try again when something is freed. */
            l->accept_blocked = 1;
            return;
        }
    }
}
