/*
 * Clocks: the monotonic clock for measuring durations, the wall clock for
 * timestamps stored or sent, and sleeping.
 */
#ifndef ALEXIS_CLOCK_H
#define ALEXIS_CLOCK_H

#include <stdint.h>

/* Monotonic clock in milliseconds / microseconds. */
uint64_t clock_mono_ms(void);
uint64_t clock_mono_us(void);

/* Wall-clock time (CLOCK_REALTIME) in milliseconds since the epoch: for
 * timestamps stored or sent, never for measuring durations. */
uint64_t clock_wall_ms(void);

/* Sleep ms milliseconds, resuming after signals. */
void clock_sleep_ms(long ms);

#endif
