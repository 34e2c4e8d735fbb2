/*
 * Timestamps and durations for the report's filters and day buckets. The
 * civil-date conversion is Howard Hinnant's days_from_civil/civil_from_days,
 * exact for the proleptic Gregorian calendar and free of timegm(3) and TZ.
 */
#include "rtime.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alexis_limits.h"

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* n decimal digits at s into *v; false when one is not a digit. */
static bool
digits(const char *s, size_t n, unsigned *v)
{
    size_t i;

    *v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return true;
}

/* "HH:MM[:SS[.fff…]]" at s (n bytes left); *used gets its length. */
static int
parse_clock(const char *s, size_t n, int64_t *ms, size_t *used)
{
    unsigned hh, mi, ss = 0, frac = 0, scale = 1000;
    size_t i = 5;

    if (n < 5 || !digits(s, 2, &hh) || s[2] != ':' ||
        !digits(s + 3, 2, &mi) || hh > 23 || mi > 59)
        return -1;
    if (n >= 8 && s[5] == ':') {
        if (!digits(s + 6, 2, &ss) || ss > 60)
            return -1;
        i = 8;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
                if (scale > 1) {
                    scale /= 10;
                    frac += (unsigned)(s[i] - '0') * scale;
                }
            }
        }
    }
    *ms = ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac;
    *used = i;
    return 0;
}

/* "Z", "+HH:MM", "+HHMM", "+HH" (or '-'), or nothing: offset in ms. */
static int
parse_zone(const char *s, size_t n, int64_t *off)
{
    unsigned hh, mm = 0;
    int sign;

    *off = 0;
    if (n == 0 || (n == 1 && s[0] == 'Z'))
        return 0;
    if (s[0] != '+' && s[0] != '-')
        return -1;
    sign = s[0] == '-' ? -1 : 1;
    if (n < 3 || !digits(s + 1, 2, &hh) || hh > 23)
        return -1;
    if (n == 6 && s[3] == ':') {
        if (!digits(s + 4, 2, &mm))
            return -1;
    } else if (n == 5) {
        if (!digits(s + 3, 2, &mm))
            return -1;
    } else if (n != 3) {
        return -1;
    }
    if (mm > 59)
        return -1;
    *off = sign * ((int64_t)hh * 3600 + mm * 60) * 1000;
    return 0;
}

int
rtime_parse_iso(const char *s, size_t n, int64_t *ms)
{
    unsigned y, mo, d;
    int64_t clock = 0, off = 0;
    size_t used = 0;

    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    s += 10;
    n -= 10;
    if (n > 0 && (s[0] == 'T' || s[0] == ' ')) {
        if (parse_clock(s + 1, n - 1, &clock, &used) == -1)
            return -1;
        s += used + 1;
        n -= used + 1;
    }
    if (parse_zone(s, n, &off) == -1)
        return -1;
    *ms = days_from_civil(y, mo, d) * RTIME_DAY_MS + clock - off;
    return 0;
}

static int64_t
unit_ms(const char *u, size_t n)
{
    static const struct {
        const char *name;
        int64_t     ms;
    } units[] = {
        { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
        { "d", RTIME_DAY_MS }, { "w", 7 * RTIME_DAY_MS },
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
    if (rtime_parse_iso(s, strlen(s), ms) == 0)
        return 0;
    (void)snprintf(err, errlen, "\"%.64s\" is neither a duration like 24h "
        "or 7d nor an ISO-8601 time like 2026-05-04T10:15:00Z", s);
    return -1;
}

int64_t
rtime_day(int64_t ms)
{
    return ms >= 0 ? ms / RTIME_DAY_MS : -((-ms + RTIME_DAY_MS - 1) /
        RTIME_DAY_MS);
}

void
rtime_format_day(int64_t ms, char out[RTIME_DAY_LEN])
{
    char tmp[64];
    int y;
    unsigned m, d;

    /* Through a roomy buffer: the compiler cannot see that m and d are
     * two digits. Years past 9999 are out of the logs' range. */
    civil_from_days(rtime_day(ms), &y, &m, &d);
    (void)snprintf(tmp, sizeof(tmp), "%04d-%02u-%02u", y % 10000, m, d);
    (void)strlcpy(out, tmp, RTIME_DAY_LEN);
}

void
rtime_format_iso(int64_t ms, char out[RTIME_ISO_LEN])
{
    char day[RTIME_DAY_LEN], tmp[64];
    int64_t rest = ms - rtime_day(ms) * RTIME_DAY_MS;

    rtime_format_day(ms, day);
    (void)snprintf(tmp, sizeof(tmp), "%sT%02d:%02d:%02d.%03dZ", day,
        (int)(rest / 3600000), (int)(rest / 60000 % 60),
        (int)(rest / 1000 % 60), (int)(rest % 1000));
    (void)strlcpy(out, tmp, RTIME_ISO_LEN);
}

int64_t
rtime_now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
