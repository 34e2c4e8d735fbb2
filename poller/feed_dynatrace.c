/*
 * Dynatrace feeds, problems API v1 or v2 as the feed URL's path says.
 * v1: GET /api/v1/problem/feed -> result.problems[].id (one call; the API
 * caps it at 5000). v2: GET /api/v2/problems -> problems[].problemId,
 * following nextPageKey (sent alone, as the API demands, plus "fields").
 * Per problem, its comments are read first: a comment whose context holds
 * "Alexis" means the classifier already handled it, so it is skipped
 * without fetching details (the original's check). Otherwise the details
 * (v1 "result", v2 the bare problem) become the envelope.
 */
#include "feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_client.h"
#include "json.h"
#include "poller_limits.h"
#include "str.h"
#include "url.h"

/* The comment context the classifier and action handler write. */
#define DT_ALEXIS_CONTEXT   "Alexis"

/* Add the ids of one answer's problems array; -1 when it is missing. */
static int
take_problems(const cJSON *arr, const char *key, struct feed_ids *out,
    struct feed_list_result *r)
{
    const cJSON *it;
    const char *id;

    if (!cJSON_IsArray(arr))
        return -1;
    cJSON_ArrayForEach(it, arr) {
        id = json_str(it, key);
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
list_v1(const struct feed_ctx *c, const char *url, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    const cJSON *res;
    cJSON *doc;
    int rc = -1;

    if ((doc = feed_get_json(c, url, &r->status, err, errlen)) == NULL)
        return -1;
    r->pages = 1;
    res = cJSON_GetObjectItemCaseSensitive(doc, "result");
    if (take_problems(cJSON_GetObjectItemCaseSensitive(res, "problems"), "id",
        out, r) == -1)
        snprintf(err, errlen, "answer has no \"result.problems\" array");
    else
        rc = 0;
    cJSON_Delete(doc);
    return rc;
}

/* The URL of the page after one that returned key: nextPageKey replaces
 * every other parameter but "fields". */
static char *
next_page_url(const char *url, const char *key)
{
    static const char *const keep[] = { "fields", NULL };
    char *bare, *next = NULL;

    if ((bare = url_keep_params(url, keep)) != NULL)
        next = url_set_param(bare, "nextPageKey", key);
    free(bare);
    return next;
}

static int
list_v2(const struct feed_ctx *c, const char *first, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    const char *key;
    char *url = NULL;
    cJSON *doc = NULL;
    enum page_step step = PAGE_NEXT;
    int rc = -1;

    while (step == PAGE_NEXT && r->truncated == NULL) {
        if (c->stop != NULL && atomic_load(c->stop))
            break;
        cJSON_Delete(doc);
        if ((doc = feed_get_json(c, url != NULL ? url : first, &r->status,
            err, errlen)) == NULL)
            goto out;
        r->pages++;
        if (take_problems(cJSON_GetObjectItemCaseSensitive(doc, "problems"),
            "problemId", out, r) == -1) {
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
        if ((url = next_page_url(first, key)) == NULL) {
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

int
feed_dynatrace_list(const struct feed_ctx *c, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    struct url_vars v;
    char *url;
    int rc;

    feed_url_vars(c, NULL, &v);
    if ((url = url_expand(c->feed->list_tmpl, &v, err, errlen)) == NULL)
        return -1;
    if (c->feed->kind == FEED_KIND_DT_V1)
        rc = list_v1(c, url, out, r, err, errlen);
    else
        rc = list_v2(c, url, out, r, err, errlen);
    free(url);
    return rc;
}

/* Whether one comments answer holds an Alexis comment. */
static bool
has_alexis_comment(const cJSON *doc)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "comments");
    const cJSON *cm;
    const char *ctx;

    cJSON_ArrayForEach(cm, list) {
        ctx = json_str(cm, "context");
        if (ctx != NULL && strstr(ctx, DT_ALEXIS_CONTEXT) != NULL)
            return true;
    }
    return false;
}

static char *
comments_url(const struct feed_ctx *c, const char *id)
{
    char *esc = http_escape(id), *url;
    struct buf b;
    int rc;

    buf_init(&b, POLLER_URL_MAX);
    if (c->feed->kind == FEED_KIND_DT_V1)
        rc = buf_appendf(&b, "%s/api/v1/problem/details/%s/comments",
            c->feed->base_url, esc);
    else
        rc = buf_appendf(&b, "%s/api/v2/problems/%s/comments?pageSize=%d",
            c->feed->base_url, esc, DT_COMMENT_PAGE_SIZE);
    free(esc);
    if (rc == -1) {
        buf_free(&b);
        return NULL;
    }
    url = buf_steal(&b);
    return url;
}

/* Read the problem's comments (v2: every page, bounded). 1 when one is
 * Alexis's, 0 when none is, -1 when they could not be read (o says why;
 * a 404 makes o a "gone" skip). */
static int
check_comments(const struct feed_ctx *c, const char *id,
    struct item_outcome *o)
{
    char *url, *next = NULL;
    const char *key;
    cJSON *doc = NULL;
    unsigned pages = 0;
    int found = -1;

    o->reason = "comments";
    if ((url = comments_url(c, id)) == NULL) {
        snprintf(o->err, sizeof(o->err), "comments URL too long");
        return -1;
    }
    for (;;) {
        if ((doc = feed_get_json(c, next != NULL ? next : url, &o->status,
            o->err, sizeof(o->err))) == NULL) {
            if (o->status == 404) {
                o->result = ITEM_SKIP;
                o->reason = "gone";
            }
            break;
        }
        pages++;
        if (has_alexis_comment(doc)) {
            found = 1;
            break;
        }
        key = json_str(doc, "nextPageKey");
        if (c->feed->kind == FEED_KIND_DT_V1 || key == NULL || *key == '\0' ||
            pages >= DT_COMMENT_PAGES_MAX) {
            found = 0;
            break;
        }
        free(next);
        if ((next = next_page_url(url, key)) == NULL) {
            found = 0;
            break;
        }
        cJSON_Delete(doc);
    }
    cJSON_Delete(doc);
    free(next);
    free(url);
    return found;
}

void
feed_dynatrace_item(const struct feed_ctx *c, const char *id,
    struct item_outcome *o)
{
    switch (check_comments(c, id, o)) {
    case 1:
        o->result = ITEM_SKIP;
        o->reason = "alexis_comment";
        return;
    case 0:
        o->status = 0;
        o->reason = NULL;
        feed_details(c, id, o);
        return;
    default:
        return;
    }
}
