/*
 * The OpsGenie module (see ticketsys_opsgenie.h).
 */
#include "ticketsys_opsgenie.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "alexis_limits.h"
#include "buf.h"
#include "feed.h"
#include "json.h"
#include "ticket.h"
#include "ticketsys_og.h"
#include "url.h"
#include "xmem.h"

#define OG_USER         "Alexis"
#define OG_SOURCE       "alexis"
#define OG_ALERTS       "/v2/alerts"
/* Notes read back per look for a note already sent: the newest first. */
#define OG_NOTES_QUERY  "&limit=100&order=desc"

/* ---- Reading the feed ---- */

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

static int
og_list(const struct feed_ctx *c, struct feed_ids *out,
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
        if (feed_stopping(c))
            break;
        free(url);
        if ((url = page_url(base, offset, limit, err, errlen)) == NULL)
            goto out;
        cJSON_Delete(doc);
        if ((doc = feed_get_json(c, url, &r->status, err, errlen)) == NULL)
            goto out;
        r->pages++;
        if ((got = ticketsys_og_take_page(doc, "data", "tinyId", NULL, out, r,
            &full)) == -1) {
            snprintf(err, errlen, "answer has no \"data\" array");
            goto out;
        }
        step = feed_og_page_step(offset, limit, (size_t)got,
            ticketsys_og_has_next(doc, "paging"), r->pages, c->max_pages,
            &offset, &limit);
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

static void
og_item(const struct feed_ctx *c, const char *id, struct item_outcome *o)
{
    feed_details(c, id, o);
}

/* ---- The envelope ---- */

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

static bool
all_digits(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return true;
}

/* One list call with the feed's own query narrowed to the tinyId. */
static int
og_listed(const struct feed_ctx *c, const char *id, bool *listed,
    long *status, char *err, size_t errlen)
{
    const cJSON *data, *it;
    const char *t;
    cJSON *doc;
    char *url;

    *listed = false;
    /* tinyIds are numbers; anything else could widen the query (and no
     * alert has it). */
    if (!all_digits(id) || *id == '\0')
        return 0;
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

static int
og_identify(struct alert *a, char *err, size_t errlen)
{
    const char *s;

    (void)err;
    (void)errlen;
    a->id = json_str(a->doc, "tinyId");
    if ((s = json_str(a->doc, "id")) != NULL && *s != '\0') {
        a->ticket_id = s;
        a->ticket_id_type = "id";
    } else {
        a->ticket_id = a->id != NULL ? a->id : a->unique_value;
        a->ticket_id_type = "tiny";
    }
    if (a->id == NULL)
        a->id = a->unique_value;
    return 0;
}

/* ---- Writing ---- */

static char *
og_url(const struct ticket_ref *t, const char *what, const char *extra)
{
    char query[96];

    snprintf(query, sizeof(query), "?identifierType=%s%s",
        t->id_type != NULL ? t->id_type : "id", extra != NULL ? extra : "");
    return ticket_url(t, OG_ALERTS, what, query);
}

/* POST /v2/alerts/{id}/teams {"team":{"name":team},"user","source"}; note
 * (may be NULL) is attached. */
static int
add_team(struct fetcher *f, const struct ticket_ref *t, const char *team,
    const char *note, struct ticket_outcome *out)
{
    cJSON *body, *tm;
    char *url;

    body = cJSON_CreateObject();
    tm = cJSON_AddObjectToObject(body, "team");
    cJSON_AddStringToObject(tm, "name", team);
    cJSON_AddStringToObject(body, "user", OG_USER);
    cJSON_AddStringToObject(body, "source", OG_SOURCE);
    if (note != NULL)
        cJSON_AddStringToObject(body, "note", note);
    url = og_url(t, "teams", NULL);
    return ticket_post(f, t, url, body, false, out);
}

static int
og_mark(struct fetcher *f, const struct ticket_ref *t, enum ticket_queue q,
    const char *queue, const char *note, struct ticket_outcome *out)
{
    (void)q;
    return add_team(f, t, queue, note, out);
}

static int
og_route(struct fetcher *f, const struct ticket_ref *t, const char *team,
    struct ticket_outcome *out)
{
    return add_team(f, t, team, NULL, out);
}

static int
og_note(struct fetcher *f, const struct ticket_ref *t, const char *text,
    struct ticket_outcome *out)
{
    cJSON *body;
    char *url;

    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "note", text);
    cJSON_AddStringToObject(body, "user", OG_USER);
    cJSON_AddStringToObject(body, "source", OG_SOURCE);
    url = og_url(t, "notes", NULL);
    return ticket_post(f, t, url, body, true, out);
}

/* ---- Webhooks ---- */

/* {"action": ..., "alert": {"alertId": ..., "tinyId": ...}}: the feed
 * reads alerts by tinyId (its unique value), so that is the one taken. */
static int
opsgenie_webhook_id(const cJSON *payload, char *id, size_t idlen, char *err,
    size_t errlen)
{
    return ticketsys_og_webhook_id(payload, "tinyId", id, idlen, err, errlen);
}

/* Reading back: GET /v2/alerts/{id}/notes, newest first
 * ({"data":[{"note":...}]}), and GET /v2/alerts/{id}, whose data.status
 * is "open" or "closed" (acknowledged and snoozed alerts are open). */
static const char *const og_note_lists[] = { "data", NULL };
static const struct og_api og_api = {
    .url = og_url,
    .notes_query = OG_NOTES_QUERY,
    .note_lists = og_note_lists,
    .status_path = "data.status",
};

const struct ticketsys ticketsys_opsgenie = {
    .name = "opsgenie",
    .feed_type = "opsgenie",
    .id_key = "tinyId",
    .unique_key = "tinyId",
    .list_key = "tinyId",
    .default_base_url = "https://api.opsgenie.com",
    .key_scheme = "GenieKey ",
    .url_path = NULL,
    .default_item_url = "$base_url/v2/alerts/$uniqueid?identifierType=tiny",
    .item_member = "data",
    .note_max = OPSGENIE_NOTE_MAX,
    .note_parts_max = 1,
    .mark_names = { "remediation_queue", "investigation_queue" },
    .data = &og_api,
    .owns = NULL,
    .list = og_list,
    .item = og_item,
    .identify = og_identify,
    .collect_tags = ticketsys_og_collect_tags,
    .mark = og_mark,
    .route = og_route,
    .note = og_note,
    .note_find = ticketsys_og_note_find,
    .state = ticketsys_og_state,
    .webhook_id = opsgenie_webhook_id,
    .listed = og_listed,
};
