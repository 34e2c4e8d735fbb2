/*
 * A simulated Dynatrace problem: one model, two renderings (problems API
 * v1 and v2), and its comments. Keys the model does not hold are kept as
 * JSON text per API generation and merged back when rendering, so seed
 * data keeps its realistic detail (rankedEvents, evidence, filters).
 */
#include "dt_problem.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simutil.h"
#include "xmem.h"
#include "json.h"

/* Keys only the v1 rendering carries. */
static const char *const v1_only[] = {
    "rankedEvents", "rankedImpacts", "affectedCounts", "recoveredCounts",
    "hasRootCause",
};

/* Keys the model consumes (both generations' spellings). */
static const char *const modelled[] = {
    "id", "problemId", "displayName", "displayId", "title", "impactLevel",
    "severityLevel", "status", "startTime", "endTime", "entityTags",
    "tagsOfAffectedEntities", "affectedEntities", "impactedEntities",
    "rootCauseEntity", "managementZones", "commentCount", "recentComments",
    "comments",
};

static void
entity_set(struct dt_entity *e, const char *id, const char *type,
    const char *name)
{
    const char *dash;
    char tbuf[64];

    if (type == NULL) {
        dash = strchr(id, '-');
        snprintf(tbuf, sizeof(tbuf), "%.*s",
            dash == NULL ? (int)strlen(id) : (int)(dash - id), id);
        type = tbuf;
    }
    e->id = xstrdup(id);
    e->type = xstrdup(type);
    e->name = simutil_dup(name, NULL);
}

/* {"entityId":{"id","type"},"name"} or the v1 {"entityId","entityName"}. */
static int
entity_parse(const cJSON *o, struct dt_entity *e)
{
    const cJSON *eid = cJSON_GetObjectItemCaseSensitive(o, "entityId");
    const char *id, *name;

    if (cJSON_IsObject(eid)) {
        if ((id = json_str(eid, "id")) == NULL)
            return -1;
        entity_set(e, id, json_str(eid, "type"), json_str(o,
            "name"));
        return 0;
    }
    if (!cJSON_IsString(eid))
        return -1;
    name = json_str(o, "entityName");
    entity_set(e, eid->valuestring, NULL,
        name != NULL ? name : json_str(o, "name"));
    return 0;
}

static void
entity_free(struct dt_entity *e)
{
    free(e->id);
    free(e->type);
    free(e->name);
}

static int
entities_parse(const cJSON *arr, struct dt_entity **out, size_t *n,
    char *err, size_t errlen)
{
    const cJSON *e;
    struct dt_entity ent;

    if (arr == NULL)
        return 0;
    if (!cJSON_IsArray(arr)) {
        snprintf(err, errlen, "entity lists must be arrays");
        return -1;
    }
    cJSON_ArrayForEach(e, arr) {
        if (*n >= SIM_DT_ENTITIES_MAX || entity_parse(e, &ent) == -1) {
            snprintf(err, errlen, "entities need an entityId (at most %d)",
                SIM_DT_ENTITIES_MAX);
            return -1;
        }
        *out = xreallocarray(*out, *n + 1, sizeof(**out));
        (*out)[(*n)++] = ent;
    }
    return 0;
}

/* "[ctx]key:value", "key:value" or "key". */
static void
tag_from_string(struct dt_tag *t, const char *s)
{
    const char *close, *colon;

    t->context = xstrdup("CONTEXTLESS");
    if (s[0] == '[' && (close = strchr(s, ']')) != NULL) {
        free(t->context);
        t->context = xstrndup(s + 1, (size_t)(close - s - 1));
        s = close + 1;
    }
    if ((colon = strchr(s, ':')) != NULL) {
        t->key = xstrndup(s, (size_t)(colon - s));
        t->value = xstrdup(colon + 1);
    } else {
        t->key = xstrdup(s);
        t->value = NULL;
    }
}

