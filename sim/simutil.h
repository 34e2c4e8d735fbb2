/*
 * Small helpers of alexis-sim: ISO-8601 in OpsGenie's style, time values in
 * the forms the admin API accepts, random ids in the real services' shapes,
 * case-insensitive search and cJSON conveniences. Nothing here logs.
 */
#ifndef ALEXIS_SIM_SIMUTIL_H
#define ALEXIS_SIM_SIMUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"

#define SIMUTIL_UUID_LEN    37  /* 36 chars + NUL */
#define SIMUTIL_ISO_LEN     32

/* "2026-11-22T10:12:40.5Z": UTC, fraction without trailing zeros and
 * omitted when zero, as OpsGenie's REST answers print it. */
void simutil_iso8601(uint64_t ms, char *buf, size_t len);

/* A time given to the admin API or in a seed file: epoch ms (number or
 * digits), ISO-8601 UTC ("2026-11-22T10:00:00.123Z"), or "now" / "now-5m"
 * / "now+1h" (units s m h d w M y; Dynatrace style). -1 when none of these. */
int simutil_parse_time(const cJSON *item, uint64_t now, uint64_t *out)
    ATTR_WUR;

/* A random version-4 UUID into out[SIMUTIL_UUID_LEN]. Thread-safe. */
void simutil_uuid(char *out);

/* A uniformly random 64-bit value. Thread-safe. */
uint64_t simutil_random64(void);

/* Duplicate s (or def when s is NULL); NULL when both are NULL. */
char *simutil_dup(const char *s, const char *def);

/* Whether needle occurs in hay, ignoring ASCII case (an empty needle
 * always does): the simulated services' "contains" filters. */
bool simutil_contains_ci(const char *hay, const char *needle);

/* Add "took" and "requestId" (a fresh UUID unless rid is given) to an
 * OpsGenie answer object. */
void simutil_og_envelope(cJSON *obj, const char *rid, uint64_t start_us);

#endif
