/*
 * A simulated OpsGenie alert (og_parse.c builds it from JSON): rendering
 * as list item, GET answer or admin view, and the effect of each
 * asynchronous alert action. The store holds the lock around every call.
 */
#include "og_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_limits.h"
#include "xmem.h"

void
og_alert_strv_push(struct sim_strv *sv, const char *s)
{
    sv->v = xreallocarray(sv->v, sv->n + 1, sizeof(*sv->v));
    sv->v[sv->n++] = xstrdup(s);
}

long
og_alert_strv_find(const struct sim_strv *sv, const char *s)
{
    size_t i;

    for (i = 0; i < sv->n; i++) {
        if (strcmp(sv->v[i], s) == 0)
            return (long)i;
    }
    return -1;
}

void
og_alert_strv_free(struct sim_strv *sv)
{
    size_t i;

    for (i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
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
    og_alert_strv_free(&a->tags);
    og_alert_strv_free(&a->actions);
    og_alert_strv_free(&a->team_ids);
    og_alert_strv_free(&a->team_names);
    og_alert_strv_free(&a->detail_keys);
    og_alert_strv_free(&a->detail_values);
    for (i = 0; i < a->nnotes; i++) {
        free(a->notes[i].note);
        free(a->notes[i].owner);
    }
    free(a->notes);
    free(a->extra);
    free(a);
}

void
og_alert_json_time(cJSON *o, const char *key, uint64_t ms)
{
    char iso[SIMUTIL_ISO_LEN];

    simutil_iso8601(ms, iso, sizeof(iso));
    cJSON_AddStringToObject(o, key, iso);
}

cJSON *
og_alert_strv_json(const struct sim_strv *sv)
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

void
og_alert_add_extra(cJSON *o, const struct og_alert *a)
{
    cJSON *extra, *e;

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

static void
add_full(cJSON *o, const struct og_alert *a)
{
    cJSON *d;
    size_t i;

    cJSON_AddItemToObject(o, "actions", og_alert_strv_json(&a->actions));
    cJSON_AddStringToObject(o, "entity", a->entity);
    cJSON_AddStringToObject(o, "description", a->description);
    d = cJSON_AddObjectToObject(o, "details");
    for (i = 0; i < a->detail_keys.n; i++)
        cJSON_AddStringToObject(d, a->detail_keys.v[i],
            a->detail_values.v[i]);
    og_alert_add_extra(o, a);
}

cJSON *
og_alert_to_json(const struct og_alert *a, enum og_view view)
{
    cJSON *o, *in, *notes;
    size_t i;

    o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "seen", a->seen);
    cJSON_AddStringToObject(o, "id", a->id);
    cJSON_AddStringToObject(o, "tinyId", a->tiny_id);
    cJSON_AddStringToObject(o, "alias", a->alias);
    cJSON_AddStringToObject(o, "message", a->message);
    cJSON_AddStringToObject(o, "status", a->status);
    cJSON_AddBoolToObject(o, "acknowledged", a->acknowledged);
    cJSON_AddBoolToObject(o, "isSeen", a->seen);
    cJSON_AddItemToObject(o, "tags", og_alert_strv_json(&a->tags));
    cJSON_AddBoolToObject(o, "snoozed", a->snoozed);
    if (a->snoozed)
        og_alert_json_time(o, "snoozedUntil", a->snoozed_until_ms);
    cJSON_AddNumberToObject(o, "count", (double)a->count);
    og_alert_json_time(o, "lastOccurredAt", a->last_ms);
    og_alert_json_time(o, "createdAt", a->created_ms);
    og_alert_json_time(o, "updatedAt", a->updated_ms);
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
        cJSON_AddItemToArray(notes, og_alert_note_to_json(&a->notes[i]));
    return o;
}

cJSON *
og_alert_note_to_json(const struct og_note *n)
{
    cJSON *o = cJSON_CreateObject();
    char off[24];

    cJSON_AddStringToObject(o, "note", n->note);
    cJSON_AddStringToObject(o, "owner", n->owner);
    og_alert_json_time(o, "createdAt", n->created_ms);
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
    /* Offsets only grow, whatever the notes' times, so they can page. */
    n->offset = now * 1000;
    if (a->nnotes > 1 && n->offset <= a->notes[a->nnotes - 2].offset)
        n->offset = a->notes[a->nnotes - 2].offset + 1;
    return 0;
}

static int
apply_team(struct og_alert *a, const struct og_action *act, char *status,
    size_t statuslen)
{
    long i = og_alert_strv_find(&a->team_ids, act->team_id);

    if (i >= 0)
        return 0;
    if (a->team_ids.n >= SIM_ALERT_TEAMS_MAX) {
        snprintf(status, statuslen, "Alert has too many teams");
        return -1;
    }
    og_alert_strv_push(&a->team_ids, act->team_id);
    og_alert_strv_push(&a->team_names, act->team_name);
    return 0;
}

static int
apply_tags(struct og_alert *a, const struct og_action *act, char *status,
    size_t statuslen)
{
    size_t i, add = 0;

    for (i = 0; i < act->list.n; i++)
        add += og_alert_strv_find(&a->tags, act->list.v[i]) < 0;
    if (a->tags.n + add > SIM_TAGS_MAX) {
        snprintf(status, statuslen, "Alert can have at most %d tags",
            SIM_TAGS_MAX);
        return -1;
    }
    for (i = 0; i < act->list.n; i++) {
        if (og_alert_strv_find(&a->tags, act->list.v[i]) < 0)
            og_alert_strv_push(&a->tags, act->list.v[i]);
    }
    return 0;
}

static void
apply_close(struct og_alert *a, const struct og_action *act, uint64_t now)
{
    if (strcmp(a->status, "closed") == 0)
        return;
    free(a->status);
    a->status = xstrdup("closed");
    a->close_time = now > a->created_ms ? now - a->created_ms : 0;
    free(a->closed_by);
    a->closed_by = xstrdup(act->user != NULL ? act->user : "API");
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
        rc = apply_tags(a, act, status, statuslen);
        break;
    case OG_ACT_CLOSE:
        apply_close(a, act, now);
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
    [OG_ACT_NOTE] =             { "Add Note", "Added note" },
    [OG_ACT_TEAM] =             { "Add Team", "Added team" },
    [OG_ACT_RESPONDER] =        { "Add Responder", "Added responder" },
    [OG_ACT_TAGS_ADD] =         { "Add Tags", "Added tags" },
    [OG_ACT_CLOSE] =            { "Close", "Closed alert" },
};

const char *
og_alert_action_name(enum og_action_kind kind)
{
    return action_names[kind].name;
}

const char *
og_alert_action_done(enum og_action_kind kind)
{
    return action_names[kind].done;
}

void
og_alert_action_free(struct og_action *act)
{
    if (act == NULL)
        return;
    free(act->ident);
    free(act->user);
    free(act->source);
    free(act->note);
    free(act->team_id);
    free(act->team_name);
    og_alert_strv_free(&act->list);
    free(act);
}
