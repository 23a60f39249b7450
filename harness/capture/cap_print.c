/* cap_print.c: print a capture analysis for people (text) or for tools (JSON). */
#include "harness/capture/cap.h"

#include <stdio.h>

static unsigned print__nstalls(const struct cap_flow *f)
{
    return f->nstalls < 16 ? f->nstalls : 16;
}

static void print__text(const struct cap_report *r, FILE *out)
{
    fprintf(out, "%llu packets, %u TCP flows\n", (unsigned long long)r->packets, r->nflows);
    for (unsigned i = 0; i < r->nflows; i++) {
        const struct cap_flow *f = &r->flows[i];
        fprintf(out, "flow %u: %s > %s (%llu segments)\n", i, f->a, f->b,
                (unsigned long long)f->packets);
        fprintf(out, "  bytes a>b %llu (acked %llu), b>a %llu (acked %llu)\n",
                (unsigned long long)f->bytes_ab, (unsigned long long)f->acked_ab,
                (unsigned long long)f->bytes_ba, (unsigned long long)f->acked_ba);
        fprintf(out, "  zero-window %u, window-full %u, window-update %u, probes %u (acked %u)\n",
                f->zero_window, f->window_full, f->window_update, f->probes, f->probe_acks);
        fprintf(out, "  wireshark: zero-window-probe %u, zero-window-probe-ack %u, keep-alive %u, "
                "keep-alive-ack %u, retransmission %u, rst %u\n",
                f->zero_window_probe, f->zero_window_probe_ack, f->keep_alive, f->keep_alive_ack,
                f->retransmission, f->rst);
        for (unsigned k = 0; k < print__nstalls(f); k++) {
            const struct cap_stall *s = &f->stalls[k];
            fprintf(out, "  stall %s>%s at %.3f s for %.3f s (win %u)%s\n", s->dir ? "b" : "a",
                    s->dir ? "a" : "b", s->start_s, s->len_s, s->window,
                    s->resumed ? ", resumed" : ", never resumed");
        }
        if (f->nstalls > 16)
            fprintf(out, "  ... %u stalls in all\n", f->nstalls);
        if (f->zero_window)
            fprintf(out, "  %s after the zero window\n",
                    f->resumed_after_zero_window ? "data resumed" : "data never resumed");
    }
}

static void cap__print_json_flow(const struct cap_flow *f, FILE *out)
{
    fprintf(out, "{\"a\":\"%s\",\"b\":\"%s\",\"packets\":%llu,", f->a, f->b,
            (unsigned long long)f->packets);
    fprintf(out, "\"bytes_ab\":%llu,\"bytes_ba\":%llu,\"acked_ab\":%llu,\"acked_ba\":%llu,",
            (unsigned long long)f->bytes_ab, (unsigned long long)f->bytes_ba,
            (unsigned long long)f->acked_ab, (unsigned long long)f->acked_ba);
    fprintf(out, "\"zero_window\":%u,\"zero_window_probe\":%u,\"zero_window_probe_ack\":%u,"
            "\"window_full\":%u,\"window_update\":%u,\"keep_alive\":%u,\"keep_alive_ack\":%u,"
            "\"retransmission\":%u,\"rst\":%u,\"probes\":%u,\"probe_acks\":%u,",
            f->zero_window, f->zero_window_probe, f->zero_window_probe_ack, f->window_full,
            f->window_update, f->keep_alive, f->keep_alive_ack, f->retransmission, f->rst,
            f->probes, f->probe_acks);
    fprintf(out, "\"resumed_after_zero_window\":%s,\"nstalls\":%u,\"stalls\":[",
            f->resumed_after_zero_window ? "true" : "false", f->nstalls);
    for (unsigned k = 0; k < print__nstalls(f); k++) {
        const struct cap_stall *s = &f->stalls[k];
        fprintf(out, "%s{\"dir\":\"%s\",\"start_s\":%.6f,\"len_s\":%.6f,\"window\":%u,"
                "\"resumed\":%s}", k ? "," : "", s->dir ? "b>a" : "a>b", s->start_s, s->len_s,
                s->window, s->resumed ? "true" : "false");
    }
    fprintf(out, "]}");
}

void cap_report_print(const struct cap_report *r, int json, void *stdio_file)
{
    FILE *out = stdio_file;

    if (!json) {
        print__text(r, out);
        return;
    }
    fprintf(out, "{\"packets\":%llu,\"flows\":[", (unsigned long long)r->packets);
    for (unsigned i = 0; i < r->nflows; i++) {
        fputs(i ? ",\n" : "\n", out);
        cap__print_json_flow(&r->flows[i], out);
    }
    fprintf(out, "\n]}\n");
}
