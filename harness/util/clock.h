/* clock.h: the harness's one clock: CLOCK_MONOTONIC in milliseconds, shared with the injector's trace. */
#ifndef EC_UTIL_CLOCK_H
#define EC_UTIL_CLOCK_H

#include <time.h>

/* A double holds milliseconds since boot to well under a microsecond for centuries. */
static inline double ec_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#endif
