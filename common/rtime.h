/*
 * Time as people write it: log timestamps (ts=2026-05-04T10:15:00.123Z),
 * alexis-report's --since/--until and the action handler's GET /v1/jobs
 * ?since= (a duration back from now, or an ISO-8601 date or date-time) and
 * day labels. All times are Unix milliseconds, UTC;
 * the calendar arithmetic is our own, so no TZ environment is consulted.
 */
#ifndef ALEXIS_RTIME_H
#define ALEXIS_RTIME_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"

#define RTIME_DAY_MS    86400000LL
#define RTIME_ISO_LEN   25      /* "2026-05-04T10:15:00.123Z" + NUL */
#define RTIME_DAY_LEN   11      /* "2026-05-04" + NUL */

/* Parse an ISO-8601 time of n bytes: YYYY-MM-DD, optionally followed by
 * 'T' or ' ' and HH:MM[:SS[.fraction]], optionally Z or +HH[:]MM or
 * -HH[:]MM (no zone means UTC). Returns 0 and *ms, or -1. */
int rtime_parse_iso(const char *s, size_t n, int64_t *ms) ATTR_WUR;

/* Parse a duration: one or more <number><unit> with unit ms, s, m, h, d or
 * w ("90m", "1d12h"), at most 100 years. Returns 0 and *ms, or -1. */
int rtime_parse_duration(const char *s, int64_t *ms) ATTR_WUR;

/* A --since/--until argument: "now", a duration (that long before now_ms)
 * or an ISO-8601 time. Returns 0, or -1 with one sentence in err. */
int rtime_parse_when(const char *s, int64_t now_ms, int64_t *ms, char *err,
    size_t errlen) ATTR_WUR;

/* Format ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" / "YYYY-MM-DD" (UTC). */
void rtime_format_iso(int64_t ms, char out[RTIME_ISO_LEN]);
void rtime_format_day(int64_t ms, char out[RTIME_DAY_LEN]);

/* The UTC day number of ms (days since 1970-01-01, floor). */
int64_t rtime_day(int64_t ms);

/* The wall clock in Unix milliseconds. */
int64_t rtime_now_ms(void);

#endif
