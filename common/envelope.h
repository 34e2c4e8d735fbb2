/*
 * The classifier request (DESIGN §6): the alert or problem exactly as the
 * source API returned it plus an "alexis" object {feed_type, feed_name,
 * base_url, unique_key, unique_value}. Unlike the original poller, the
 * feed's credentials (alexis.feed_headers) are never put in: the
 * classifier looks credentials up in its own configuration. Pure: no I/O,
 * no logging, thread-safe.
 */
#ifndef ALEXIS_ENVELOPE_H
#define ALEXIS_ENVELOPE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "compat.h"

struct ticketsys;

struct envelope_meta {
    const char *feed_type;      /* "opsgenie" | "dynatrace" */
    const char *feed_name;
    const char *base_url;
    const char *unique_key;     /* "tinyId" | "problem_id" */
    const char *unique_value;
};

/* The envelope's unique_key for a ticket system's items:
 * sys->unique_key ("tinyId" for OpsGenie, "problem_id" for Dynatrace, the
 * original's habit; "id" for JSM). */
const char *envelope_id_key(const struct ticketsys *sys);

/* Build the envelope from a details answer body[0..len): its
 * sys->item_member object (OpsGenie's "data", Dynatrace v1's "result"),
 * or the answer itself when the module names none (Dynatrace v2's bare
 * problem object). An "alexis" member the source object may carry is
 * replaced. Returns compact JSON (caller frees), or NULL with one sentence
 * in err when the body is not JSON or lacks that object. */
char *envelope_build(const char *body, size_t len,
    const struct ticketsys *sys,
    const struct envelope_meta *m, char *err, size_t errlen);

/* The envelope of an item already parsed: item (taken, deleted here)
 * with the alexis object m. Compact JSON; caller frees. */
char *envelope_from_item(cJSON *item, const struct envelope_meta *m);

#endif
