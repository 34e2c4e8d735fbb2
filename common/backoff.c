/*
 * Backoff: exponential waits with equal jitter.
 */
#include "backoff.h"

#include "clock.h"

static uint64_t
rng_next(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

long
backoff_ms(uint64_t *rng, int attempt, long base_ms, long cap_ms)
{
    long d = base_ms, half;
    int i;

    for (i = 0; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    half = d / 2;
    if (*rng == 0)
        *rng = clock_mono_us() | 1;
    return half + (long)(rng_next(rng) % (uint64_t)(half + 1));
}
