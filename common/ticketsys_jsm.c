/*
 * The JSM module (see ticketsys_jsm.h).
 */
#include "ticketsys_jsm.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"
#include "cfg.h"
#include "cfg_auth.h"
#include "envelope.h"
#include "feed.h"
#include "http_client.h"
#include "json.h"
#include "ticket.h"
#include "ticketsys_og.h"
#include "url.h"

#define JSM_API_FMT     "/jsm/ops/api/%s/v1"
#define JSM_PREFIX_MAX  256

/* "/jsm/ops/api/{cloud_id}/v1/alerts" (cloud_id is checked at load: only
 * letters, digits and '-'). */
static void
alerts_prefix(const struct cfg_auth *a, char *buf, size_t len)
{
    (void)snprintf(buf, len, JSM_API_FMT "/alerts", a->cloud_id);
}

/* ---- Reading the feed ---- */

/* The search: the feed's query, without the skip tags, and only alerts
 * created within the lookback. -1 when it does not fit. */
static int
search_query(const struct feed_ctx *c, struct buf *q)
{
    const struct feed_def *d = c->feed;
    uint64_t since = 0;
    size_t i;
    int rc = 0;

    if (d->lookback_ms > 0 && c->now_epoch_ms > d->lookback_ms)
        since = c->now_epoch_ms - d->lookback_ms;
    rc |= buf_appendf(q, "(%s)", d->query != NULL ? d->query :
        "status: open");
    for (i = 0; i < d->nskip_tags; i++)
        rc |= buf_appendf(q, " AND NOT tag: \"%s\"", d->skip_tags[i]);
    if (since > 0)
        rc |= buf_appendf(q, " AND createdAt > %" PRIu64, since);
    return rc;
}

