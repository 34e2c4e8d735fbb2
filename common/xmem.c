/*
 * Allocation wrappers that abort on out-of-memory. The message goes out with
 * one write(2) and no allocation, since the allocator just failed.
 */
#include "xmem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void ATTR_NORETURN
oom(size_t size)
{
    char msg[96];
    int n;

    n = snprintf(msg, sizeof(msg),
        "level=error event=out_of_memory bytes=%zu\n", size);
    if (n > 0)
        (void)!write(STDERR_FILENO, msg, (size_t)n);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p;

    if ((p = malloc(size == 0 ? 1 : size)) == NULL)
        oom(size);
    return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
    void *p;

    if (nmemb == 0 || size == 0)
        nmemb = size = 1;
    if ((p = calloc(nmemb, size)) == NULL)
        oom(nmemb * size);
    return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
    void *p;

    if (size != 0 && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    if ((p = realloc(ptr, nmemb * size == 0 ? 1 : nmemb * size)) == NULL)
        oom(nmemb * size);
    return p;
}

char *
xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
    char *p;
    size_t len;

    len = strnlen(s, n);
    p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
