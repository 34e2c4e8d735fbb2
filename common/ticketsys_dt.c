/*
 * Dynatrace v1 and v2 shared parts (see ticketsys_dt.h).
 */
#include "ticketsys_dt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "feed.h"
#include "http_client.h"
#include "json.h"
#include "ticket.h"
#include "url.h"

bool
ticketsys_dt_has_alexis_comment(const cJSON *doc)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "comments");
    const cJSON *cm;
    const char *ctx;

    cJSON_ArrayForEach(cm, list) {
        ctx = json_str(cm, "context");
        if (ctx != NULL && strstr(ctx, TICKETSYS_DT_CONTEXT) != NULL)
            return true;
    }
    return false;
}

char *
ticketsys_dt_next_page_url(const char *url, const char *key)
{
    static const char *const keep[] = { "fields", NULL };
    char *bare, *next = NULL;

    if ((bare = url_keep_params(url, keep)) != NULL)
        next = url_set_param(bare, "nextPageKey", key);
    free(bare);
    return next;
}

int
ticketsys_dt_check_comments(const struct feed_ctx *c, const char *url,
    bool paged, struct item_outcome *o)
{
    char *next = NULL;
    const char *key;
    cJSON *doc = NULL;
    unsigned pages = 0;
    int found = -1;

    o->reason = "comments";
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
        if (ticketsys_dt_has_alexis_comment(doc)) {
            found = 1;
            break;
        }
        key = json_str(doc, "nextPageKey");
        if (!paged || key == NULL || *key == '\0' ||
            pages >= DT_COMMENT_PAGES_MAX) {
            found = 0;
            break;
        }
        free(next);
        if ((next = ticketsys_dt_next_page_url(url, key)) == NULL) {
            found = 0;
            break;
        }
        cJSON_Delete(doc);
    }
    cJSON_Delete(doc);
    free(next);
    return found;
}

void
ticketsys_dt_item(const struct feed_ctx *c, const char *comments_url,
    bool paged, const char *id, struct item_outcome *o)
{
    switch (ticketsys_dt_check_comments(c, comments_url, paged, o)) {
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

int
ticketsys_dt_webhook_id(const cJSON *payload, char *id, size_t idlen,
    char *err, size_t errlen)
{
    static const char *const keys[] = { "PID", "ProblemID" };
    const char *s = NULL;
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && s == NULL; i++) {
        s = json_str(payload, keys[i]);
        if (!feed_id_ok(s))
            s = NULL;
        else if ((size_t)snprintf(id, idlen, "%s", s) >= idlen) {
            snprintf(err, errlen, "%s is too long", keys[i]);
            return -1;
        }
    }
    if (s == NULL) {
        snprintf(err, errlen, "missing field PID (or ProblemID)");
        return -1;
    }
    return 0;
}

int
ticketsys_dt_take_ids(const cJSON *arr, const char *id_key,
    struct feed_ids *out, struct feed_list_result *r)
{
    const cJSON *it;
    const char *id;

    if (!cJSON_IsArray(arr))
        return -1;
    cJSON_ArrayForEach(it, arr) {
        id = json_str(it, id_key);
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

void
ticketsys_dt_item_at(const struct feed_ctx *c, const char *prefix,
    const char *query, bool paged, const char *id, struct item_outcome *o)
{
    char *url = url_item(c->feed->base_url, prefix, id, "comments", query,
        POLLER_URL_MAX);

    if (url == NULL) {
        o->reason = "comments";
        snprintf(o->err, sizeof(o->err), "comments URL too long");
    } else {
        ticketsys_dt_item(c, url, paged, id, o);
    }
    free(url);
}

int
ticketsys_dt_identify(struct alert *a, const char *id_key, char *err,
    size_t errlen)
{
    const char *s;

    if ((s = json_str(a->doc, id_key)) == NULL) {
        snprintf(err, errlen, "missing field problemId (Dynatrace v2) or "
            "id (Dynatrace v1)");
        return -1;
    }
    a->id = s;
    a->ticket_id = s;
    return 0;
}

/* POST {prefix}/{id}/comments {text_key: text, "user" (v1),
 * "context": "Alexis"}. */
static int
comment(struct fetcher *f, const struct ticket_ref *t, const char *text,
    bool once, struct ticket_outcome *out)
{
    const struct ticketsys_dt_api *api = t->sys->data;
    cJSON *body = cJSON_CreateObject();
    char *url = ticket_url(t, api->prefix, "comments", NULL);

    cJSON_AddStringToObject(body, api->text_key, text);
    if (api->user != NULL)
        cJSON_AddStringToObject(body, "user", api->user);
    cJSON_AddStringToObject(body, "context", TICKETSYS_DT_CONTEXT);
    return ticket_post(f, t, url, body, once, out);
}

int
ticketsys_dt_mark(struct fetcher *f, const struct ticket_ref *t,
    enum ticket_queue q, const char *queue, const char *note,
    struct ticket_outcome *out)
{
    (void)q;
    (void)queue;
    return comment(f, t, note, false, out);
}

int
ticketsys_dt_note(struct fetcher *f, const struct ticket_ref *t,
    const char *text, struct ticket_outcome *out)
{
    return comment(f, t, text, true, out);
}

int
ticketsys_dt_note_find(struct fetcher *f, const struct ticket_ref *t,
    const char *needle, char *err, size_t errlen)
{
    const struct ticketsys_dt_api *api = t->sys->data;
    char query[32], *url;
    cJSON *doc;
    long status;
    int found = -1;

    snprintf(query, sizeof(query), "?pageSize=%u", api->comments_page_size);
    url = ticket_url(t, api->prefix, "comments",
        api->comments_page_size > 0 ? query : NULL);
    if ((doc = ticket_get_json(f, t, url, &status, err, errlen)) != NULL)
        found = ticket_list_has(doc, "comments", "content", needle) ? 1 : 0;
    cJSON_Delete(doc);
    free(url);
    return found;
}

enum ticket_state
ticketsys_dt_state(struct fetcher *f, const struct ticket_ref *t, char *err,
    size_t errlen)
{
    static const char *const closed[] = { "CLOSED", "RESOLVED", NULL };
    const struct ticketsys_dt_api *api = t->sys->data;
    char *url = ticket_url(t, api->prefix, NULL, NULL);
    enum ticket_state st;

    st = ticket_state_at(f, t, url, api->status_path, closed, err, errlen);
    free(url);
    return st;
}
