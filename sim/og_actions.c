/*
 * Validation and queueing of the asynchronous OpsGenie alert actions. The
 * effect is applied by the store after the configured delay; the caller
 * learns the outcome from GET /v2/alerts/requests/{requestId}.
 */
#include "og_actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "json.h"
#include "og_parse.h"
#include "sim_limits.h"
#include "str.h"
#include "xmem.h"

/* Field errors become 422 {"message", "errors": {field: reason}}. */
struct verr {
    const char *field;
    char        msg[ALEXIS_ERR_MAX];
};

static enum og_action_kind
action_kind(const struct sim_req *req)
{
    static const struct {
        const char          *suffix;
        const char          *method;
        enum og_action_kind  kind;
    } kinds[] = {
        { "/notes",         "POST",   OG_ACT_NOTE },
        { "/teams",         "POST",   OG_ACT_TEAM },
    };
    size_t i;

    for (i = 0; i < NELEM(kinds); i++) {
        if (str_has_suffix(req->path, kinds[i].suffix) &&
            strcmp(req->method, kinds[i].method) == 0)
            return kinds[i].kind;
    }
    return OG_ACT_CLOSE;    /* the only other route here */
}

/* Copy an optional bounded string from body. */
static int
opt_str(const cJSON *body, const char *key, size_t max, char **dst,
    struct verr *ve)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(body, key);
    const char *v = NULL;

    if (it != NULL && !cJSON_IsNull(it)) {
        if (!cJSON_IsString(it)) {
            ve->field = key;
            snprintf(ve->msg, sizeof(ve->msg), "%s must be a string", key);
            return -1;
        }
        v = it->valuestring;
    }
    if (v == NULL)
        return 0;
    if (strlen(v) > max) {
        ve->field = key;
        snprintf(ve->msg, sizeof(ve->msg), "%s can not be longer than %zu "
            "characters", key, max);
        return -1;
    }
    *dst = xstrdup(v);
    return 0;
}

static int
fail(struct verr *ve, const char *field, const char *msg)
{
    ve->field = field;
    snprintf(ve->msg, sizeof(ve->msg), "%s", msg);
    return -1;
}

static int
team_fields(const cJSON *t, struct og_action *act, struct verr *ve,
    const char *field)
{
    const char *id = json_str(t, "id"), *name = json_str(t, "name");

    if (!cJSON_IsObject(t) || (id == NULL && name == NULL))
        return fail(ve, field, "team id or name must be given");
    if ((id != NULL && strlen(id) > 64) ||
        (name != NULL && strlen(name) > SIM_OG_USER_MAX))
        return fail(ve, field, "team id or name is too long");
    act->team_id = xstrdup(id == NULL ? "" : id);
    act->team_name = xstrdup(name == NULL ? "" : name);
    return 0;
}

static int
tags_field(const cJSON *body, struct og_action *act, struct verr *ve)
{
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "tags"), *e;

    if (!cJSON_IsArray(tags) || cJSON_GetArraySize(tags) == 0 ||
        cJSON_GetArraySize(tags) > SIM_TAGS_MAX)
        return fail(ve, "tags", "tags must be a non-empty list of at most "
            "20");
    cJSON_ArrayForEach(e, tags) {
        if (!cJSON_IsString(e) || e->valuestring[0] == '\0' ||
            strlen(e->valuestring) > SIM_TAG_LEN_MAX)
            return fail(ve, "tags", "tags must be strings of 1..50 "
                "characters");
        og_alert_strv_push(&act->list, e->valuestring);
    }
    return 0;
}

int
og_actions_tags(const cJSON *body, struct og_action *act, char *err,
    size_t errlen)
{
    struct verr ve = { NULL, "" };

    if (tags_field(body, act, &ve) == -1) {
        snprintf(err, errlen, "%s", ve.msg);
        return -1;
    }
    return 0;
}

static int
kind_fields(const cJSON *body, struct og_action *act, struct verr *ve)
{
    switch (act->kind) {
    case OG_ACT_NOTE:
        if (act->note == NULL || act->note[0] == '\0')
            return fail(ve, "note", "note can not be empty");
        return 0;
    case OG_ACT_TEAM:
        return team_fields(cJSON_GetObjectItemCaseSensitive(body, "team"),
            act, ve, "team");
    default:
        return 0;
    }
}

static struct og_action *
build(const cJSON *body, const struct sim_req *req, const struct sim_args *a,
    struct verr *ve)
{
    struct og_action *act = xcalloc(1, sizeof(*act));
    const char *t = sim_http_req_query(req, "identifierType");

    act->kind = action_kind(req);
    memcpy(act->request_id, a->rid, sizeof(act->request_id));
    act->ident = xstrdup(a->ident);
    if (t == NULL || strcmp(t, "id") == 0)
        act->itype = OG_IDENT_ID;
    else if (strcmp(t, "tiny") == 0)
        act->itype = OG_IDENT_TINY;
    else if (strcmp(t, "alias") == 0)
        act->itype = OG_IDENT_ALIAS;
    else {
        fail(ve, "identifierType", "must be id, tiny or alias");
        goto bad;
    }
    if (opt_str(body, "user", SIM_OG_USER_MAX, &act->user, ve) == -1 ||
        opt_str(body, "source", SIM_OG_SOURCE_MAX, &act->source, ve) == -1 ||
        opt_str(body, "note", SIM_OG_NOTE_MAX, &act->note, ve) == -1 ||
        kind_fields(body, act, ve) == -1)
        goto bad;
    return act;
bad:
    og_alert_action_free(act);
    return NULL;
}

enum store_rc
og_actions_submit(struct sim *s, struct og_action *act,
    const struct sim_args *a, struct sim_resp *resp)
{
    enum store_rc rc;
    cJSON *o;

    if ((rc = store_og_submit(s->store, act)) == STORE_OK) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "result", "Request will be processed");
        sim_og_reply(resp, a, 202, o);
    }
    return rc;
}

void
og_actions_handle(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    struct og_action *act = NULL;
    struct verr ve = { NULL, "" };
    cJSON *body;
    bool bad;

    body = sim_body_json(req, &bad);
    if (bad || (body != NULL && !cJSON_IsObject(body))) {
        sim_og_error(resp, a, 400, NULL, "Could not parse the request body "
            "as a JSON object");
        goto out;
    }
    if ((act = build(body, req, a, &ve)) == NULL) {
        sim_og_error(resp, a, 422, ve.field, "%s", ve.msg);
        goto out;
    }
    switch (og_actions_submit(s, act, a, resp)) {
    case STORE_OK:
        break;
    case STORE_EBUSY:
        sim_og_error(resp, a, 429, NULL, "TooManyRequests");
        sim_http_resp_header(resp, "X-RateLimit-State", "THROTTLED");
        sim_http_resp_header(resp, "X-RateLimit-Reason", "ACCOUNT");
        sim_http_resp_header(resp, "X-RateLimit-Period-In-Sec", "60");
        break;
    default:
        sim_og_error(resp, a, 507, NULL, "The simulator's alert limit is "
            "reached");
        break;
    }
    act = NULL;
out:
    og_alert_action_free(act);
    cJSON_Delete(body);
}
