/*
 * A simulated OpsGenie alert: JSON in (real shape, realistic defaults),
 * JSON out (list item, GET answer, admin view) and the effect of each
 * asynchronous alert action. The store holds the lock around every call.
 */
#include "og_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_limits.h"
#include "str.h"
#include "xmem.h"

void
og_strv_push(struct sim_strv *sv, const char *s)
{
    sv->v = xreallocarray(sv->v, sv->n + 1, sizeof(*sv->v));
    sv->v[sv->n++] = xstrdup(s);
}

long
og_strv_find(const struct sim_strv *sv, const char *s)
{
    size_t i;

    for (i = 0; i < sv->n; i++) {
        if (strcmp(sv->v[i], s) == 0)
            return (long)i;
    }
    return -1;
}

static void
strv_remove(struct sim_strv *sv, size_t i)
{
    free(sv->v[i]);
    memmove(&sv->v[i], &sv->v[i + 1], (sv->n - i - 1) * sizeof(*sv->v));
    sv->n--;
}

void
og_strv_free(struct sim_strv *sv)
{
    size_t i;

    for (i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

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
        if (og_strv_find(sv, e->valuestring) < 0)
            og_strv_push(sv, e->valuestring);
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
        id = simutil_jstr(e, "id");
        name = simutil_jstr(e, "name");
        type = simutil_jstr(e, "type");
        if (type != NULL && strcmp(type, "team") != 0)
            continue;
        if (id == NULL && name == NULL) {
            snprintf(err, errlen, "\"%s\" entries need an id or a name",
                key);
            goto out;
        }
        if ((id != NULL && og_strv_find(&a->team_ids, id) >= 0) ||
            (name != NULL && og_strv_find(&a->team_names, name) >= 0))
            continue;
        if (a->team_ids.n >= SIM_ALERT_TEAMS_MAX) {
            snprintf(err, errlen, "more than %d teams", SIM_ALERT_TEAMS_MAX);
            goto out;
        }
        og_strv_push(&a->team_ids, id == NULL ? "" : id);
        og_strv_push(&a->team_names, name == NULL ? "" : name);
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
        v = cJSON_IsString(e) ? xstrdup(e->valuestring) : simutil_print(e);
        og_strv_push(&a->detail_keys, e->string);
        og_strv_push(&a->detail_values, v);
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
    a->integ_id = simutil_dup(simutil_jstr(in, "id"), uuid);
    a->integ_name = simutil_dup(simutil_jstr(in, "name"), "API");
    a->integ_type = simutil_dup(simutil_jstr(in, "type"), "API");
    a->ack_by = simutil_dup(simutil_jstr(rep, "acknowledgedBy"), NULL);
    a->closed_by = simutil_dup(simutil_jstr(rep, "closedBy"), NULL);
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
        if ((text = simutil_jstr(e, "note")) == NULL) {
            snprintf(err, errlen, "\"notes\" entries need a \"note\"");
            goto out;
        }
        if (simutil_parse_time(cJSON_GetObjectItem(e, "createdAt"), now,
            &t) == -1)
            t = now;
        if (og_alert_add_note(a, text, simutil_jstr(e, "owner"), t,
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
og_alert_from_json(const cJSON *obj, uint64_t now, size_t notes_max,
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
        a->extra = simutil_print(rest);
    cJSON_Delete(rest);
    return a;
fail:
    cJSON_Delete(rest);
    og_alert_free(a);
    return NULL;
}

void
og_alert_free(struct og_alert *a)
{
    size_t i;

    if (a == NULL)
        return;
    free(a->id);
    free(a->tiny_id);
    free(a->alias);
    free(a->message);
    free(a->status);
    free(a->source);
    free(a->owner);
    free(a->priority);
    free(a->entity);
    free(a->description);
    free(a->owner_team_id);
    free(a->integ_id);
    free(a->integ_name);
    free(a->integ_type);
    free(a->ack_by);
    free(a->closed_by);
    og_strv_free(&a->tags);
    og_strv_free(&a->actions);
    og_strv_free(&a->team_ids);
    og_strv_free(&a->team_names);
    og_strv_free(&a->detail_keys);
    og_strv_free(&a->detail_values);
    for (i = 0; i < a->nnotes; i++) {
        free(a->notes[i].note);
        free(a->notes[i].owner);
    }
    free(a->notes);
    free(a->extra);
    free(a);
}

static void
add_time(cJSON *o, const char *key, uint64_t ms)
{
    char iso[SIMUTIL_ISO_LEN];

    simutil_iso8601(ms, iso, sizeof(iso));
    cJSON_AddStringToObject(o, key, iso);
}

static cJSON *
strv_json(const struct sim_strv *sv)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;

    for (i = 0; i < sv->n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(sv->v[i]));
    return arr;
}

static void
add_teams(cJSON *o, const struct og_alert *a, bool names)
{
    cJSON *teams = cJSON_AddArrayToObject(o, "teams");
    cJSON *resp = cJSON_AddArrayToObject(o, "responders");
    cJSON *t;
    size_t i;

    for (i = 0; i < a->team_ids.n; i++) {
        t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "id", a->team_ids.v[i]);
        if (names)
            cJSON_AddStringToObject(t, "name", a->team_names.v[i]);
        cJSON_AddItemToArray(teams, t);
        t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "type", "team");
        cJSON_AddStringToObject(t, "id", a->team_ids.v[i]);
        cJSON_AddItemToArray(resp, t);
    }
}

static void
add_report(cJSON *o, const struct og_alert *a)
{
    cJSON *rep;

    if (a->ack_by == NULL && a->closed_by == NULL)
        return;
    rep = cJSON_AddObjectToObject(o, "report");
    if (a->ack_by != NULL) {
        cJSON_AddNumberToObject(rep, "ackTime", (double)a->ack_time);
        cJSON_AddStringToObject(rep, "acknowledgedBy", a->ack_by);
    }
    if (a->closed_by != NULL) {
        cJSON_AddNumberToObject(rep, "closeTime", (double)a->close_time);
        cJSON_AddStringToObject(rep, "closedBy", a->closed_by);
    }
}

static void
add_full(cJSON *o, const struct og_alert *a)
{
    cJSON *d, *extra, *e;
    size_t i;

    cJSON_AddItemToObject(o, "actions", strv_json(&a->actions));
    cJSON_AddStringToObject(o, "entity", a->entity);
    cJSON_AddStringToObject(o, "description", a->description);
    d = cJSON_AddObjectToObject(o, "details");
    for (i = 0; i < a->detail_keys.n; i++)
        cJSON_AddStringToObject(d, a->detail_keys.v[i],
            a->detail_values.v[i]);
    if (a->extra == NULL || (extra = cJSON_Parse(a->extra)) == NULL)
        return;
    while ((e = extra->child) != NULL) {
        cJSON_DetachItemViaPointer(extra, e);
        if (cJSON_GetObjectItemCaseSensitive(o, e->string) == NULL)
            cJSON_AddItemToObject(o, e->string, e);
        else
            cJSON_Delete(e);
    }
    cJSON_Delete(extra);
}

cJSON *
og_alert_to_json(const struct og_alert *a, enum og_view view)
{
    cJSON *o = cJSON_CreateObject(), *in, *notes;
    size_t i;

    cJSON_AddBoolToObject(o, "seen", a->seen);
    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "tinyId", a->tiny_id);
    cJSON_AddStringToObject(o, "alias", a->alias);
    cJSON_AddStringToObject(o, "message", a->message);
    cJSON_AddStringToObject(o, "status", a->status);
    cJSON_AddBoolToObject(o, "acknowledged", a->acknowledged);
    cJSON_AddBoolToObject(o, "isSeen", a->seen);
    cJSON_AddItemToObject(o, "tags", strv_json(&a->tags));
    cJSON_AddBoolToObject(o, "snoozed", a->snoozed);
    if (a->snoozed)
        add_time(o, "snoozedUntil", a->snoozed_until_ms);
    cJSON_AddNumberToObject(o, "count", (double)a->count);
    add_time(o, "lastOccurredAt", a->last_ms);
    add_time(o, "createdAt", a->created_ms);
    add_time(o, "updatedAt", a->updated_ms);
    cJSON_AddStringToObject(o, "source", a->source);
    cJSON_AddStringToObject(o, "owner", a->owner);
    cJSON_AddStringToObject(o, "priority", a->priority);
    add_teams(o, a, view == OG_VIEW_ADMIN);
    in = cJSON_AddObjectToObject(o, "integration");
    cJSON_AddStringToObject(in, "id", a->integ_id);
    cJSON_AddStringToObject(in, "name", a->integ_name);
    cJSON_AddStringToObject(in, "type", a->integ_type);
    add_report(o, a);
    cJSON_AddStringToObject(o, "ownerTeamId", a->owner_team_id);
    if (view == OG_VIEW_LIST)
        return o;
    add_full(o, a);
    if (view != OG_VIEW_ADMIN)
        return o;
    cJSON_AddNumberToObject(o, "createdAtMs", (double)a->created_ms);
    notes = cJSON_AddArrayToObject(o, "notes");
    for (i = 0; i < a->nnotes; i++)
        cJSON_AddItemToArray(notes, og_note_to_json(&a->notes[i]));
    return o;
}

