/*
 * The classifier's HTTP API (DESIGN §6): GET /v1/ping and
 * POST /v1/classifier[?dry_run=true]. Handlers validate the envelope and
 * answer at once; classification happens on the worker queue.
 */
#ifndef ALEXIS_CLASSIFIER_API_H
#define ALEXIS_CLASSIFIER_API_H

#include "http_server.h"

/* The route table (ctx of every handler: struct classifier *). */
extern const struct http_route api_routes[];

#endif
