/* inj_spec.h: the parsed EDGECASE_INJECT spec, shared by the injector and the harness-side validator. */
#ifndef EC_INJ_SPEC_H
#define EC_INJ_SPEC_H

#include <stddef.h>
#include <stdint.h>

/* Which calls eintr= may interrupt (the ":calls" part, joined with '+'). */
enum inj_call {
    INJ_CALL_EPOLL = 1u << 0,     /* epoll_wait, epoll_pwait, epoll_pwait2 */
    INJ_CALL_READ = 1u << 1,      /* read family on connections */
    INJ_CALL_WRITE = 1u << 2,     /* write family on connections */
    INJ_CALL_ACCEPT = 1u << 3,    /* accept, accept4 on listeners */
    INJ_CALL_ALL = 0xfu
};

struct inj_spec {
    int sndbuf, rcvbuf;           /* 0 = leave the kernel default */
    double eintr_p, short_p, eagain_p;
    unsigned eintr_calls;         /* enum inj_call bits */
    uint64_t seed;
};

/* Parses "key=value,key=value" (empty or NULL = no faults, seed 0) into s.
 * Returns 0, or -1 with err naming the key or value at fault. Uses no
 * allocation, so the injector can call it from its constructor. */
int inj_spec_parse(const char *spec, struct inj_spec *s, char *err, size_t errlen);

#endif
