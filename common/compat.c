/*
 * Fallbacks for functions the C library may lack (probed by CMake into
 * config.h). Nothing else in the tree tests for the platform.
 */
#include "compat.h"

#include <string.h>

#if !HAVE_STRLCPY
size_t
strlcpy(char *dst, const char *src, size_t dstsize)
{
    size_t len = strlen(src);

    if (dstsize != 0) {
        size_t n = len >= dstsize ? dstsize - 1 : len;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
#endif

#if !HAVE_EXPLICIT_BZERO
void
explicit_bzero(void *buf, size_t len)
{
    volatile unsigned char *p = buf;

    while (len-- > 0)
        *p++ = 0;
}
#endif

/* ISO C forbids an empty translation unit. */
typedef int compat_nonempty;
