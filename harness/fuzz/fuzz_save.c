/* fuzz_save.c: writes what the fuzzer found: one case file per finding (with its header) and summary.json. */
#include "harness/fuzz/fuzz_int.h"
#include "harness/verdict/classes.h"

#include <stdio.h>
#include <string.h>

#include "harness/util/clock.h"

/* Appends s to out in single quotes, as a shell reads it back. */
static void fs__quote(char *out, size_t len, const char *s)
{
    size_t n = strlen(out);

    for (n += (size_t)snprintf(out + n, n < len ? len - n : 0, "'"); *s && n + 5 < len; s++)
        n += (size_t)snprintf(out + n, len - n, *s == '\'' ? "'\\''" : "%c", *s);
    snprintf(out + n, n < len ? len - n : 0, "'");
}

const char *fuzz_replay(const struct fuzz_ctx *fx, const char *name, char *buf, size_t buflen)
{
    char p[64];

    snprintf(buf, buflen, "edgecase run --cases ");
    fs__quote(buf, buflen, fx->dir);
    snprintf(buf + strlen(buf), buflen - strlen(buf), " %s", name);
    if (fx->target_cmd) {
        snprintf(buf + strlen(buf), buflen - strlen(buf), " --target ");
        fs__quote(buf, buflen, fx->target_cmd);
        snprintf(buf + strlen(buf), buflen - strlen(buf), " --protocol %s", case_proto_str(&fx->proto, p, sizeof(p)));
    }
    return buf;
}

/* The finding's header: what it found, how small it got, how to replay it. */
static void fs__header(const struct fuzz_ctx *fx, const struct fuzz_finding *f, char *h, size_t len)
{
    char bug[128], replay[8192];

    snprintf(h, len,
             "edgecase fuzz finding: %s\n"
             "diagnosis: %.400s\n"
             "found by scenario seed %llu after %.1f s; failed %d of 3 runs%s\n"
             "shrunk in %d steps: clients %d -> %d, bytes sent %llu -> %llu, steps %d -> %d\n"
             "run %d more times as written: failed %d (the same bug)\n"
             "replay: %.3000s\n",
             fuzz_bug_str(&f->bug, bug, sizeof(bug)), f->diag, f->seed, f->t_found_s, f->confirmed,
             f->confirmed < 3 ? " (flaky: not shrunk)" : "", f->shrink_steps, f->clients0, f->clients,
             f->bytes0, f->bytes, f->steps0, f->steps, f->replays, f->replays_failed,
             fuzz_replay(fx, f->name, replay, sizeof(replay)));
}

int fuzz_save(const struct fuzz_ctx *fx, const struct ec_case *c, const struct fuzz_finding *f)
{
    char header[8192], text[24576], path[4200];
    FILE *out;
    int n;

    fs__header(fx, f, header, sizeof(header));
    if ((n = fuzz_write(c, header, text, sizeof(text))) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s.case", fx->dir, f->name);
    if (!(out = fopen(path, "w")))
        return -1;
    fwrite(text, 1, (size_t)n, out);
    return fclose(out) == 0 ? 0 : -1;
}

static void fs__finding_json(FILE *o, const struct fuzz_ctx *fx, const struct fuzz_finding *f)
{
    char path[4200], replay[8192];

    snprintf(path, sizeof(path), "%s/%s.case", fx->dir, f->name);
    fprintf(o, "    {\"name\": ");
    report_json_str(o, f->name);
    fprintf(o, ", \"case\": ");
    report_json_str(o, path);
    fprintf(o, ", \"class\": %d, \"class_name\": ", f->bug.cls);
    report_json_str(o, f->bug.cls ? bc_name(f->bug.cls) : "");
    fprintf(o, ", \"symptom\": ");
    report_json_str(o, f->bug.symptom);
    fprintf(o, ", \"replays\": %d, \"replays_failed\": %d", f->replays, f->replays_failed);
    fprintf(o, ", \"seed\": %llu, \"found_after_s\": %.1f, \"failed_of_3\": %d, \"shrink_steps\": %d,\n"
            "     \"clients\": [%d, %d], \"bytes\": [%llu, %llu], \"steps\": [%d, %d],\n     \"diagnosis\": ",
            f->seed, f->t_found_s, f->confirmed, f->shrink_steps, f->clients0, f->clients, f->bytes0,
            f->bytes, f->steps0, f->steps);
    report_json_str(o, f->diag);
    fprintf(o, ",\n     \"replay\": ");
    report_json_str(o, fuzz_replay(fx, f->name, replay, sizeof(replay)));
    fprintf(o, "}");
}

int fuzz_summary(const struct fuzz_ctx *fx, int interrupted)
{
    char path[4200], p[64];
    double secs = (ec_now_ms() - fx->t0_ms) / 1e3;
    FILE *o;

    snprintf(path, sizeof(path), "%s/summary.json", fx->dir);
    if (!(o = fopen(path, "w")))
        return -1;
    fprintf(o, "{\n  \"target\": ");
    report_json_str(o, fx->target_cmd ? fx->target_cmd : "reference server");
    fprintf(o, ",\n  \"protocol\": ");
    report_json_str(o, case_proto_str(&fx->proto, p, sizeof(p)));
    fprintf(o, ",\n  \"seed\": %llu,\n  \"scenarios\": %lld,\n  \"per_second\": %.3f,\n  \"failures\": %lld,\n"
            "  \"skips\": %lld,\n  \"errors\": %lld,\n  \"elapsed_s\": %.1f,\n  \"interrupted\": %s,\n"
            "  \"findings\": [\n", fx->seed, fx->runs, secs > 0 ? fx->runs / secs : 0.0, fx->fails, fx->skips,
            fx->errors, secs, interrupted ? "true" : "false");
    for (int i = 0; i < fx->nfound; i++) {
        fs__finding_json(o, fx, &fx->found[i]);
        fputs(i + 1 < fx->nfound ? ",\n" : "\n", o);
    }
    fprintf(o, "  ]\n}\n");
    return fclose(o) == 0 ? 0 : -1;
}
