/*
 * The state of alexis-sim: OpsGenie alerts (with the asynchronous request
 * model: a timer thread applies each accepted action after a delay and
 * keeps its request status) and Dynatrace problems with their comments.
 * Everything lives in memory behind one mutex and is bounded (objects,
 * notes, comments, pending requests). Every function is thread-safe;
 * answers come back as cJSON trees the caller owns, rendered under the
 * lock so no pointer into the state escapes.
 */
#ifndef ALEXIS_SIM_STORE_H
#define ALEXIS_SIM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"
#include "dt_problem.h"
#include "og_alert.h"
#include "og_query.h"
#include "store_opts.h"

struct store;

/* Outcome of a store call; the handlers map it to a status code. */
enum store_rc {
    STORE_OK = 0,
    STORE_EINVAL,       /* bad input: 400/422 with err */
    STORE_ENOENT,       /* no such alert/problem/comment: 404 */
    STORE_EFULL,        /* a state bound is reached: 507 */
    STORE_EBUSY,        /* too many pending requests: 429 */
};

enum og_sort {
    OG_SORT_CREATED,
    OG_SORT_UPDATED,
    OG_SORT_TINY,
    OG_SORT_ALIAS,
    OG_SORT_MESSAGE,
    OG_SORT_STATUS,
    OG_SORT_COUNT,
    OG_SORT_LAST,
    OG_SORT_INSERTED,   /* JSM: the order the store received them */
    OG_SORT_PRIORITY,   /* JSM: P1 < ... < P5 */
};

/* Create the store and start its timer thread. NULL with err when the
 * thread cannot start. Free with store_free (joins the thread). */
struct store *store_new(const struct store_opts *opts, char *err,
    size_t errlen);
void store_free(struct store *st);


/* --- OpsGenie ----------------------------------------------------- */

/* Insert an alert built from obj (admin API, seed) at once; *view (when
 * view is not NULL) gets it rendered in v. A duplicate id or tinyId is
 * STORE_EINVAL. */
enum store_rc store_og_add(struct store *st, const cJSON *obj,
    enum og_view v, cJSON **view, char *err, size_t errlen);
/* The alert in view v, or NULL. For OG_IDENT_ALIAS an open alert wins over
 * closed ones. */
cJSON *store_og_get(struct store *st, const char *ident, enum og_ident it,
    enum og_view v);
/* Every alert in view v (OG_VIEW_ADMIN or OG_VIEW_JSM_ADMIN), in creation
 * order. */
cJSON *store_og_all(struct store *st, enum og_view v);
/* Matching alerts rendered in view (OG_VIEW_LIST or OG_VIEW_JSM_LIST; for
 * JSM the query sees JSM's status), sorted, [offset, offset+limit).
 * *total receives the number of matches. */
cJSON *store_og_list(struct store *st, const struct og_query *q,
    enum og_sort sort, bool asc, size_t offset, size_t limit,
    enum og_view view, size_t *total);
/* Notes of an alert rendered by render, newest first unless asc, after
 * the note whose offset is cursor (NULL: from the start). *more is set
 * when notes remain. */
enum store_rc store_og_notes(struct store *st, const char *ident,
    enum og_ident it, const char *cursor, bool asc, size_t limit,
    cJSON *(*render)(const struct og_note *), cJSON **data, bool *more);
/* Add a note at once (JSM's synchronous note answer): *out gets it in
 * JSM's shape. STORE_ENOENT, or STORE_EFULL at the notes bound. */
enum store_rc store_og_note_now(struct store *st, const char *id,
    const char *note, const char *owner, cJSON **out);
/* Accept an action (ownership passes to the store, even on error). Team
 * names/ids are resolved here. STORE_EBUSY when the pending queue is full,
 * STORE_EFULL for a create beyond alerts_max. */
enum store_rc store_og_submit(struct store *st, struct og_action *act);
/* Request status data of request id, or NULL while it is pending or
 * unknown. */
cJSON *store_og_request(struct store *st, const char *rid);

#endif
