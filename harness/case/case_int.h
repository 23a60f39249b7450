/* case_int.h: helpers shared by the case parser's files (not part of the case API). */
#ifndef EC_CASE_INT_H
#define EC_CASE_INT_H

#include "harness/case/case.h"

int case__size(const char *s, unsigned long long *out);
int case__ms(const char *s, int *out);
int case__bool(const char *s, int *out);
int case__when(const char *s, struct case_when *w);

/* Setters of the keys with structured values (case_set.c). Each returns 0 or -1 with err. */
int case__set_classes(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_protos(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_freeze(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_resume(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_phase(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_cpu(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_done(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_send_echo(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_wire_zw(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_wire_acked(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_netns_rate(struct ec_case *c, const char *v, int line, char *err, size_t errlen);
int case__set_wire_rst(struct ec_case *c, const char *v, int line, char *err, size_t errlen);

#endif
