/*
 * The shared pacer and the batch pool: a bucket of R per second lets a
 * burst of R through and then paces; a 429's block holds every taker; a
 * raised stop flag ends a wait at once; and the pool runs every index of
 * a batch exactly once, batch after batch, each worker with its state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "pool.h"
#include "throttle.h"
#include "xmem.h"

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

#define ITEMS 2000

struct batch {
    atomic_int  seen[ITEMS];
};

static void *
tls_new(void *ctx)
{
    int *n = xmalloc(sizeof(*n));

    (void)ctx;
    *n = 0;
    return n;
}

static void
tls_free(void *tls)
{
    free(tls);
}

static void
run(void *arg, void *tls, size_t i)
{
    struct batch *b = arg;

    (*(int *)tls)++;
    atomic_fetch_add(&b->seen[i], 1);
}

static void
test_pool_runs_each_once(void **state)
{
    static const struct pool_ops ops = { tls_new, tls_free };
    struct batch *b = calloc(1, sizeof(*b));
    struct pool *p;
    char err[128];
    int round, i;

    (void)state;
    p = pool_new(4, &ops, NULL, err, sizeof(err));
    assert_non_null(p);
    for (round = 1; round <= 3; round++) {
        pool_run(p, ITEMS, run, b);
        for (i = 0; i < ITEMS; i++)
            assert_int_equal(atomic_load(&b->seen[i]), round);
    }
    pool_run(p, 0, run, b);
    pool_free(p);
    pool_free(NULL);
    free(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_paces),
        cmocka_unit_test(test_block_and_stop),
        cmocka_unit_test(test_pool_runs_each_once),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
