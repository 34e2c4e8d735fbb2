/*
 * The Dynatrace problems API v1 module (see ticketsys_dtv1.h).
 */
#include "ticketsys_dtv1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "alert_tag.h"
#include "buf.h"
#include "feed.h"
#include "http_client.h"
#include "json.h"
#include "ticket.h"
#include "ticketsys_dt.h"
#include "url.h"

#define DT1_DETAILS     "/api/v1/problem/details"

/* ---- Reading the feed ---- */

static int
dt1_list(const struct feed_ctx *c, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    struct url_vars v;
    const cJSON *res, *arr;
    cJSON *doc = NULL;
    char *url;
    int rc = -1;

    feed_url_vars(c, NULL, &v);
    if ((url = url_expand(c->feed->list_tmpl, &v, err, errlen)) == NULL)
        return -1;
    if ((doc = feed_get_json(c, url, &r->status, err, errlen)) == NULL)
        goto out;
    r->pages = 1;
    res = cJSON_GetObjectItemCaseSensitive(doc, "result");
    arr = cJSON_GetObjectItemCaseSensitive(res, "problems");
    if (ticketsys_dt_take_ids(arr, "id", out, r) == -1) {
        snprintf(err, errlen, "answer has no \"result.problems\" array");
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    free(url);
    return rc;
}

static void
dt1_item(const struct feed_ctx *c, const char *id, struct item_outcome *o)
{
    ticketsys_dt_item_at(c, DT1_DETAILS, "", false, id, o);
}

/* ---- The envelope ---- */

/* v1 problems carry id and no problemId. */
static bool
dt1_owns(const cJSON *item)
{
    return json_str(item, "problemId") == NULL &&
        json_str(item, "id") != NULL;
}

static int
dt1_identify(struct alert *a, char *err, size_t errlen)
{
    return ticketsys_dt_identify(a, "id", err, errlen);
}

/* Tags are {key, value?}: both "key" and "key:value" count. The
 * "key:value" strings live in a side list owned by the alert, never in
 * the envelope that is forwarded. */
static void
dt1_collect_tags(struct alert *a)
{
    const cJSON *list, *t;
    const char *k, *v;
    cJSON *joined;
    struct buf b;

    list = cJSON_GetObjectItemCaseSensitive(a->doc, "tagsOfAffectedEntities");
    if (!cJSON_IsArray(list))
        return;
    a->side = cJSON_CreateArray();
    cJSON_ArrayForEach(t, list) {
        if ((k = json_str(t, "key")) == NULL)
            continue;
        alert_tag_add(a, k);
        if ((v = json_str(t, "value")) == NULL)
            continue;
        buf_init(&b, 1024);
        if (buf_appendf(&b, "%s:%s", k, v) == 0) {
            joined = cJSON_CreateString(b.data);
            cJSON_AddItemToArray(a->side, joined);
            alert_tag_add(a, joined->valuestring);
        }
        buf_free(&b);
    }
}

/* ---- Writing ---- */

/* POST /api/v1/problem/details/{id}/comments {comment, user, context}. */
static int
comment(struct fetcher *f, const struct ticket_ref *t, const char *text,
    bool once, struct ticket_outcome *out)
{
    return ticketsys_dt_comment(f, t, DT1_DETAILS, "comment",
        TICKETSYS_DT_USER, text, once, out);
}

static int
dt1_mark(struct fetcher *f, const struct ticket_ref *t, enum ticket_queue q,
    const char *queue, const char *note, struct ticket_outcome *out)
{
    (void)q;
    (void)queue;
    return comment(f, t, note, false, out);
}

static int
dt1_note(struct fetcher *f, const struct ticket_ref *t, const char *text,
    struct ticket_outcome *out)
{
    return comment(f, t, text, true, out);
}

/* GET /api/v1/problem/details/{id}/comments: {"comments":[{content}]}. */
static int
dt1_note_find(struct fetcher *f, const struct ticket_ref *t,
    const char *needle, char *err, size_t errlen)
{
    return ticketsys_dt_note_find(f, t, DT1_DETAILS, NULL, needle, err,
        errlen);
}

/* GET /api/v1/problem/details/{id}: result.status "OPEN" or "CLOSED". */
static enum ticket_state
dt1_state(struct fetcher *f, const struct ticket_ref *t, char *err,
    size_t errlen)
{
    return ticketsys_dt_state(f, t, DT1_DETAILS, "result.status", err,
        errlen);
}

const struct ticketsys ticketsys_dtv1 = {
    .name = "dynatrace_v1",
    .feed_type = "dynatrace",
    .id_key = "problem_id",
    .unique_key = "problem_id",
    .list_key = "problem_id",
    .default_base_url = NULL,
    .key_scheme = "Api-Token ",
    .url_path = "/api/v1/problem/feed",
    .default_item_url = "$base_url" DT1_DETAILS "/$uniqueid",
    .item_member = "result",
    .note_max = 0,
    .note_parts_max = 1,
    .mark_names = { "comment_matched", "comment_unmatched" },
    .owns = dt1_owns,
    .list = dt1_list,
    .item = dt1_item,
    .identify = dt1_identify,
    .collect_tags = dt1_collect_tags,
    .mark = dt1_mark,
    .route = NULL,
    .note = dt1_note,
    .note_find = dt1_note_find,
    .state = dt1_state,
    .webhook_id = ticketsys_dt_webhook_id,
};
