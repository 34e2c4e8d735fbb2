/*
 * Backoff: how long to wait before a retry. Exponential with "equal
 * jitter" (half fixed, half random), so that peers that failed together do
 * not retry together. Used by the HTTP client and the PostgreSQL job
 * store's holder writes.
 */
#ifndef ALEXIS_BACKOFF_H
#define ALEXIS_BACKOFF_H

#include <stdint.h>

/* The wait in ms before retry number attempt+1 (attempt counts from 0):
 * d = base_ms * 2^attempt, at most cap_ms, then a wait in [d/2, d] drawn
 * from the xorshift state *rng (seeded from the monotonic clock when 0).
 * base_ms >= 1 and cap_ms >= base_ms. */
long backoff_ms(uint64_t *rng, int attempt, long base_ms, long cap_ms);

#endif
