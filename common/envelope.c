/*
 * Envelope building (see envelope.h). The source object is taken out of
 * the parsed answer whole, so every field the rules may test (tags,
 * details, entityTags, ...) reaches the classifier unchanged.
 */
#include "envelope.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "ticketsys_iface.h"

const char *
envelope_id_key(const struct ticketsys *sys)
{
    return sys->unique_key;
}

/* The member of doc that holds the alert or problem, detached. */
static cJSON *
take_object(cJSON *doc, const struct ticketsys *sys, char *err,
    size_t errlen)
{
    const char *member = sys->item_member;
    cJSON *obj;

    if (member == NULL) {
        if (!cJSON_IsObject(doc)) {
            snprintf(err, errlen, "answer is not a JSON object");
            return NULL;
        }
        return doc;
    }
    obj = cJSON_GetObjectItemCaseSensitive(doc, member);
    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "answer has no \"%s\" object", member);
        return NULL;
    }
    return cJSON_DetachItemViaPointer(doc, obj);
}

static cJSON *
meta_object(const struct envelope_meta *m)
{
    cJSON *a = cJSON_CreateObject();

    cJSON_AddStringToObject(a, "feed_type", m->feed_type);
    cJSON_AddStringToObject(a, "feed_name", m->feed_name);
    cJSON_AddStringToObject(a, "base_url", m->base_url);
    cJSON_AddStringToObject(a, "unique_key", m->unique_key);
    cJSON_AddStringToObject(a, "unique_value", m->unique_value);
    return a;
}

char *
envelope_from_item(cJSON *item, const struct envelope_meta *m)
{
    char *out;

    cJSON_DeleteItemFromObjectCaseSensitive(item, "alexis");
    cJSON_AddItemToObject(item, "alexis", meta_object(m));
    out = json_print(item);
    cJSON_Delete(item);
    return out;
}

char *
envelope_build(const char *body, size_t len, const struct ticketsys *sys,
    const struct envelope_meta *m, char *err, size_t errlen)
{
    cJSON *doc = NULL, *obj = NULL;
    char *out = NULL;

    if ((doc = json_parse_located(body, len, "answer", err,
        errlen)) == NULL)
        goto out;
    if ((obj = take_object(doc, sys, err, errlen)) == NULL)
        goto out;
    if (obj == doc)
        doc = NULL;
    out = envelope_from_item(obj, m);
    obj = NULL;
out:
    cJSON_Delete(obj);
    cJSON_Delete(doc);
    return out;
}
