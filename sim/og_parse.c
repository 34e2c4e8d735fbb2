/*
 * Building a simulated OpsGenie alert from JSON in the real shape (admin
 * API, seed file, POST /v2/alerts): each known key is detached from a copy
 * of the input, type- and limit-checked, and missing ones get realistic
 * defaults; whatever is left is kept as JSON text for the GET answer.
 */
#include "og_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sim_limits.h"
#include "str.h"
#include "xmem.h"

/* Detach key from rest and copy its string value into *dst (default def
 * when absent). -1 with err on a non-string or over-long value. */
static int
take_str(cJSON *rest, const char *key, char **dst, size_t max,
    const char *def, char *err, size_t errlen)
{
    cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(rest, key);
    int rc = -1;

    if (it == NULL || cJSON_IsNull(it)) {
        if (*dst == NULL)
            *dst = simutil_dup(def, NULL);
        rc = 0;
    } else if (cJSON_IsString(it) && strlen(it->valuestring) <= max) {
        free(*dst);
        *dst = xstrdup(it->valuestring);
        rc = 0;
    } else if (cJSON_IsString(it))
        snprintf(err, errlen, "\"%s\" is longer than %zu characters", key,
            max);
    else
        snprintf(err, errlen, "\"%s\" must be a string", key);
    cJSON_Delete(it);
    return rc;
}

static int
take_time(cJSON *rest, const char *key, uint64_t *dst, uint64_t def,
    uint64_t now, char *err, size_t errlen)
{
    cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(rest, key);
    int rc = 0;

    *dst = def;
    if (it != NULL && simutil_parse_time(it, now, dst) == -1) {
        snprintf(err, errlen, "\"%s\" must be epoch ms, ISO-8601 or "
            "now-<n><s|m|h|d>", key);
        rc = -1;
    }
    cJSON_Delete(it);
    return rc;
}

static int
take_bool(cJSON *rest, const char *key, bool *dst, char *err, size_t errlen)
{
    cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(rest, key);
    int rc = 0;

    if (it != NULL) {
        if (cJSON_IsBool(it))
            *dst = cJSON_IsTrue(it);
        else {
            snprintf(err, errlen, "\"%s\" must be a boolean", key);
            rc = -1;
        }
    }
    cJSON_Delete(it);
    return rc;
}

static int
take_strv(cJSON *rest, const char *key, struct sim_strv *sv, size_t maxn,
    size_t maxlen, char *err, size_t errlen)
{
    cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(rest, key);
    const cJSON *e;
    int rc = -1;

    if (it == NULL) {
        rc = 0;
        goto out;
    }
    if (!cJSON_IsArray(it) || (size_t)cJSON_GetArraySize(it) > maxn) {
        snprintf(err, errlen, "\"%s\" must be an array of at most %zu "
            "strings", key, maxn);
        goto out;
    }
    cJSON_ArrayForEach(e, it) {
        if (!cJSON_IsString(e) || strlen(e->valuestring) > maxlen) {
            snprintf(err, errlen, "\"%s\" entries must be strings of at "
                "most %zu characters", key, maxlen);
            goto out;
        }
        if (og_alert_strv_find(sv, e->valuestring) < 0)
            og_alert_strv_push(sv, e->valuestring);
    }
    rc = 0;
out:
    cJSON_Delete(it);
    return rc;
}

/* teams[] ({id?, name?}) and responders[] of type team. */
static int
take_teams(cJSON *rest, const char *key, struct og_alert *a, char *err,
    size_t errlen)
{
    cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(rest, key);
    const cJSON *e;
    const char *id, *name, *type;
    int rc = -1;

    if (it == NULL) {
        rc = 0;
        goto out;
    }
    if (!cJSON_IsArray(it)) {
        snprintf(err, errlen, "\"%s\" must be an array", key);
        goto out;
    }
    cJSON_ArrayForEach(e, it) {
        id = json_str(e, "id");
        name = json_str(e, "name");
        type = json_str(e, "type");
        if (type != NULL && strcmp(type, "team") != 0)
            continue;
        if (id == NULL && name == NULL) {
            snprintf(err, errlen, "\"%s\" entries need an id or a name",
                key);
            goto out;
        }
        if ((id != NULL && og_alert_strv_find(&a->team_ids, id) >= 0) ||
            (name != NULL && og_alert_strv_find(&a->team_names, name) >= 0))
            continue;
        if (a->team_ids.n >= SIM_ALERT_TEAMS_MAX) {
            snprintf(err, errlen, "more than %d teams", SIM_ALERT_TEAMS_MAX);
            goto out;
        }
        og_alert_strv_push(&a->team_ids, id == NULL ? "" : id);
        og_alert_strv_push(&a->team_names, name == NULL ? "" : name);
    }
    rc = 0;
out:
    cJSON_Delete(it);
    return rc;
}

