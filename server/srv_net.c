/* srv_net.c: the listening socket: address parsing, socket options and the "listening on" line. */
#include "server/srv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Splits "ADDR:PORT" or "[ADDR6]:PORT" into host and port. Returns 0, or -1 with err. */
static int srv__split(const char *spec, char *host, size_t hostlen, char **port, char *err, size_t errlen)
{
    const char *colon;
    size_t n;

    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':')
            goto bad;
        n = (size_t)(close - spec - 1);
        if (n == 0 || n >= hostlen)
            goto bad;
        memcpy(host, spec + 1, n);
        colon = close + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon || colon == spec)
            goto bad;
        n = (size_t)(colon - spec);
        if (n >= hostlen)
            goto bad;
        memcpy(host, spec, n);
    }
    host[n] = '\0';
    *port = (char *)colon + 1;
    if (**port == '\0')
        goto bad;
    return 0;
bad:
    snprintf(err, errlen, "--listen '%s' is not ADDR:PORT or [ADDR6]:PORT", spec);
    return -1;
}

int srv_net_bufsizes(int fd, const struct srv_conf *conf, char *err, size_t errlen)
{
    if (conf->sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &conf->sndbuf, sizeof(conf->sndbuf)) < 0) {
        snprintf(err, errlen, "SO_SNDBUF %d: %s", conf->sndbuf, strerror(errno));
        return -1;
    }
    if (conf->rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &conf->rcvbuf, sizeof(conf->rcvbuf)) < 0) {
        snprintf(err, errlen, "SO_RCVBUF %d: %s", conf->rcvbuf, strerror(errno));
        return -1;
    }
    return 0;
}

/* Prints "listening on ADDR:PORT" for the bound socket, flushed, so a parent learns the port. */
static int srv__announce(int fd, FILE *out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[INET6_ADDRSTRLEN], port[16];

    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(err, errlen, "getsockname: %s", strerror(errno));
        return -1;
    }
    if (ss.ss_family == AF_INET6)
        fprintf(out, "listening on [%s]:%s\n", host, port);
    else
        fprintf(out, "listening on %s:%s\n", host, port);
    fflush(out);
    return 0;
}

int srv_net_resolve(const char *spec, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen)
{
    struct addrinfo hints = {0}, *ai = NULL;
    char host[INET6_ADDRSTRLEN + 1], *port;
    int rc;

    if (srv__split(spec, host, sizeof(host), &port, err, errlen) < 0)
        return -1;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "--listen '%s': %s", spec, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

int srv_net_listen(const struct srv_conf *conf, FILE *out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, one = 1;

    if (srv_net_resolve(conf->listen, &ss, &sl, err, errlen) < 0)
        return -1;
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        goto fail;
    /* SO_RCVBUF set before listen() is inherited and sizes the window scale; accept sets both again. */
    if (srv_net_bufsizes(fd, conf, err, errlen) < 0)
        goto fail_msg;
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, SOMAXCONN) < 0)
        goto fail;
    if (srv__announce(fd, out, err, errlen) < 0)
        goto fail_msg;
    return fd;
fail:
    snprintf(err, errlen, "--listen '%s': %s", conf->listen, strerror(errno));
fail_msg:
    if (fd >= 0)
        close(fd);
    return -1;
}
