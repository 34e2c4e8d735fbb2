/*
 * What the two halves of the simulated Dynatrace API share (see
 * dt_api.h): the error answers, the JSON body and its fields, the outcome
 * of a store call, and the fields= and time query parameters.
 */
#include "dt_api.h"

#include <stdbool.h>
#include <string.h>

#include "clock.h"
#include "dt_problem.h"
#include "json.h"

void
dt_api_not_found(struct sim_resp *resp, const char *what, const char *id)
{
    sim_dt_error(resp, 404, NULL, false, "%s %s not found", what, id);
}

/* The JSON object body, or NULL with a 400 written. */
cJSON *
dt_api_body(const struct sim_req *req, struct sim_resp *resp)
{
    cJSON *body;
    bool bad;

    body = sim_body_json(req, &bad);
    if (body == NULL || !cJSON_IsObject(body)) {
        cJSON_Delete(body);
        sim_dt_error(resp, 400, NULL, false, "Could not map JSON at '' "
            "near line 1 column 1");
        return NULL;
    }
    return body;
}

/* A required, bounded string field of body; NULL with a 400 written. */
const char *
dt_api_body_str(const cJSON *body, const char *key, struct sim_resp *resp)
{
    const char *v = json_str(body, key);

    if (v == NULL || v[0] == '\0' || strlen(v) > SIM_DT_COMMENT_MAX) {
        sim_dt_error(resp, 400, key, true, "must not be empty (at most %d "
            "characters)", SIM_DT_COMMENT_MAX);
        return NULL;
    }
    return v;
}

void
dt_api_answer(struct sim_resp *resp, enum store_rc rc, const struct sim_args *a,
    int ok_status, cJSON *out)
{
    switch (rc) {
    case STORE_OK:
        sim_http_resp_json(resp, ok_status, out);
        return;
    case STORE_ENOENT:
        cJSON_Delete(out);
        dt_api_not_found(resp, "Problem", a->ident);
        return;
    default:
        cJSON_Delete(out);
        sim_dt_error(resp, 507, NULL, false, "The simulator's comment "
            "limit is reached");
        return;
    }
}

int
dt_api_fields(const struct sim_req *req, unsigned *fields,
    struct sim_resp *resp)
{
    const char *v = sim_http_req_query(req, "fields"), *p, *comma;
    size_t len;

    *fields = 0;
    for (p = v; p != NULL && *p != '\0'; p = comma == NULL ? NULL :
        comma + 1) {
        comma = strchr(p, ',');
        len = comma == NULL ? strlen(p) : (size_t)(comma - p);
        if (*p == '+' || *p == ' ') {
            p++;
            len--;
        }
        if (len == 15 && strncmp(p, "evidenceDetails", len) == 0)
            *fields |= DT_FIELD_EVIDENCE;
        else if (len == 14 && strncmp(p, "impactAnalysis", len) == 0)
            *fields |= DT_FIELD_IMPACT;
        else if (len == 14 && strncmp(p, "recentComments", len) == 0)
            *fields |= DT_FIELD_COMMENTS;
        else if (len != 0) {
            sim_dt_error(resp, 400, "fields", false, "unknown field %.*s",
                (int)len, p);
            return -1;
        }
    }
    return 0;
}

/* v2 time: UTC ms, ISO-8601 or now-<n><unit>. */
int
dt_api_time(const struct sim_req *req, const char *name, uint64_t def,
    uint64_t *out, struct sim_resp *resp)
{
    const char *v = sim_http_req_query(req, name);
    cJSON *item;
    int rc;

    *out = def;
    if (v == NULL)
        return 0;
    item = cJSON_CreateString(v);
    rc = simutil_parse_time(item, clock_wall_ms(), out);
    cJSON_Delete(item);
    if (rc == -1)
        sim_dt_error(resp, 400, name, false, "must be UTC milliseconds, "
            "ISO-8601 or now-<n><unit>");
    return rc;
}
