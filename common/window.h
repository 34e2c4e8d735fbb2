/*
 * Guardrail time windows ("30m", "1h", "10s"): the one parser for every
 * window a rule or a config names (cooldown.window, verify.within,
 * storm_breaker.window), and the arithmetic the guardrails do with them:
 * where a window that ends now starts, and whether a count leaves room.
 * Pure functions; thread-safe.
 */
#ifndef ALEXIS_WINDOW_H
#define ALEXIS_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"

/* Parse a window: digits then a unit, "ms", "s", "m", "h" or "d" (a bare
 * number is seconds), between 1 ms and max_ms. -1 with *errstr one of
 * "negative", "empty", "zero", "too large", "invalid" on a bad one. */
int window_parse(const char *s, uint64_t max_ms, uint64_t *out,
    const char **errstr) ATTR_WUR;

/* The start of the window of length window_ms that ends at now_ms (both in
 * ms since the epoch): now_ms - window_ms, 0 when the window reaches back
 * past the epoch. An event at t is inside when t >= window_start. */
uint64_t window_start(uint64_t now_ms, uint64_t window_ms);

/* Whether an event at t_ms lies within the window ending at now_ms
 * (inclusive at its start; events in the future count as inside). */
bool window_contains(uint64_t now_ms, uint64_t window_ms, uint64_t t_ms);

/* Whether count events already in a window leave room for one more under
 * max (max 0 means no limit). */
bool window_has_room(uint64_t count, uint64_t max);

/* When a window holding an oldest event at oldest_ms has room again: the
 * moment that event leaves it (oldest_ms + window_ms, saturating). */
uint64_t window_reopens(uint64_t oldest_ms, uint64_t window_ms);

/* Write ms as the shortest exact window text ("90s", "30m", "1h", "250ms")
 * into out (at least 24 bytes). Returns out. */
char *window_format(uint64_t ms, char *out, size_t outlen);

#endif
