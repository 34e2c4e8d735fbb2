/*
 * One request envelope (DESIGN §6), as the classifier and the action
 * handler see it: the alert or
 * problem exactly as the source API returned it plus an "alexis" object.
 * alert_from_json validates the envelope, removes (and wipes) the
 * original's alexis.feed_headers so credentials never travel further, and
 * extracts what matching, logging and ticket marks need: the feed type
 * picks the ticket system's module (ticketsys.h), which knows the id and
 * where the tags live. struct alert itself is in ticketsys_iface.h, as the
 * modules fill it in.
 */
#ifndef ALEXIS_ALERT_H
#define ALEXIS_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"
#include "ticketsys_iface.h"

/* Take ownership of doc and validate it as an envelope. -1 with one sentence
 * naming the field in err (e.g. "missing field alexis.unique_value"); doc
 * is then owned by a and freed by alert_cleanup. */
int alert_from_json(struct alert *a, cJSON *doc, char *err, size_t errlen)
    ATTR_WUR;
void alert_cleanup(struct alert *a);

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

/* Whether tag (whose alert_tag_hash is hash) is among the alert's tags
 * (DESIGN §7: OpsGenie tags[]; Dynatrace v1 key and key:value of
 * tagsOfAffectedEntities[]; v2 entityTags[].stringRepresentation).
 * Hashes are compared before any text. */
bool alert_has_tag_hashed(const struct alert *a, const char *tag,
    uint32_t hash);

#endif
