/*
 * JSM operations rendering of a simulated alert, and the admin API's
 * translation from the JSM shape.
 */
#include "jsm_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

const char *
jsm_alert_status(const struct og_alert *a)
{
    if (strcmp(a->status, "closed") == 0)
        return "closed";
    if (a->snoozed)
        return "snoozed";
    return a->acknowledged ? "acked" : "open";
}

static void
add_full(cJSON *o, const struct og_alert *a)
{
    cJSON *d;
    size_t i;

    cJSON_AddStringToObject(o, "description", a->description);
    cJSON_AddStringToObject(o, "entity", a->entity);
    cJSON_AddItemToObject(o, "actions", og_alert_strv_json(&a->actions));
    d = cJSON_AddObjectToObject(o, "extraProperties");
    for (i = 0; i < a->detail_keys.n; i++)
        cJSON_AddStringToObject(d, a->detail_keys.v[i],
            a->detail_values.v[i]);
    og_alert_add_extra(o, a);
}

cJSON *
jsm_alert_to_json(const struct og_alert *a, enum og_view view)
{
    cJSON *o = cJSON_CreateObject(), *resp, *t, *notes;
    size_t i;

    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "tinyId", a->tiny_id);
    cJSON_AddStringToObject(o, "alias", a->alias);
    cJSON_AddStringToObject(o, "message", a->message);
    cJSON_AddStringToObject(o, "status", jsm_alert_status(a));
    cJSON_AddBoolToObject(o, "acknowledged", a->acknowledged);
    cJSON_AddBoolToObject(o, "seen", a->seen);
    cJSON_AddBoolToObject(o, "snoozed", a->snoozed);
    if (a->snoozed)
        og_alert_json_time(o, "snoozedUntil", a->snoozed_until_ms);
    cJSON_AddItemToObject(o, "tags", og_alert_strv_json(&a->tags));
    cJSON_AddNumberToObject(o, "count", (double)a->count);
    cJSON_AddStringToObject(o, "priority", a->priority);
    cJSON_AddStringToObject(o, "owner", a->owner);
    cJSON_AddStringToObject(o, "source", a->source);
    resp = cJSON_AddArrayToObject(o, "responders");
    for (i = 0; i < a->team_ids.n; i++) {
        t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "id", a->team_ids.v[i]);
        cJSON_AddStringToObject(t, "type", "team");
        cJSON_AddItemToArray(resp, t);
    }
    cJSON_AddStringToObject(o, "integrationType", a->integ_type);
    cJSON_AddStringToObject(o, "integrationName", a->integ_name);
    og_alert_json_time(o, "createdAt", a->created_ms);
    og_alert_json_time(o, "updatedAt", a->updated_ms);
    og_alert_json_time(o, "lastOccuredAt", a->last_ms);
    if (a->ack_by != NULL)
        og_alert_json_time(o, "ackTime", a->created_ms + a->ack_time);
    if (a->closed_by != NULL)
        og_alert_json_time(o, "closeTime", a->created_ms + a->close_time);
    if (view == OG_VIEW_JSM_LIST)
        return o;
    add_full(o, a);
    if (view != OG_VIEW_JSM_ADMIN)
        return o;
    cJSON_AddNumberToObject(o, "createdAtMs", (double)a->created_ms);
    notes = cJSON_AddArrayToObject(o, "notes");
    for (i = 0; i < a->nnotes; i++)
        cJSON_AddItemToArray(notes, jsm_alert_note_to_json(&a->notes[i]));
    return o;
}

cJSON *
jsm_alert_note_to_json(const struct og_note *n)
{
    cJSON *o = cJSON_CreateObject();
    char id[24];

    snprintf(id, sizeof(id), "%llu", (unsigned long long)n->offset);
    cJSON_AddStringToObject(o, "id", id);
    og_alert_json_time(o, "createdAt", n->created_ms);
    og_alert_json_time(o, "updatedAt", n->created_ms);
    cJSON_AddStringToObject(o, "note", n->note);
    cJSON_AddStringToObject(o, "owner", n->owner);
    return o;
}

/* Move obj[from] to obj[to] (replacing it). */
static void
rename_key(cJSON *obj, const char *from, const char *to)
{
    cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(obj, from);

    if (it == NULL)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, to);
    cJSON_AddItemToObject(obj, to, it);
}

cJSON *
jsm_alert_admin_in(const cJSON *obj, char *err, size_t errlen)
{
    const char *status = json_str(obj, "status");
    const char *iname = json_str(obj, "integrationName");
    const char *itype = json_str(obj, "integrationType");
    cJSON *c, *in;

    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "an alert must be a JSON object");
        return NULL;
    }
    if (status != NULL && strcmp(status, "open") != 0 &&
        strcmp(status, "acked") != 0 && strcmp(status, "snoozed") != 0 &&
        strcmp(status, "closed") != 0) {
        snprintf(err, errlen, "\"status\" must be open, acked, snoozed or "
            "closed");
        return NULL;
    }
    c = cJSON_Duplicate(obj, 1);
    rename_key(c, "extraProperties", "details");
    rename_key(c, "lastOccuredAt", "lastOccurredAt");
    /* Rendered from the acknowledgement and closing, not stored. */
    cJSON_DeleteItemFromObjectCaseSensitive(c, "ackTime");
    cJSON_DeleteItemFromObjectCaseSensitive(c, "closeTime");
    cJSON_DeleteItemFromObjectCaseSensitive(c, "integrationName");
    cJSON_DeleteItemFromObjectCaseSensitive(c, "integrationType");
    if (iname != NULL || itype != NULL) {
        in = cJSON_AddObjectToObject(c, "integration");
        cJSON_AddStringToObject(in, "name", iname != NULL ? iname : "API");
        cJSON_AddStringToObject(in, "type", itype != NULL ? itype : "API");
    }
    if (status != NULL && strcmp(status, "acked") == 0) {
        cJSON_ReplaceItemInObjectCaseSensitive(c, "status",
            cJSON_CreateString("open"));
        cJSON_DeleteItemFromObjectCaseSensitive(c, "acknowledged");
        cJSON_AddTrueToObject(c, "acknowledged");
    } else if (status != NULL && strcmp(status, "snoozed") == 0) {
        cJSON_ReplaceItemInObjectCaseSensitive(c, "status",
            cJSON_CreateString("open"));
        cJSON_DeleteItemFromObjectCaseSensitive(c, "snoozed");
        cJSON_AddTrueToObject(c, "snoozed");
    }
    return c;
}
