/* target_words.c: the one grammar of a target command's words, shared by the runner's placeholders and the target's argv. */
#include "harness/target/target.h"

#include <ctype.h>
#include <string.h>

/* Inside double quotes only \" and \\ escape; single quotes take everything literally, as in sh. */
static int target__escape(char quote, const char *p)
{
    return quote == '"' && p[0] == '\\' && (p[1] == '"' || p[1] == '\\');
}

size_t target_word_next(const char **p, const char **start, char *open_quote)
{
    const char *s = *p;
    char quote = 0;

    while (isspace((unsigned char)*s))
        s++;
    *start = s;
    for (; *s && (quote || !isspace((unsigned char)*s)); s++) {
        if (target__escape(quote, s))
            s++;
        else if ((*s == '"' || *s == '\'') && (!quote || quote == *s))
            quote = quote ? 0 : *s;
    }
    *p = s;
    *open_quote = quote;
    return (size_t)(s - *start);
}

int target_word_unquote(const char *w, size_t len, char *out, size_t outlen)
{
    const char *end = w + len;
    size_t o = 0;
    char quote = 0;

    for (; w < end; w++) {
        if (target__escape(quote, w))
            w++;
        else if ((*w == '"' || *w == '\'') && (!quote || quote == *w)) {
            quote = quote ? 0 : *w;
            continue;
        }
        if (o + 1 >= outlen)
            return -1;
        out[o++] = *w;
    }
    if (outlen == 0)
        return -1;
    out[o] = '\0';
    return (int)o;
}
