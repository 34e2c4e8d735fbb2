/*
 * retire: finished jobs go back to their intake thread's home, at most
 * RETIRE_HELD_MAX (8) at a time, and are freed when it drains them; a
 * job without a home is freed at once. Leaks and double frees are
 * ASan's to find (the test command builds with it).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alert.h"
#include "classify.h"
#include "retire.h"
#include "xmem.h"

static struct classify_job *
new_job(struct retire_home *home)
{
    struct classify_job *job = xcalloc(1, sizeof(*job));

    job->alert = xcalloc(1, sizeof(*job->alert));
    job->raw = xstrdup("{}");
    job->home = home;
    return job;
}

static size_t
held(struct retire_home *h)
{
    struct classify_job *j;
    size_t n = 0;

    for (j = atomic_load(&h->head); j != NULL; j = j->next)
        n++;
    return n;
}

static void
test_home_holds_at_most_eight(void **state)
{
    struct retire_homes hs;
    struct retire_home *h;
    int i;

    (void)state;
    memset(&hs, 0, sizeof(hs));
    h = &hs.home[0];
    for (i = 0; i < 20; i++)
        retire_job(new_job(h));
    assert_int_equal(held(h), 8);
    assert_int_equal(atomic_load(&h->count), 8);
    retire_drain(h);
    assert_int_equal(held(h), 0);
    assert_int_equal(atomic_load(&h->count), 0);
    retire_drain(h);                        /* empty: nothing to do */
    retire_job(new_job(NULL));              /* no home: freed at once */
    assert_int_equal(held(h), 0);
}

static struct retire_homes *other_hs;
static struct retire_home *other_mine;

static void *
other_thread(void *arg)
{
    (void)arg;
    other_mine = retire_home_mine(other_hs);
    return NULL;
}

static void
test_each_thread_its_home(void **state)
{
    struct retire_homes hs;
    struct retire_home *mine;
    pthread_t th;

    (void)state;
    memset(&hs, 0, sizeof(hs));
    mine = retire_home_mine(&hs);
    assert_true(mine >= &hs.home[0] &&
        mine < &hs.home[CLASSIFIER_SERVER_THREADS]);
    assert_ptr_equal(retire_home_mine(&hs), mine);  /* kept per thread */
    other_hs = &hs;
    assert_int_equal(pthread_create(&th, NULL, other_thread, NULL), 0);
    pthread_join(th, NULL);
    assert_ptr_not_equal(other_mine, mine);         /* its own home */
    assert_ptr_equal(retire_home_mine(&hs), mine);
}

#define PUSHERS     4
#define PER_PUSHER  2000

static void *
pusher(void *home)
{
    int i;

    for (i = 0; i < PER_PUSHER; i++)
        retire_job(new_job(home));
    return NULL;
}

/* Workers push while the home's thread drains: every job is freed once
 * (ASan), and the count ends where the list does. */
static void
test_concurrent_push_and_drain(void **state)
{
    struct retire_homes hs;
    struct retire_home *h;
    pthread_t th[PUSHERS];
    int i;

    (void)state;
    memset(&hs, 0, sizeof(hs));
    h = &hs.home[1];
    for (i = 0; i < PUSHERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, pusher, h), 0);
    for (i = 0; i < 1000; i++)
        retire_drain(h);
    for (i = 0; i < PUSHERS; i++)
        pthread_join(th[i], NULL);
    assert_true(held(h) <= 8);
    assert_int_equal(atomic_load(&h->count), held(h));
    retire_drain_all(&hs);
    assert_int_equal(held(h), 0);
    assert_int_equal(atomic_load(&h->count), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_home_holds_at_most_eight),
        cmocka_unit_test(test_each_thread_its_home),
        cmocka_unit_test(test_concurrent_push_and_drain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
