/* strbuf.h: appending formatted text to a fixed, NUL-terminated buffer, truncating safely. */
#ifndef EC_UTIL_STRBUF_H
#define EC_UTIL_STRBUF_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Appends to buf (size bytes, already NUL-terminated). A full buffer keeps
 * what fits: diagnoses are cut, never overrun. Returns the new length. */
__attribute__((format(printf, 3, 4), unused))
static size_t ec_catf(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strnlen(buf, size);
    va_list ap;

    if (len + 1 >= size)
        return len;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
    return strnlen(buf, size);
}

#endif
