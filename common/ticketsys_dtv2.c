/*
 * The Dynatrace problems API v2 module (see ticketsys_dtv2.h).
 */
#include "ticketsys_dtv2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "feed.h"
#include "http_client.h"
#include "json.h"
#include "poller_limits.h"
#include "str.h"
#include "ticket.h"
#include "ticketsys_dt.h"
#include "url.h"

#define DT2_PROBLEMS    "/api/v2/problems"

/* ---- Reading the feed ---- */

/* Add the ids of one answer's problems array; -1 when it is missing. */
static int
take_problems(const cJSON *arr, struct feed_ids *out,
    struct feed_list_result *r)
{
    const cJSON *it;
    const char *id;

    if (!cJSON_IsArray(arr))
        return -1;
    cJSON_ArrayForEach(it, arr) {
        id = json_str(it, "problemId");
        if (!feed_id_ok(id)) {
            r->invalid++;
            continue;
        }
        if (out->n >= POLLER_ITEMS_MAX) {
            r->truncated = "items_max";
            break;
        }
        (void)feed_ids_add(out, id);
    }
    return 0;
}

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
        if (take_problems(cJSON_GetObjectItemCaseSensitive(doc, "problems"),
            out, r) == -1) {
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
    char *esc = http_escape(id);
    struct buf b;

    buf_init(&b, POLLER_URL_MAX);
    if (buf_appendf(&b, "%s" DT2_PROBLEMS "/%s/comments?pageSize=%d",
        c->feed->base_url, esc, DT_COMMENT_PAGE_SIZE) == -1) {
        o->reason = "comments";
        snprintf(o->err, sizeof(o->err), "comments URL too long");
    } else {
        ticketsys_dt_item(c, b.data, true, id, o);
    }
    buf_free(&b);
    free(esc);
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
    const char *s;

    if ((s = json_str(a->doc, "problemId")) == NULL) {
        snprintf(err, errlen, "missing field problemId (Dynatrace v2) or "
            "id (Dynatrace v1)");
        return -1;
    }
    a->id = s;
    a->ticket_id = s;
    return 0;
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
        alert_add_tag(a, s);
    }
}

/* ---- Writing ---- */

/* POST /api/v2/problems/{id}/comments {message, context}. */
static int
comment(struct fetcher *f, const struct ticket_ref *t, const char *text,
    bool once, struct ticket_outcome *out)
{
    cJSON *body = cJSON_CreateObject();
    char *url = ticket_url(t, DT2_PROBLEMS, "comments", NULL);
    int rc;

    cJSON_AddStringToObject(body, "message", text);
    cJSON_AddStringToObject(body, "context", TICKETSYS_DT_CONTEXT);
    rc = ticket_send_json(f, t, "POST", url, body, once, out);
    free(url);
    cJSON_Delete(body);
    return rc;
}

static int
dt2_mark(struct fetcher *f, const struct ticket_ref *t, enum ticket_queue q,
    const char *queue, const char *note, struct ticket_outcome *out)
{
    (void)q;
    (void)queue;
    return comment(f, t, note, false, out);
}

static int
dt2_note(struct fetcher *f, const struct ticket_ref *t, const char *text,
    struct ticket_outcome *out)
{
    return comment(f, t, text, true, out);
}

/* GET /api/v2/problems/{id}/comments (the first page, newest first). */
static int
dt2_note_find(struct fetcher *f, const struct ticket_ref *t,
    const char *needle, char *err, size_t errlen)
{
    char query[32], *url;
    cJSON *doc;
    long status;
    int found = -1;

    snprintf(query, sizeof(query), "?pageSize=%d", DT_COMMENT_PAGE_SIZE);
    url = ticket_url(t, DT2_PROBLEMS, "comments", query);
    if ((doc = ticket_get_json(f, t, url, &status, err, errlen)) != NULL)
        found = ticket_list_has(doc, "comments", "content", needle) ? 1 : 0;
    cJSON_Delete(doc);
    free(url);
    return found;
}

/* GET /api/v2/problems/{id}: status "OPEN" or "CLOSED". */
static enum ticket_state
dt2_state(struct fetcher *f, const struct ticket_ref *t, char *err,
    size_t errlen)
{
    static const char *const closed[] = { "CLOSED", "RESOLVED", NULL };
    char *url = ticket_url(t, DT2_PROBLEMS, NULL, NULL);
    enum ticket_state st;

    st = ticket_state_at(f, t, url, "status", closed, err, errlen);
    free(url);
    return st;
}

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
    .owns = dt2_owns,
    .list = dt2_list,
    .item = dt2_item,
    .identify = dt2_identify,
    .collect_tags = dt2_collect_tags,
    .mark = dt2_mark,
    .route = NULL,
    .note = dt2_note,
    .note_find = dt2_note_find,
    .state = dt2_state,
    .webhook_id = ticketsys_dt_webhook_id,
};
