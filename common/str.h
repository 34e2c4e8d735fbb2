/*
 * Small string helpers with hard bounds: checked number and duration
 * parsing, comparisons and redaction. Nothing here logs; errors come back
 * as a static phrase.
 */
#ifndef ALEXIS_STR_H
#define ALEXIS_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

/* Parse a base-10 unsigned integer in [min, max]. The whole string must be
 * digits (no sign, no spaces). On error returns -1 and sets *errstr to a
 * static phrase ("invalid", "too small", "too large"). */
int str_to_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
    const char **errstr) ATTR_WUR;

/* Parse a duration: a bare number is seconds; suffixes ms, s, m, h, d.
 * Result in milliseconds, bounded by max_ms. -1 and *errstr on error. */
int str_to_duration_ms(const char *s, uint64_t max_ms, uint64_t *out,
    const char **errstr) ATTR_WUR;

/* Write ms in str_to_duration_ms's language: the largest of ms, s, m, h
 * and (when days) d that divides it exactly ("250ms", "90s", "36h", "1d";
 * 0 is "0ms"). Returns out (outlen >= 24). */
char *str_format_duration_ms(uint64_t ms, bool days, char *out,
    size_t outlen);

/* Case-insensitive ASCII equality. */
bool str_eq_nocase(const char *a, const char *b);

/* True when s ends with suffix. */
bool str_has_suffix(const char *s, const char *suffix);

/* Replace every occurrence of what (ignored when NULL or "") in s, a
 * NUL-terminated string in a buffer of size bytes, with label, cutting the
 * result to fit. For messages that must say what failed without saying
 * where a secret lives (a key's or known_hosts' path). */
void str_redact(char *s, size_t size, const char *what, const char *label);

/* Whether none of the n bytes at s is a control byte (below 0x20, NUL
 * included, or DEL): text that may be echoed in a message, a log line or a
 * header as it is. UTF-8 and other bytes from 0x80 up pass. */
bool str_no_ctl(const char *s, size_t n);

/* A printable copy of untrusted text for quoting in an error sentence:
 * '"' and '\\' escaped with a backslash, control bytes and DEL as \xNN,
 * text that does not fit cut with "...". Returns dst (dstlen >= 8). */
const char *str_quote(char *dst, size_t dstlen, const char *s);

/* Trim ASCII white space (isspace) from both ends of the span
 * [*start, *end): moves *start forward and *end back. */
void str_trim(const char **start, const char **end);

#endif