static int
tags_parse(struct dt_problem *p, const cJSON *arr, char *err, size_t errlen)
{
    const cJSON *e;
    struct dt_tag *t;
    const char *key;

    if (arr == NULL)
        return 0;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > SIM_DT_TAGS_MAX) {
        snprintf(err, errlen, "tags must be an array of at most %d",
            SIM_DT_TAGS_MAX);
        return -1;
    }
    cJSON_ArrayForEach(e, arr) {
        key = json_str(e, "key");
        if (!cJSON_IsString(e) && key == NULL) {
            snprintf(err, errlen, "tags need a \"key\"");
            return -1;
        }
        p->tags = xreallocarray(p->tags, p->ntags + 1, sizeof(*p->tags));
        t = &p->tags[p->ntags++];
        if (cJSON_IsString(e)) {
            tag_from_string(t, e->valuestring);
            continue;
        }
        t->context = simutil_dup(json_str(e, "context"), "CONTEXTLESS");
        t->key = xstrdup(key);
        t->value = simutil_dup(json_str(e, "value"), NULL);
    }
    return 0;
}

static int
zones_parse(struct dt_problem *p, const cJSON *arr, char *err, size_t errlen)
{
    const cJSON *e;

    if (arr == NULL)
        return 0;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > SIM_DT_ZONES_MAX) {
        snprintf(err, errlen, "\"managementZones\" must be an array");
        return -1;
    }
    cJSON_ArrayForEach(e, arr) {
        p->zones = xreallocarray(p->zones, p->nzones + 1,
            sizeof(*p->zones));
        p->zones[p->nzones].id = simutil_dup(json_str(e, "id"), "0");
        p->zones[p->nzones].name = simutil_dup(json_str(e, "name"),
            NULL);
        p->nzones++;
    }
    return 0;
}

/* Entities from v2 keys, else from the v1 rankedImpacts/rankedEvents. */
static int
entities_all(struct dt_problem *p, const cJSON *o, char *err, size_t errlen)
{
    const cJSON *root = cJSON_GetObjectItemCaseSensitive(o,
        "rootCauseEntity");
    const cJSON *ranked, *ev;
    size_t i;

    if (entities_parse(cJSON_GetObjectItemCaseSensitive(o,
        "affectedEntities"), &p->affected, &p->naffected, err, errlen) == -1 ||
        entities_parse(cJSON_GetObjectItemCaseSensitive(o,
        "impactedEntities"), &p->impacted, &p->nimpacted, err, errlen) == -1)
        return -1;
    if (p->naffected == 0) {
        ranked = cJSON_GetObjectItemCaseSensitive(o, "rankedImpacts");
        if (ranked == NULL)
            ranked = cJSON_GetObjectItemCaseSensitive(o, "rankedEvents");
        if (entities_parse(ranked, &p->affected, &p->naffected, err,
            errlen) == -1)
            return -1;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(o,
            "rankedEvents")) {
            if (cJSON_IsTrue(cJSON_GetObjectItem(ev, "isRootCause")) &&
                root == NULL) {
                p->root = xcalloc(1, sizeof(*p->root));
                if (entity_parse(ev, p->root) == -1) {
                    free(p->root);
                    p->root = NULL;
                }
                break;
            }
        }
    }
    if (p->nimpacted == 0 && p->naffected > 0) {
        p->impacted = xcalloc(p->naffected, sizeof(*p->impacted));
        for (i = 0; i < p->naffected; i++)
            entity_set(&p->impacted[i], p->affected[i].id,
                p->affected[i].type, p->affected[i].name);
        p->nimpacted = p->naffected;
    }
    if (cJSON_IsObject(root)) {
        p->root = xcalloc(1, sizeof(*p->root));
        if (entity_parse(root, p->root) == -1) {
            snprintf(err, errlen, "\"rootCauseEntity\" needs an entityId");
            return -1;
        }
    }
    return 0;
}

