/*
 * Command output made safe to show: valid UTF-8 without NUL or control
 * bytes other than newline and tab (invalid sequences and other control
 * bytes become U+FFFD), so it can go into JSON answers and ticket notes.
 */
#ifndef ALEXIS_AH_TEXT_H
#define ALEXIS_AH_TEXT_H

#include <stddef.h>

/* A cleaned copy of s[0..len) (caller frees). Never NULL. */
char *text_clean(const char *s, size_t len);

/* Offset of the start of the last max bytes of s[0..len), moved forward to
 * a UTF-8 character boundary and, when possible, to the start of a line. */
size_t text_tail_start(const char *s, size_t len, size_t max);

#endif
