/*
 * Allocation wrappers: on out-of-memory they log and abort (the Redis zmalloc
 * and OpenBSD fatal("calloc") policy), so callers never test for NULL.
 * Sizes chosen by a peer must be checked against a named limit first.
 */
#ifndef ALEXIS_XMEM_H
#define ALEXIS_XMEM_H

#include <stddef.h>

#include "compat.h"

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
/* reallocarray semantics: overflow of nmemb*size aborts. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