static int
scalars_parse(struct dt_problem *p, const cJSON *o, uint64_t now, char *err,
    size_t errlen)
{
    const cJSON *it;
    const char *s, *ev;
    char buf[96];
    size_t i;

    p->start_ms = now;
    it = cJSON_GetObjectItemCaseSensitive(o, "startTime");
    if (it != NULL && simutil_parse_time(it, now, &p->start_ms) == -1) {
        snprintf(err, errlen, "\"startTime\" must be a time");
        return -1;
    }
    s = json_str(o, "problemId");
    if (s == NULL)
        s = json_str(o, "id");
    snprintf(buf, sizeof(buf), "%" PRId64 "_%" PRIu64 "V2",
        (int64_t)(simutil_random64() >> 1) * -1, p->start_ms);
    p->id = simutil_dup(s, buf);
    s = json_str(o, "displayId");
    if (s == NULL)
        s = json_str(o, "displayName");
    snprintf(buf, sizeof(buf), "P-%u",
        (unsigned)(1000000 + simutil_random64() % 9000000));
    p->display_id = simutil_dup(s, buf);
    ev = json_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o,
        "rankedEvents"), 0), "eventType");
    if (ev != NULL) {
        snprintf(buf, sizeof(buf), "%s", ev);
        for (i = 0; buf[i] != '\0'; i++)
            buf[i] = buf[i] == '_' ? ' ' : (char)(i == 0 ? buf[i] :
                tolower((unsigned char)buf[i]));
    }
    p->title = simutil_dup(json_str(o, "title"),
        ev != NULL ? buf : "Simulated problem");
    s = json_str(o, "impactLevel");
    p->impact = xstrdup(s == NULL ? "INFRASTRUCTURE" :
        strcmp(s, "SERVICES") == 0 ? "SERVICE" : s);
    p->severity = simutil_dup(json_str(o, "severityLevel"),
        "RESOURCE_CONTENTION");
    p->status = simutil_dup(json_str(o, "status"), "OPEN");
    if (strcmp(p->status, "OPEN") != 0 && strcmp(p->status, "CLOSED") != 0) {
        snprintf(err, errlen, "\"status\" must be OPEN or CLOSED");
        return -1;
    }
    p->end_ms = strcmp(p->status, "OPEN") == 0 ? -1 : (int64_t)now;
    it = cJSON_GetObjectItemCaseSensitive(o, "endTime");
    if (cJSON_IsNumber(it))
        p->end_ms = (int64_t)it->valuedouble;
    return 0;
}

static int
comments_parse(struct dt_problem *p, const cJSON *arr, uint64_t now,
    size_t max, char *err, size_t errlen)
{
    const cJSON *e;
    const char *content, *author;
    uint64_t t;

    cJSON_ArrayForEach(e, arr) {
        content = json_str(e, "content");
        if (content == NULL)
            content = json_str(e, "message");
        author = json_str(e, "userName");
        if (author == NULL)
            author = json_str(e, "authorName");
        if (simutil_parse_time(cJSON_GetObjectItem(e, "createdAtTimestamp"),
            now, &t) == -1)
            t = now;
        if (content == NULL || dt_problem_add_comment(p, content,
            author == NULL ? "alexis-sim" : author, json_str(e,
            "context"), t, max) == NULL) {
            snprintf(err, errlen, "comments need \"content\" (at most %zu)",
                max);
            return -1;
        }
    }
    return 0;
}

