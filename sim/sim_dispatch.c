/*
 * Request dispatch of alexis-sim: admin calls go straight to admin.c;
 * simulated API calls pass faults, authentication and rate limits here
 * before their handler runs, and are counted and logged once at the end.
 */
#include "sim_dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "alexis_limits.h"
#include "auth.h"
#include "clock.h"
#include "dynatrace.h"
#include "jsm.h"
#include "log.h"
#include "opsgenie.h"
#include "sim.h"
#include "xmem.h"

/* The API a path belongs to. */
enum sim_api {
    SIM_API_OG,
    SIM_API_DT,
    SIM_API_JSM,
};

/* Sleep in short steps so a stop request is not held up by a fault. */
static void
sim_delay_ms(struct sim *s, unsigned ms)
{
    uint64_t until = clock_mono_ms() + ms;

    while (clock_mono_ms() < until && !atomic_load(&s->stopping))
        clock_sleep_ms(20);
}

/* Index of the key presented, -1 if none; every key is compared. */
static int
key_index(char *const *keys, size_t n, const char *presented)
{
    int found = -1;
    size_t i;

    if (presented == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        if (auth_timingsafe_streq(keys[i], presented) != 0)
            found = (int)i;
    }
    return found;
}

/* The scope a Dynatrace call needs: every v1 problem call DataExport; v2
 * reads problems.read, v2 writes problems.write (API notes, 2.x). */
static const char *
dt_scope_needed(const struct sim_route *rt, const struct sim_req *req)
{
    if (strncmp(rt->endpoint, "dt1.", 4) == 0)
        return "DataExport";
    return strcmp(req->method, "GET") == 0 ? "problems.read" :
        "problems.write";
}

