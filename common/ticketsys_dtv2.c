/*
 * The Dynatrace problems API v2 module (see ticketsys_dtv2.h).
 */
#include "ticketsys_dtv2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "alert_tag.h"
#include "feed.h"
#include "http_client.h"
#include "json.h"
#include "ticket.h"
#include "ticketsys_dt.h"
#include "url.h"

#define DT2_PROBLEMS    "/api/v2/problems"

/* ---- Reading the feed ---- */

static int
list_pages(const struct feed_ctx *c, const char *first, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    const char *key;
    char *url = NULL;
    cJSON *doc = NULL;
    enum page_step step = PAGE_NEXT;
    int rc = -1;

    while (step == PAGE_NEXT && r->truncated == NULL) {
        if (feed_stopping(c))
            break;
        cJSON_Delete(doc);
        if ((doc = feed_get_json(c, url != NULL ? url : first, &r->status,
            err, errlen)) == NULL)
            goto out;
        r->pages++;
        if (ticketsys_dt_take_ids(cJSON_GetObjectItemCaseSensitive(doc,
            "problems"), "problemId", out, r) == -1) {
            snprintf(err, errlen, "answer has no \"problems\" array");
            goto out;
        }
        key = json_str(doc, "nextPageKey");
        step = feed_dt_page_step(key != NULL && *key != '\0', r->pages,
            c->max_pages);
        if (r->truncated == NULL)
            r->truncated = feed_page_step_name(step);
        if (step != PAGE_NEXT)
            break;
        free(url);
        if ((url = ticketsys_dt_next_page_url(first, key)) == NULL) {
            snprintf(err, errlen, "nextPageKey makes the URL too long");
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    free(url);
    return rc;
}

static int
dt2_list(const struct feed_ctx *c, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    struct url_vars v;
    char *url;
    int rc;

    feed_url_vars(c, NULL, &v);
    if ((url = url_expand(c->feed->list_tmpl, &v, err, errlen)) == NULL)
        return -1;
    rc = list_pages(c, url, out, r, err, errlen);
    free(url);
    return rc;
}

static void
dt2_item(const struct feed_ctx *c, const char *id, struct item_outcome *o)
{
    char query[32];

    snprintf(query, sizeof(query), "?pageSize=%d", DT_COMMENT_PAGE_SIZE);
    ticketsys_dt_item_at(c, DT2_PROBLEMS, query, true, id, o);
}

/* ---- The envelope ---- */

/* v2 problems carry problemId (v1's carry id: ticketsys_dtv1 owns
 * those); an item with neither is refused here. */
static bool
dt2_owns(const cJSON *item)
{
    return json_str(item, "problemId") != NULL ||
        json_str(item, "id") == NULL;
}

static int
dt2_identify(struct alert *a, char *err, size_t errlen)
{
    return ticketsys_dt_identify(a, "problemId", err, errlen);
}

static void
dt2_collect_tags(struct alert *a)
{
    const cJSON *t;
    const char *s;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(a->doc,
        "entityTags")) {
        if ((s = json_str(t, "stringRepresentation")) == NULL)
            s = json_str(t, "key");
        alert_tag_add(a, s);
    }
}

/* ---- Writing and reading back (ticketsys_dt.c) ---- */

/* POST DT2_PROBLEMS/{id}/comments; GET DT2_PROBLEMS/{id}/comments and DT2_PROBLEMS/{id}. */
static const struct ticketsys_dt_api dt2_api = {
    .prefix = DT2_PROBLEMS,
    .text_key = "message",
    .user = NULL,
    .comments_page_size = DT_COMMENT_PAGE_SIZE,
    .status_path = "status",
};

const struct ticketsys ticketsys_dtv2 = {
    .name = "dynatrace_v2",
    .feed_type = "dynatrace",
    .id_key = "problem_id",
    .unique_key = "problem_id",
    .list_key = "problem_id",
    .default_base_url = NULL,
    .key_scheme = "Api-Token ",
    .url_path = DT2_PROBLEMS,
    .default_item_url = "$base_url" DT2_PROBLEMS "/$uniqueid",
    .item_member = NULL,
    .note_max = 0,
    .note_parts_max = 1,
    .mark_names = { "comment_matched", "comment_unmatched" },
    .data = &dt2_api,
    .owns = dt2_owns,
    .list = dt2_list,
    .item = dt2_item,
    .identify = dt2_identify,
    .collect_tags = dt2_collect_tags,
    .mark = ticketsys_dt_mark,
    .route = NULL,
    .note = ticketsys_dt_note,
    .note_find = ticketsys_dt_note_find,
    .state = ticketsys_dt_state,
    .webhook_id = ticketsys_dt_webhook_id,
};
