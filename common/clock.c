/*
 * Clocks and ISO-8601 (see clock.h). The civil-date conversion is Howard
 * Hinnant's days_from_civil/civil_from_days, exact for the proleptic
 * Gregorian calendar and free of timegm(3), TZ and the time zone lock
 * that gmtime_r takes.
 */
#include "clock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

uint64_t
clock_mono_ms(void)
{
    return clock_mono_us() / 1000;
}

uint64_t
clock_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
clock_wall_ms(void)
{
    return clock_wall_us() / 1000;
}

uint64_t
clock_wall_us(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void
clock_sleep_ms(long ms)
{
    if (ms > 0)
        clock_sleep_us((uint64_t)ms * 1000u);
}

void
clock_sleep_us(uint64_t us)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(us / 1000000u);
    ts.tv_nsec = (long)(us % 1000000u) * 1000L;
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        continue;
}

void
clock_timespec(uint64_t ms, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ms / 1000u);
    ts->tv_nsec = (long)(ms % 1000u) * 1000000L;
}

void
clock_deadline(clockid_t clk, uint64_t ms, struct timespec *ts)
{
    (void)clock_gettime(clk, ts);
    ts->tv_sec += (time_t)(ms / 1000u);
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

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
clock_parse_iso(const char *s, size_t n, int64_t *ms)
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
    *ms = days_from_civil(y, mo, d) * CLOCK_DAY_MS + clock - off;
    return 0;
}

int64_t
clock_day(int64_t ms)
{
    return ms >= 0 ? ms / CLOCK_DAY_MS : -((-ms + CLOCK_DAY_MS - 1) /
        CLOCK_DAY_MS);
}

void
clock_format_day(int64_t ms, char out[CLOCK_DAY_LEN])
{
    char tmp[64];
    int y;
    unsigned m, d;

    /* Through a roomy buffer: the compiler cannot see that m and d are
     * two digits. Years past 9999 are out of the logs' range. */
    civil_from_days(clock_day(ms), &y, &m, &d);
    (void)snprintf(tmp, sizeof(tmp), "%04d-%02u-%02u", y % 10000, m, d);
    (void)strlcpy(out, tmp, CLOCK_DAY_LEN);
}

void
clock_format_iso(int64_t ms, char out[CLOCK_ISO_LEN])
{
    int64_t day = clock_day(ms), rest = ms - day * CLOCK_DAY_MS;
    char tmp[64];
    unsigned m, d;
    int y;

    /* Through a roomy buffer: the compiler cannot see that the fields are
     * two digits. Years past 9999 are out of range. */
    civil_from_days(day, &y, &m, &d);
    (void)snprintf(tmp, sizeof(tmp), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
        y % 10000, m, d, (int)(rest / 3600000), (int)(rest / 60000 % 60),
        (int)(rest / 1000 % 60), (int)(rest % 1000));
    (void)strlcpy(out, tmp, CLOCK_ISO_LEN);
}
