/*
 * Dynatrace v1 and v2 shared parts (see ticketsys_dt.h).
 */
#include "ticketsys_dt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "json.h"
#include "poller_limits.h"
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
