/*
 * Shared by the two halves of the simulated Dynatrace API (dynatrace.c:
 * v1 and routing; dt_v2.c: v2 handlers). Every answer uses Dynatrace's
 * error envelope.
 */
#ifndef ALEXIS_SIM_DT_API_H
#define ALEXIS_SIM_DT_API_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim.h"

/* 404 "<what> <id> not found". */
void dt_api_not_found(struct sim_resp *resp, const char *what,
    const char *id);
/* The request body as a JSON object (caller frees), or NULL with a 400
 * written. */
cJSON *dt_api_body(const struct sim_req *req, struct sim_resp *resp);
/* A required non-empty string field of body (borrowed), or NULL with a
 * 400 constraint violation written. */
const char *dt_api_body_str(const cJSON *body, const char *key,
    struct sim_resp *resp);
/* Map a store outcome to the answer; out (consumed) is the OK body. */
void dt_api_answer(struct sim_resp *resp, enum store_rc rc,
    const struct sim_args *a, int ok_status, cJSON *out);
/* ?fields= as a DT_FIELD_* mask; -1 with a 400 written. */
int dt_api_fields(const struct sim_req *req, unsigned *fields,
    struct sim_resp *resp) ATTR_WUR;
/* A v2 time parameter (UTC ms, ISO-8601, now-<n><unit>), def when absent;
 * -1 with a 400 written. */
int dt_api_time(const struct sim_req *req, const char *name, uint64_t def,
    uint64_t *out, struct sim_resp *resp) ATTR_WUR;

/* v2 handlers (dt_v2.c). */
void dt_v2_list(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp);
void dt_v2_get(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp);
void dt_v2_comments(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp);

#endif
