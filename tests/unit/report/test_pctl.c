/*
 * Unit tests for report/pctl.c and common/rtime.c: nearest-rank
 * percentiles (table-driven, exact below the cap), the histogram fallback
 * and its error bound, the bucket layout; duration parsing (ISO-8601 is
 * tests/unit/common/test_clock.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "clock.h"
#include "pctl.h"
#include "rtime.h"

struct pctl_case {
    uint64_t    vals[12];
    size_t      n;
    double      q;
    uint64_t    want;
};

static const struct pctl_case pctl_cases[] = {
    { { 5 }, 1, 50, 5 },
    { { 5 }, 1, 95, 5 },
    { { 1, 2 }, 2, 50, 1 },
    { { 2, 1 }, 2, 51, 2 },
    { { 10, 20, 30, 40 }, 4, 50, 20 },
    { { 10, 20, 30, 40 }, 4, 75, 30 },
    { { 10, 20, 30, 40 }, 4, 76, 40 },
    { { 40, 30, 20, 10 }, 4, 100, 40 },
    { { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3 }, 10, 50, 3 },
    { { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3 }, 10, 95, 9 },
    { { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3 }, 10, 90, 6 },
    { { 0, 0, 0, 1000000 }, 4, 95, 1000000 },
};

static void
test_exact(void **state)
{
    struct pctl p;
    size_t i, k;

    (void)state;
    for (i = 0; i < NELEM(pctl_cases); i++) {
        pctl_init(&p);
        for (k = 0; k < pctl_cases[i].n; k++)
            pctl_add(&p, pctl_cases[i].vals[k]);
        assert_true(pctl_exact(&p));
        if (pctl_value(&p, pctl_cases[i].q) != pctl_cases[i].want)
            fail_msg("case %zu: got %llu", i, (unsigned long long)
                pctl_value(&p, pctl_cases[i].q));
        pctl_cleanup(&p);
    }
    pctl_init(&p);
    assert_int_equal(pctl_value(&p, 50), 0);
    pctl_cleanup(&p);
}

static void
test_buckets(void **state)
{
    uint64_t v, lo, next;
    size_t b;

    (void)state;
    for (v = 0; v < 128; v++)
        assert_int_equal(pctl_bucket(v), v);
    for (v = 1; v < (1ULL << 40); v = v * 3 + 1) {
        b = pctl_bucket(v);
        assert_true(b < PCTL_BUCKETS);
        lo = pctl_bucket_low(b);
        next = pctl_bucket_low(b + 1);
        assert_true(lo <= v && v < next);
        /* Relative width at most 1/64. */
        assert_true((next - lo) * 64 <= lo || lo < 128);
    }
    assert_true(pctl_bucket(UINT64_MAX) < PCTL_BUCKETS);
}

/* Past the cap: values 1..N (N > PCTL_EXACT_MAX), compare with the truth. */
static void
test_histogram(void **state)
{
    static const double qs[] = { 50, 95, 99 };
    const uint64_t n = PCTL_EXACT_MAX * 5;
    struct pctl p;
    uint64_t i, got, want;
    size_t k;

    (void)state;
    pctl_init(&p);
    for (i = 0; i < n; i++)
        pctl_add(&p, ((i * 7919) % n + 1) * 10);
    assert_false(pctl_exact(&p));
    assert_int_equal(p.max, n * 10);
    assert_int_equal(p.min, 10);
    for (k = 0; k < NELEM(qs); k++) {
        want = (uint64_t)(qs[k] / 100.0 * (double)n) * 10;
        got = pctl_value(&p, qs[k]);
        assert_true(got * 64 >= want * 63 && got * 64 <= want * 65);
    }
    assert_int_equal(pctl_value(&p, 100), n * 10);
    pctl_cleanup(&p);
}

static void
test_durations(void **state)
{
    char err[ALEXIS_ERR_MAX];
    int64_t ms;

    (void)state;
    assert_int_equal(rtime_parse_duration("24h", &ms), 0);
    assert_int_equal(ms, 86400000);
    assert_int_equal(rtime_parse_duration("1d12h", &ms), 0);
    assert_int_equal(ms, 129600000);
    assert_int_equal(rtime_parse_duration("2w", &ms), 0);
    assert_int_equal(ms, 14 * CLOCK_DAY_MS);
    assert_int_equal(rtime_parse_duration("90m", &ms), 0);
    assert_int_equal(ms, 5400000);
    assert_int_equal(rtime_parse_duration("250ms", &ms), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(rtime_parse_duration("24", &ms), -1);
    assert_int_equal(rtime_parse_duration("h", &ms), -1);
    assert_int_equal(rtime_parse_duration("5y", &ms), -1);
    assert_int_equal(rtime_parse_duration("99999999999999d", &ms), -1);
    assert_int_equal(rtime_parse_when("24h", 100 * CLOCK_DAY_MS, &ms, err,
        sizeof(err)), 0);
    assert_int_equal(ms, 99 * CLOCK_DAY_MS);
    assert_int_equal(rtime_parse_when("now", 5, &ms, err, sizeof(err)), 0);
    assert_int_equal(ms, 5);
    assert_int_equal(rtime_parse_when("1970-01-02", 5, &ms, err,
        sizeof(err)), 0);
    assert_int_equal(ms, CLOCK_DAY_MS);
    assert_int_equal(rtime_parse_when("last week", 5, &ms, err,
        sizeof(err)), -1);
    assert_non_null(strstr(err, "\"last week\" is neither"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_durations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
