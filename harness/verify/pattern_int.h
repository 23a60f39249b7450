/* pattern_int.h: functions shared by pattern.c and pattern_diag.c, private to the pattern module. */
#ifndef EC_PATTERN_INT_H
#define EC_PATTERN_INT_H

#include "harness/verify/pattern.h"

/* Writes len bytes of client's expected stream of v's kind from offset. */
void pattern__gen(const struct verifier *v, uint32_t client, uint64_t offset, char *buf, size_t len);
/* Bytes of repeat reply lines 0..i-1. */
uint64_t pattern__repeat_lines_len(uint32_t i);
/* Classifies the pending mismatch at v->pos from the window; sets failed, fault*, diag, hexdump. */
void pattern__diagnose(struct verifier *v);
/* Fills v->hexdump with expected against received around offset at. */
void pattern__hexdump(struct verifier *v, uint64_t at);

#endif
