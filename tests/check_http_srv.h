/* check_http_srv.h: a fake HTTP/1.1 file server for the engine's http tests: forked, blocking, one process per connection, with chosen framing and faults. */
#ifndef EC_CHECK_HTTP_SRV_H
#define EC_CHECK_HTTP_SRV_H

#include <stdint.h>
#include <sys/types.h>

/* How it answers "GET /c<id>/<off>-<size>": <size> bytes of client <id>'s echo stream from <off> (seed). */
enum hsrv_mode {
    HSRV_CLEN,        /* Content-Length, written in 7-byte pieces so heads and bodies split anywhere */
    HSRV_CHUNKED,     /* chunked with extensions and a trailer */
    HSRV_CLOSE,       /* HTTP/1.0 body delimited by its close (one response per connection) */
    HSRV_PIPELINED,   /* Content-Length, but answers nothing before 4 requests have arrived */
    HSRV_BADLEN,      /* Content-Length one less than the file */
    HSRV_TWICE,       /* every response sent twice */
    HSRV_DROP,        /* Content-Length, 100 bytes of the body left out at body offset 1000 */
};

/* Forks the server on 127.0.0.1. Returns its pid; *port is set. */
pid_t hsrv_start(enum hsrv_mode mode, uint64_t seed, int *port);
/* Kills and reaps it (and its connections' processes). */
void hsrv_stop(pid_t pid);

#endif