static bool
has_scope(const char *scopes, const char *want)
{
    size_t n = strlen(want);
    const char *p;

    if (scopes == NULL)
        return true;
    for (p = scopes; (p = strstr(p, want)) != NULL; p += n) {
        if ((p == scopes || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return true;
    }
    return false;
}

/* The credential after "scheme " in the Authorization header, else NULL. */
static const char *
after_scheme(const char *h, const char *scheme)
{
    size_t n = strlen(scheme);

    if (h == NULL || strncasecmp(h, scheme, n) != 0 || h[n] != ' ')
        return NULL;
    h += n;
    while (*h == ' ')
        h++;
    return h;
}

/* 0 when allowed; else the 401 (or Dynatrace's or JSM's 403, JSM's 404
 * for an unknown cloudId) is written. */
static int
authenticate(struct sim *s, const struct sim_route *rt, enum sim_api api,
    const struct sim_req *req, struct sim_args *a, struct sim_resp *resp)
{
    const char *h = sim_http_req_header(req, "Authorization"), *cred, *need;
    int k;

    if (api == SIM_API_JSM)
        return jsm_authorize(s, req, a, resp);
    if (api == SIM_API_OG) {
        if (key_index(s->genie_keys, s->ngenie_keys, after_scheme(h,
            "GenieKey")) != -1)
            return 0;
        sim_og_error(resp, a, 401, NULL, "Could not authenticate");
        return -1;
    }
    cred = after_scheme(h, "Api-Token");
    if (cred == NULL && h == NULL)
        cred = sim_http_req_query(req, "api-token");
    if (cred == NULL && h == NULL) {
        sim_dt_error(resp, 401, NULL, false,
            "Missing authorization parameter.");
        return -1;
    }
    if ((k = key_index(s->dt_tokens, s->ndt_tokens, cred)) == -1) {
        sim_dt_error(resp, 401, NULL, false, "Token Authentication failed");
        return -1;
    }
    need = dt_scope_needed(rt, req);
    if (has_scope(s->dt_scopes[k], need))
        return 0;
    sim_dt_error(resp, 403, NULL, false, "Token is missing required scope. "
        "Use one of: %s", need);
    return -1;
}

static void
rate_headers(struct sim_resp *resp, enum sim_api api,
    const struct rate_info *ri, unsigned retry_after_s)
{
    if (api == SIM_API_JSM) {
        /* Atlassian publishes no limits; Retry-After only when the fault
         * asks for one (retryAfterSec 0: none). */
        if (retry_after_s > 0)
            sim_http_resp_header(resp, "Retry-After", "%u", retry_after_s);
        return;
    }
    if (api == SIM_API_OG) {
        sim_http_resp_header(resp, "X-RateLimit-State", "THROTTLED");
        sim_http_resp_header(resp, "X-RateLimit-Reason", "ACCOUNT");
        sim_http_resp_header(resp, "X-RateLimit-Period-In-Sec", "60");
        return;
    }
    sim_http_resp_header(resp, "X-RateLimit-Limit", "%.0f",
        ri != NULL ? ri->per_minute : 50.0);
    sim_http_resp_header(resp, "X-RateLimit-Remaining", "%.0f",
        ri != NULL ? ri->remaining : 0.0);
    sim_http_resp_header(resp, "X-RateLimit-Reset", "%llu",
        (unsigned long long)(ri != NULL ? ri->reset_us :
        (clock_wall_ms() + retry_after_s * 1000ULL) * 1000ULL));
    sim_http_resp_header(resp, "Retry-After", "%u", retry_after_s);
}

static void
throttled(struct sim_resp *resp, enum sim_api api, const struct sim_args *a,
    const struct rate_info *ri, unsigned retry_after_s)
{
    if (api == SIM_API_OG)
        sim_og_error(resp, a, 429, NULL, "TooManyRequests");
    else if (api == SIM_API_JSM)
        sim_jsm_error(resp, 429, "TOO_MANY_REQUESTS", "Too many requests");
    else
        sim_dt_error(resp, 429, NULL, false, "Too Many Requests");
    rate_headers(resp, api, ri, retry_after_s);
}

/* An error status in the API's own envelope. */
static void
api_error(struct sim_resp *resp, enum sim_api api, const struct sim_args *a,
    int status, const char *code, const char *msg)
{
    if (api == SIM_API_OG)
        sim_og_error(resp, a, status, NULL, "%s", msg);
    else if (api == SIM_API_JSM)
        sim_jsm_error(resp, status, code, "%s", msg);
    else
        sim_dt_error(resp, status, NULL, false, "%s", msg);
}

/* Faults, auth and rate limit; true when the handler should run. */
static bool
admit(struct sim *s, const struct sim_route *rt, enum sim_api api,
    const struct sim_req *req, struct sim_args *a, struct sim_resp *resp,
    const char **fault)
{
    struct rate_info ri;
    struct fault_hit hit;

    faults_take(s->faults, rt->endpoint, &hit);
    if (hit.latency_ms > 0)
        sim_delay_ms(s, hit.latency_ms);
    switch (hit.kind) {
    case FAULT_DROP:
        *fault = "close";
        resp->drop = true;
        return false;
    case FAULT_RATE:
        *fault = "429";
        throttled(resp, api, a, NULL, hit.retry_after_s);
        return false;
    case FAULT_STATUS:
        *fault = "error";
        api_error(resp, api, a, hit.status, "INTERNAL_SERVER_ERROR",
            "Internal Server Error");
        return false;
    default:
        break;
    }
    if (hit.latency_ms > 0)
        *fault = "latency";
    if (authenticate(s, rt, api, req, a, resp) == -1)
        return false;
    faults_rate_take(s->faults, rt->domain, &ri);
    if (ri.refused) {
        *fault = "rate_limit";
        throttled(resp, api, a, &ri, ri.retry_after_s);
        return false;
    }
    if (ri.limited && api == SIM_API_DT) {
        sim_http_resp_header(resp, "X-RateLimit-Limit", "%.0f", ri.per_minute);
        sim_http_resp_header(resp, "X-RateLimit-Remaining", "%.0f",
            ri.remaining);
        sim_http_resp_header(resp, "X-RateLimit-Reset", "%llu",
            (unsigned long long)ri.reset_us);
    }
    return true;
}

static void
not_found(struct sim_resp *resp, enum sim_api api, bool known,
    const struct sim_args *a)
{
    if (known)
        api_error(resp, api, a, 405, "METHOD_NOT_ALLOWED",
            "Method not allowed");
    else
        api_error(resp, api, a, 404, "NOT_FOUND", api == SIM_API_OG ?
            "Could not find the requested resource" : "Not found");
}

void
sim_dispatch(void *ctx, const struct sim_req *req, struct sim_resp *resp)
{
    struct sim *s = ctx;
    const struct sim_route *rt = NULL;
    const char *fault = "none";
    struct sim_args a;
    enum sim_api api;
    bool known = false;

    if (strncmp(req->path, "/_admin/", 8) == 0) {
        admin_handle(s, req, resp);
        return;
    }
    memset(&a, 0, sizeof(a));
    a.start_us = clock_mono_us();
    simutil_uuid(a.rid);
    if (strncmp(req->path, "/v2/", 4) == 0) {
        api = SIM_API_OG;
        rt = opsgenie_route(req, &a, &known);
    } else if (strncmp(req->path, JSM_PREFIX, strlen(JSM_PREFIX)) == 0) {
        api = SIM_API_JSM;
        rt = jsm_route(req, &a, &known);
    } else {
        api = SIM_API_DT;
        rt = dynatrace_route(req, &a, &known);
    }
    if (rt == NULL)
        not_found(resp, api, known, &a);
    else if (req->too_big && api == SIM_API_DT)
        sim_dt_error(resp, 413, NULL, false, "Payload over %d bytes",
            SIM_BODY_MAX);
    else if (req->too_big)
        api_error(resp, api, &a, 413, "PAYLOAD_TOO_LARGE",
            "Request entity too large");
    else if (admit(s, rt, api, req, &a, resp, &fault))
        rt->fn(s, req, &a, resp);
    if (api == SIM_API_OG && !resp->drop)
        sim_http_resp_header(resp, "X-Request-ID", "%s", a.rid);
    faults_count(s->faults, rt != NULL ? rt->endpoint : "unknown",
        resp->status, resp->drop);
    log_event(LOG_INFO, "request_finished", KV_STR("method", req->method),
        KV_STR("path", req->path),
        KV_STR("endpoint", rt != NULL ? rt->endpoint : "unknown"),
        KV_INT("status", resp->drop ? 0 : resp->status),
        KV_STR("fault", fault),
        KV_UINT("app_elapsed_ms", (clock_mono_us() - a.start_us) / 1000));
}
