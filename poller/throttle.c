/*
 * The shared pacer (see throttle.h). Waiting happens outside the lock in
 * slices of at most THROTTLE_SLICE_MS, so a shutdown is noticed quickly.
 */
#include "throttle.h"

#include "clock.h"

#define THROTTLE_SLICE_MS   100

void
throttle_init(struct throttle *t, long long rate, const atomic_bool *stop)
{
    pthread_mutex_init(&t->lock, NULL);
    t->rate = rate > 0 ? (double)rate : 0;
    t->burst = t->rate >= 1 ? t->rate : 1;
    t->tokens = t->burst;
    t->last_us = clock_mono_us();
    t->gate_us = 0;
    t->stop = stop;
}

void
throttle_cleanup(struct throttle *t)
{
    pthread_mutex_destroy(&t->lock);
}

static void
nap_us(uint64_t us)
{
    clock_sleep_us(us < THROTTLE_SLICE_MS * 1000u ? us :
        THROTTLE_SLICE_MS * 1000u);
}

/* Under the lock: microseconds to wait before a request may go, 0 when
 * it may go now (and then its token is taken). */
static uint64_t
wait_needed(struct throttle *t, uint64_t now)
{
    if (now < t->gate_us)
        return t->gate_us - now;
    if (t->rate <= 0)
        return 0;
    t->tokens += (double)(now - t->last_us) / 1e6 * t->rate;
    if (t->tokens > t->burst)
        t->tokens = t->burst;
    t->last_us = now;
    if (t->tokens >= 1) {
        t->tokens -= 1;
        return 0;
    }
    return (uint64_t)((1 - t->tokens) / t->rate * 1e6) + 1;
}

bool
throttle_take(struct throttle *t)
{
    uint64_t wait;

    for (;;) {
        if (t->stop != NULL && atomic_load(t->stop))
            return false;
        pthread_mutex_lock(&t->lock);
        wait = wait_needed(t, clock_mono_us());
        pthread_mutex_unlock(&t->lock);
        if (wait == 0)
            return true;
        nap_us(wait);
    }
}

void
throttle_block(struct throttle *t, long ms)
{
    uint64_t until = clock_mono_us() + (uint64_t)(ms > 0 ? ms : 0) * 1000u;

    pthread_mutex_lock(&t->lock);
    if (until > t->gate_us)
        t->gate_us = until;
    pthread_mutex_unlock(&t->lock);
}
