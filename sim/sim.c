/*
 * The alexis-sim context and the answers every handler shares (each
 * API's error envelope, the OpsGenie reply, the JSON body). Routing is
 * sim_dispatch.c's.
 */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
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
    sim_http_resp_json(resp, status, obj);
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
    sim_http_resp_json(resp, status, o);
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
    sim_http_resp_json(resp, status, o);
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
