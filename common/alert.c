/*
 * Envelope validation (DESIGN §6-7). Which field is the alert's id, where
 * its tags live and how the ticket is addressed are the module's
 * (ticketsys.h): OpsGenie, Dynatrace v1, v2.
 */
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "compat.h"
#include "json.h"
#include "ticketsys.h"
#include "xmem.h"

/* Every "feed_headers" member, in any case: a second one must not ride
 * along in the forward. */
static void
wipe_feed_headers(cJSON *alexis, struct alert *a)
{
    cJSON *fh, *it;

    while ((fh = cJSON_DetachItemFromObject(alexis, "feed_headers")) !=
        NULL) {
        a->had_feed_headers = true;
        /* The original poller put the feed's API key here: wipe it before
         * the memory goes back to the allocator. */
        if (cJSON_IsString(fh) && fh->valuestring != NULL)
            explicit_bzero(fh->valuestring, strlen(fh->valuestring));
        cJSON_ArrayForEach(it, fh) {
            if (cJSON_IsString(it) && it->valuestring != NULL)
                explicit_bzero(it->valuestring, strlen(it->valuestring));
        }
        cJSON_Delete(fh);
    }
}

/*
 * Identifiers must not hold a NUL (parsed with json_parse_marking_nul):
 * cJSON ends a string at one, so "5120\u0000x" would pass for "5120".
 * Other fields keep it as data.
 */
static int
refuse_nul(const cJSON *doc, const cJSON *alexis, char *err, size_t errlen)
{
    static const char *const in_alexis[] = { "feed_type", "feed_name",
        "base_url", "unique_key", "unique_value" };
    static const char *const in_alert[] = { "id", "tinyId", "problemId" };
    size_t i;

    for (i = 0; i < NELEM(in_alexis); i++) {
        if (json_has_nul(json_str(alexis, in_alexis[i]))) {
            snprintf(err, errlen, "alexis.%s contains a NUL character",
                in_alexis[i]);
            return -1;
        }
    }
    for (i = 0; i < NELEM(in_alert); i++) {
        if (json_has_nul(json_str(doc, in_alert[i]))) {
            snprintf(err, errlen, "%s contains a NUL character",
                in_alert[i]);
            return -1;
        }
    }
    return 0;
}

int
alert_from_json(struct alert *a, cJSON *doc, char *err, size_t errlen)
{
    cJSON *alexis;
    const char *ft;

    memset(a, 0, sizeof(*a));
    a->doc = doc;
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "request body must be a JSON object");
        return -1;
    }
    alexis = cJSON_GetObjectItemCaseSensitive(doc, "alexis");
    if (!cJSON_IsObject(alexis)) {
        snprintf(err, errlen, "missing field alexis (an object)");
        return -1;
    }
    wipe_feed_headers(alexis, a);
    if (refuse_nul(doc, alexis, err, errlen) == -1)
        return -1;
    a->unique_value = json_str(alexis, "unique_value");
    if (a->unique_value == NULL || *a->unique_value == '\0') {
        snprintf(err, errlen, "missing field alexis.unique_value");
        return -1;
    }
    if ((ft = json_str(alexis, "feed_type")) == NULL) {
        snprintf(err, errlen, "missing field alexis.feed_type");
        return -1;
    }
    if ((a->sys = ticketsys_for_item(ft, doc)) == NULL) {
        char types[128];

        snprintf(err, errlen, "alexis.feed_type: unknown feed type "
            "(expected %s)", ticketsys_type_names(false, types,
            sizeof(types)));
        return -1;
    }
    a->feed_type = a->sys->feed_type;
    a->id_key = a->sys->id_key;
    a->feed_name = json_str(alexis, "feed_name");
    a->base_url = json_str(alexis, "base_url");
    if (a->sys->identify(a, err, errlen) == -1)
        return -1;
    a->tags = xcalloc(ALERT_TAGS_MAX, sizeof(*a->tags));
    a->tag_hashes = xcalloc(ALERT_TAGS_MAX, sizeof(*a->tag_hashes));
    a->sys->collect_tags(a);
    return 0;
}

void
alert_cleanup(struct alert *a)
{
    free(a->tags);
    free(a->tag_hashes);
    cJSON_Delete(a->side);
    cJSON_Delete(a->doc);
    memset(a, 0, sizeof(*a));
}

bool
alert_has_tag_hashed(const struct alert *a, const char *tag, uint32_t hash)
{
    size_t i;

    for (i = 0; i < a->ntags; i++) {
        if (a->tag_hashes[i] == hash && strcmp(a->tags[i], tag) == 0)
            return true;
    }
    return false;
}

/* The alias of the dotted path key in sys (JSM: "details.host" ->
 * "extraProperties.host") into buf; NULL when none applies. */
static const char *
alias_path(const struct ticketsys *sys, const char *key, char *buf,
    size_t len)
{
    const char *const *p;
    size_t n;

    for (p = sys != NULL ? sys->aliases : NULL; p != NULL && *p != NULL;
        p += 2) {
        n = strlen(p[0]);
        if (strncmp(key, p[0], n) == 0 && (key[n] == '\0' || key[n] == '.') &&
            (size_t)snprintf(buf, len, "%s%s", p[1], key + n) < len)
            return buf;
    }
    return NULL;
}

const cJSON *
alert_path(const struct alert *a, const char *key)
{
    char buf[512];
    const char *alt;
    const cJSON *v;

    if ((v = json_path(a->doc, key)) == NULL &&
        (alt = alias_path(a->sys, key, buf, sizeof(buf))) != NULL)
        v = json_path(a->doc, alt);
    return v;
}

const cJSON *
alert_path_list(const cJSON *doc, const char *const *keys, size_t n)
{
    const struct ticketsys *sys;
    const char *const *p;
    const char *keys2[RULE_PATH_DEPTH_MAX];
    const cJSON *v;

    if ((v = json_path_list(doc, keys, n)) != NULL || n == 0 ||
        n > RULE_PATH_DEPTH_MAX)
        return v;
    sys = ticketsys_for_item(json_str(cJSON_GetObjectItemCaseSensitive(doc,
        "alexis"), "feed_type"), doc);
    for (p = sys != NULL ? sys->aliases : NULL; p != NULL && *p != NULL;
        p += 2) {
        if (strcmp(keys[0], p[0]) != 0)
            continue;
        memcpy(keys2, keys, n * sizeof(*keys));
        keys2[0] = p[1];
        return json_path_list(doc, keys2, n);
    }
    return NULL;
}

const cJSON *
alert_lookup(struct alert *a, const char *key)
{
    const cJSON *v;
    size_t i;

    for (i = 0; i < a->ncache; i++) {
        if (strcmp(a->cache[i].key, key) == 0)
            return a->cache[i].value;
    }
    v = alert_path(a, key);
    if (a->ncache < ALERT_PATH_CACHE) {
        a->cache[a->ncache].key = key;
        a->cache[a->ncache].value = v;
        a->ncache++;
    }
    return v;
}
