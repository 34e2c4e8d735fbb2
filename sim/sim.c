/*
 * Request dispatch of alexis-sim: admin calls go straight to admin.c;
 * simulated API calls pass faults, authentication and rate limits here
 * before their handler runs, and are counted and logged once at the end.
 */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "admin.h"
#include "alexis_limits.h"
#include "auth.h"
#include "clock.h"
#include "dynatrace.h"
#include "jsm.h"
#include "log.h"
#include "opsgenie.h"
#include "xmem.h"

static void
copy_keys(char **dst, size_t *n, const char *const *src, size_t nsrc)
{
    size_t i;

    for (i = 0; i < nsrc && i < SIM_KEYS_MAX; i++)
        dst[i] = xstrdup(src[i]);
    *n = i;
}

/* "TOKEN:scope,scope" gives a token only those scopes (Dynatrace tokens
 * hold no ':'); a bare token has them all. */
static void
split_scopes(struct sim *s)
{
    char *colon;
    size_t i;

    for (i = 0; i < s->ndt_tokens; i++) {
        if ((colon = strchr(s->dt_tokens[i], ':')) == NULL)
            continue;
        *colon = '\0';
        s->dt_scopes[i] = xstrdup(colon + 1);
    }
}

/* The API a path belongs to. */
enum sim_api {
    SIM_API_OG,
    SIM_API_DT,
    SIM_API_JSM,
};

struct sim *
sim_new(const struct sim_opts *opts, char *err, size_t errlen)
{
    struct sim *s = xcalloc(1, sizeof(*s));
    struct store_opts so = opts->store;
    size_t i;

    for (i = 0; i < opts->njsm_users && i < SIM_KEYS_MAX; i++) {
        if (jsm_auth_cred_parse(opts->jsm_users[i], &s->jsm_creds[i], err,
            errlen) == -1) {
            sim_free(s);
            return NULL;
        }
        s->njsm_creds = i + 1;
    }
    if ((s->webhooks = webhook_out_new(err, errlen)) == NULL) {
        sim_free(s);
        return NULL;
    }
    so.on_og_create = webhook_out_og_created;
    so.on_dt_create = webhook_out_dt_created;
    so.hook_ctx = s->webhooks;
    if ((s->store = store_new(&so, err, errlen)) == NULL) {
        sim_free(s);
        return NULL;
    }
    s->faults = faults_new();
    copy_keys(s->genie_keys, &s->ngenie_keys, opts->genie_keys,
        opts->ngenie_keys);
    copy_keys(s->dt_tokens, &s->ndt_tokens, opts->dt_tokens,
        opts->ndt_tokens);
    split_scopes(s);
    s->seed_path = simutil_dup(opts->seed_path, NULL);
    s->dt_author = simutil_dup(opts->dt_author, "alexis-sim API token");
    s->jsm_cloud_id = simutil_dup(opts->jsm_cloud_id, "");
    atomic_init(&s->jsm_note_status, opts->jsm_notes_202 ? 202 : 200);
    atomic_init(&s->stopping, false);
    return s;
}

static void
wipe_keys(char **keys, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        explicit_bzero(keys[i], strlen(keys[i]));
        free(keys[i]);
    }
}

void
sim_free(struct sim *s)
{
    size_t i;

    if (s == NULL)
        return;
    store_free(s->store);
    webhook_out_free(s->webhooks);
    faults_free(s->faults);
    wipe_keys(s->genie_keys, s->ngenie_keys);
    wipe_keys(s->dt_tokens, s->ndt_tokens);
    for (i = 0; i < s->ndt_tokens; i++)
        free(s->dt_scopes[i]);
    for (i = 0; i < s->njsm_creds; i++)
        jsm_auth_cred_free(&s->jsm_creds[i]);
    free(s->jsm_cloud_id);
    free(s->seed_path);
    free(s->dt_author);
    free(s);
}

void
sim_og_reply(struct sim_resp *resp, const struct sim_args *a, int status,
    cJSON *obj)
{
    simutil_og_envelope(obj, a->rid, a->start_us);
    sim_resp_json(resp, status, obj);
}

