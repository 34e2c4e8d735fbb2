/*
 * UTF-8 byte logic in one place: decoding one sequence strictly (no
 * overlong forms, surrogates or values past U+10FFFF), cutting a string
 * without splitting a sequence, and counting characters. Strings are bytes
 * as received; nothing here allocates.
 */
#ifndef ALEXIS_UTF8_H
#define ALEXIS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether c is a continuation byte (10xxxxxx), never a character's start. */
static inline bool
utf8_is_cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* The length (1 to 4) of the valid UTF-8 sequence at p, of which at most
 * left (> 0) bytes may be read, and its code point in *cp (when not NULL);
 * 0 when the bytes there are not one. */
size_t utf8_decode(const unsigned char *p, size_t left, uint32_t *cp);

/* The largest length <= n at which s can be cut without splitting a
 * sequence: n backed up over continuation bytes. s[n] must be readable. */
size_t utf8_cut(const char *s, size_t n);

/* The bytes of the NUL-terminated s that hold its first max characters
 * (a character starts at every byte that is not a continuation byte). */
size_t utf8_prefix(const char *s, size_t max);

/* The number of characters in the NUL-terminated s. */
size_t utf8_chars(const char *s);

/* Whether cp is one that some tool treats as a line end (the C1 controls
 * with NEL U+0085, LINE and PARAGRAPH SEPARATOR) or that reorders what a
 * reader sees (the bidirectional marks, embeddings, overrides and
 * isolates). Shown raw, it lets a value forge or hide part of a line: the
 * log and alexis-report's text tables escape it. */
bool utf8_misleads(uint32_t cp);

#endif
