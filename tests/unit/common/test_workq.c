/*
 * The one thread pool (workq.c): the bounded queue runs items in order and
 * refuses past its capacity (the HTTP layer's 503), shutdown runs what was
 * accepted, items never run are dropped; a batch runs every index exactly
 * once on the workers' states, batch after batch; a worker state that
 * cannot be made fails the pool; workq_each stays within k threads and
 * counts the caller as one of them.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "workq.h"
#include "xmem.h"

/* ---- the queue ---- */

struct gate {
    pthread_mutex_t lock;
    pthread_cond_t  cond;
    bool            started;    /* the first item is running */
    bool            open;       /* the first item may finish */
    int             order[8];
    size_t          n;
    int             dropped;
};

static void
q_run(void *ctx, void *tls, void *item)
{
    struct gate *g = ctx;
    int v = *(int *)item;

    assert_null(tls);
    pthread_mutex_lock(&g->lock);
    g->order[g->n++] = v;
    g->started = true;
    pthread_cond_broadcast(&g->cond);
    while (!g->open)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void
q_drop(void *ctx, void *item)
{
    struct gate *g = ctx;

    (void)item;
    g->dropped++;
}

static const struct workq_ops q_ops = { .run = q_run, .drop = q_drop };

static void
test_queue_order_and_bound(void **state)
{
    static int items[] = { 1, 2, 3, 4 };
    struct gate g = { .lock = PTHREAD_MUTEX_INITIALIZER,
        .cond = PTHREAD_COND_INITIALIZER };
    struct workq *q;
    char err[ALEXIS_ERR_MAX];

    (void)state;
    q = workq_new(1, 2, &q_ops, &g, err, sizeof(err));
    assert_non_null(q);
    assert_int_equal(workq_capacity(q), 2);
    assert_int_equal(workq_push(q, &items[0]), 0);
    pthread_mutex_lock(&g.lock);
    while (!g.started)
        pthread_cond_wait(&g.cond, &g.lock);
    pthread_mutex_unlock(&g.lock);
    /* The one worker is busy: two wait, the third is refused. */
    assert_int_equal(workq_push(q, &items[1]), 0);
    assert_int_equal(workq_push(q, &items[2]), 0);
    assert_int_equal(workq_depth(q), 2);
    assert_int_equal(workq_push(q, &items[3]), -1);
    pthread_mutex_lock(&g.lock);
    g.open = true;
    pthread_cond_broadcast(&g.cond);
    pthread_mutex_unlock(&g.lock);
    /* Shutdown runs what was accepted, in order, and drops nothing. */
    workq_free(q);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.order[0], 1);
    assert_int_equal(g.order[1], 2);
    assert_int_equal(g.order[2], 3);
    assert_int_equal(g.dropped, 0);
    workq_free(NULL);
}

static void
test_queue_without_workers_drops(void **state)
{
    static int items[] = { 1, 2, 3 };
    struct gate g = { .open = true };
    struct workq *q;
    char err[ALEXIS_ERR_MAX];

    (void)state;
    q = workq_new(0, 0, &q_ops, &g, err, sizeof(err));
    assert_non_null(q);
    assert_int_equal(workq_capacity(q), 1);     /* 0 means 1 */
    assert_int_equal(workq_push(q, &items[0]), 0);
    assert_int_equal(workq_push(q, &items[1]), -1);
    workq_free(q);
    assert_int_equal(g.n, 0);
    assert_int_equal(g.dropped, 1);
}

/* ---- batches ---- */

#define ITEMS 2000

struct batch {
    atomic_int  seen[ITEMS];
    atomic_int  made, freed;
    int         fail_at;        /* tls_new fails for this one (-1: none) */
};

static void *
tls_new(void *ctx)
{
    struct batch *b = ctx;
    int *n;

    if (atomic_load(&b->made) == b->fail_at)
        return NULL;
    atomic_fetch_add(&b->made, 1);
    n = xmalloc(sizeof(*n));
    *n = 0;
    return n;
}

static void
tls_free(void *tls)
{
    free(tls);
}

static struct batch *freed_of;

static void
tls_free_count(void *tls)
{
    atomic_fetch_add(&freed_of->freed, 1);
    free(tls);
}

static void
b_run(void *arg, void *tls, size_t i)
{
    struct batch *b = arg;

    (*(int *)tls)++;
    atomic_fetch_add(&b->seen[i], 1);
}

static void
test_batch_runs_each_once(void **state)
{
    static const struct workq_ops ops = { tls_new, tls_free, NULL, NULL };
    struct batch *b = xcalloc(1, sizeof(*b));
    struct workq *q;
    char err[ALEXIS_ERR_MAX];
    int round, i;

    (void)state;
    b->fail_at = -1;
    q = workq_new(4, 0, &ops, b, err, sizeof(err));
    assert_non_null(q);
    assert_int_equal(atomic_load(&b->made), 4);
    for (round = 1; round <= 3; round++) {
        workq_run(q, ITEMS, b_run, b);
        for (i = 0; i < ITEMS; i++)
            assert_int_equal(atomic_load(&b->seen[i]), round);
    }
    workq_run(q, 0, b_run, b);
    workq_free(q);
    free(b);
}

static void
test_state_fails_the_pool(void **state)
{
    static const struct workq_ops ops = { tls_new, tls_free_count, NULL,
        NULL };
    struct batch *b = xcalloc(1, sizeof(*b));
    char err[ALEXIS_ERR_MAX] = "";

    (void)state;
    b->fail_at = 2;
    freed_of = b;
    assert_null(workq_new(4, 0, &ops, b, err, sizeof(err)));
    assert_string_equal(err, "cannot create the state of worker 2");
    /* The two states made were released. */
    assert_int_equal(atomic_load(&b->freed), 2);
    free(b);
}

/* ---- workq_each ---- */

struct each {
    atomic_int  seen[ITEMS];
    atomic_int  active, most;
    atomic_int  on_caller;
    pthread_t   caller;
};

static void
e_run(void *arg, void *tls, size_t i)
{
    struct each *e = arg;
    int now = atomic_fetch_add(&e->active, 1) + 1, most;

    assert_null(tls);
    most = atomic_load(&e->most);
    while (now > most && !atomic_compare_exchange_weak(&e->most, &most,
        now))
        ;
    if (pthread_equal(pthread_self(), e->caller))
        atomic_fetch_add(&e->on_caller, 1);
    atomic_fetch_add(&e->seen[i], 1);
    atomic_fetch_sub(&e->active, 1);
}

static void
test_each(void **state)
{
    static const struct {
        size_t  n, k;
    } rows[] = {
        { ITEMS, 4 }, { ITEMS, 1 }, { 3, 8 }, { 1, 1 }, { 0, 4 },
        { 5, 0 },
    };
    struct each *e;
    size_t r, i, k;

    (void)state;
    for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        e = xcalloc(1, sizeof(*e));
        e->caller = pthread_self();
        workq_each(rows[r].n, rows[r].k, e_run, e);
        for (i = 0; i < ITEMS; i++)
            assert_int_equal(atomic_load(&e->seen[i]), i < rows[r].n);
        k = rows[r].k == 0 ? 1 : rows[r].k;
        assert_true((size_t)atomic_load(&e->most) <= k);
        /* One thread: the caller ran everything itself. */
        if (k == 1)
            assert_int_equal(atomic_load(&e->on_caller), rows[r].n);
        free(e);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_order_and_bound),
        cmocka_unit_test(test_queue_without_workers_drops),
        cmocka_unit_test(test_batch_runs_each_once),
        cmocka_unit_test(test_state_fails_the_pool),
        cmocka_unit_test(test_each),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