void
sim_og_error(struct sim_resp *resp, const struct sim_args *a, int status,
    const char *field, const char *fmt, ...)
{
    cJSON *o = cJSON_CreateObject();
    char msg[HTTP_REASON_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (field != NULL) {
        cJSON_AddStringToObject(o, "message", "Request body is not "
            "processable. Please check the errors.");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "errors"), field,
            msg);
    } else
        cJSON_AddStringToObject(o, "message", msg);
    sim_og_reply(resp, a, status, o);
}

void
sim_jsm_error(struct sim_resp *resp, int status, const char *code,
    const char *fmt, ...)
{
    cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();
    char msg[HTTP_REASON_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cJSON_AddStringToObject(e, "title", msg);
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "errors"), e);
    sim_resp_json(resp, status, o);
}

void
sim_dt_error(struct sim_resp *resp, int status, const char *param,
    bool in_body, const char *fmt, ...)
{
    cJSON *o = cJSON_CreateObject(), *e, *cv;
    char msg[HTTP_REASON_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddNumberToObject(e, "code", status);
    cJSON_AddStringToObject(e, "message", param != NULL ?
        "Constraints violated." : msg);
    if (param != NULL) {
        cv = cJSON_CreateObject();
        cJSON_AddStringToObject(cv, "path", param);
        cJSON_AddStringToObject(cv, "message", msg);
        cJSON_AddStringToObject(cv, "parameterLocation",
            in_body ? "PAYLOAD_BODY" : "QUERY");
        cJSON_AddNullToObject(cv, "location");
        cJSON_AddItemToArray(cJSON_AddArrayToObject(e,
            "constraintViolations"), cv);
    }
    sim_resp_json(resp, status, o);
}

cJSON *
sim_body_json(const struct sim_req *req, bool *bad)
{
    const char *p = req->body;
    cJSON *doc;

    *bad = false;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (*p == '\0')
        return NULL;
    if ((doc = cJSON_ParseWithLength(req->body, req->body_len)) == NULL) {
        *bad = true;
        return NULL;
    }
    return doc;
}

/* Sleep in short steps so a stop request is not held up by a fault. */
static void
sim_delay_ms(struct sim *s, unsigned ms)
{
    struct timespec ts = { 0, 20 * 1000000L };
    uint64_t until = clock_mono_ms() + ms;

    while (clock_mono_ms() < until && !atomic_load(&s->stopping))
        nanosleep(&ts, NULL);
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
    const char *h = sim_req_header(req, "Authorization"), *cred, *need;
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
        cred = sim_req_query(req, "api-token");
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
            sim_resp_header(resp, "Retry-After", "%u", retry_after_s);
        return;
    }
    if (api == SIM_API_OG) {
        sim_resp_header(resp, "X-RateLimit-State", "THROTTLED");
        sim_resp_header(resp, "X-RateLimit-Reason", "ACCOUNT");
        sim_resp_header(resp, "X-RateLimit-Period-In-Sec", "60");
        return;
    }
    sim_resp_header(resp, "X-RateLimit-Limit", "%.0f",
        ri != NULL ? ri->per_minute : 50.0);
    sim_resp_header(resp, "X-RateLimit-Remaining", "%.0f",
        ri != NULL ? ri->remaining : 0.0);
    sim_resp_header(resp, "X-RateLimit-Reset", "%llu",
        (unsigned long long)(ri != NULL ? ri->reset_us :
        (clock_wall_ms() + retry_after_s * 1000ULL) * 1000ULL));
    sim_resp_header(resp, "Retry-After", "%u", retry_after_s);
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
        sim_resp_header(resp, "X-RateLimit-Limit", "%.0f", ri.per_minute);
        sim_resp_header(resp, "X-RateLimit-Remaining", "%.0f", ri.remaining);
        sim_resp_header(resp, "X-RateLimit-Reset", "%llu",
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
        sim_resp_header(resp, "X-Request-ID", "%s", a.rid);
    faults_count(s->faults, rt != NULL ? rt->endpoint : "unknown",
        resp->status, resp->drop);
    log_event(LOG_INFO, "request_finished", KV_STR("method", req->method),
        KV_STR("path", req->path),
        KV_STR("endpoint", rt != NULL ? rt->endpoint : "unknown"),
        KV_INT("status", resp->drop ? 0 : resp->status),
        KV_STR("fault", fault),
        KV_UINT("app_elapsed_ms", (clock_mono_us() - a.start_us) / 1000));
}
