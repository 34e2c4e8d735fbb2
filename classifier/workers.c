/*
 * The classifier's work queue (see workers.h): the glue between the one
 * thread pool (workq) and classify_run.
 */
#include "workers.h"

#include "classifier.h"
#include "classify.h"
#include "classify_http.h"
#include "workq.h"

static void *
worker_tls_new(void *ctx)
{
    return classify_http_new(ctx);
}

static void
worker_tls_free(void *tls)
{
    classify_http_free(tls);
}

static void
worker_run(void *ctx, void *tls, void *item)
{
    classify_run(ctx, tls, item);
}

static void
worker_drop(void *ctx, void *item)
{
    (void)ctx;
    classify_job_free(item);
}

static const struct workq_ops worker_ops = {
    .tls_new = worker_tls_new,
    .tls_free = worker_tls_free,
    .run = worker_run,
    .drop = worker_drop,
};

int
workers_start(struct classifier *c, char *err, size_t errlen)
{
    c->queue = workq_new((unsigned)c->conf.workers,
        (size_t)c->conf.queue_size, &worker_ops, c, err, errlen);
    return c->queue == NULL ? -1 : 0;
}

void
workers_stop(struct classifier *c)
{
    workq_free(c->queue);
    c->queue = NULL;
}
