/*
 * What the Dynatrace problems API v1 and v2 modules share
 * (ticketsys_dtv1.c, ticketsys_dtv2.c): the "Alexis" comment context that
 * marks a problem as handled, reading a problem's comments for it, and the
 * custom problem notification's id fields.
 */
#ifndef ALEXIS_TICKETSYS_DT_H
#define ALEXIS_TICKETSYS_DT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct feed_ctx;
struct item_outcome;

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

#endif
