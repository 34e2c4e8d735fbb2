/*
 * Hex: bytes as lower-case hex digits and back (job ids, the simulator's
 * page keys, \uXXXX escapes). Nothing here allocates or logs.
 */
#ifndef ALEXIS_HEX_H
#define ALEXIS_HEX_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

/* Lower-case hex of the n bytes at src into dst, NUL-terminated. dst holds
 * 2n+1 bytes; a shorter one gets the whole bytes that fit. Returns dst. */
char *hex_encode(const void *src, size_t n, char *dst, size_t dstlen);

/* Decode the len hex digits at s (either case) into len/2 bytes at out,
 * which holds outlen bytes. -1 (out partly written) when len is odd, a
 * character is not a hex digit, or len/2 > outlen. */
int hex_decode(const char *s, size_t len, void *out, size_t outlen) ATTR_WUR;

/* Whether s is non-empty and only lower-case hex digits (what hex_encode
 * writes). */
bool hex_is_lower(const char *s);

#endif
