/* check_http_srv.c: the fake HTTP/1.1 file server of the engine's http tests (framing and faults on purpose). */
#include "tests/check_http_srv.h"

#include <check.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/verify/pattern.h"

#define HSRV_MAX_BODY (8 << 20)
#define HSRV_PIPE_WAIT 4          /* HSRV_PIPELINED: requests gathered before the first answer */

/* Writes all of n bytes, in 7-byte pieces when slice. Returns 0 or -1. */
static int hsrv_write(int fd, const char *b, size_t n, int slice)
{
    while (n > 0) {
        ssize_t w = write(fd, b, slice && n > 7 ? 7 : n);

        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The response and its copy in one write, so the copy arrives with it (a client that got its
 * last response closes at once). Returns 0 or -1. */
static int hsrv_twice(int fd, const char *head, const char *body, uint64_t size)
{
    size_t hl = strlen(head), n = 2 * (hl + size);
    char *b = malloc(n);
    int rc;

    if (!b)
        return -1;
    for (int i = 0; i < 2; i++) {
        memcpy(b + i * (hl + size), head, hl);
        memcpy(b + i * (hl + size) + hl, body, size);
    }
    rc = hsrv_write(fd, b, n, 0);
    free(b);
    return rc;
}

/* Writes the response to one request for size bytes of client's echo stream from off. Returns 0 or -1. */
static int hsrv_answer(int fd, enum hsrv_mode mode, uint64_t seed, uint32_t client, uint64_t off, uint64_t size,
                       char *body)
{
    char head[256], ch[64];
    uint64_t blen = mode == HSRV_BADLEN ? size - 1 : size;

    pattern_echo_fill(seed, client, off, body, size);
    if (mode == HSRV_CHUNKED) {
        static const char h[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

        if (hsrv_write(fd, h, sizeof(h) - 1, 0) < 0)
            return -1;
        for (uint64_t off = 0; off < size; off += 1000) {
            uint64_t k = size - off < 1000 ? size - off : 1000;

            snprintf(ch, sizeof(ch), "%" PRIx64 ";n=v\r\n", k);
            if (hsrv_write(fd, ch, strlen(ch), 0) < 0 || hsrv_write(fd, body + off, k, 0) < 0 ||
                hsrv_write(fd, "\r\n", 2, 0) < 0)
                return -1;
        }
        return hsrv_write(fd, "0\r\nX-T: 1\r\n\r\n", 13, 0);
    }
    if (mode == HSRV_CLOSE) {
        snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\n\r\n");
    } else {
        snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %" PRIu64 "\r\n\r\n", blen);
    }
    if (mode == HSRV_TWICE)
        return hsrv_twice(fd, head, body, size);
    if (hsrv_write(fd, head, strlen(head), mode == HSRV_CLEN) < 0)
        return -1;
    if (mode == HSRV_DROP && size > 1100)
        return hsrv_write(fd, body, 1000, 0) < 0 ? -1 : hsrv_write(fd, body + 1100, size - 1100, 0);
    return hsrv_write(fd, body, blen, mode == HSRV_CLEN && blen < 4096);
}

/* Answers every complete request in buf[0..*len), keeping a partial one. Returns answered count or -1. */
static int hsrv_requests(int fd, enum hsrv_mode mode, uint64_t seed, char *buf, size_t *len, char *body)
{
    char *end;
    int n = 0;

    buf[*len] = '\0';
    while ((end = strstr(buf, "\r\n\r\n")) != NULL) {
        unsigned client = 0;
        unsigned long long off = 0, size = 0;

        if (sscanf(buf, "GET /c%6x/%12llu-%12llu HTTP/1.1", &client, &off, &size) != 3 || size > HSRV_MAX_BODY)
            return -1;
        if (hsrv_answer(fd, mode, seed, client, off, size, body) < 0)
            return -1;
        n++;
        end += 4;
        *len -= (size_t)(end - buf);
        memmove(buf, end, *len + 1);
        if (mode == HSRV_CLOSE)
            return -1;        /* the close ends the body */
    }
    return n;
}

/* One connection, to its end. */
static void hsrv_conn(int fd, enum hsrv_mode mode, uint64_t seed)
{
    static char buf[65536];
    char *body = malloc(HSRV_MAX_BODY);
    size_t len = 0;
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    for (;;) {
        ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len);

        if (r <= 0 || !body)
            break;
        len += (size_t)r;
        if (mode == HSRV_PIPELINED) {
            int complete = 0;

            buf[len] = '\0';
            for (char *p = buf; (p = strstr(p, "\r\n\r\n")) != NULL && p < buf + len; p += 4)
                complete++;
            if (complete < HSRV_PIPE_WAIT)
                continue;     /* proof of pipelining: nothing until 4 requests are in */
        }
        if (hsrv_requests(fd, mode, seed, buf, &len, body) < 0)
            break;
    }
    free(body);
    close(fd);
    _exit(0);
}

pid_t hsrv_start(enum hsrv_mode mode, uint64_t seed, int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    pid_t pid;

    ck_assert_int_ge(ls, 0);
    ck_assert_int_eq(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(ls, 128), 0);
    ck_assert_int_eq(getsockname(ls, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid > 0) {
        close(ls);
        return pid;
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);            /* hsrv_stop kills the connections' processes with it */
    signal(SIGCHLD, SIG_IGN);
    for (;;) {
        int fd = accept(ls, NULL, NULL);

        if (fd < 0)
            continue;
        if (fork() == 0) {
            close(ls);
            hsrv_conn(fd, mode, seed);
        }
        close(fd);
    }
}

void hsrv_stop(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}
