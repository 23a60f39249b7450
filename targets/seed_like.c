/* seed_like.c: a server that behaves like the blog post's ET server: fixed port, no SO_REUSEADDR, one output buffer for all. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define SL_PORT 18001             /* the seed's fixed port */
#define SL_BACKLOG 10             /* the seed's listen backlog */
#define SL_READ 16                /* a read shorter than this is taken for "the whole message" */
#define SL_REPEAT 20000           /* lines per reply: "i:MESSAGE\r\n" */
#define SL_OUT (32 * SL_REPEAT)   /* the one output buffer */
#define SL_EVENTS 20

static const char sl_usage[] =
    "Usage: seed-like [--port N] [--fill-start N]\n"
    "Behaves like the epoll ET server of the blog post edgecase grew from, bugs included:\n"
    "listens on 0.0.0.0:N (default 18001) without SO_REUSEADDR (exit 255 if bind fails),\n"
    "answers each read of a message (no newline) with 20000 lines 'i:MESSAGE\\r\\n',\n"
    "keeps ONE reply and ONE write offset for all connections and resumes it on\n"
    "any connection's EPOLLOUT. --fill-start N: where the seed's uninitialised fill\n"
    "offset starts (default 0, what the blog's build had; any other value corrupts replies).\n";

/* The seed's globals: one reply in flight for the whole server, whoever it is for. */
static char sl_out[SL_OUT];
static int sl_out_len;            /* length of the reply in sl_out */
static int sl_out_off;            /* bytes of it written so far, to whichever socket */
static int sl_pending;            /* the reply is not fully written */
static int sl_fill_start;         /* the seed's uninitialised local, made repeatable */

/* One write of the rest of the reply; returns write()'s result, -1 included,
 * which the caller adds to the shared offset as the seed does. */
static int sl_write_rest(int fd)
{
    return (int)write(fd, sl_out + sl_out_off, (size_t)(sl_out_len - sl_out_off));
}

/* Formats the reply to msg over the shared buffer and starts writing it to fd. */
static void sl_reply(int fd, const char *msg, int len)
{
    int fill = sl_fill_start;

    for (int i = 0; i < SL_REPEAT && fill < SL_OUT; i++) {
        int n = snprintf(sl_out + fill, (size_t)(SL_OUT - fill), "%d:%.*s\r\n", i, len, msg);

        fill = n < SL_OUT - fill ? fill + n : SL_OUT;
    }
    sl_out_len = fill;
    sl_out_off = 0;               /* another connection's unfinished reply is silently replaced */
    sl_out_off += sl_write_rest(fd);
    sl_pending = sl_out_off < sl_out_len;
}

static void sl_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        exit(255);
}

static void sl_close(int ep, int fd)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);                    /* sl_pending stays: the next EPOLLOUT sends the rest elsewhere */
}

/* Accepts until accept fails, registering IN and OUT edge-triggered at once. */
static void sl_accept(int ep, int lfd)
{
    struct epoll_event ev = {0};  /* avoid valgrind warning on the padding */
    int fd;

    while ((fd = accept(lfd, NULL, NULL)) >= 0) {
        sl_nonblock(fd);
        ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
        ev.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
}

/* The seed's read path: a full 16-byte read means "more may follow", a shorter one ends the message. */
static void sl_read(int ep, int fd)
{
    char buf[SL_READ];
    int len = (int)read(fd, buf, sizeof(buf));

    if (len == SL_READ) {
        do {
            sl_reply(fd, buf, len);
            if (len < SL_READ)
                break;
            len = (int)read(fd, buf, sizeof(buf));
        } while (len > 0);
    } else if (len > 0) {
        sl_reply(fd, buf, len);
        return;                   /* the EOF behind it, if any, waits for an edge that came already */
    }
    if (len == 0 || (len < 0 && errno != EAGAIN))
        sl_close(ep, fd);
}

/* EPOLLOUT on any connection resumes the one reply in flight on that connection. */
static void sl_resume(int fd)
{
    if (!sl_pending)
        return;
    sl_out_off += sl_write_rest(fd);
    if (sl_out_off == sl_out_len)
        sl_pending = 0;
}

/* Binds 0.0.0.0:port without SO_REUSEADDR and listens; exits 255 as the seed does. */
static int sl_listen(int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_ANY)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        exit(255);
    sl_nonblock(fd);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
        printf("bind() fail.\n");
        exit(255);
    }
    if (listen(fd, SL_BACKLOG) != 0) {
        printf("listen() fail.\n");
        exit(255);
    }
    return fd;
}

/* Parses --port and --fill-start; exits 2 on anything else. */
static int sl_args(int argc, char **argv)
{
    int port = SL_PORT, bad = 0;

    for (int i = 1; i < argc && !bad; i++) {
        if (!strcmp(argv[i], "--help")) {
            fputs(sl_usage, stdout);
            exit(0);
        }
        if (i + 1 < argc && !strcmp(argv[i], "--port"))
            port = atoi(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "--fill-start"))
            sl_fill_start = atoi(argv[++i]);
        else
            bad = 1;
    }
    if (!bad && port >= 1 && port <= 65535 && sl_fill_start >= 0 && sl_fill_start < SL_OUT)
        return port;
    fprintf(stderr, "seed-like: bad arguments\n%s", sl_usage);
    exit(2);
}

int main(int argc, char **argv)
{
    struct epoll_event ev = {0}, evs[SL_EVENTS];
    int port = sl_args(argc, argv), ep, lfd;

    signal(SIGPIPE, SIG_IGN);
    ep = epoll_create1(0);
    lfd = sl_listen(port);
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        int n = epoll_wait(ep, evs, SL_EVENTS, -1);

        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;

            if (fd == lfd)
                sl_accept(ep, lfd);
            else if (evs[i].events & EPOLLIN)
                sl_read(ep, fd);  /* IN and OUT together: OUT is not looked at */
            else if (evs[i].events & EPOLLOUT)
                sl_resume(fd);
        }
    }
}
