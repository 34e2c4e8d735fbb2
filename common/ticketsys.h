/*
 * A ticket system is one module behind this interface (STYLE: "Outside
 * systems are modules behind one interface"; curl's Curl_handler tables
 * are the anchor). Each module (ticketsys_opsgenie.c, ticketsys_dtv1.c,
 * ticketsys_dtv2.c, ...) owns everything that is particular to its API:
 * listing the feed and fetching one item (poller), the envelope's id key
 * and where its tags live (classifier, action handler), marking a queue,
 * routing to a team, adding a note and its size limit, reading the
 * alert's state back, and finding the id in a webhook payload. The rest
 * of the program picks a module once (by feed type, the feed URL or the
 * envelope) and calls its operations; it never asks which system it is.
 * Modules are immutable tables: thread-safe. Callers normally go through
 * ticket.h (writes) and feed.h (reads), which add what every system
 * shares. The interface the modules implement is ticketsys_iface.h; this
 * header is the table of modules and the lookups over it.
 */
#ifndef ALEXIS_TICKETSYS_H
#define ALEXIS_TICKETSYS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ticketsys_iface.h"

/* The first module of feed_type (any case), or NULL. */
const struct ticketsys *ticketsys_find(const char *feed_type);

/* The module of feed_type whose url_path feed_url contains (or that has
 * none), or NULL: the poller's choice at config time. */
const struct ticketsys *ticketsys_for_url(const char *feed_type,
    const char *feed_url);

/* The module of feed_type that owns item (an envelope), or NULL. */
const struct ticketsys *ticketsys_for_item(const char *feed_type,
    const cJSON *item);

/* Whether feed_type names a ticket system. */
bool ticketsys_known_type(const char *feed_type);

/* A config field's check (cfg_field.check) of a feed type: 0 when
 * ticketsys_known_type, else -1 with "expected opsgenie, dynatrace or
 * jsm" in err. */
int ticketsys_check_type(const char *text, char *err, size_t errlen);

/* The known feed types for messages, into buf: "opsgenie or dynatrace"
 * (quoted: "\"opsgenie\" or \"dynatrace\""). Returns buf. */
const char *ticketsys_type_names(bool quoted, char *buf, size_t len);

/* The feed_url paths that select a module of feed_type, for messages
 * ("/api/v1/problem/feed or /api/v2/problems"); "" when any URL does. */
const char *ticketsys_url_paths(const char *feed_type, char *buf,
    size_t len);

#endif
