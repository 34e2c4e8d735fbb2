/*
 * Finished jobs back to the thread that allocated them (see retire.h).
 */
#include "retire.h"

#include <stddef.h>

#include "classify.h"

#define RETIRE_HELD_MAX     8

struct retire_home *
retire_home_mine(struct retire_homes *hs)
{
    static _Thread_local struct retire_homes *of;
    static _Thread_local struct retire_home *mine;

    if (of != hs) {
        mine = &hs->home[atomic_fetch_add(&hs->next, 1) %
            CLASSIFIER_SERVER_THREADS];
        of = hs;
    }
    return mine;
}

void
retire_job(struct classify_job *job)
{
    struct retire_home *h = job->home;

    if (h == NULL || atomic_fetch_add(&h->count, 1) >= RETIRE_HELD_MAX) {
        if (h != NULL)
            atomic_fetch_sub(&h->count, 1);
        classify_job_free(job);
        return;
    }
    job->next = atomic_load(&h->head);
    while (!atomic_compare_exchange_weak(&h->head, &job->next, job))
        ;
}

void
retire_drain(struct retire_home *h)
{
    struct classify_job *j, *next;

    if (atomic_load_explicit(&h->head, memory_order_relaxed) == NULL)
        return;
    for (j = atomic_exchange(&h->head, NULL); j != NULL; j = next) {
        next = j->next;
        atomic_fetch_sub(&h->count, 1);
        classify_job_free(j);
    }
}

void
retire_drain_all(struct retire_homes *hs)
{
    size_t i;

    for (i = 0; i < CLASSIFIER_SERVER_THREADS; i++)
        retire_drain(&hs->home[i]);
}
