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

/* ---- Writing and reading back (ticketsys_dt.c) ---- */

/* POST DT1_DETAILS/{id}/comments; GET DT1_DETAILS/{id}/comments and DT1_DETAILS/{id}. */
static const struct ticketsys_dt_api dt1_api = {
    .prefix = DT1_DETAILS,
    .text_key = "comment",
    .user = TICKETSYS_DT_USER,
    .comments_page_size = 0,
    .status_path = "result.status",
};

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
    .data = &dt1_api,
    .owns = dt1_owns,
    .list = dt1_list,
    .item = dt1_item,
    .identify = dt1_identify,
    .collect_tags = dt1_collect_tags,
    .mark = ticketsys_dt_mark,
    .route = NULL,
    .note = ticketsys_dt_note,
    .note_find = ticketsys_dt_note_find,
    .state = ticketsys_dt_state,
    .webhook_id = ticketsys_dt_webhook_id,
};
