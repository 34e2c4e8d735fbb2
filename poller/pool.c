/*
 * The batch pool (see pool.h): one mutex, a condition for "work or quit"
 * and one for "batch done". Workers take indexes under the lock and run
 * the item outside it.
 */
#include "pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

struct worker {
    struct pool    *pool;
    pthread_t       thread;
    void           *tls;
    bool            started;
};

struct pool {
    pthread_mutex_t     lock;
    pthread_cond_t      work;       /* a batch arrived, or quit */
    pthread_cond_t      done;       /* the batch's last item finished */
    const struct pool_ops *ops;
    struct worker      *workers;
    unsigned            nworkers;
    pool_fn             fn;
    void               *arg;
    size_t              total, next, finished;
    bool                quit;
};

static void *
worker_main(void *p)
{
    struct worker *w = p;
    struct pool *pl = w->pool;
    size_t i;

    pthread_mutex_lock(&pl->lock);
    for (;;) {
        while (!pl->quit && pl->next >= pl->total)
            pthread_cond_wait(&pl->work, &pl->lock);
        if (pl->quit)
            break;
        i = pl->next++;
        pthread_mutex_unlock(&pl->lock);
        pl->fn(pl->arg, w->tls, i);
        pthread_mutex_lock(&pl->lock);
        if (++pl->finished == pl->total)
            pthread_cond_signal(&pl->done);
    }
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

struct pool *
pool_new(unsigned nthreads, const struct pool_ops *ops, void *ctx,
    char *err, size_t errlen)
{
    struct pool *p;
    unsigned i;
    int e;

    p = xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    p->ops = ops;
    p->workers = xcalloc(nthreads, sizeof(*p->workers));
    p->nworkers = nthreads;
    for (i = 0; i < nthreads; i++) {
        p->workers[i].pool = p;
        if ((p->workers[i].tls = ops->tls_new(ctx)) == NULL) {
            snprintf(err, errlen, "cannot create worker state %u", i);
            goto fail;
        }
        if ((e = pthread_create(&p->workers[i].thread, NULL, worker_main,
            &p->workers[i])) != 0) {
            snprintf(err, errlen, "pthread_create: %s", strerror(e));
            goto fail;
        }
        p->workers[i].started = true;
    }
    return p;
fail:
    pool_free(p);
    return NULL;
}

void
pool_run(struct pool *p, size_t n, pool_fn fn, void *arg)
{
    if (n == 0)
        return;
    pthread_mutex_lock(&p->lock);
    p->fn = fn;
    p->arg = arg;
    p->total = n;
    p->next = 0;
    p->finished = 0;
    pthread_cond_broadcast(&p->work);
    while (p->finished < p->total)
        pthread_cond_wait(&p->done, &p->lock);
    p->total = 0;
    p->next = 0;
    pthread_mutex_unlock(&p->lock);
}

void
pool_free(struct pool *p)
{
    unsigned i;

    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (i = 0; i < p->nworkers; i++) {
        if (p->workers[i].started)
            pthread_join(p->workers[i].thread, NULL);
        if (p->workers[i].tls != NULL)
            p->ops->tls_free(p->workers[i].tls);
    }
    free(p->workers);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
