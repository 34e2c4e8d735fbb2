/*
 * A request pacer shared by the threads that call one API: a token bucket
 * (the operator's rate_limit, so the poller stays under the account's
 * limit instead of running into it) and a gate that a 429 closes for
 * every thread at once, for as long as the server asked (capped). The
 * OpsGenie and Dynatrace limits are per account, so one thread's 429
 * concerns all of them.
 */
#ifndef ALEXIS_POLLER_THROTTLE_H
#define ALEXIS_POLLER_THROTTLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct throttle {
    pthread_mutex_t     lock;
    double              rate;       /* tokens per second; 0: no bucket */
    double              burst;
    double              tokens;
    uint64_t            last_us;
    uint64_t            gate_us;    /* no request before this (monotonic) */
    const atomic_bool  *stop;       /* may be NULL */
};

/* rate requests per second (0: unlimited) with a burst of one second's
 * worth (at least 1). stop, when set, cuts waits short. */
void throttle_init(struct throttle *t, long long rate,
    const atomic_bool *stop);
void throttle_cleanup(struct throttle *t);

/* Wait until the gate is open and a token is free, then take it. Returns
 * false when stop was raised while waiting (no token taken). Thread-safe. */
bool throttle_take(struct throttle *t);

/* Close the gate for every user for ms milliseconds from now (it only
 * ever moves later). Thread-safe. */
void throttle_block(struct throttle *t, long ms);

#endif
