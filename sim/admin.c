/*
 * The admin API of alexis-sim (prefix /_admin/, no auth, loopback peers
 * only): create alerts (OpsGenie or JSM shape, or many JSM alerts from one
 * template) and problems in their real shapes, read their full state,
 * close a JSM alert, reset, flush pending OpsGenie requests, inject
 * faults, set rate limits, the apply delay and JSM's note answer, read
 * call counters. Also the seed loader.
 */
#include "admin.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "file.h"
#include "jsm_alert.h"
#include "json.h"
#include "log.h"
#include "store_dt.h"
#include "str.h"
#include "xmem.h"

#define P_ALERTS    "/_admin/opsgenie/alerts"
#define P_PROBLEMS  "/_admin/dynatrace/problems"
#define P_JSM       "/_admin/jsm/alerts"

static void
fail(struct sim_resp *resp, int status, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

static void
fail(struct sim_resp *resp, int status, const char *fmt, ...)
{
    cJSON *o = cJSON_CreateObject();
    char msg[HTTP_REASON_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cJSON_AddStringToObject(o, "error", msg);
    cJSON_AddNumberToObject(o, "status", status);
    sim_http_resp_json(resp, status, o);
}

static void
ok(struct sim_resp *resp, int status, cJSON *data)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddItemToObject(o, "data", data);
    sim_http_resp_json(resp, status, o);
}

static int
rc_status(enum store_rc rc)
{
    switch (rc) {
    case STORE_OK:      return 201;
    case STORE_EINVAL:  return 422;
    case STORE_ENOENT:  return 404;
    case STORE_EFULL:   return 507;
    default:            return 409;
    }
}

typedef enum store_rc (*add_fn)(struct store *, const cJSON *, cJSON **,
    char *, size_t);

static enum store_rc
og_add(struct store *st, const cJSON *obj, cJSON **view, char *err,
    size_t errlen)
{
    return store_og_add(st, obj, OG_VIEW_ADMIN, view, err, errlen);
}

/* Add a JSM-shaped alert; *view (view may be NULL) gets the JSM admin
 * view. */
static enum store_rc
jsm_add(struct store *st, const cJSON *obj, cJSON **view, char *err,
    size_t errlen)
{
    enum store_rc rc;
    cJSON *og;

    if (view != NULL)
        *view = NULL;
    if ((og = jsm_alert_admin_in(obj, err, errlen)) == NULL)
        return STORE_EINVAL;
    rc = store_og_add(st, og, OG_VIEW_JSM_ADMIN, view, err, errlen);
    cJSON_Delete(og);
    return rc;
}

/* Create one object or each of an array; stops at the first failure. */
static void
create(struct sim *s, const struct sim_req *req, struct sim_resp *resp,
    add_fn add)
{
    cJSON *body, *out = NULL, *view, *e;
    enum store_rc rc = STORE_OK;
    char err[ALEXIS_ERR_MAX] = "";
    size_t i = 0;
    bool bad;

    body = sim_body_json(req, &bad);
    if (body == NULL) {
        fail(resp, 400, "the body must be a JSON object or array");
        return;
    }
    if (cJSON_IsArray(body)) {
        out = cJSON_CreateArray();
        cJSON_ArrayForEach(e, body) {
            if ((rc = add(s->store, e, &view, err, sizeof(err))) != STORE_OK)
                break;
            cJSON_AddItemToArray(out, view);
            i++;
        }
    } else
        rc = add(s->store, body, &out, err, sizeof(err));
    cJSON_Delete(body);
    if (rc != STORE_OK) {
        cJSON_Delete(out);
        fail(resp, rc_status(rc), "item %zu: %s", i, err);
        return;
    }
    ok(resp, 201, out);
}

/* An alert by id, tinyId or alias in view v, or NULL. */
static cJSON *
find_alert(struct sim *s, const char *key, enum og_view v)
{
    static const enum og_ident kinds[] = {
        OG_IDENT_ID, OG_IDENT_TINY, OG_IDENT_ALIAS,
    };
    cJSON *a = NULL;
    size_t i;

    for (i = 0; i < NELEM(kinds) && a == NULL; i++)
        a = store_og_get(s->store, key, kinds[i], v);
    return a;
}

/* The JSM admin routes; false when the path is not one. */
static bool
route_jsm(struct sim *s, const struct sim_req *req, struct sim_resp *resp)
{
    const char *m = req->method, *p = req->path, *key;
    cJSON *a;

    if (strcmp(p, P_JSM) == 0 && strcmp(m, "POST") == 0)
        create(s, req, resp, jsm_add);
    else if (strcmp(p, P_JSM) == 0 && strcmp(m, "GET") == 0)
        ok(resp, 200, store_og_all(s->store, OG_VIEW_JSM_ADMIN));
    else if (strncmp(p, P_JSM "/", sizeof(P_JSM)) != 0)
        return false;
    else if (strcmp(m, "GET") == 0) {
        key = p + sizeof(P_JSM);
        if ((a = find_alert(s, key, OG_VIEW_JSM_ADMIN)) == NULL)
            fail(resp, 404, "no alert with id, tinyId or alias %s", key);
        else
            ok(resp, 200, a);
    } else
        fail(resp, 404, "no admin route %s %s", m, p);
    return true;
}

static void
get_alert(struct sim *s, const char *key, struct sim_resp *resp)
{
    cJSON *a = find_alert(s, key, OG_VIEW_ADMIN);
    if (a == NULL)
        fail(resp, 404, "no alert with id, tinyId or alias %s", key);
    else
        ok(resp, 200, a);
}

static void
add_faults(struct sim *s, const struct sim_req *req, struct sim_resp *resp)
{
    const cJSON *e;
    cJSON *body;
    char err[ALEXIS_ERR_MAX];
    bool bad;

    body = sim_body_json(req, &bad);
    if (body == NULL || (!cJSON_IsObject(body) && !cJSON_IsArray(body))) {
        cJSON_Delete(body);
        fail(resp, 400, "the body must be a fault object or an array");
        return;
    }
    if (cJSON_IsObject(body)) {
        if (faults_add(s->faults, body, err, sizeof(err)) == -1)
            goto bad;
    } else {
        cJSON_ArrayForEach(e, body) {
            if (faults_add(s->faults, e, err, sizeof(err)) == -1)
                goto bad;
        }
    }
    cJSON_Delete(body);
    ok(resp, 201, faults_list(s->faults));
    return;
bad:
    cJSON_Delete(body);
    fail(resp, 422, "%s", err);
}

/* Exact-path routes of the admin API. */
static bool
route_fixed(struct sim *s, const struct sim_req *req, struct sim_resp *resp)
{
    const char *m = req->method, *p = req->path;

    if (strcmp(p, P_ALERTS) == 0 && strcmp(m, "POST") == 0)
        create(s, req, resp, og_add);
    else if (strcmp(p, P_ALERTS) == 0 && strcmp(m, "GET") == 0)
        ok(resp, 200, store_og_all(s->store, OG_VIEW_ADMIN));
    else if (strcmp(p, P_PROBLEMS) == 0 && strcmp(m, "POST") == 0)
        create(s, req, resp, store_dt_add);
    else if (strcmp(p, P_PROBLEMS) == 0 && strcmp(m, "GET") == 0)
        ok(resp, 200, store_dt_all(s->store));
    else if (strcmp(p, "/_admin/faults") == 0 && strcmp(m, "POST") == 0)
        add_faults(s, req, resp);
    else if (strcmp(p, "/_admin/faults") == 0 && strcmp(m, "GET") == 0)
        ok(resp, 200, faults_list(s->faults));
    else if (strcmp(p, "/_admin/faults") == 0 && strcmp(m, "DELETE") == 0) {
        faults_clear(s->faults);
        ok(resp, 200, faults_list(s->faults));
    } else if (strcmp(p, "/_admin/stats") == 0 && strcmp(m, "GET") == 0)
        sim_http_resp_json(resp, 200, faults_stats(s->faults));
    else if (strcmp(p, "/_admin/stats") == 0 && strcmp(m, "DELETE") == 0) {
        faults_stats_reset(s->faults);
        sim_http_resp_json(resp, 200, faults_stats(s->faults));
    } else if (strcmp(p, "/_admin/webhooks") == 0)
        webhook_out_admin(s->webhooks, req, resp);
    else
        return false;
    return true;
}

/* Routes with a key after the collection path. */
static void
route_keyed(struct sim *s, const struct sim_req *req, struct sim_resp *resp)
{
    const char *p = req->path;
    cJSON *pr;

    if (strcmp(req->method, "GET") != 0)
        fail(resp, 404, "no admin route %s %s", req->method, p);
    else if (strncmp(p, P_ALERTS "/", sizeof(P_ALERTS)) == 0)
        get_alert(s, p + sizeof(P_ALERTS), resp);
    else if (strncmp(p, P_PROBLEMS "/", sizeof(P_PROBLEMS)) != 0)
        fail(resp, 404, "no admin route %s %s", req->method, p);
    else if ((pr = store_dt_admin(s->store, p + sizeof(P_PROBLEMS))) == NULL)
        fail(resp, 404, "no problem %s", p + sizeof(P_PROBLEMS));
    else
        ok(resp, 200, pr);
}

void
admin_handle(struct sim *s, const struct sim_req *req, struct sim_resp *resp)
{
    if (!req->loopback)
        fail(resp, 403, "the admin API answers loopback clients only");
    else if (req->too_big)
        fail(resp, 413, "body over %d bytes", SIM_ADMIN_BODY_MAX);
    else if (!route_jsm(s, req, resp) && !route_fixed(s, req, resp))
        route_keyed(s, req, resp);
    log_event(LOG_DEBUG, "admin_request", KV_STR("method", req->method),
        KV_STR("path", req->path), KV_INT("status", resp->status));
}

static int
seed_list(struct sim *s, const cJSON *doc, const char *key, add_fn add,
    size_t *count, const char *path, char *err, size_t errlen)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, key), *e;
    char why[256];
    cJSON *view;
    size_t i = 0;

    if (arr == NULL)
        return 0;
    if (!cJSON_IsArray(arr)) {
        snprintf(err, errlen, "%s: \"%s\" must be an array", path, key);
        return -1;
    }
    cJSON_ArrayForEach(e, arr) {
        if (add(s->store, e, &view, why, sizeof(why)) != STORE_OK) {
            snprintf(err, errlen, "%s: %s[%zu]: %s", path, key, i, why);
            return -1;
        }
        cJSON_Delete(view);
        i++;
    }
    *count = i;
    return 0;
}

int
admin_seed_load(struct sim *s, const char *path, size_t *nalerts,
    size_t *nproblems, char *err, size_t errlen)
{
    char *text = NULL;
    cJSON *doc = NULL;
    size_t len = 0;
    int rc = -1;

    *nalerts = *nproblems = 0;
    if ((text = file_slurp(path, SIM_SEED_FILE_MAX, &len, err,
        errlen)) == NULL)
        goto out;
    if ((doc = json_parse_located(text, len, path, err, errlen)) == NULL)
        goto out;
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "%s: the seed must be a JSON object", path);
        goto out;
    }
    if (seed_list(s, doc, "opsgenie", og_add, nalerts, path, err,
        errlen) == -1 ||
        seed_list(s, doc, "dynatrace", store_dt_add, nproblems, path, err,
        errlen) == -1)
        goto out;
    rc = 0;
out:
    cJSON_Delete(doc);
    free(text);
    return rc;
}
