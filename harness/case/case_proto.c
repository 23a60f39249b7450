/* case_proto.c: which protocol a case runs with against a target, and why it cannot when it SKIPs. */
#include "harness/case/case.h"
#include "harness/util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds the case's protocol entry matching what the target speaks. Returns 0 with *out, or -1. */
static int case__match(const struct ec_case *c, const struct case_proto *target, struct case_proto *out)
{
    for (int i = 0; i < c->nprotos; i++) {
        const struct case_proto *p = &c->protos[i];

        if (p->kind != target->kind)
            continue;
        *out = *target;
        if (out->kind != PAT_REPEAT)
            return 0;
        if (target->repeat_n && p->repeat_n && target->repeat_n != p->repeat_n)
            continue;
        if (!out->repeat_n)
            out->repeat_n = p->repeat_n;
        if (out->repeat_n)
            return 0;
    }
    return -1;
}

/* repeat:N:nonl has no framing: a server like the seed's answers each read,
 * so a connection carries one message. Returns 0, or -1 with why when a
 * client of the case's repeat variant sends more. */
static int case__one_message(const struct ec_case *c, char *why, size_t whylen)
{
    struct ec_case *v = malloc(sizeof(*v));
    char err[512];
    int rc = 0;

    if (!v || case_variant(c, PAT_REPEAT, v, err, sizeof(err)) < 0) {
        snprintf(why, whylen, "%s", v ? err : "out of memory");
        free(v);
        return -1;
    }
    for (int g = 0; g < v->ngroups && rc == 0; g++)
        if (v->groups[g].send_bytes > 1) {
            snprintf(why, whylen, "[clients] #%d sends %llu messages on one connection; repeat:N:nonl "
                     "carries one message per connection (no newline to split them)", g + 1,
                     (unsigned long long)v->groups[g].send_bytes);
            rc = -1;
        }
    free(v);
    return rc;
}

int case_pick_proto(const struct ec_case *c, const struct case_proto *target, struct case_proto *out,
                    char *why, size_t whylen)
{
    char a[96] = "", b[64];

    if (!target) {
        *out = c->protos[0];     /* the reference server speaks whatever the case needs */
        if (out->kind == PAT_REPEAT && out->repeat_n == 0)
            out->repeat_n = 100;
        return 0;
    }
    if (case__match(c, target, out) == 0)
        return out->kind == PAT_REPEAT && !out->newline ? case__one_message(c, why, whylen) : 0;
    for (int i = 0; i < c->nprotos; i++)
        ec_catf(a, sizeof(a), "%s%s", i ? " " : "", case_proto_str(&c->protos[i], b, sizeof(b)));
    snprintf(why, whylen, "needs protocol %s; the target speaks %s (--protocol)%s%s", a,
             case_proto_str(target, b, sizeof(b)), c->protocols_why[0] ? ": " : "", c->protocols_why);
    return -1;
}