static char *
page_url(const struct feed_ctx *c, const char *esc_query, size_t offset,
    size_t size)
{
    char prefix[JSM_PREFIX_MAX];
    struct buf b;

    alerts_prefix(c->feed->auth, prefix, sizeof(prefix));
    buf_init(&b, POLLER_URL_MAX);
    if (buf_appendf(&b, "%s%s?query=%s&offset=%zu&size=%zu"
        "&sort=insertedAt&order=asc", c->feed->base_url, prefix, esc_query,
        offset, size) == -1) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

static int
jsm_list(const struct feed_ctx *c, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    size_t offset = 0, size = c->page_size;
    char *esc = NULL, *url = NULL;
    cJSON *doc = NULL;
    enum page_step step = PAGE_NEXT;
    struct buf q;
    bool full = false;
    long got;
    int rc = -1;

    if (size == 0 || size > JSM_PAGE_SIZE_MAX)
        size = JSM_PAGE_SIZE_MAX;
    buf_init(&q, JSM_QUERY_MAX);
    if (search_query(c, &q) == -1) {
        snprintf(err, errlen, "the search query is longer than %d bytes",
            JSM_QUERY_MAX);
        goto out;
    }
    esc = url_escape(q.data);
    while (step == PAGE_NEXT) {
        if (feed_stopping(c))
            break;
        free(url);
        if ((url = page_url(c, esc, offset, size)) == NULL) {
            snprintf(err, errlen, "page URL too long");
            goto out;
        }
        cJSON_Delete(doc);
        if ((doc = feed_get_json(c, url, &r->status, err, errlen)) == NULL)
            goto out;
        r->pages++;
        if ((got = ticketsys_og_take_page(doc, "values", "id", c->feed, out, r,
            &full)) == -1) {
            snprintf(err, errlen, "answer has no \"values\" array");
            goto out;
        }
        step = feed_offset_page_step(offset, size, (size_t)got,
            ticketsys_og_has_next(doc, "links"), r->pages, c->max_pages,
            JSM_OFFSET_SIZE_MAX, &offset, &size);
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
    free(esc);
    buf_free(&q);
    return rc;
}

/* GET /alerts/{id}: the answer is the alert. One with a skip tag was
 * handled since the listing. */
static void
jsm_item(const struct feed_ctx *c, const char *id, struct item_outcome *o)
{
    char prefix[JSM_PREFIX_MAX], *url;
    struct envelope_meta m;
    cJSON *doc;

    alerts_prefix(c->feed->auth, prefix, sizeof(prefix));
    o->reason = "details";
    if ((url = url_item(c->feed->base_url, prefix, id, NULL, NULL,
        POLLER_URL_MAX)) == NULL) {
        o->reason = "url";
        snprintf(o->err, sizeof(o->err), "details URL too long");
        goto out;
    }
    if ((doc = feed_get_json(c, url, &o->status, o->err,
        sizeof(o->err))) == NULL) {
        if (o->status == 404) {
            /* Closed and gone since the listing: nothing left to do. */
            o->result = ITEM_SKIP;
            o->reason = "gone";
        }
        goto out;
    }
    if (!cJSON_IsObject(doc)) {
        o->reason = "envelope";
        snprintf(o->err, sizeof(o->err), "answer is not a JSON object");
        cJSON_Delete(doc);
        goto out;
    }
    if (ticketsys_og_has_skip_tag(c->feed, doc)) {
        o->result = ITEM_SKIP;
        o->reason = "skip_tag";
        cJSON_Delete(doc);
        goto out;
    }
    feed_item_meta(c, id, &m);
    o->envelope = envelope_from_item(doc, &m);
    o->result = ITEM_DELIVER;
    o->reason = NULL;
out:
    free(url);
}

/* ---- The envelope ---- */

/* JSM addresses an alert by its full id (it refuses the tinyId); logs
 * carry the tinyId as for OpsGenie. */
static int
jsm_identify(struct alert *a, char *err, size_t errlen)
{
    const char *s;

    if ((s = json_str(a->doc, "id")) == NULL || *s == '\0') {
        snprintf(err, errlen, "missing field id (the JSM alert id)");
        return -1;
    }
    a->ticket_id = s;
    a->ticket_id_type = NULL;
    if ((a->id = json_str(a->doc, "tinyId")) == NULL)
        a->id = s;
    return 0;
}

/* ---- Writing ---- */

static char *
jsm_url(const struct ticket_ref *t, const char *what, const char *query)
{
    char prefix[JSM_PREFIX_MAX];

    alerts_prefix(t->auth, prefix, sizeof(prefix));
    return ticket_url(t, prefix, what, query);
}

/* POST /alerts/{id}/tags {"tags":[tag]}: 202 receipt. */
static int
add_tag(struct fetcher *f, const struct ticket_ref *t, const char *tag,
    struct ticket_outcome *out)
{
    cJSON *body = cJSON_CreateObject();
    char *url = jsm_url(t, "tags", NULL);
    const char *tags[1] = { tag };

    cJSON_AddItemToObject(body, "tags", cJSON_CreateStringArray(tags, 1));
    return ticket_post(f, t, url, body, false, out);
}

/* POST /alerts/{id}/responders {"id","type":"team"} when the entry's
 * teams map knows team; 0 (nothing sent) when it does not. */
static int
add_responder(struct fetcher *f, const struct ticket_ref *t,
    const char *team, struct ticket_outcome *out)
{
    const char *team_id = cfg_strmap_get(&t->auth->teams, team);
    cJSON *body;
    char *url;

    if (team_id == NULL)
        return 0;
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "id", team_id);
    cJSON_AddStringToObject(body, "type", "team");
    url = jsm_url(t, "responders", NULL);
    return ticket_post(f, t, url, body, false, out);
}

static int
post_note(struct fetcher *f, const struct ticket_ref *t, const char *text,
    bool once, struct ticket_outcome *out)
{
    cJSON *body = cJSON_CreateObject();
    char *url = jsm_url(t, "notes", NULL);

    cJSON_AddStringToObject(body, "note", text);
    return ticket_post(f, t, url, body, once, out);
}

/* The queue is a tag (the feed's skip_tags leave it out from then on),
 * then the mapped responder team, then the note saying why. */
static int
jsm_mark(struct fetcher *f, const struct ticket_ref *t, enum ticket_queue q,
    const char *queue, const char *note, struct ticket_outcome *out)
{
    (void)q;
    if (add_tag(f, t, queue, out) == -1 ||
        add_responder(f, t, queue, out) == -1)
        return -1;
    if (note != NULL && post_note(f, t, note, false, out) == -1)
        return -1;
    return 0;
}

static int
jsm_route(struct fetcher *f, const struct ticket_ref *t, const char *team,
    struct ticket_outcome *out)
{
    if (add_tag(f, t, team, out) == -1)
        return -1;
    return add_responder(f, t, team, out);
}

static int
jsm_note(struct fetcher *f, const struct ticket_ref *t, const char *text,
    struct ticket_outcome *out)
{
    return post_note(f, t, text, true, out);
}

/* ---- Webhooks ---- */

/* {"action": ..., "alert": {"alertId": ...}}: the full id, which the
 * feed fetches by. */
static int
jsm_webhook_id(const cJSON *payload, char *id, size_t idlen, char *err,
    size_t errlen)
{
    return ticketsys_og_webhook_id(payload, "alertId", id, idlen, err, errlen);
}

static const char *const jsm_aliases[] = {
    "details", "extraProperties", NULL,
};

/* Reading back: GET /alerts/{id}/notes, whose list is "values" (JSM) or
 * "data" (as OpsGenie answered), either read; GET /alerts/{id}: status
 * open | acked | snoozed (open) or resolved | closed. */
static const char *const jsm_note_lists[] = { "values", "data", NULL };
static const struct og_api jsm_api = {
    .url = jsm_url,
    .notes_query = "?size=100",
    .note_lists = jsm_note_lists,
    .status_path = "status",
};

const struct ticketsys ticketsys_jsm = {
    .name = "jsm",
    .feed_type = "jsm",
    .id_key = "tinyId",
    .unique_key = "id",
    .list_key = "alert_id",
    .default_base_url = "https://api.atlassian.com",
    .key_scheme = NULL,
    .basic_auth = true,
    .builds_urls = true,
    .url_path = NULL,
    .default_item_url = NULL,
    .item_member = NULL,
    .note_max = JSM_NOTE_MAX,
    .note_parts_max = TICKET_NOTE_PARTS_MAX,
    .aliases = jsm_aliases,
    .mark_names = { "remediation_queue", "investigation_queue" },
    .data = &jsm_api,
    .owns = NULL,
    .list = jsm_list,
    .item = jsm_item,
    .identify = jsm_identify,
    .collect_tags = ticketsys_og_collect_tags,
    .mark = jsm_mark,
    .route = jsm_route,
    .note = jsm_note,
    .note_find = ticketsys_og_note_find,
    .state = ticketsys_og_state,
    .webhook_id = jsm_webhook_id,
};