cJSON *
og_note_to_json(const struct og_note *n)
{
    cJSON *o = cJSON_CreateObject();
    char off[24];

    cJSON_AddStringToObject(o, "note", n->note);
    cJSON_AddStringToObject(o, "owner", n->owner);
    add_time(o, "createdAt", n->created_ms);
    snprintf(off, sizeof(off), "%llu", (unsigned long long)n->offset);
    cJSON_AddStringToObject(o, "offset", off);
    return o;
}

void
og_alert_query_view(const struct og_alert *a, struct og_query_alert *qa)
{
    memset(qa, 0, sizeof(*qa));
    qa->id = a->id;
    qa->tiny_id = a->tiny_id;
    qa->alias = a->alias;
    qa->message = a->message;
    qa->description = a->description;
    qa->status = a->status;
    qa->entity = a->entity;
    qa->source = a->source;
    qa->owner = a->owner;
    qa->priority = a->priority;
    qa->integration_name = a->integ_name;
    qa->integration_type = a->integ_type;
    qa->tags = (const char *const *)a->tags.v;
    qa->ntags = a->tags.n;
    qa->team_names = (const char *const *)a->team_names.v;
    qa->nteam_names = a->team_names.n;
    qa->team_ids = (const char *const *)a->team_ids.v;
    qa->nteam_ids = a->team_ids.n;
    qa->acknowledged = a->acknowledged;
    qa->seen = a->seen;
    qa->snoozed = a->snoozed;
    qa->count = a->count;
    qa->created_ms = a->created_ms;
    qa->updated_ms = a->updated_ms;
    qa->last_occurred_ms = a->last_ms;
}

