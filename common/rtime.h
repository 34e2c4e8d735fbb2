/*
 * Time as people write it: alexis-report's --since/--until and the action
 * handler's GET /v1/jobs?since= (a duration back from now, or an ISO-8601
 * date or date-time, read by clock.h). All times are Unix milliseconds, UTC.
 */
#ifndef ALEXIS_RTIME_H
#define ALEXIS_RTIME_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"

/* Parse a duration: one or more <number><unit> with unit ms, s, m, h, d or
 * w ("90m", "1d12h"), at most 100 years. Returns 0 and *ms, or -1. */
int rtime_parse_duration(const char *s, int64_t *ms) ATTR_WUR;

/* A --since/--until argument: "now", a duration (that long before now_ms)
 * or an ISO-8601 time. Returns 0, or -1 with one sentence in err. */
int rtime_parse_when(const char *s, int64_t now_ms, int64_t *ms, char *err,
    size_t errlen) ATTR_WUR;

#endif
