/* fuzz_progress.c: the fuzzer's progress line on stderr (in place on a tty, plain lines every 10 s otherwise) and its event lines. */
#include "harness/fuzz/fuzz_int.h"

#include <stdarg.h>
#include <stdio.h>

#include "harness/util/clock.h"

#define FP_TTY_EVERY_MS 200.0
#define FP_PLAIN_EVERY_MS 10000.0

static void fp__line(const struct fuzz_ctx *fx, double now)
{
    double secs = (now - fx->t0_ms) / 1e3;

    fprintf(stderr, "fuzz: %lld scenarios, %.2f/s, %lld failure%s", fx->runs, secs > 0 ? fx->runs / secs : 0.0,
            fx->fails, fx->fails == 1 ? "" : "s");
    if (fx->skips || fx->errors)
        fprintf(stderr, ", %lld skip, %lld error", fx->skips, fx->errors);
    if (fx->shrinking)
        fprintf(stderr, ", shrinking step %d", fx->shrinking);
    fprintf(stderr, ", %.0f s", secs);
}

void fuzz_progress(struct fuzz_ctx *fx, int force)
{
    double now = ec_now_ms();

    if (!force && now - fx->last_progress_ms < (fx->tty ? FP_TTY_EVERY_MS : FP_PLAIN_EVERY_MS))
        return;
    fx->last_progress_ms = now;
    if (fx->tty)
        fputs("\r\033[K", stderr);
    fp__line(fx, now);
    fputs(fx->tty ? "" : "\n", stderr);
    fflush(stderr);
}

void fuzz_say(struct fuzz_ctx *fx, const char *fmt, ...)
{
    va_list ap;

    if (fx->tty)
        fputs("\r\033[K", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    /* Redraw the line the message pushed up. */
    if (fx->tty)
        fuzz_progress(fx, 1);
    fflush(stderr);
}