int
og_alert_add_note(struct og_alert *a, const char *note, const char *owner,
    uint64_t now, size_t notes_max)
{
    struct og_note *n;

    if (a->nnotes >= notes_max)
        return -1;
    a->notes = xreallocarray(a->notes, a->nnotes + 1, sizeof(*a->notes));
    n = &a->notes[a->nnotes++];
    n->note = xstrdup(note);
    n->owner = xstrdup(owner == NULL ? "API" : owner);
    n->created_ms = now;
    n->offset = now * 1000 + (a->note_seq++ % 1000);
    return 0;
}

static int
apply_team(struct og_alert *a, const struct og_action *act, char *status,
    size_t statuslen)
{
    long i = og_strv_find(&a->team_ids, act->team_id);

    if (i >= 0)
        return 0;
    if (a->team_ids.n >= SIM_ALERT_TEAMS_MAX) {
        snprintf(status, statuslen, "Alert has too many teams");
        return -1;
    }
    og_strv_push(&a->team_ids, act->team_id);
    og_strv_push(&a->team_names, act->team_name);
    return 0;
}

static int
apply_tags(struct og_alert *a, const struct og_action *act, char *status,
    size_t statuslen)
{
    size_t i, add = 0;
    long j;

    if (act->kind == OG_ACT_TAGS_REMOVE) {
        for (i = 0; i < act->list.n; i++) {
            if ((j = og_strv_find(&a->tags, act->list.v[i])) >= 0)
                strv_remove(&a->tags, (size_t)j);
        }
        return 0;
    }
    for (i = 0; i < act->list.n; i++)
        add += og_strv_find(&a->tags, act->list.v[i]) < 0;
    if (a->tags.n + add > SIM_TAGS_MAX) {
        snprintf(status, statuslen, "Alert can have at most %d tags",
            SIM_TAGS_MAX);
        return -1;
    }
    for (i = 0; i < act->list.n; i++) {
        if (og_strv_find(&a->tags, act->list.v[i]) < 0)
            og_strv_push(&a->tags, act->list.v[i]);
    }
    return 0;
}

