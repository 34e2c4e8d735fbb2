/*
 * A NUL-terminated growable buffer that refuses to grow past a maximum
 * (curl's dynbuf idea). Nothing here logs.
 */
#ifndef ALEXIS_BUF_H
#define ALEXIS_BUF_H

#include <stddef.h>

#include "compat.h"

/* A NUL-terminated growable buffer that refuses to grow past max bytes. */
struct buf {
    char   *data;   /* NULL until the first append; always NUL-terminated */
    size_t  len;
    size_t  cap;
    size_t  max;    /* hard limit on len */
};

/* Prepare an empty buffer limited to max bytes of content. */
void buf_init(struct buf *b, size_t max);
/* Room for n more bytes in one allocation, for a size known beforehand
 * (appends would grow it by doubling); -1 (buffer unchanged) if len + n
 * would exceed max. */
int buf_reserve(struct buf *b, size_t n) ATTR_WUR;
/* Append n bytes; -1 (buffer unchanged) if len would exceed max. */
int buf_append(struct buf *b, const void *p, size_t n) ATTR_WUR;
int buf_appends(struct buf *b, const char *s) ATTR_WUR;
int buf_appendf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3) ATTR_WUR;
/* Hand the data to the caller (caller frees) and reset the buffer. Never
 * NULL: an empty buffer yields "". */
char *buf_steal(struct buf *b);
/* Free the data; the buffer may be reused after buf_init. Accepts zeroed. */
void buf_free(struct buf *b);

#endif
