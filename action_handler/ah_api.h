/*
 * The action handler's HTTP API (DESIGN §6): POST /v1/action stores a job
 * and answers 202 (200 for a duplicate within the idempotency window);
 * GET /v1/jobs/<id>, GET /v1/jobs?limit=N read jobs back; GET /v1/ping.
 * Handlers never run commands: the runner does, after the answer.
 */
#ifndef ALEXIS_AH_API_H
#define ALEXIS_AH_API_H

#include "http_server.h"

/* The route table (ctx of every handler: struct action_handler *). */
extern const struct http_route ah_api_routes[];

#endif
