/*
 * backoff_ms: the waits before retries of the HTTP client and of the
 * PostgreSQL job store's holder writes, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alexis_limits.h"
#include "backoff.h"

struct row {
    long    base;
    long    cap;
    int     attempt;
    long    lo;         /* the wait is in [lo, hi] */
    long    hi;
};

static const struct row rows[] = {
    /* The HTTP client: 200 ms doubling, at most 5 s. */
    { HTTP_RETRY_BASE_MS, HTTP_RETRY_CAP_MS, 0, 100, 200 },
    { HTTP_RETRY_BASE_MS, HTTP_RETRY_CAP_MS, 1, 200, 400 },
    { HTTP_RETRY_BASE_MS, HTTP_RETRY_CAP_MS, 4, 1600, 3200 },
    { HTTP_RETRY_BASE_MS, HTTP_RETRY_CAP_MS, 5, 2500, 5000 },   /* capped */
    { HTTP_RETRY_BASE_MS, HTTP_RETRY_CAP_MS, 1000, 2500, 5000 },
    /* The job store's holder writes: 100-200 ms up to 2-4 s. */
    { AH_PG_BACKOFF_BASE_MS, AH_PG_BACKOFF_CAP_MS, 0, 100, 200 },
    { AH_PG_BACKOFF_BASE_MS, AH_PG_BACKOFF_CAP_MS, 4, 1600, 3200 },
    { AH_PG_BACKOFF_BASE_MS, AH_PG_BACKOFF_CAP_MS, 5, 2000, 4000 },
    /* Edges: a cap below a doubling, the smallest base. */
    { 300, 500, 1, 250, 500 },
    { 1, 1, 0, 0, 1 },
    { 1, 1, 7, 0, 1 },
};

static void
test_table(void **state)
{
    uint64_t rng = 0;
    long w, seen_lo, seen_hi;
    size_t i;
    int k;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        seen_lo = rows[i].hi;
        seen_hi = rows[i].lo;
        for (k = 0; k < 2000; k++) {
            w = backoff_ms(&rng, rows[i].attempt, rows[i].base,
                rows[i].cap);
            if (w < rows[i].lo || w > rows[i].hi)
                fail_msg("row %zu: %ld not in [%ld, %ld]", i, w, rows[i].lo,
                    rows[i].hi);
            seen_lo = w < seen_lo ? w : seen_lo;
            seen_hi = w > seen_hi ? w : seen_hi;
        }
        /* Jitter: the waits spread over the range, not one value. */
        if (rows[i].hi - rows[i].lo >= 100 &&
            seen_hi - seen_lo < (rows[i].hi - rows[i].lo) / 2)
            fail_msg("row %zu: waits only in [%ld, %ld]", i, seen_lo,
                seen_hi);
    }
}

static void
test_rng(void **state)
{
    uint64_t a = 0, b;
    long w1, w2;

    (void)state;
    /* A zero state is seeded; a given state gives the same wait. */
    (void)backoff_ms(&a, 0, 200, 5000);
    assert_true(a != 0);
    b = a;
    w1 = backoff_ms(&a, 3, 200, 5000);
    w2 = backoff_ms(&b, 3, 200, 5000);
    assert_int_equal(w1, w2);
    assert_true(a == b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_rng),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
