/*
 * The one thread pool. Two ways to hand it work:
 *  - a bounded FIFO queue of items (workq_push): pushing to a full queue
 *    fails at once (the HTTP layer answers 503), so there is no thread per
 *    request and no unbounded backlog;
 *  - a batch of n indexes (workq_run): the caller blocks until every one
 *    was run, the workers pulling the next index, so concurrency is bounded
 *    and there is no queue to overflow.
 * Each worker owns a per-thread state (e.g. its HTTP client, so keep-alive
 * connections survive between items) made by tls_new. workq_each runs a
 * batch on up to k threads started for it, the caller being one of them.
 */
#ifndef ALEXIS_WORKQ_H
#define ALEXIS_WORKQ_H

#include <stddef.h>

#include "compat.h"

struct workq;

struct workq_ops {
    /* Made on the caller's thread in workq_new; NULL fails workq_new.
     * NULL tls_new: every worker's state is NULL. */
    void   *(*tls_new)(void *ctx);
    void    (*tls_free)(void *tls);         /* may be NULL */
    /* Runs a pushed item (may be NULL when only batches are run). */
    void    (*run)(void *ctx, void *tls, void *item);
    void    (*drop)(void *ctx, void *item); /* frees an item never run */
};

/* One item of a batch: index i of [0, n), on a worker with state tls. */
typedef void (*workq_fn)(void *arg, void *tls, size_t i);

/* Start nthreads workers with a queue of cap items (0: 1). NULL with err
 * when a worker's state or thread cannot be made (whatever was made is
 * released). */
struct workq *workq_new(unsigned nthreads, size_t cap,
    const struct workq_ops *ops, void *ctx, char *err, size_t errlen);

/* Queue item; -1 when the queue is full or stopping (item not taken). */
int workq_push(struct workq *q, void *item) ATTR_WUR;

/* Run fn(arg, tls, i) for every i in [0, n) on the workers and return when
 * all are done. One batch at a time; call from one thread. fn decides
 * itself to do nothing for an item (e.g. on shutdown). */
void workq_run(struct workq *q, size_t n, workq_fn fn, void *arg);

/* Run fn(arg, NULL, i) for every i in [0, n) on at most k threads (k - 1
 * started here, the calling thread the k-th; fewer when n is smaller or a
 * thread cannot start) and return when all are done. */
void workq_each(size_t n, size_t k, workq_fn fn, void *arg);

/* Items waiting (not yet picked up by a worker). */
size_t workq_depth(struct workq *q);
size_t workq_capacity(const struct workq *q);

/* Stop accepting, let the workers finish everything already queued, join
 * them and free their states. No batch may be running. Accepts NULL. */
void workq_free(struct workq *q);

#endif
