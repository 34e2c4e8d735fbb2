/*
 * Bounded worker pool (see workq.h): a ring buffer under one mutex with two
 * condition variables. Shutdown drains the queue so accepted items are run,
 * not dropped.
 */
#include "workq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

struct workq {
    pthread_mutex_t          lock;
    pthread_cond_t           nonempty;
    void                   **ring;
    size_t                   cap, head, len;
    bool                     stopping;
    pthread_t               *threads;
    unsigned                 nthreads;
    const struct workq_ops  *ops;
    void                    *ctx;
};

static void *
worker_main(void *arg)
{
    struct workq *q = arg;
    void *tls = NULL, *item;

    if (q->ops->tls_new != NULL)
        tls = q->ops->tls_new(q->ctx);
    for (;;) {
        pthread_mutex_lock(&q->lock);
        while (q->len == 0 && !q->stopping)
            pthread_cond_wait(&q->nonempty, &q->lock);
        if (q->len == 0) {
            pthread_mutex_unlock(&q->lock);
            break;
        }
        item = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
        pthread_mutex_unlock(&q->lock);
        q->ops->run(q->ctx, tls, item);
    }
    if (q->ops->tls_free != NULL)
        q->ops->tls_free(tls);
    return NULL;
}

struct workq *
workq_new(unsigned nthreads, size_t cap, const struct workq_ops *ops,
    void *ctx, char *err, size_t errlen)
{
    struct workq *q;
    unsigned i;
    int e;

    q = xcalloc(1, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    q->cap = cap == 0 ? 1 : cap;
    q->ring = xcalloc(q->cap, sizeof(*q->ring));
    q->ops = ops;
    q->ctx = ctx;
    q->threads = xcalloc(nthreads, sizeof(*q->threads));
    for (i = 0; i < nthreads; i++) {
        if ((e = pthread_create(&q->threads[i], NULL, worker_main,
            q)) != 0) {
            snprintf(err, errlen, "cannot start worker thread: %s",
                strerror(e));
            q->nthreads = i;
            workq_free(q);
            return NULL;
        }
    }
    q->nthreads = nthreads;
    return q;
}

int
workq_push(struct workq *q, void *item)
{
    int rc = -1;

    pthread_mutex_lock(&q->lock);
    if (!q->stopping && q->len < q->cap) {
        q->ring[(q->head + q->len) % q->cap] = item;
        q->len++;
        pthread_cond_signal(&q->nonempty);
        rc = 0;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

size_t
workq_depth(struct workq *q)
{
    size_t n;

    pthread_mutex_lock(&q->lock);
    n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}

size_t
workq_capacity(const struct workq *q)
{
    return q->cap;
}

void
workq_free(struct workq *q)
{
    unsigned i;

    if (q == NULL)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = true;
    pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
    for (i = 0; i < q->nthreads; i++)
        pthread_join(q->threads[i], NULL);
    /* Without workers (thread creation failed) nothing ran the queue. */
    while (q->len > 0 && q->ops->drop != NULL) {
        q->ops->drop(q->ctx, q->ring[q->head]);
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    pthread_cond_destroy(&q->nonempty);
    pthread_mutex_destroy(&q->lock);
    free(q->threads);
    free(q->ring);
    free(q);
}