/* Split the keys the model does not hold into the two extra texts. */
static void
split_extras(struct dt_problem *p, const cJSON *o)
{
    cJSON *v1 = cJSON_CreateObject(), *v2 = cJSON_CreateObject();
    const cJSON *e;
    bool skip, one;
    size_t i;

    cJSON_ArrayForEach(e, o) {
        skip = one = false;
        for (i = 0; i < NELEM(modelled); i++)
            skip |= strcmp(e->string, modelled[i]) == 0;
        for (i = 0; i < NELEM(v1_only); i++)
            one |= strcmp(e->string, v1_only[i]) == 0;
        if (!skip)
            cJSON_AddItemToObject(one ? v1 : v2, e->string,
                cJSON_Duplicate(e, 1));
    }
    if (cJSON_GetArraySize(v1) > 0)
        p->v1_extra = json_print(v1);
    if (cJSON_GetArraySize(v2) > 0)
        p->v2_extra = json_print(v2);
    cJSON_Delete(v1);
    cJSON_Delete(v2);
}

struct dt_problem *
dt_problem_from_json(const cJSON *o, uint64_t now, size_t comments_max,
    char *err, size_t errlen)
{
    struct dt_problem *p;
    const cJSON *tags;

    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "a problem must be a JSON object");
        return NULL;
    }
    p = xcalloc(1, sizeof(*p));
    tags = cJSON_GetObjectItemCaseSensitive(o, "entityTags");
    if (tags == NULL)
        tags = cJSON_GetObjectItemCaseSensitive(o, "tagsOfAffectedEntities");
    if (scalars_parse(p, o, now, err, errlen) == -1 ||
        tags_parse(p, tags, err, errlen) == -1 ||
        entities_all(p, o, err, errlen) == -1 ||
        zones_parse(p, cJSON_GetObjectItemCaseSensitive(o,
        "managementZones"), err, errlen) == -1 ||
        comments_parse(p, cJSON_GetObjectItemCaseSensitive(o, "comments"),
        now, comments_max, err, errlen) == -1) {
        dt_problem_free(p);
        return NULL;
    }
    split_extras(p, o);
    return p;
}

static void
comment_free(struct dt_comment *c)
{
    free(c->id);
    free(c->content);
    free(c->author);
    free(c->context);
}

void
dt_problem_free(struct dt_problem *p)
{
    size_t i;

    if (p == NULL)
        return;
    free(p->id);
    free(p->display_id);
    free(p->title);
    free(p->impact);
    free(p->severity);
    free(p->status);
    for (i = 0; i < p->ntags; i++) {
        free(p->tags[i].context);
        free(p->tags[i].key);
        free(p->tags[i].value);
    }
    free(p->tags);
    for (i = 0; i < p->naffected; i++)
        entity_free(&p->affected[i]);
    free(p->affected);
    for (i = 0; i < p->nimpacted; i++)
        entity_free(&p->impacted[i]);
    free(p->impacted);
    if (p->root != NULL)
        entity_free(p->root);
    free(p->root);
    for (i = 0; i < p->nzones; i++) {
        free(p->zones[i].id);
        free(p->zones[i].name);
    }
    free(p->zones);
    for (i = 0; i < p->ncomments; i++)
        comment_free(&p->comments[i]);
    free(p->comments);
    free(p->v1_extra);
    free(p->v2_extra);
    free(p);
}

struct dt_comment *
dt_problem_add_comment(struct dt_problem *p, const char *content,
    const char *author, const char *context, uint64_t now,
    size_t comments_max)
{
    struct dt_comment *c;
    char id[64];

    if (p->ncomments >= comments_max)
        return NULL;
    snprintf(id, sizeof(id), "-%" PRIu64 "_%" PRIu64,
        simutil_random64() >> 1, p->start_ms);
    p->comments = xreallocarray(p->comments, p->ncomments + 1,
        sizeof(*p->comments));
    c = &p->comments[p->ncomments++];
    c->id = xstrdup(id);
    c->created_ms = now;
    c->content = xstrdup(content);
    c->author = xstrdup(author);
    c->context = simutil_dup(context, NULL);
    return c;
}

cJSON *
dt_problem_comment_json(const struct dt_comment *c, int api_version)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "id", c->id);
    cJSON_AddNumberToObject(o, "createdAtTimestamp", (double)c->created_ms);
    cJSON_AddStringToObject(o, "content", c->content);
    cJSON_AddStringToObject(o, api_version == 1 ? "userName" : "authorName",
        c->author);
    if (c->context == NULL)
        cJSON_AddNullToObject(o, "context");
    else
        cJSON_AddStringToObject(o, "context", c->context);
    return o;
}

