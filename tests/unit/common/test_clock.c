/*
 * common/clock.c: ISO-8601 parsing (table-driven), formatting against the
 * C library's calendar, round trips, a leap day, the epoch and times
 * before it, day numbers, and the clock readers' basic promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "compat.h"

struct iso_case {
    const char *s;
    int64_t     ms;     /* INT64_MIN: must fail */
};

static const struct iso_case iso_cases[] = {
    { "1970-01-01", 0 },
    { "1970-01-01T00:00:00Z", 0 },
    { "1970-01-01T00:00:01Z", 1000 },
    { "2026-05-04T10:15:00.123Z", 1777889700123LL },
    { "2026-05-04 10:15:00.123Z", 1777889700123LL },
    { "2026-05-04T10:15:00,123Z", 1777889700123LL },
    { "2026-05-04T10:15:00.1239Z", 1777889700123LL },
    { "2026-05-04T12:15:00.123+02:00", 1777889700123LL },
    { "2026-05-04T05:15:00.123-0500", 1777889700123LL },
    { "2026-05-04T12:15:00.123+02", 1777889700123LL },
    { "2026-05-04T10:15", 1777889700000LL },
    { "2024-02-29T00:00:00Z", 1709164800000LL },
    { "2024-03-01T00:00:00Z", 1709251200000LL },
    { "2000-02-29", 951782400000LL },
    { "1969-12-31T23:59:59.999Z", -1 },
    { "1900-01-01", -2208988800000LL },
    { "2026-13-01", INT64_MIN },
    { "2026-00-10", INT64_MIN },
    { "2026-01-32", INT64_MIN },
    { "2026-05-04T25:00", INT64_MIN },
    { "2026-05-04T10:60", INT64_MIN },
    { "2026-05-04T10:15:00Zjunk", INT64_MIN },
    { "2026-05-04T10:15:00+24:00", INT64_MIN },
    { "2026-05-04T10:15:00+0", INT64_MIN },
    { "2026-05-04X10:15", INT64_MIN },
    { "yesterday", INT64_MIN },
    { "2026-5-4", INT64_MIN },
    { "", INT64_MIN },
};

static void
test_parse(void **state)
{
    int64_t ms;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(iso_cases); i++) {
        int rc = clock_parse_iso(iso_cases[i].s, strlen(iso_cases[i].s),
            &ms);

        if (iso_cases[i].ms == INT64_MIN) {
            if (rc != -1)
                fail_msg("case \"%s\" parsed", iso_cases[i].s);
            continue;
        }
        if (rc != 0 || ms != iso_cases[i].ms)
            fail_msg("case %s: rc %d ms %lld", iso_cases[i].s, rc,
                (long long)ms);
    }
    /* n bounds the input: the same text, cut before the zone. */
    assert_int_equal(clock_parse_iso("1970-01-01T00:00:01Zjunk", 20, &ms),
        0);
    assert_int_equal(ms, 1000);
}

static void
test_format(void **state)
{
    static const struct {
        int64_t     ms;
        const char *iso;
        const char *day;
    } rows[] = {
        { 0, "1970-01-01T00:00:00.000Z", "1970-01-01" },
        { -1, "1969-12-31T23:59:59.999Z", "1969-12-31" },
        { 1777889700123LL, "2026-05-04T10:15:00.123Z", "2026-05-04" },
        { 1709164800000LL, "2024-02-29T00:00:00.000Z", "2024-02-29" },
        { 1709251199999LL, "2024-02-29T23:59:59.999Z", "2024-02-29" },
        { 951782400000LL, "2000-02-29T00:00:00.000Z", "2000-02-29" },
        { 253402300799999LL, "9999-12-31T23:59:59.999Z", "9999-12-31" },
    };
    char iso[CLOCK_ISO_LEN], day[CLOCK_DAY_LEN];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        clock_format_iso(rows[i].ms, iso);
        assert_string_equal(iso, rows[i].iso);
        clock_format_day(rows[i].ms, day);
        assert_string_equal(day, rows[i].day);
    }
    assert_int_equal(clock_day(0), 0);
    assert_int_equal(clock_day(-1), -1);
    assert_int_equal(clock_day(CLOCK_DAY_MS - 1), 0);
    assert_int_equal(clock_day(CLOCK_DAY_MS), 1);
    assert_int_equal(clock_day(-CLOCK_DAY_MS), -1);
    assert_int_equal(clock_day(-CLOCK_DAY_MS - 1), -2);
}

/* Formatting agrees with the C library's calendar, and what is printed
 * parses back to the same time, across four centuries in uneven steps. */
static void
test_round_trip(void **state)
{
    char iso[CLOCK_ISO_LEN], want[64];
    int64_t ms, back;
    struct tm tm;
    time_t t;

    (void)state;
    for (ms = -2208988800000LL; ms < 32503680000000LL;
        ms += 86399999LL * 7 + 3601001) {
        clock_format_iso(ms, iso);
        assert_int_equal(clock_parse_iso(iso, strlen(iso), &back), 0);
        if (back != ms)
            fail_msg("%lld -> %s -> %lld", (long long)ms, iso,
                (long long)back);
        t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
        assert_non_null(gmtime_r(&t, &tm));
        (void)snprintf(want, sizeof(want),
            "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            (int)(ms - (int64_t)t * 1000));
        assert_string_equal(iso, want);
    }
}

static void
test_readers(void **state)
{
    struct timespec ts, now;
    uint64_t a, b;

    (void)state;
    a = clock_mono_us();
    clock_sleep_ms(2);
    b = clock_mono_us();
    assert_true(b - a >= 2000);
    assert_true(clock_mono_ms() >= b / 1000);
    /* The wall clock is after this code was written. */
    assert_true(clock_wall_ms() > 1764547200000ULL);
    assert_true(clock_wall_us() / 1000 >= clock_wall_ms() - 1000);

    clock_timespec(1234567, &ts);
    assert_int_equal(ts.tv_sec, 1234);
    assert_int_equal(ts.tv_nsec, 567000000L);
    clock_deadline(CLOCK_MONOTONIC, 1999, &ts);
    assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &now), 0);
    assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
    assert_true(ts.tv_sec > now.tv_sec ||
        (ts.tv_sec == now.tv_sec && ts.tv_nsec > now.tv_nsec));
    assert_true(ts.tv_sec <= now.tv_sec + 2);
}

/* clock_sleep_us and clock_sleep_ms sleep at least what they are asked
 * (never less; how much more depends on the machine, so no upper bound). */
static void
test_sleep_table(void **state)
{
    static const struct {
        uint64_t    us;         /* clock_sleep_us, or ... */
        long        ms;         /* ... clock_sleep_ms when us == 0 */
        uint64_t    at_least_us;
    } rows[] = {
        { 1500, 0, 1500 },
        { 1000001, 0, 1000001 },    /* over a second: tv_sec and tv_nsec */
        { 0, 3, 3000 },
        { 0, 0, 0 },                /* nothing */
        { 0, -5, 0 },
    };
    uint64_t a, b;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        a = clock_mono_us();
        if (rows[i].us > 0)
            clock_sleep_us(rows[i].us);
        else
            clock_sleep_ms(rows[i].ms);
        b = clock_mono_us();
        if (b - a < rows[i].at_least_us)
            fail_msg("row %zu: slept %llu us", i,
                (unsigned long long)(b - a));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_readers),
        cmocka_unit_test(test_sleep_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
