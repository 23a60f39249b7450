/* srv_stats.c: the server's counters as one JSON line (the harness parses these exact keys). */
#include "server/srv.h"

#include <inttypes.h>

void srv_stats_print(FILE *f, const struct srv_stats *s)
{
    fprintf(f,
            "{\"connections\":%" PRIu64 ",\"open\":%" PRIu64 ",\"bytes_in\":%" PRIu64
            ",\"bytes_out\":%" PRIu64 ",\"eagain\":%" PRIu64 ",\"epollout_resumptions\":%" PRIu64
            ",\"backpressure_pauses\":%" PRIu64 ",\"accept_emfile\":%" PRIu64
            ",\"budget_requeues\":%" PRIu64 ",\"protocol_errors\":%" PRIu64 "}\n",
            s->connections, s->open, s->bytes_in, s->bytes_out, s->eagain, s->epollout_resumptions,
            s->backpressure_pauses, s->accept_emfile, s->budget_requeues, s->protocol_errors);
    fflush(f);
}
