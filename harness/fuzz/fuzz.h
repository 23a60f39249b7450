/* fuzz.h: edgecase fuzz, random scenarios from the case model, shrunk to minimal case files (called only by cli/). */
#ifndef EC_FUZZ_H
#define EC_FUZZ_H

#include <stddef.h>

#include "harness/case/case.h"

/* Runs `edgecase fuzz ARGS` (argv[0] is "fuzz"). server_path is the reference
 * server, inject_so the preload injector (NULL when not built). Returns the
 * exit status: 0 no failure, 1 a failure found, 2 bad usage, 130 interrupted
 * without findings. */
int fuzz_main(int argc, char **argv, const char *server_path, const char *inject_so);

/* Writes c as case file text that case_parse_text loads back into the same
 * struct (key@PROTO overrides are not written). header, if not NULL, comes
 * first, each of its lines turned into a '#' comment. Returns the length, or
 * -1 when buf is too small. */
int fuzz_write(const struct ec_case *c, const char *header, char *buf, size_t buflen);

/* Draws the scenario of seed into c, speaking protocol p, validated by the
 * parser (c is what case_parse_text makes of its text). Returns 0 or -1 with err. */
int fuzz_gen(unsigned long long seed, const struct case_proto *p, struct ec_case *c, char *err, size_t errlen);

#endif