/* Merge the keys of extra (JSON text) into o, skipping present keys and,
 * unless fields ask for them, v2's optional evidence/impact blocks. */
static void
merge_extra(cJSON *o, const char *extra, unsigned fields)
{
    cJSON *x, *e;

    if (extra == NULL || (x = cJSON_Parse(extra)) == NULL)
        return;
    while ((e = x->child) != NULL) {
        cJSON_DetachItemViaPointer(x, e);
        if (cJSON_GetObjectItemCaseSensitive(o, e->string) != NULL ||
            (strcmp(e->string, "evidenceDetails") == 0 &&
            !(fields & DT_FIELD_EVIDENCE)) ||
            (strcmp(e->string, "impactAnalysis") == 0 &&
            !(fields & DT_FIELD_IMPACT)))
            cJSON_Delete(e);
        else
            cJSON_AddItemToObject(o, e->string, e);
    }
    cJSON_Delete(x);
}

static void
event_type(const struct dt_problem *p, char *buf, size_t len)
{
    size_t i;

    snprintf(buf, len, "%s", p->title);
    for (i = 0; buf[i] != '\0'; i++)
        buf[i] = isalnum((unsigned char)buf[i]) ?
            (char)toupper((unsigned char)buf[i]) : '_';
}

/* rankedImpacts / rankedEvents derived from the affected entities. */
static cJSON *
ranked(const struct dt_problem *p, bool events)
{
    cJSON *arr = cJSON_CreateArray(), *o;
    char et[96];
    size_t i;

    event_type(p, et, sizeof(et));
    for (i = 0; i < p->naffected; i++) {
        o = cJSON_CreateObject();
        if (events) {
            cJSON_AddNumberToObject(o, "startTime", (double)p->start_ms);
            cJSON_AddNumberToObject(o, "endTime", (double)p->end_ms);
        }
        cJSON_AddStringToObject(o, "entityId", p->affected[i].id);
        cJSON_AddStringToObject(o, "entityName", p->affected[i].name ==
            NULL ? p->affected[i].id : p->affected[i].name);
        cJSON_AddStringToObject(o, "severityLevel", p->severity);
        cJSON_AddStringToObject(o, "impactLevel", p->impact);
        cJSON_AddStringToObject(o, "eventType", et);
        if (events) {
            cJSON_AddStringToObject(o, "status", p->status);
            cJSON_AddItemToObject(o, "severities", cJSON_CreateArray());
            cJSON_AddBoolToObject(o, "isRootCause", p->root != NULL &&
                strcmp(p->root->id, p->affected[i].id) == 0);
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *
counts(const struct dt_problem *p, bool recovered)
{
    static const char *const levels[] = {
        "INFRASTRUCTURE", "SERVICE", "APPLICATION", "ENVIRONMENT",
    };
    bool closed = strcmp(p->status, "CLOSED") == 0;
    cJSON *o = cJSON_CreateObject();
    size_t i;

    for (i = 0; i < NELEM(levels); i++)
        cJSON_AddNumberToObject(o, levels[i],
            strcmp(levels[i], p->impact) == 0 && recovered == closed ?
            (double)p->naffected : 0);
    return o;
}

cJSON *
dt_problem_v1(const struct dt_problem *p, bool details)
{
    cJSON *o = cJSON_CreateObject(), *tags, *t;
    size_t i;

    cJSON_AddStringToObject(o, "id", p->id);
    cJSON_AddNumberToObject(o, "startTime", (double)p->start_ms);
    cJSON_AddNumberToObject(o, "endTime", (double)p->end_ms);
    cJSON_AddStringToObject(o, "displayName", p->display_id);
    cJSON_AddStringToObject(o, "impactLevel", p->impact);
    cJSON_AddStringToObject(o, "status", p->status);
    cJSON_AddStringToObject(o, "severityLevel", p->severity);
    cJSON_AddNumberToObject(o, "commentCount", (double)p->ncomments);
    tags = cJSON_AddArrayToObject(o, "tagsOfAffectedEntities");
    for (i = 0; i < p->ntags; i++) {
        t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "context", p->tags[i].context);
        cJSON_AddStringToObject(t, "key", p->tags[i].key);
        if (p->tags[i].value != NULL)
            cJSON_AddStringToObject(t, "value", p->tags[i].value);
        cJSON_AddItemToArray(tags, t);
    }
    if (!details)
        cJSON_AddItemToObject(o, "rankedEvents", cJSON_CreateNull());
    merge_extra(o, p->v1_extra, 0);
    if (!details)
        cJSON_DeleteItemFromObjectCaseSensitive(o, "rankedEvents");
    if (cJSON_GetObjectItemCaseSensitive(o, "rankedImpacts") == NULL)
        cJSON_AddItemToObject(o, "rankedImpacts", ranked(p, false));
    if (details &&
        cJSON_GetObjectItemCaseSensitive(o, "rankedEvents") == NULL)
        cJSON_AddItemToObject(o, "rankedEvents", ranked(p, true));
    if (cJSON_GetObjectItemCaseSensitive(o, "affectedCounts") == NULL)
        cJSON_AddItemToObject(o, "affectedCounts", counts(p, false));
    if (cJSON_GetObjectItemCaseSensitive(o, "recoveredCounts") == NULL)
        cJSON_AddItemToObject(o, "recoveredCounts", counts(p, true));
    if (cJSON_GetObjectItemCaseSensitive(o, "hasRootCause") == NULL)
        cJSON_AddBoolToObject(o, "hasRootCause", p->root != NULL);
    return o;
}

static cJSON *
stub(const struct dt_entity *e)
{
    cJSON *o = cJSON_CreateObject(), *id;

    id = cJSON_AddObjectToObject(o, "entityId");
    cJSON_AddStringToObject(id, "id", e->id);
    cJSON_AddStringToObject(id, "type", e->type);
    if (e->name != NULL)
        cJSON_AddStringToObject(o, "name", e->name);
    return o;
}

static cJSON *
stubs(const struct dt_entity *v, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;

    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, stub(&v[i]));
    return arr;
}

static cJSON *
v2_tag(const struct dt_tag *t)
{
    cJSON *o = cJSON_CreateObject();
    char rep[512];
    bool plain = strcmp(t->context, "CONTEXTLESS") == 0;

    cJSON_AddStringToObject(o, "context", t->context);
    cJSON_AddStringToObject(o, "key", t->key);
    if (t->value != NULL)
        cJSON_AddStringToObject(o, "value", t->value);
    snprintf(rep, sizeof(rep), "%s%s%s%s%s%s", plain ? "" : "[",
        plain ? "" : t->context, plain ? "" : "]", t->key,
        t->value != NULL ? ":" : "", t->value != NULL ? t->value : "");
    cJSON_AddStringToObject(o, "stringRepresentation", rep);
    return o;
}

static void
v2_optional(cJSON *o, const struct dt_problem *p, unsigned fields)
{
    cJSON *rc, *arr;
    size_t i, n;

    if ((fields & DT_FIELD_EVIDENCE) &&
        cJSON_GetObjectItemCaseSensitive(o, "evidenceDetails") == NULL) {
        rc = cJSON_AddObjectToObject(o, "evidenceDetails");
        cJSON_AddNumberToObject(rc, "totalCount", 0);
        cJSON_AddArrayToObject(rc, "details");
    }
    if ((fields & DT_FIELD_IMPACT) &&
        cJSON_GetObjectItemCaseSensitive(o, "impactAnalysis") == NULL)
        cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "impactAnalysis"),
            "impacts");
    if (!(fields & DT_FIELD_COMMENTS))
        return;
    rc = cJSON_AddObjectToObject(o, "recentComments");
    arr = cJSON_AddArrayToObject(rc, "comments");
    n = p->ncomments < SIM_DT_COMMENT_PAGE_DEFAULT ? p->ncomments :
        SIM_DT_COMMENT_PAGE_DEFAULT;
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, dt_problem_comment_json(
            &p->comments[p->ncomments - 1 - i], 2));
    cJSON_AddNumberToObject(rc, "totalCount", (double)p->ncomments);
    cJSON_AddNumberToObject(rc, "pageSize", SIM_DT_COMMENT_PAGE_DEFAULT);
}

