/*
 * Finished jobs go back to the intake thread that allocated them, to be
 * freed there. An alert is parsed by an intake thread and classified by a
 * worker; freed by the worker, its hundred-odd cJSON nodes went to the
 * intake thread's malloc arena from another thread, and the intake's next
 * large allocation (a request body) had glibc consolidate them. Freed by
 * the intake thread just before it parses the next alert, they are
 * reused at once: 3-5% less CPU per alert (docs/PERFORMANCE.md).
 *
 * Each intake thread has a home: a lock-free list that workers push onto
 * and its thread empties (all at once, so there is no ABA). A home holds
 * at most RETIRE_HELD_MAX jobs; past that, or for a job without a home
 * (a unit test's), the job is freed where it ends. An idle
 * intake thread therefore holds at most that many finished jobs.
 */
#ifndef ALEXIS_CLASSIFIER_RETIRE_H
#define ALEXIS_CLASSIFIER_RETIRE_H

#include <stdatomic.h>

#include "alexis_limits.h"

struct classify_job;

struct retire_home {
    _Atomic(struct classify_job *)  head;
    atomic_uint                     count;  /* jobs on head, about */
};

/* One home per intake thread (threads beyond share). */
struct retire_homes {
    struct retire_home  home[CLASSIFIER_SERVER_THREADS];
    atomic_uint         next;   /* homes handed out */
};

/* The calling thread's home (given out on its first call). */
struct retire_home *retire_home_mine(struct retire_homes *hs);

/* A worker is done with job: onto its home's list, or freed here. */
void retire_job(struct classify_job *job);

/* Free every job on h's list (the home's own thread, before it allocates
 * for the next alert). */
void retire_drain(struct retire_home *h);

/* Free what every home holds: at shutdown, once no thread pushes. */
void retire_drain_all(struct retire_homes *hs);

#endif
