/*
 * Times people write: durations and --since/--until arguments, on
 * clock.c's ISO-8601 parser.
 */
#include "rtime.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alexis_limits.h"
#include "clock.h"

static int64_t
unit_ms(const char *u, size_t n)
{
    static const struct {
        const char *name;
        int64_t     ms;
    } units[] = {
        { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
        { "d", CLOCK_DAY_MS }, { "w", 7 * CLOCK_DAY_MS },
    };
    size_t i;

    for (i = 0; i < NELEM(units); i++) {
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return units[i].ms;
    }
    return -1;
}

int
rtime_parse_duration(const char *s, int64_t *ms)
{
    int64_t total = 0, v, mult;
    size_t un;

    if (*s == '\0')
        return -1;
    while (*s != '\0') {
        if (*s < '0' || *s > '9')
            return -1;
        for (v = 0; *s >= '0' && *s <= '9'; s++) {
            v = v * 10 + (*s - '0');
            if (v > DURATION_MAX_MS)
                return -1;
        }
        un = strspn(s, "abcdefghijklmnopqrstuvwxyz");
        if ((mult = unit_ms(s, un)) < 0 || v > DURATION_MAX_MS / mult)
            return -1;
        total += v * mult;
        if (total > DURATION_MAX_MS)
            return -1;
        s += un;
    }
    *ms = total;
    return 0;
}

int
rtime_parse_when(const char *s, int64_t now_ms, int64_t *ms, char *err,
    size_t errlen)
{
    int64_t d;

    if (strcmp(s, "now") == 0) {
        *ms = now_ms;
        return 0;
    }
    if (rtime_parse_duration(s, &d) == 0) {
        *ms = now_ms - d;
        return 0;
    }
    if (clock_parse_iso(s, strlen(s), ms) == 0)
        return 0;
    (void)snprintf(err, errlen, "\"%.64s\" is neither a duration like 24h "
        "or 7d nor an ISO-8601 time like 2026-05-04T10:15:00Z", s);
    return -1;
}
