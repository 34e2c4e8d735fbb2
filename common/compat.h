/*
 * Portability shims and attribute macros. Probes live in config.h (written by
 * CMake); the fallbacks themselves live only in compat.c. Code tests HAVE_*,
 * never the operating system.
 */
#ifndef ALEXIS_COMPAT_H
#define ALEXIS_COMPAT_H

#include <stddef.h>

#include "config.h"

#if defined(__GNUC__) || defined(__clang__)
#define ATTR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define ATTR_WUR __attribute__((warn_unused_result))
#define ATTR_NORETURN __attribute__((noreturn))
#else
#define ATTR_PRINTF(fmt, args)
#define ATTR_WUR
#define ATTR_NORETURN
#endif

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* XSTR(MACRO): the macro's expansion as a string literal ("42"). */
#define XSTR_(x) #x
#define XSTR(x) XSTR_(x)

#if !HAVE_STRLCPY
/* OpenBSD strlcpy(3): copies at most dstsize-1 bytes, always NUL-terminates,
 * returns strlen(src); truncation happened when the result >= dstsize. */
size_t strlcpy(char *dst, const char *src, size_t dstsize);
#endif

#if !HAVE_EXPLICIT_BZERO
/* Zero a buffer in a way the compiler may not elide (secrets). */
void explicit_bzero(void *buf, size_t len);
#endif

#endif
