/*
 * A small fixed pool of worker threads for one batch at a time: the
 * caller hands over n items and blocks until every one was run. Each
 * worker keeps its own state (the poller's: a fetcher with its own HTTP
 * client, so keep-alive connections survive between passes). Bounded
 * concurrency with no queue to overflow: workers pull the next index.
 */
#ifndef ALEXIS_POLLER_POOL_H
#define ALEXIS_POLLER_POOL_H

#include <stddef.h>

#include "compat.h"

struct pool;

struct pool_ops {
    void   *(*tls_new)(void *ctx);      /* NULL return fails pool_new */
    void    (*tls_free)(void *tls);
};

typedef void (*pool_fn)(void *arg, void *tls, size_t i);

/* Create nthreads workers, each with tls_new(ctx) made here on the
 * caller's thread. NULL with err when a state or a thread cannot be
 * made (whatever was made is released). */
struct pool *pool_new(unsigned nthreads, const struct pool_ops *ops,
    void *ctx, char *err, size_t errlen);

/* Run fn(arg, tls, i) for every i in [0, n) on the workers and return
 * when all are done. One batch at a time; call from one thread. fn decides
 * itself to do nothing for an item (e.g. on shutdown). */
void pool_run(struct pool *p, size_t n, pool_fn fn, void *arg);

/* Stop and join the workers (no batch may be running), free their states.
 * Accepts NULL. */
void pool_free(struct pool *p);

#endif
