/*
 * A fixed pool of worker threads fed by a bounded FIFO queue. Pushing to a
 * full queue fails at once (the HTTP layer answers 503): there is no thread
 * per request and no unbounded backlog. Each worker owns a per-thread state
 * (e.g. its HTTP client) created by tls_new on that thread.
 */
#ifndef ALEXIS_WORKQ_H
#define ALEXIS_WORKQ_H

#include <stddef.h>

#include "compat.h"

struct workq;

struct workq_ops {
    void   *(*tls_new)(void *ctx);          /* may be NULL */
    void    (*tls_free)(void *tls);         /* may be NULL */
    void    (*run)(void *ctx, void *tls, void *item);
    void    (*drop)(void *ctx, void *item); /* frees an item never run */
};

/* Start nthreads workers with a queue of cap items. NULL with err when a
 * thread cannot be created. */
struct workq *workq_new(unsigned nthreads, size_t cap,
    const struct workq_ops *ops, void *ctx, char *err, size_t errlen);

/* Queue item; -1 when the queue is full or stopping (item not taken). */
int workq_push(struct workq *q, void *item) ATTR_WUR;

/* Items waiting (not yet picked up by a worker). */
size_t workq_depth(struct workq *q);
size_t workq_capacity(const struct workq *q);

/* Stop accepting, let the workers finish everything already queued, join
 * them and free. Accepts NULL. */
void workq_free(struct workq *q);

#endif