static int
take_details(cJSON *rest, struct og_alert *a, char *err, size_t errlen)
{
    cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(rest, "details");
    const cJSON *e;
    char *v;
    int rc = -1;

    if (it == NULL) {
        rc = 0;
        goto out;
    }
    if (!cJSON_IsObject(it) ||
        cJSON_GetArraySize(it) > SIM_DETAILS_MAX) {
        snprintf(err, errlen, "\"details\" must be an object of at most %d "
            "keys", SIM_DETAILS_MAX);
        goto out;
    }
    cJSON_ArrayForEach(e, it) {
        v = cJSON_IsString(e) ? xstrdup(e->valuestring) : json_print(e);
        og_alert_strv_push(&a->detail_keys, e->string);
        og_alert_strv_push(&a->detail_values, v);
        free(v);
    }
    rc = 0;
out:
    cJSON_Delete(it);
    return rc;
}

static int
take_integration_report(cJSON *rest, struct og_alert *a, char *err,
    size_t errlen)
{
    cJSON *in = cJSON_DetachItemFromObjectCaseSensitive(rest, "integration");
    cJSON *rep = cJSON_DetachItemFromObjectCaseSensitive(rest, "report");
    const cJSON *n;
    char uuid[SIMUTIL_UUID_LEN];
    int rc = -1;

    if ((in != NULL && !cJSON_IsObject(in)) ||
        (rep != NULL && !cJSON_IsObject(rep))) {
        snprintf(err, errlen, "\"integration\" and \"report\" must be "
            "objects");
        goto out;
    }
    simutil_uuid(uuid);
    a->integ_id = simutil_dup(json_str(in, "id"), uuid);
    a->integ_name = simutil_dup(json_str(in, "name"), "API");
    a->integ_type = simutil_dup(json_str(in, "type"), "API");
    a->ack_by = simutil_dup(json_str(rep, "acknowledgedBy"), NULL);
    a->closed_by = simutil_dup(json_str(rep, "closedBy"), NULL);
    if (cJSON_IsNumber(n = cJSON_GetObjectItem(rep, "ackTime")) &&
        n->valuedouble >= 0)
        a->ack_time = (uint64_t)n->valuedouble;
    if (cJSON_IsNumber(n = cJSON_GetObjectItem(rep, "closeTime")) &&
        n->valuedouble >= 0)
        a->close_time = (uint64_t)n->valuedouble;
    rc = 0;
out:
    cJSON_Delete(in);
    cJSON_Delete(rep);
    return rc;
}

