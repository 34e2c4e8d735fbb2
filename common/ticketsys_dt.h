/*
 * What the Dynatrace problems API v1 and v2 modules share
 * (ticketsys_dtv1.c, ticketsys_dtv2.c): the "Alexis" comment context that
 * marks a problem as handled, reading a problem's comments for it, and the
 * custom problem notification's id fields, and the reads and writes both
 * APIs make alike under their own path prefix (v1 /api/v1/problem/details,
 * v2 /api/v2/problems).
 */
#ifndef ALEXIS_TICKETSYS_DT_H
#define ALEXIS_TICKETSYS_DT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ticketsys_iface.h"

/* The comment context the classifier and action handler write. */
#define TICKETSYS_DT_CONTEXT    "Alexis"
#define TICKETSYS_DT_USER       "Alexis"

/* Whether one comments answer holds a comment whose context contains
 * "Alexis". */
bool ticketsys_dt_has_alexis_comment(const cJSON *doc);

/* Read problem id's comments at url (paged: follow nextPageKey, bounded
 * by DT_COMMENT_PAGES_MAX) and decide: 1 when one is Alexis's, 0 when
 * none is, -1 when they could not be read (o says why; a 404 makes o a
 * "gone" skip). */
int ticketsys_dt_check_comments(const struct feed_ctx *c, const char *url,
    bool paged, struct item_outcome *o);

/* The item: skip it when Alexis commented already, else fetch its
 * details (feed_details). */
void ticketsys_dt_item(const struct feed_ctx *c, const char *comments_url,
    bool paged, const char *id, struct item_outcome *o);

/* The URL of the page after one that returned key: nextPageKey replaces
 * every other parameter but "fields". Caller frees; NULL when too long. */
char *ticketsys_dt_next_page_url(const char *url, const char *key);

/* A custom problem notification's problem id: "PID" (the {PID}
 * placeholder, the id both APIs take), else "ProblemID". -1 with err
 * naming the field when neither is there. */
int ticketsys_dt_webhook_id(const cJSON *payload, char *id, size_t idlen,
    char *err, size_t errlen);

/* Add the id_key of every problem in arr to out (bad ids counted in
 * r->invalid; r->truncated "items_max" past POLLER_ITEMS_MAX). -1 when
 * arr is not an array. */
int ticketsys_dt_take_ids(const cJSON *arr, const char *id_key,
    struct feed_ids *out, struct feed_list_result *r);

/* The item of problem id, its comments read at
 * {base_url}{prefix}/{id}/comments{query} (query may be ""). */
void ticketsys_dt_item_at(const struct feed_ctx *c, const char *prefix,
    const char *query, bool paged, const char *id, struct item_outcome *o);

/* The alert's id and ticket id from its id_key field. */
int ticketsys_dt_identify(struct alert *a, const char *id_key, char *err,
    size_t errlen);

/* What sets the two APIs' writes and reads apart: a module's data
 * (struct ticketsys), read by the operations below through t->sys. */
struct ticketsys_dt_api {
    const char *prefix;         /* "/api/v1/problem/details",
                                 * "/api/v2/problems" */
    const char *text_key;       /* the comment's text: "comment", "message" */
    const char *user;           /* the comment's "user" (v1), or NULL */
    unsigned    comments_page_size; /* reading them back: ?pageSize=N
                                     * (v2; 0: none) */
    const char *status_path;    /* "result.status", "status" */
};

/* mark and note: POST {prefix}/{id}/comments {text_key: text, "user"
 * (when api->user is set), "context": "Alexis"}; a mark's note is the
 * comment (the queue is not written), a note is sent once. */
int ticketsys_dt_mark(struct fetcher *f, const struct ticket_ref *t,
    enum ticket_queue q, const char *queue, const char *note,
    struct ticket_outcome *out);
int ticketsys_dt_note(struct fetcher *f, const struct ticket_ref *t,
    const char *text, struct ticket_outcome *out);

/* note_find: GET {prefix}/{id}/comments[?pageSize=N]: 1 when a
 * comment's content holds needle, 0 when none does, -1 on a failed
 * read. */
int ticketsys_dt_note_find(struct fetcher *f, const struct ticket_ref *t,
    const char *needle, char *err, size_t errlen);

/* state: GET {prefix}/{id}, the status at status_path ("CLOSED" and
 * "RESOLVED" are closed). */
enum ticket_state ticketsys_dt_state(struct fetcher *f,
    const struct ticket_ref *t, char *err, size_t errlen);

#endif
