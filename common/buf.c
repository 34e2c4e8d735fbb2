/*
 * A NUL-terminated growable buffer with a hard maximum. Leaf code: errors
 * are returned, never logged.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

void
buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

int
buf_reserve(struct buf *b, size_t n)
{
    size_t want, cap;

    if (n > b->max - b->len)
        return -1;
    want = b->len + n + 1;
    if (b->data != NULL && want <= b->cap)
        return 0;
    cap = b->cap == 0 ? 256 : b->cap;
    while (cap < want)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    b->data = xreallocarray(b->data, cap, 1);
    b->cap = cap;
    return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) == -1)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int
buf_appends(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int
buf_appendf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    char *big = NULL;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof(small))
        return buf_append(b, small, (size_t)n);
    if ((size_t)n > b->max - b->len)
        return -1;
    big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    (void)vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rc = buf_append(b, big, (size_t)n);
    free(big);
    return rc;
}

char *
buf_steal(struct buf *b)
{
    char *p = b->data;

    if (p == NULL)
        p = xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void
buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
