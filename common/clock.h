/*
 * Clocks and ISO-8601: the monotonic clock for measuring durations, the
 * wall clock for timestamps stored or sent, deadlines for timed waits,
 * sleeping, and UTC times written and read as ISO-8601. Times are Unix
 * milliseconds; the calendar is the proleptic Gregorian one, computed here
 * without TZ or the C library's time zone lock.
 */
#ifndef ALEXIS_CLOCK_H
#define ALEXIS_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "compat.h"

#define CLOCK_DAY_MS    86400000LL
#define CLOCK_ISO_LEN   25      /* "2026-05-04T10:15:00.123Z" + NUL */
#define CLOCK_DAY_LEN   11      /* "2026-05-04" + NUL */

/* Monotonic clock in milliseconds / microseconds. */
uint64_t clock_mono_ms(void);
uint64_t clock_mono_us(void);

/* Wall-clock time (CLOCK_REALTIME) since the epoch in milliseconds /
 * microseconds: for timestamps stored or sent, never for measuring
 * durations. */
uint64_t clock_wall_ms(void);
uint64_t clock_wall_us(void);

/* Sleep ms milliseconds (nothing when ms <= 0), resuming after signals. */
void clock_sleep_ms(long ms);

/* Sleep us microseconds, resuming after signals. */
void clock_sleep_us(uint64_t us);

/* The time ms milliseconds from now on clock clk (CLOCK_REALTIME or
 * CLOCK_MONOTONIC, as the condition variable was made), for
 * pthread_cond_timedwait. */
void clock_deadline(clockid_t clk, uint64_t ms, struct timespec *ts);

/* An absolute time of ms milliseconds on some clock as a timespec. */
void clock_timespec(uint64_t ms, struct timespec *ts);

/* The UTC day number of ms (days since 1970-01-01, floor). */
int64_t clock_day(int64_t ms);

/* Format ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" / "YYYY-MM-DD" (UTC; years past
 * 9999 keep their last four digits). */
void clock_format_iso(int64_t ms, char out[CLOCK_ISO_LEN]);
void clock_format_day(int64_t ms, char out[CLOCK_DAY_LEN]);

/* Parse an ISO-8601 time of n bytes: YYYY-MM-DD, optionally followed by
 * 'T' or ' ' and HH:MM[:SS[.fraction]], optionally Z or +HH[:]MM or
 * -HH[:]MM (no zone means UTC). Returns 0 and *ms, or -1. */
int clock_parse_iso(const char *s, size_t n, int64_t *ms) ATTR_WUR;

#endif
