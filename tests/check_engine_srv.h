/* check_engine_srv.h: servers for the engine tests: small ones forked in-test (correct, lossy, duplicating, silent) and the reference server. */
#ifndef EC_CHECK_ENGINE_SRV_H
#define EC_CHECK_ENGINE_SRV_H

#include <sys/types.h>

/* ECHO is correct; DROP loses bytes at a fixed offset; DUP echoes every chunk twice; SILENT never answers. */
enum tsrv_mode { TSRV_ECHO, TSRV_DROP, TSRV_DUP, TSRV_SILENT };

#define TSRV_DROP_AT 4096      /* TSRV_DROP skips these bytes of every connection's echo */
#define TSRV_DROP_LEN 1024

/* Forks a test server on 127.0.0.1 (sndbuf > 0 sets SO_SNDBUF of its connections). Returns its pid; *port is set. */
pid_t tsrv_start(enum tsrv_mode mode, int sndbuf, int *port);
/* Kills and reaps a server started here. */
void tsrv_stop(pid_t pid);
/* Starts $EC_TOP_BUILDDIR/server/edgecase-server --proto proto. Returns its pid;
 * fails the test when it is not built (make check builds it). */
pid_t ref_start(const char *proto, int *port);

#endif
