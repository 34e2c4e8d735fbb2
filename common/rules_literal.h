/*
 * The literal every match of a rule's regex must contain, found by walking
 * the pattern, so that subjects without it are skipped before PCRE2 runs.
 */
#ifndef ALEXIS_RULES_LITERAL_H
#define ALEXIS_RULES_LITERAL_H

#include <stddef.h>

/*
 * A run of bytes that every match of the PCRE2 pattern (as rules compile it:
 * case-sensitive, no extended mode) contains, so that a subject without it
 * cannot match. Conservative: anything it does not understand (top-level
 * alternation, inline options, verbs, \Q, escapes with arguments, odd
 * braces) gives 0, and only printable ASCII is taken. Writes at most
 * outlen - 1 bytes and a NUL; returns the length, 0 for none.
 */
size_t rules_required_literal(const char *pattern, char *out, size_t outlen);

#endif
