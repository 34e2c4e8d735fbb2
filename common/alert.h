/*
 * One request envelope (DESIGN §6), as the classifier and the action
 * handler see it: the alert or
 * problem exactly as the source API returned it plus an "alexis" object.
 * alert_from_json validates the envelope, removes (and wipes) the
 * original's alexis.feed_headers so credentials never travel further, and
 * extracts what matching, logging and ticket marks need: the feed type
 * picks the ticket system's module (ticketsys.h), which knows the id and
 * where the tags live.
 */
#ifndef ALEXIS_ALERT_H
#define ALEXIS_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"

#define ALERT_PATH_CACHE    8

struct ticketsys;

struct alert {
    cJSON           *doc;           /* the envelope (owned) */
    const struct ticketsys *sys;    /* its ticket system's module */
    const char      *feed_type;     /* sys->feed_type */
    const char      *id_key;        /* sys->id_key (logs) */
    const char      *id;            /* its value (borrowed from doc) */
    const char      *unique_value;
    const char      *feed_name;     /* may be NULL */
    const char      *base_url;      /* may be NULL */
    /* The identifier to write to the ticket API with. */
    const char      *ticket_id;
    const char      *ticket_id_type; /* OpsGenie: "id" | "tiny" */
    const char     **tags;          /* borrowed from doc */
    uint32_t        *tag_hashes;    /* rules_tag_hash of each tag */
    size_t           ntags;
    bool             had_feed_headers;
    cJSON           *side;          /* owned strings tags may point into */
    /* search_key lookups already done for this alert: many rules test the
     * same key ("message"), and each json_path scans the object. */
    struct {
        const char      *key;
        const cJSON     *value;
    }                cache[ALERT_PATH_CACHE];
    size_t           ncache;
};

/* Take ownership of doc and validate it as an envelope. -1 with one sentence
 * naming the field in err (e.g. "missing field alexis.unique_value"); doc
 * is then owned by a and freed by alert_cleanup. */
int alert_from_json(struct alert *a, cJSON *doc, char *err, size_t errlen)
    ATTR_WUR;
void alert_cleanup(struct alert *a);

/* For modules' collect_tags: add tag (borrowed from a->doc or a->side;
 * NULL ignored) unless ALERT_TAGS_MAX are there already. */
void alert_add_tag(struct alert *a, const char *tag);

/* json_path(a->doc, key); when absent, the same path under the name the
 * alert's ticket system gave the field (JSM: "details.X" finds
 * "extraProperties.X"), so rules port between systems unchanged. */
const cJSON *alert_path(const struct alert *a, const char *key);

/* json_path_list(doc, keys, n) for an envelope, with the same alias of
 * keys[0] in the ticket system its alexis.feed_type names. Borrowed. */
const cJSON *alert_path_list(const cJSON *doc, const char *const *keys,
    size_t n);

/* alert_path(a, key), remembered for this alert. Not thread-safe: an
 * alert is handled by one thread at a time. */
const cJSON *alert_lookup(struct alert *a, const char *key);

/* Whether tag (whose rules_tag_hash is hash) is among the alert's tags
 * (DESIGN §7: OpsGenie tags[]; Dynatrace v1 key and key:value of
 * tagsOfAffectedEntities[]; v2 entityTags[].stringRepresentation).
 * Hashes are compared before any text. */
bool alert_has_tag_hashed(const struct alert *a, const char *tag,
    uint32_t hash);

#endif
