/* inj_read.c: read-family wrappers on connections: byte counts and injected EINTR. */
#include "harness/inject/inj.h"

#include <errno.h>

/* Returns 1 (errno = EINTR) when this read must be interrupted. */
static int inj__read_eintr(int fd)
{
    if (!(inj_spec.eintr_calls & INJ_CALL_READ) || !inj__chance(fd, inj_spec.eintr_p))
        return 0;
    inj__ctr(fd, TC_EINTR_INJ, 1);
    inj__event(fd, TE_EINTR_INJ, 0);
    errno = EINTR;
    return 1;
}

static void inj__read_post(int fd, ssize_t rc)
{
    if (rc < 0)
        return;
    inj__ctr(fd, TC_READ_CALLS, 1);
    inj__ctr(fd, TC_BYTES_READ, (uint64_t)rc);
}

/* The body every read wrapper shares. */
#define INJ_READ_BODY(CALL, fd)                                         \
    if (INJ_BYPASS() || !inj_conn(fd))                                  \
        return CALL;                                                    \
    if (inj__read_eintr(fd))                                             \
        return -1;                                                      \
    ssize_t rc = CALL;                                                  \
    int err = errno;                                                    \
    inj__read_post(fd, rc);                                              \
    errno = err;                                                        \
    return rc;

ssize_t read(int fd, void *buf, size_t len)
{
    INJ_READ_BODY(INJ_REAL(read)(fd, buf, len), fd)
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    INJ_READ_BODY(INJ_REAL(recv)(fd, buf, len, flags), fd)
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a, socklen_t *alen)
{
    INJ_READ_BODY(INJ_REAL(recvfrom)(fd, buf, len, flags, a, alen), fd)
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    INJ_READ_BODY(INJ_REAL(recvmsg)(fd, msg, flags), fd)
}

ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
    INJ_READ_BODY(INJ_REAL(readv)(fd, iov, cnt), fd)
}

/* The _FORTIFY_SOURCE variants a server built with -D_FORTIFY_SOURCE calls instead. */
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
                       struct sockaddr *a, socklen_t *alen);

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
    INJ_READ_BODY(INJ_REAL(read_chk)(fd, buf, len, buflen), fd)
}

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
    INJ_READ_BODY(INJ_REAL(recv_chk)(fd, buf, len, buflen, flags), fd)
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
                       struct sockaddr *a, socklen_t *alen)
{
    INJ_READ_BODY(INJ_REAL(recvfrom_chk)(fd, buf, len, buflen, flags, a, alen), fd)
}
