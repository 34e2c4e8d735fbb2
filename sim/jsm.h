/*
 * The simulated Jira Service Management operations alert API
 * (/jsm/ops/api/{cloudId}/v1/alerts...): routes, Basic auth with scopes,
 * handlers, and the paging rules. The alerts are the store's OpsGenie
 * alerts shown in JSM's shape (jsm_alert.h), as for an account moved from
 * OpsGenie to JSM; writes go through the same asynchronous request queue
 * and receipts. Facts: api/jsm-ops.md.
 */
#ifndef ALEXIS_SIM_JSM_H
#define ALEXIS_SIM_JSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "sim.h"

#define JSM_PREFIX  "/jsm/ops/api/"

/* The route for req (a->cloud and a->ident filled), or NULL; *known is
 * set when the path exists for another method. */
const struct sim_route *jsm_route(const struct sim_req *req,
    struct sim_args *a, bool *known);

/* Basic credentials, the cloudId and the scopes of one call: 0 when
 * allowed (a->user gets the caller's email), else the answer is written:
 * 401 {"code","message"} for bad credentials or a missing read/write scope
 * ("scope does not match"), 404 for an unknown cloudId, 403 for a missing
 * delete scope. */
int jsm_authorize(struct sim *s, const struct sim_req *req,
    struct sim_args *a, struct sim_resp *resp);

/* Paging of GET /v1/alerts: 0 when size is 1..SIM_JSM_SIZE_MAX and
 * offset + size stays under SIM_JSM_WINDOW_MAX; -1 with the reason. */
int jsm_page_check(uint64_t offset, uint64_t size, char *err,
    size_t errlen) ATTR_WUR;
/* True when a page after [offset, offset+size) of total matches exists
 * and can be asked for (it stays under the window); *next gets its
 * offset. */
bool jsm_page_next(size_t offset, size_t size, size_t total, size_t *next);

#endif
