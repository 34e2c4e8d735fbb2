/*
 * OpsGenie feeds: GET /v2/alerts with the operator's query (lookback in
 * epoch ms), every page by offset and limit up to the API's offset + limit
 * cap of 20000, collecting tinyIds; then per alert GET
 * /v2/alerts/{tinyId}?identifierType=tiny (the individual URL), whose
 * "data" object becomes the envelope. Which alerts are already handled is
 * the query's business (teams!=queue_...), as in the original.
 */
#include "feed.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "json.h"
#include "poller_limits.h"
#include "str.h"
#include "url.h"
#include "xmem.h"

/* The URL of one page: the feed URL with limit and offset set (ours
 * replace any the operator wrote). */
static char *
page_url(const char *base, size_t offset, size_t limit, char *err,
    size_t errlen)
{
    char num[32], *u1, *u2 = NULL;

    snprintf(num, sizeof(num), "%zu", limit);
    if ((u1 = url_set_param(base, "limit", num)) != NULL) {
        snprintf(num, sizeof(num), "%zu", offset);
        u2 = url_set_param(u1, "offset", num);
    }
    free(u1);
    if (u2 == NULL)
        snprintf(err, errlen, "page URL too long");
    return u2;
}

/* Add the tinyIds of one page. Returns the number of items on the page,
 * or -1 when the answer has no data array. */
static long
take_page(const cJSON *doc, struct feed_ids *out, struct feed_list_result *r,
    bool *full)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data"), *it;
    const char *id;
    long n = 0;

    if (!cJSON_IsArray(data))
        return -1;
    cJSON_ArrayForEach(it, data) {
        n++;
        id = json_str(it, "tinyId");
        if (!feed_id_ok(id)) {
            r->invalid++;
            continue;
        }
        if (out->n >= POLLER_ITEMS_MAX) {
            *full = true;
            continue;
        }
        (void)feed_ids_add(out, id);
    }
    return n;
}

static bool
has_next(const cJSON *doc)
{
    const cJSON *paging = cJSON_GetObjectItemCaseSensitive(doc, "paging");
    const char *next = json_str(paging, "next");

    return next != NULL && *next != '\0';
}

int
feed_opsgenie_list(const struct feed_ctx *c, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    struct url_vars v;
    size_t offset = 0, limit = c->page_size;
    char *base = NULL, *url = NULL;
    cJSON *doc = NULL;
    enum page_step step = PAGE_NEXT;
    bool full = false;
    long got;
    int rc = -1;

    feed_url_vars(c, NULL, &v);
    if ((base = url_expand(c->feed->list_tmpl, &v, err, errlen)) == NULL)
        goto out;
    while (step == PAGE_NEXT) {
        if (c->stop != NULL && atomic_load(c->stop))
            break;
        free(url);
        if ((url = page_url(base, offset, limit, err, errlen)) == NULL)
            goto out;
        cJSON_Delete(doc);
        if ((doc = feed_get_json(c, url, &r->status, err, errlen)) == NULL)
            goto out;
        r->pages++;
        if ((got = take_page(doc, out, r, &full)) == -1) {
            snprintf(err, errlen, "answer has no \"data\" array");
            goto out;
        }
        step = feed_og_page_step(offset, limit, (size_t)got, has_next(doc),
            r->pages, c->max_pages, &offset, &limit);
        if (full) {
            r->truncated = "items_max";
            break;
        }
        r->truncated = feed_page_step_name(step);
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    free(url);
    free(base);
    return rc;
}

void
feed_opsgenie_item(const struct feed_ctx *c, const char *id,
    struct item_outcome *o)
{
    feed_details(c, id, o);
}

/* The feed's list URL narrowed to one alert: its query (decoded) becomes
 * "(query) AND tinyId:<id>", one item per page. */
static char *
narrowed_url(const struct feed_ctx *c, const char *id, char *err,
    size_t errlen)
{
    char *base = NULL, *enc = NULL, *q = NULL, *url = NULL, *one = NULL;
    struct url_vars v;
    struct buf b;
    int qlen = 0;

    buf_init(&b, POLLER_URL_MAX);
    feed_url_vars(c, NULL, &v);
    if ((base = url_expand(c->feed->list_tmpl, &v, err, errlen)) == NULL)
        goto out;
    enc = xmalloc(POLLER_URL_MAX);
    if (url_get_param(base, "query", enc, POLLER_URL_MAX) == 0)
        q = curl_easy_unescape(NULL, enc, 0, &qlen);
    if ((q != NULL && qlen > 0 && buf_appendf(&b, "(%s) AND ", q) == -1) ||
        buf_appendf(&b, "tinyId:%s", id) == -1 ||
        (one = url_set_param(base, "query", b.data)) == NULL) {
        snprintf(err, errlen, "narrowed list URL too long");
        goto out;
    }
    url = page_url(one, 0, 1, err, errlen);
out:
    curl_free(q);
    free(one);
    free(enc);
    free(base);
    buf_free(&b);
    return url;
}

int
feed_opsgenie_listed(const struct feed_ctx *c, const char *id, bool *listed,
    long *status, char *err, size_t errlen)
{
    const cJSON *data, *it;
    const char *t;
    cJSON *doc;
    char *url;

    *listed = false;
    *status = 0;
    if ((url = narrowed_url(c, id, err, errlen)) == NULL)
        return -1;
    doc = feed_get_json(c, url, status, err, errlen);
    free(url);
    if (doc == NULL)
        return -1;
    data = cJSON_GetObjectItemCaseSensitive(doc, "data");
    cJSON_ArrayForEach(it, data) {
        t = json_str(it, "tinyId");
        if (t != NULL && strcmp(t, id) == 0)
            *listed = true;
    }
    cJSON_Delete(doc);
    return 0;
}
