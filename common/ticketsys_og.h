/*
 * The parts of the OpsGenie alert API that OpsGenie (ticketsys_opsgenie.c)
 * and JSM operations (ticketsys_jsm.c, the same API in a new place) read
 * alike: a listing page's ids, its "next" link, the alert's tags, a notes
 * list searched for a line, the alert-action webhook's id. What differs
 * (member and field names, skip tags) is a parameter.
 */
#ifndef ALEXIS_TICKETSYS_OG_H
#define ALEXIS_TICKETSYS_OG_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "feed.h"
#include "ticket.h"
#include "ticketsys_iface.h"

struct alert;

/* What sets OpsGenie's and JSM's reads back apart: a module's data
 * (struct ticketsys), read by ticketsys_og_note_find and ticketsys_og_state
 * through t->sys. */
struct og_api {
    /* The alert's URL (+ /what, + query); caller frees. */
    char               *(*url)(const struct ticket_ref *t, const char *what,
                               const char *query);
    const char         *notes_query;    /* for reading the notes back */
    const char *const  *note_lists;     /* the members that may hold them,
                                         * NULL-ended */
    const char         *status_path;    /* "data.status", "status" */
};

/* Add the id_key of every object in doc's array member to out, leaving
 * out those with one of skip's skip_tags (skip may be NULL). Counts bad
 * ids in r->invalid; sets *full past POLLER_ITEMS_MAX. Returns the number
 * of objects, or -1 when doc has no such array. */
long ticketsys_og_take_page(const cJSON *doc, const char *array,
    const char *id_key, const struct feed_def *skip, struct feed_ids *out,
    struct feed_list_result *r, bool *full);

/* Whether doc's links member (paging / links) has a non-empty "next". */
bool ticketsys_og_has_next(const cJSON *doc, const char *links);

/* Whether the alert object carries one of d's skip tags. */
bool ticketsys_og_has_skip_tag(const struct feed_def *d, const cJSON *alert);

/* Every string in the alert's "tags" array becomes one of its tags. */
void ticketsys_og_collect_tags(struct alert *a);

/* note_find: GET the alert's notes: 1 when one of the note_lists has an
 * object whose "note" holds needle, 0 when none, -1 on a failed read
 * (err set). */
int ticketsys_og_note_find(struct fetcher *f, const struct ticket_ref *t,
    const char *needle, char *err, size_t errlen);

/* state: GET the alert, the status at status_path ("closed" and
 * "resolved" are closed). */
enum ticket_state ticketsys_og_state(struct fetcher *f,
    const struct ticket_ref *t, char *err, size_t errlen);

/* The alert-action payload's alert.<field> into id. -1 with err set when
 * it is missing, not a feed id or too long. */
int ticketsys_og_webhook_id(const cJSON *payload, const char *field, char *id,
    size_t idlen, char *err, size_t errlen);

#endif
