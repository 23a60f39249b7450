/* tnet.h: the targets' listening socket: ADDR:PORT parsing and the "listening on" line. */
#ifndef EC_TNET_H
#define EC_TNET_H

#include <stdio.h>

/* Listens (non-blocking, SOMAXCONN backlog) on "ADDR:PORT" or "[ADDR6]:PORT" and
 * prints "listening on ADDR:PORT", flushed, on out. Returns the fd, or -1 with err. */
int tnet_listen(const char *spec, FILE *out, char *err, size_t errlen);

#endif
