/*
 * Guardrail windows: parsing (units, bounds, the errors a rule author
 * sees) and the arithmetic the guardrails do with them. Table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "window.h"

#define DAY_MS  (86400ULL * 1000)

static void
test_parse(void **state)
{
    static const struct {
        const char *in;
        uint64_t    ms;         /* when ok */
        const char *err;        /* NULL: ok */
    } rows[] = {
        { "30m", 30 * 60000ULL, NULL },
        { "1h", 3600000ULL, NULL },
        { "10s", 10000ULL, NULL },
        { "250ms", 250, NULL },
        { "2d", 2 * DAY_MS, NULL },
        { "45", 45000, NULL },
        { "30d", 30 * DAY_MS, NULL },
        { "31d", 0, "too large" },
        { "-5m", 0, "negative" },
        { "-1", 0, "negative" },
        { "", 0, "empty" },
        { "0s", 0, "zero" },
        { "0", 0, "zero" },
        { "m", 0, "invalid" },
        { "5 m", 0, "invalid" },
        { "5M", 0, "invalid" },
        { "1.5h", 0, "invalid" },
        { "5mins", 0, "invalid" },
        { "99999999999999999999999h", 0, "too large" },
        { "9999999999999h", 0, "too large" },
        { "1234567890123456789012345678901234567890s", 0, "too large" },
        { "1000ms", 1000, NULL },
        { "s", 0, "invalid" },
        { "+5m", 0, "invalid" },
    };
    const char *errstr;
    uint64_t ms;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ms = 0;
        errstr = NULL;
        if (rows[i].err == NULL) {
            assert_int_equal(window_parse(rows[i].in, GUARD_WINDOW_MAX_MS,
                &ms, &errstr), 0);
            assert_int_equal(ms, rows[i].ms);
        } else {
            assert_int_equal(window_parse(rows[i].in, GUARD_WINDOW_MAX_MS,
                &ms, &errstr), -1);
            assert_string_equal(errstr, rows[i].err);
        }
    }
    assert_int_equal(window_parse(NULL, 1000, &ms, &errstr), -1);
}

static void
test_arithmetic(void **state)
{
    static const struct {
        uint64_t now, window, t;
        uint64_t start;
        bool     inside;
    } rows[] = {
        { 10000, 3000, 7000, 7000, true },      /* at the start: inside */
        { 10000, 3000, 6999, 7000, false },     /* 1 ms before: outside */
        { 10000, 3000, 10000, 7000, true },
        { 10000, 3000, 12000, 7000, true },     /* future counts */
        { 2000, 3000, 0, 0, true },             /* reaches past the epoch */
        { 3000, 3000, 0, 0, true },
        { UINT64_MAX, 1, UINT64_MAX - 1, UINT64_MAX - 1, true },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(window_start(rows[i].now, rows[i].window),
            rows[i].start);
        assert_int_equal(window_contains(rows[i].now, rows[i].window,
            rows[i].t), rows[i].inside);
    }
    assert_true(window_has_room(0, 1));
    assert_false(window_has_room(1, 1));
    assert_true(window_has_room(4, 5));
    assert_false(window_has_room(5, 5));
    assert_false(window_has_room(6, 5));
    assert_true(window_has_room(1000000, 0));   /* 0: no limit */
    assert_int_equal(window_reopens(7000, 3000), 10000);
    assert_int_equal(window_reopens(UINT64_MAX - 5, 10), UINT64_MAX);
}

static void
test_format(void **state)
{
    static const struct {
        uint64_t    ms;
        const char *out;
    } rows[] = {
        { 30 * 60000ULL, "30m" }, { 3600000, "1h" }, { 90000, "90s" },
        { 250, "250ms" }, { DAY_MS, "1d" }, { 36 * 3600000ULL, "36h" },
        { 1500, "1500ms" }, { 0, "0ms" },
    };
    char buf[32];
    const char *errstr;
    uint64_t back;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_string_equal(window_format(rows[i].ms, buf, sizeof(buf)),
            rows[i].out);
        if (rows[i].ms == 0)
            continue;
        /* What is printed parses back to the same window. */
        assert_int_equal(window_parse(buf, UINT64_MAX, &back, &errstr), 0);
        assert_int_equal(back, rows[i].ms);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
