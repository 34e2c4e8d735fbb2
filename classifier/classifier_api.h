/*
 * The classifier's HTTP API (DESIGN §6): GET /v1/ping and
 * POST /v1/classifier[?dry_run=true]. Handlers validate the envelope and
 * answer at once; classification happens on the worker queue.
 */
#ifndef ALEXIS_CLASSIFIER_API_H
#define ALEXIS_CLASSIFIER_API_H

#include <cjson/cJSON.h>

#include "classifier.h"
#include "http_server.h"

/* The route table (ctx of every handler: struct classifier *). */
extern const struct http_route classifier_api_routes[];

/* The action handlers' health for /v1/ping, as a JSON object (caller
 * deletes): the last check while it is fresh, else a new one; while
 * another caller checks, the last one (or {} before the first). */
cJSON *classifier_api_handler_health(struct classifier *c);

#endif
