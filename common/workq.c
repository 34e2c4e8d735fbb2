/*
 * The thread pool (see workq.h): a ring buffer and the current batch under
 * one mutex, a condition for "work or quit" and one per batch for "batch
 * done". Workers take an item or a batch index under the lock and run it
 * outside. Shutdown drains the queue so accepted items are run, not
 * dropped.
 */
#include "workq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

/* n indexes handed out in order; lock is the pool's or workq_each's own. */
struct batch {
    workq_fn            fn;
    void               *arg;
    size_t              n, next, finished;
    pthread_mutex_t    *lock;
    pthread_cond_t      done;       /* the last index finished */
};

struct worker {
    struct workq       *q;
    pthread_t           thread;
    void               *tls;
    bool                started;
};

struct workq {
    pthread_mutex_t          lock;
    pthread_cond_t           nonempty;  /* an item, a batch, or quit */
    void                   **ring;
    size_t                   cap, head, len;
    struct batch            *batch;     /* the running workq_run, or NULL */
    bool                     stopping;
    struct worker           *workers;
    unsigned                 nworkers;
    const struct workq_ops  *ops;
    void                    *ctx;
};

/* Run b's indexes until none is left. Called and returns with *b->lock
 * held. */
static void
batch_drain(struct batch *b, void *tls)
{
    size_t i;

    while (b->next < b->n) {
        i = b->next++;
        pthread_mutex_unlock(b->lock);
        b->fn(b->arg, tls, i);
        pthread_mutex_lock(b->lock);
        if (++b->finished == b->n)
            pthread_cond_broadcast(&b->done);
    }
}

static bool
batch_open(const struct workq *q)
{
    return q->batch != NULL && q->batch->next < q->batch->n;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct workq *q = w->q;
    void *item;

    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (q->len == 0 && !batch_open(q) && !q->stopping)
            pthread_cond_wait(&q->nonempty, &q->lock);
        if (batch_open(q)) {
            batch_drain(q->batch, w->tls);
            continue;
        }
        if (q->len == 0)
            break;
        item = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
        pthread_mutex_unlock(&q->lock);
        q->ops->run(q->ctx, w->tls, item);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

struct workq *
workq_new(unsigned nthreads, size_t cap, const struct workq_ops *ops,
    void *ctx, char *err, size_t errlen)
{
    struct workq *q;
    struct worker *w;
    unsigned i;
    int e;

    q = xcalloc(1, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    q->cap = cap == 0 ? 1 : cap;
    q->ring = xcalloc(q->cap, sizeof(*q->ring));
    q->ops = ops;
    q->ctx = ctx;
    q->workers = xcalloc(nthreads == 0 ? 1 : nthreads, sizeof(*q->workers));
    q->nworkers = nthreads;
    for (i = 0; i < nthreads; i++) {
        w = &q->workers[i];
        w->q = q;
        if (ops->tls_new != NULL && (w->tls = ops->tls_new(ctx)) == NULL) {
            snprintf(err, errlen, "cannot create the state of worker %u",
                i);
            goto fail;
        }
        if ((e = pthread_create(&w->thread, NULL, worker_main, w)) != 0) {
            snprintf(err, errlen, "cannot start worker thread: %s",
                strerror(e));
            goto fail;
        }
        w->started = true;
    }
    return q;
fail:
    workq_free(q);
    return NULL;
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

void
workq_run(struct workq *q, size_t n, workq_fn fn, void *arg)
{
    struct batch b = { .fn = fn, .arg = arg, .n = n, .lock = &q->lock };

    if (n == 0)
        return;
    pthread_cond_init(&b.done, NULL);
    pthread_mutex_lock(&q->lock);
    q->batch = &b;
    pthread_cond_broadcast(&q->nonempty);
    /* No worker (none could start): the caller runs the batch. */
    if (q->nworkers == 0)
        batch_drain(&b, NULL);
    while (b.finished < b.n)
        pthread_cond_wait(&b.done, &q->lock);
    q->batch = NULL;
    pthread_mutex_unlock(&q->lock);
    pthread_cond_destroy(&b.done);
}

static void *
each_main(void *arg)
{
    struct batch *b = arg;

    pthread_mutex_lock(b->lock);
    batch_drain(b, NULL);
    pthread_mutex_unlock(b->lock);
    return NULL;
}

void
workq_each(size_t n, size_t k, workq_fn fn, void *arg)
{
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    struct batch b = { .fn = fn, .arg = arg, .n = n, .lock = &lock };
    pthread_t *th;
    size_t i, started = 0;

    if (n == 0)
        return;
    if (k > n)
        k = n;
    th = xcalloc(k, sizeof(*th));
    pthread_cond_init(&b.done, NULL);
    for (i = 1; i < k; i++) {
        if (pthread_create(&th[started], NULL, each_main, &b) != 0)
            break;
        started++;
    }
    pthread_mutex_lock(&lock);
    batch_drain(&b, NULL);
    while (b.finished < b.n)
        pthread_cond_wait(&b.done, &lock);
    pthread_mutex_unlock(&lock);
    for (i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    pthread_cond_destroy(&b.done);
    pthread_mutex_destroy(&lock);
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
    for (i = 0; i < q->nworkers; i++) {
        if (q->workers[i].started)
            pthread_join(q->workers[i].thread, NULL);
        if (q->workers[i].tls != NULL && q->ops->tls_free != NULL)
            q->ops->tls_free(q->workers[i].tls);
    }
    /* Without workers (thread creation failed) nothing ran the queue. */
    while (q->len > 0 && q->ops->drop != NULL) {
        q->ops->drop(q->ctx, q->ring[q->head]);
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    pthread_cond_destroy(&q->nonempty);
    pthread_mutex_destroy(&q->lock);
    free(q->workers);
    free(q->ring);
    free(q);
}
