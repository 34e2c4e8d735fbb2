/*
 * The classifier's workers: conf.workers threads behind a queue of
 * conf.queue_size accepted alerts (c->queue; api.c pushes, a full queue
 * answers 503). Each worker classifies with its own classify_http io.
 */
#ifndef ALEXIS_CLASSIFIER_WORKERS_H
#define ALEXIS_CLASSIFIER_WORKERS_H

#include <stddef.h>

#include "compat.h"

struct classifier;

/* Start the workers and set c->queue. -1 with err when a worker (or its
 * HTTP client) cannot be made. */
int workers_start(struct classifier *c, char *err, size_t errlen) ATTR_WUR;

/* Stop taking alerts, classify the ones queued, join the workers and
 * clear c->queue. */
void workers_stop(struct classifier *c);

#endif
