/* tnet.c: the targets' listening socket: ADDR:PORT parsing and the "listening on" line. */
#include "targets/tnet.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Splits "ADDR:PORT" or "[ADDR6]:PORT". Returns 0, or -1 with err. */
static int tnet__split(const char *spec, char *host, size_t hostlen, const char **port, char *err, size_t errlen)
{
    const char *colon, *start = spec;
    size_t n;

    if (spec[0] == '[') {
        const char *rb = strchr(spec, ']');
        if (!rb || rb[1] != ':')
            goto bad;
        start = spec + 1;
        colon = rb + 1;
        n = (size_t)(rb - start);
    } else {
        colon = strrchr(spec, ':');
        if (!colon)
            goto bad;
        n = (size_t)(colon - spec);
    }
    if (n == 0 || n >= hostlen || colon[1] == '\0')
        goto bad;
    memcpy(host, start, n);
    host[n] = '\0';
    *port = colon + 1;
    return 0;
bad:
    snprintf(err, errlen, "--listen '%s' is not ADDR:PORT or [ADDR6]:PORT", spec);
    return -1;
}

/* Prints "listening on ADDR:PORT" for the bound socket, flushed. Returns 0 or -1. */
static int tnet__announce(int fd, FILE *out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[64], port[16];

    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(err, errlen, "getsockname: %s", strerror(errno));
        return -1;
    }
    fprintf(out, ss.ss_family == AF_INET6 ? "listening on [%s]:%s\n" : "listening on %s:%s\n", host, port);
    fflush(out);
    return 0;
}

int tnet_listen(const char *spec, FILE *out, char *err, size_t errlen)
{
    struct addrinfo hints, *ai = NULL;
    char host[64];
    const char *port;
    int fd = -1, one = 1, r;

    if (tnet__split(spec, host, sizeof(host), &port, err, errlen) < 0)
        return -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    r = getaddrinfo(host, port, &hints, &ai);
    if (r != 0) {
        snprintf(err, errlen, "--listen '%s': %s", spec, gai_strerror(r));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
        snprintf(err, errlen, "listen on %s: %s", spec, strerror(errno));
        goto fail;
    }
    freeaddrinfo(ai);
    if (tnet__announce(fd, out, err, errlen) < 0) {
        close(fd);
        return -1;
    }
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return -1;
}