static int
take_notes(cJSON *rest, struct og_alert *a, uint64_t now, size_t notes_max,
    char *err, size_t errlen)
{
    cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(rest, "notes");
    const cJSON *e;
    const char *text;
    uint64_t t;
    int rc = -1;

    if (it == NULL) {
        rc = 0;
        goto out;
    }
    if (!cJSON_IsArray(it)) {
        snprintf(err, errlen, "\"notes\" must be an array");
        goto out;
    }
    cJSON_ArrayForEach(e, it) {
        if ((text = json_str(e, "note")) == NULL) {
            snprintf(err, errlen, "\"notes\" entries need a \"note\"");
            goto out;
        }
        if (simutil_parse_time(cJSON_GetObjectItem(e, "createdAt"), now,
            &t) == -1)
            t = now;
        if (og_alert_add_note(a, text, json_str(e, "owner"), t,
            notes_max) == -1) {
            snprintf(err, errlen, "more than %zu notes", notes_max);
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(it);
    return rc;
}

static int
check_values(struct og_alert *a, const char *tiny, char *err,
    size_t errlen)
{
    const char *errstr;

    if (strcmp(a->status, "open") != 0 && strcmp(a->status, "closed") != 0) {
        snprintf(err, errlen, "\"status\" must be open or closed");
        return -1;
    }
    if (strlen(a->priority) != 2 || a->priority[0] != 'P' ||
        a->priority[1] < '1' || a->priority[1] > '5') {
        snprintf(err, errlen, "\"priority\" must be one of P1..P5");
        return -1;
    }
    if (tiny != NULL && str_to_u64(tiny, 1, 999999999,
        &a->tiny_num, &errstr) == -1) {
        snprintf(err, errlen, "\"tinyId\" must be a positive number");
        return -1;
    }
    return 0;
}

static int
take_scalars(cJSON *rest, struct og_alert *a, uint64_t now, char *err,
    size_t errlen)
{
    const cJSON *it;
    char idbuf[SIMUTIL_UUID_LEN + 24], uuid[SIMUTIL_UUID_LEN];

    if (take_time(rest, "createdAt", &a->created_ms, now, now, err,
        errlen) == -1 ||
        take_time(rest, "updatedAt", &a->updated_ms, a->created_ms, now,
        err, errlen) == -1 ||
        take_time(rest, "lastOccurredAt", &a->last_ms, a->created_ms, now,
        err, errlen) == -1 ||
        take_time(rest, "snoozedUntil", &a->snoozed_until_ms, 0, now, err,
        errlen) == -1)
        return -1;
    simutil_uuid(uuid);
    snprintf(idbuf, sizeof(idbuf), "%s-%llu", uuid,
        (unsigned long long)a->created_ms);
    it = cJSON_GetObjectItemCaseSensitive(rest, "id");
    a->id_generated = it == NULL || cJSON_IsNull(it);
    if (take_str(rest, "id", &a->id, SIM_OG_ALIAS_MAX, idbuf, err,
        errlen) == -1 ||
        take_str(rest, "alias", &a->alias, SIM_OG_ALIAS_MAX, a->id, err,
        errlen) == -1 ||
        take_str(rest, "message", &a->message, SIM_OG_MESSAGE_MAX,
        "Simulated alert", err, errlen) == -1 ||
        take_str(rest, "status", &a->status, 16, "open", err,
        errlen) == -1 ||
        take_str(rest, "source", &a->source, SIM_OG_SOURCE_MAX,
        "alexis-sim", err, errlen) == -1 ||
        take_str(rest, "owner", &a->owner, SIM_OG_USER_MAX, "", err,
        errlen) == -1 ||
        take_str(rest, "priority", &a->priority, 2, "P3", err,
        errlen) == -1 ||
        take_str(rest, "entity", &a->entity, SIM_OG_ENTITY_MAX, "", err,
        errlen) == -1 ||
        take_str(rest, "description", &a->description,
        SIM_OG_DESCRIPTION_MAX, "", err, errlen) == -1 ||
        take_str(rest, "ownerTeamId", &a->owner_team_id, 64, "", err,
        errlen) == -1)
        return -1;
    a->count = 1;
    it = cJSON_GetObjectItemCaseSensitive(rest, "count");
    if (it != NULL) {
        if (!cJSON_IsNumber(it) || it->valuedouble < 1) {
            snprintf(err, errlen, "\"count\" must be a positive number");
            return -1;
        }
        a->count = (uint64_t)it->valuedouble;
        cJSON_DeleteItemFromObjectCaseSensitive(rest, "count");
    }
    if (take_bool(rest, "acknowledged", &a->acknowledged, err,
        errlen) == -1 ||
        take_bool(rest, "isSeen", &a->seen, err, errlen) == -1 ||
        take_bool(rest, "seen", &a->seen, err, errlen) == -1 ||
        take_bool(rest, "snoozed", &a->snoozed, err, errlen) == -1)
        return -1;
    return 0;
}

struct og_alert *
og_parse_alert_from_json(const cJSON *obj, uint64_t now, size_t notes_max,
    char *err, size_t errlen)
{
    struct og_alert *a = NULL;
    cJSON *rest = NULL, *tiny;
    char numbuf[32];

    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "an alert must be a JSON object");
        goto fail;
    }
    a = xcalloc(1, sizeof(*a));
    rest = cJSON_Duplicate(obj, 1);
    if ((tiny = cJSON_DetachItemFromObjectCaseSensitive(rest,
        "tinyId")) != NULL) {
        if (cJSON_IsNumber(tiny)) {
            snprintf(numbuf, sizeof(numbuf), "%.0f", tiny->valuedouble);
            a->tiny_id = xstrdup(numbuf);
        } else if (cJSON_IsString(tiny))
            a->tiny_id = xstrdup(tiny->valuestring);
        cJSON_Delete(tiny);
    }
    if (take_scalars(rest, a, now, err, errlen) == -1 ||
        take_strv(rest, "tags", &a->tags, SIM_TAGS_MAX, SIM_TAG_LEN_MAX, err,
        errlen) == -1 ||
        take_strv(rest, "actions", &a->actions, SIM_ACTIONS_MAX,
        SIM_TAG_LEN_MAX, err, errlen) == -1 ||
        take_teams(rest, "teams", a, err, errlen) == -1 ||
        take_teams(rest, "responders", a, err, errlen) == -1 ||
        take_details(rest, a, err, errlen) == -1 ||
        take_integration_report(rest, a, err, errlen) == -1 ||
        take_notes(rest, a, now, notes_max, err, errlen) == -1 ||
        check_values(a, a->tiny_id, err, errlen) == -1)
        goto fail;
    if (strcmp(a->status, "closed") == 0 && a->closed_by == NULL)
        a->closed_by = xstrdup("API");
    if (a->acknowledged && a->ack_by == NULL)
        a->ack_by = xstrdup("API");
    if (cJSON_GetArraySize(rest) > 0)
        a->extra = json_print(rest);
    cJSON_Delete(rest);
    return a;
fail:
    cJSON_Delete(rest);
    og_alert_free(a);
    return NULL;
}