static int
apply_details(struct og_alert *a, const struct og_action *act, char *status,
    size_t statuslen)
{
    size_t i;
    long j;

    for (i = 0; i < act->list.n; i++) {
        j = og_strv_find(&a->detail_keys, act->list.v[i]);
        if (act->kind == OG_ACT_DETAILS_REMOVE) {
            if (j >= 0) {
                strv_remove(&a->detail_keys, (size_t)j);
                strv_remove(&a->detail_values, (size_t)j);
            }
            continue;
        }
        if (j >= 0) {
            free(a->detail_values.v[j]);
            a->detail_values.v[j] = xstrdup(act->values.v[i]);
            continue;
        }
        if (a->detail_keys.n >= SIM_DETAILS_MAX) {
            snprintf(status, statuslen, "Alert can have at most %d details",
                SIM_DETAILS_MAX);
            return -1;
        }
        og_strv_push(&a->detail_keys, act->list.v[i]);
        og_strv_push(&a->detail_values, act->values.v[i]);
    }
    return 0;
}

static void
apply_state(struct og_alert *a, const struct og_action *act, uint64_t now)
{
    const char *who = act->user != NULL ? act->user : "API";
    uint64_t since = now > a->created_ms ? now - a->created_ms : 0;

    switch (act->kind) {
    case OG_ACT_ACK:
        if (a->acknowledged)
            return;
        a->acknowledged = true;
        a->ack_time = since;
        free(a->ack_by);
        a->ack_by = xstrdup(who);
        return;
    case OG_ACT_UNACK:
        a->acknowledged = false;
        return;
    case OG_ACT_CLOSE:
        if (strcmp(a->status, "closed") == 0)
            return;
        free(a->status);
        a->status = xstrdup("closed");
        a->close_time = since;
        free(a->closed_by);
        a->closed_by = xstrdup(who);
        return;
    default:
        return;
    }
}

int
og_alert_apply(struct og_alert *a, const struct og_action *act,
    uint64_t now, size_t notes_max, char *status, size_t statuslen)
{
    int rc = 0;

    switch (act->kind) {
    case OG_ACT_NOTE:
        break;
    case OG_ACT_TEAM:
    case OG_ACT_RESPONDER:
        rc = apply_team(a, act, status, statuslen);
        break;
    case OG_ACT_TAGS_ADD:
    case OG_ACT_TAGS_REMOVE:
        rc = apply_tags(a, act, status, statuslen);
        break;
    case OG_ACT_DETAILS_ADD:
    case OG_ACT_DETAILS_REMOVE:
        rc = apply_details(a, act, status, statuslen);
        break;
    default:
        apply_state(a, act, now);
        break;
    }
    if (rc == 0 && act->note != NULL &&
        og_alert_add_note(a, act->note, act->user, now, notes_max) == -1) {
        snprintf(status, statuslen, "Alert has reached the limit of %zu "
            "notes", notes_max);
        rc = -1;
    }
    if (rc == 0)
        a->updated_ms = now;
    return rc;
}

static const struct {
    const char *name;
    const char *done;
} action_names[] = {
    [OG_ACT_CREATE] =           { "Create", "Created alert" },
    [OG_ACT_DELETE] =           { "Delete", "Deleted alert" },
    [OG_ACT_NOTE] =             { "Add Note", "Added note" },
    [OG_ACT_TEAM] =             { "Add Team", "Added team" },
    [OG_ACT_RESPONDER] =        { "Add Responder", "Added responder" },
    [OG_ACT_TAGS_ADD] =         { "Add Tags", "Added tags" },
    [OG_ACT_TAGS_REMOVE] =      { "Remove Tags", "Removed tags" },
    [OG_ACT_DETAILS_ADD] =      { "Add Details", "Added details" },
    [OG_ACT_DETAILS_REMOVE] =   { "Remove Details", "Removed details" },
    [OG_ACT_ACK] =              { "Acknowledge", "Acknowledged alert" },
    [OG_ACT_UNACK] =            { "UnAcknowledge", "UnAcknowledged alert" },
    [OG_ACT_CLOSE] =            { "Close", "Closed alert" },
};

const char *
og_action_name(enum og_action_kind kind)
{
    return action_names[kind].name;
}

const char *
og_action_done(enum og_action_kind kind)
{
    return action_names[kind].done;
}

void
og_action_free(struct og_action *act)
{
    if (act == NULL)
        return;
    free(act->ident);
    free(act->user);
    free(act->source);
    free(act->note);
    free(act->team_id);
    free(act->team_name);
    og_strv_free(&act->list);
    og_strv_free(&act->values);
    free(act->create);
    free(act);
}
