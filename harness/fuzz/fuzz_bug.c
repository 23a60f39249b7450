/* fuzz_bug.c: the bug a failing run names (its class, else its symptom), so a shrunk case must fail the same way. */
#include "harness/fuzz/fuzz_int.h"
#include "harness/verdict/classes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_bug_of(const struct case_outcome *o, struct fuzz_bug *b)
{
    size_t n;

    memset(b, 0, sizeof(*b));
    if (o->status != CASE_FAIL)
        return 0;
    /* The verdict puts the class it names first at the very start of the diagnosis. */
    if (!strncmp(o->diag, "class ", 6))
        b->cls = atoi(o->diag + 6);
    n = strcspn(o->diag, ": (");
    snprintf(b->symptom, sizeof(b->symptom), "%.*s", (int)(n < sizeof(b->symptom) ? n : sizeof(b->symptom) - 1),
             o->diag);
    return 1;
}

int fuzz_bug_same(const struct fuzz_bug *a, const struct fuzz_bug *b)
{
    if (a->cls || b->cls)
        return a->cls == b->cls;
    return !strcmp(a->symptom, b->symptom);
}

const char *fuzz_bug_str(const struct fuzz_bug *b, char *buf, size_t buflen)
{
    if (b->cls)
        snprintf(buf, buflen, "class %d %s", b->cls, bc_name(b->cls));
    else
        snprintf(buf, buflen, "%s (no class named)", b->symptom);
    return buf;
}
