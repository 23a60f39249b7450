/* target_port.c: whether a fixed port can be bound again without SO_REUSEADDR, and who holds it when not. */
#include "harness/target/target.h"
#include "harness/target/target_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "harness/util/clock.h"

#define TARGET_TCP_LISTEN 0x0A     /* st column of /proc/net/tcp */
#define TARGET_TCP_TIME_WAIT 0x06
/* FIN_WAIT1, FIN_WAIT2, CLOSE, LAST_ACK, CLOSING: a closed connection still winding down. */
#define TARGET_TCP_CLOSING(st) ((st) == 0x04 || (st) == 0x05 || (st) == 0x07 || (st) == 0x09 || (st) == 0x0B)

int target_port_bindable(int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_ANY)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

    if (fd == -1)
        return -1;
    /* INADDR_ANY without SO_REUSEADDR is what the strictest server does (the seed's). */
    rc = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 ? 1 : errno == EADDRINUSE ? 0 : -1;
    close(fd);
    return rc;
}

/* Adds the sockets of one /proc/net/tcp{,6} table bound to local port to u. */
static void target__port_scan(const char *path, int port, struct target_port_use *u)
{
    char line[512];
    unsigned lport, st;
    FILE *f = fopen(path, "re");

    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport, &st) != 2 || (int)lport != port)
            continue;
        if (st == TARGET_TCP_TIME_WAIT)
            u->time_wait++;
        else if (st == TARGET_TCP_LISTEN)
            u->listening++;
        else if (TARGET_TCP_CLOSING(st))
            u->closing++;
        else
            u->other++;
    }
    fclose(f);
}

void target_port_use(int port, struct target_port_use *u)
{
    memset(u, 0, sizeof(*u));
    target__port_scan("/proc/net/tcp", port, u);
    target__port_scan("/proc/net/tcp6", port, u);
}

/* Returns 1 if only connections that already closed hold the port: they end by themselves. */
static int target__port_winding_down(const struct target_port_use *u)
{
    return (u->time_wait || u->closing) && !u->listening && !u->other;
}

/* Says who holds port in buf. */
static void target__port_holders(int port, const struct target_port_use *u, double waited_s, char *buf,
                                 size_t buflen)
{
    if (u->time_wait && !u->closing && target__port_winding_down(u))
        snprintf(buf, buflen, "port %d still in TIME_WAIT from the previous case: %d sockets; waited %.1f s",
                 port, u->time_wait, waited_s);
    else if (target__port_winding_down(u))
        snprintf(buf, buflen, "port %d still held by the previous case's closed connections: %d in TIME_WAIT, "
                 "%d closing (FIN_WAIT/LAST_ACK); waited %.1f s", port, u->time_wait, u->closing, waited_s);
    else if (!u->listening && !u->other && !u->closing && !u->time_wait)
        snprintf(buf, buflen, "port %d is bound by a socket that neither listens nor connects (another "
                 "program's); waited %.1f s", port, waited_s);
    else
        snprintf(buf, buflen, "port %d is in use by another program (%d listening, %d connected, %d closing, "
                 "%d in TIME_WAIT); waited %.1f s", port, u->listening, u->other, u->closing, u->time_wait,
                 waited_s);
}

int target_port_wait(int port, int timeout_ms, int tw_timeout_ms, double *waited_s, char *err, size_t errlen)
{
    double t0 = (ec_now_ms() / 1e3), tw_deadline = t0 + tw_timeout_ms / 1000.0;
    double deadline = t0 + timeout_ms / 1000.0;
    struct target_port_use u;
    int ok;

    for (;;) {
        if ((ok = target_port_bindable(port)) != 0)
            break;
        target_port_use(port, &u);
        /* Closed connections end by themselves within a minute: worth the wait, unlike a listener. */
        if ((ec_now_ms() / 1e3) >= (target__port_winding_down(&u) ? tw_deadline : deadline))
            break;
        target__sleep_ms(50);
    }
    *waited_s = (ec_now_ms() / 1e3) - t0;
    if (ok == 1)
        return 0;
    if (ok < 0) {
        snprintf(err, errlen, "cannot test port %d: %s", port, strerror(errno));
        return -1;
    }
    target__port_holders(port, &u, *waited_s, err, errlen);
    return -1;
}

void target_port_explain(int port, int free_at_start, char *buf, size_t buflen)
{
    struct target_port_use u;

    buf[0] = '\0';
    if (target_port_bindable(port) == 0) {
        target_port_use(port, &u);
        snprintf(buf, buflen, " (port %d cannot be bound without SO_REUSEADDR: %d in TIME_WAIT, %d closing, "
                 "%d listening, %d connected; its bind() most likely failed with EADDRINUSE)", port, u.time_wait,
                 u.closing, u.listening, u.other);
    } else if (free_at_start == 0) {
        snprintf(buf, buflen, " (port %d was in use when it started; its bind() most likely failed with "
                 "EADDRINUSE)", port);
    }
}
