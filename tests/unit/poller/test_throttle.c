/*
 * The shared pacer: a bucket of R per second lets a burst of R through
 * and then paces; a 429's block holds every taker; a raised stop flag
 * ends a wait at once. (The batch pool's test is common's test_workq.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "clock.h"
#include "throttle.h"

static void
test_bucket_paces(void **state)
{
    struct throttle t;
    uint64_t t0;
    int i;

    (void)state;
    throttle_init(&t, 100, NULL);
    t0 = clock_mono_ms();
    for (i = 0; i < 100; i++)
        assert_true(throttle_take(&t));
    /* The burst (one second's worth) goes at once. */
    assert_true(clock_mono_ms() - t0 < 500);
    for (i = 0; i < 30; i++)
        assert_true(throttle_take(&t));
    /* 30 more at 100/s need about 300 ms. */
    assert_true(clock_mono_ms() - t0 >= 250);
    throttle_cleanup(&t);
}

static void
test_block_and_stop(void **state)
{
    struct throttle t;
    atomic_bool stop;
    uint64_t t0;

    (void)state;
    atomic_init(&stop, false);
    throttle_init(&t, 0, &stop);
    t0 = clock_mono_ms();
    assert_true(throttle_take(&t));
    throttle_block(&t, 200);
    throttle_block(&t, 50);     /* never moves earlier */
    assert_true(throttle_take(&t));
    assert_true(clock_mono_ms() - t0 >= 190);
    throttle_block(&t, 60000);
    atomic_store(&stop, true);
    t0 = clock_mono_ms();
    assert_false(throttle_take(&t));
    assert_true(clock_mono_ms() - t0 < 1000);
    throttle_cleanup(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_paces),
        cmocka_unit_test(test_block_and_stop),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