cJSON *
dt_problem_v2(const struct dt_problem *p, unsigned fields)
{
    cJSON *o = cJSON_CreateObject(), *arr, *z;
    size_t i;

    cJSON_AddStringToObject(o, "problemId", p->id);
    cJSON_AddStringToObject(o, "displayId", p->display_id);
    cJSON_AddStringToObject(o, "title", p->title);
    cJSON_AddStringToObject(o, "impactLevel",
        strcmp(p->impact, "SERVICE") == 0 ? "SERVICES" : p->impact);
    cJSON_AddStringToObject(o, "severityLevel", p->severity);
    cJSON_AddStringToObject(o, "status", p->status);
    cJSON_AddItemToObject(o, "affectedEntities",
        stubs(p->affected, p->naffected));
    cJSON_AddItemToObject(o, "impactedEntities",
        stubs(p->impacted, p->nimpacted));
    cJSON_AddItemToObject(o, "rootCauseEntity",
        p->root != NULL ? stub(p->root) : cJSON_CreateNull());
    arr = cJSON_AddArrayToObject(o, "managementZones");
    for (i = 0; i < p->nzones; i++) {
        z = cJSON_CreateObject();
        cJSON_AddStringToObject(z, "id", p->zones[i].id);
        if (p->zones[i].name != NULL)
            cJSON_AddStringToObject(z, "name", p->zones[i].name);
        cJSON_AddItemToArray(arr, z);
    }
    arr = cJSON_AddArrayToObject(o, "entityTags");
    for (i = 0; i < p->ntags; i++)
        cJSON_AddItemToArray(arr, v2_tag(&p->tags[i]));
    merge_extra(o, p->v2_extra, fields);
    if (cJSON_GetObjectItemCaseSensitive(o, "problemFilters") == NULL) {
        z = cJSON_CreateObject();
        cJSON_AddStringToObject(z, "id",
            "0b7e6a1c-2d3f-4e5a-9b8c-7d6e5f4a3b2c");
        cJSON_AddStringToObject(z, "name", "Default");
        cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "problemFilters"), z);
    }
    cJSON_AddNumberToObject(o, "startTime", (double)p->start_ms);
    cJSON_AddNumberToObject(o, "endTime", (double)p->end_ms);
    v2_optional(o, p, fields);
    return o;
}

cJSON *
dt_problem_admin(const struct dt_problem *p)
{
    cJSON *o = cJSON_CreateObject(), *arr;
    size_t i;

    cJSON_AddStringToObject(o, "problemId", p->id);
    cJSON_AddStringToObject(o, "displayId", p->display_id);
    cJSON_AddStringToObject(o, "status", p->status);
    arr = cJSON_AddArrayToObject(o, "comments");
    for (i = 0; i < p->ncomments; i++)
        cJSON_AddItemToArray(arr, dt_problem_comment_json(&p->comments[i], 2));
    cJSON_AddItemToObject(o, "v1", dt_problem_v1(p, true));
    cJSON_AddItemToObject(o, "v2", dt_problem_v2(p, DT_FIELD_EVIDENCE |
        DT_FIELD_IMPACT));
    return o;
}
