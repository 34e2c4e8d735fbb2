/*
 * What the feed modules share (see feed.h): the call into the feed's
 * module, the id list with its repeat check, the paging decisions, one
 * JSON GET with the feed's credentials, and the details fetch that ends
 * in an envelope.
 */
#include "feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "envelope.h"
#include "fetcher.h"
#include "fnv.h"
#include "json.h"
#include "str.h"
#include "ticket.h"
#include "ticketsys_iface.h"
#include "url.h"
#include "xmem.h"

int
feed_list(const struct feed_ctx *c, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    return c->feed->sys->list(c, out, r, err, errlen);
}

void
feed_item(const struct feed_ctx *c, const char *id, struct item_outcome *o)
{
    memset(o, 0, sizeof(*o));
    o->result = ITEM_FAIL;
    c->feed->sys->item(c, id, o);
}

bool
feed_stopping(const struct feed_ctx *c)
{
    return c->stop != NULL && atomic_load(c->stop);
}

int
feed_listed(const struct feed_ctx *c, const char *id, bool *listed,
    long *status, char *err, size_t errlen)
{
    *listed = true;
    *status = 0;
    if (c->feed->sys->listed == NULL)
        return 0;
    return c->feed->sys->listed(c, id, listed, status, err, errlen);
}

bool
feed_id_ok(const char *s)
{
    size_t n;

    if (s == NULL)
        return false;
    n = strnlen(s, POLLER_ID_MAX);
    return n > 0 && n < POLLER_ID_MAX && str_no_ctl(s, n);
}

size_t
feed_id_hash(const char *s)
{
    return (size_t)fnv_str64(s);
}

/* Find id's slot: the one holding it, or the empty one it would take. */
static size_t
ids_slot(const struct feed_ids *ids, const char *id)
{
    size_t i = feed_id_hash(id) & (ids->nslots - 1);

    while (ids->slots[i] != 0 && strcmp(ids->v[ids->slots[i] - 1], id) != 0)
        i = (i + 1) & (ids->nslots - 1);
    return i;
}

static void
ids_grow(struct feed_ids *ids)
{
    size_t i;

    ids->cap = ids->cap == 0 ? 128 : ids->cap * 2;
    ids->v = xreallocarray(ids->v, ids->cap, sizeof(*ids->v));
    /* Keep the set at most half full. */
    free(ids->slots);
    ids->nslots = ids->cap * 2;
    ids->slots = xcalloc(ids->nslots, sizeof(*ids->slots));
    for (i = 0; i < ids->n; i++)
        ids->slots[ids_slot(ids, ids->v[i])] = i + 1;
}

bool
feed_ids_add(struct feed_ids *ids, const char *id)
{
    size_t i;

    if (ids->n == ids->cap)
        ids_grow(ids);
    i = ids_slot(ids, id);
    if (ids->slots[i] != 0)
        return false;
    ids->v[ids->n++] = xstrdup(id);
    ids->slots[i] = ids->n;
    return true;
}

void
feed_ids_free(struct feed_ids *ids)
{
    size_t i;

    for (i = 0; i < ids->n; i++)
        free(ids->v[i]);
    free(ids->v);
    free(ids->slots);
    memset(ids, 0, sizeof(*ids));
}

enum page_step
feed_offset_page_step(size_t offset, size_t limit, size_t got, bool has_next,
    unsigned pages, unsigned max_pages, size_t cap, size_t *next_offset,
    size_t *next_limit)
{
    size_t next = offset + limit;

    if (got < limit || !has_next)
        return PAGE_DONE;
    if (next >= cap)
        return PAGE_CAP_OFFSET;
    if (pages >= max_pages)
        return PAGE_CAP_PAGES;
    *next_offset = next;
    *next_limit = next + limit > cap ? cap - next : limit;
    return PAGE_NEXT;
}

enum page_step
feed_og_page_step(size_t offset, size_t limit, size_t got, bool has_next,
    unsigned pages, unsigned max_pages, size_t *next_offset,
    size_t *next_limit)
{
    return feed_offset_page_step(offset, limit, got, has_next, pages,
        max_pages, OG_OFFSET_LIMIT_MAX, next_offset, next_limit);
}

enum page_step
feed_dt_page_step(bool has_key, unsigned pages, unsigned max_pages)
{
    if (!has_key)
        return PAGE_DONE;
    if (pages >= max_pages)
        return PAGE_CAP_PAGES;
    return PAGE_NEXT;
}

const char *
feed_page_step_name(enum page_step s)
{
    switch (s) {
    case PAGE_CAP_OFFSET:
        return "offset_cap";
    case PAGE_CAP_PAGES:
        return "max_pages";
    case PAGE_DONE:
    case PAGE_NEXT:
        break;
    }
    return NULL;
}

cJSON *
feed_get_json(const struct feed_ctx *c, const char *url, long *status,
    char *err, size_t errlen)
{
    return ticket_fetch_json(c->fetcher, url, c->hdrs, "", status, err,
        errlen);
}

void
feed_url_vars(const struct feed_ctx *c, const char *id, struct url_vars *v)
{
    v->base_url = c->feed->base_url;
    v->lookback = 0;
    if (c->feed->lookback_ms > 0 && c->now_epoch_ms > c->feed->lookback_ms)
        v->lookback = c->now_epoch_ms - c->feed->lookback_ms;
    v->uniqueid = id;
}

void
feed_item_meta(const struct feed_ctx *c, const char *id, struct envelope_meta *m)
{
    m->feed_type = c->feed->type;
    m->feed_name = c->feed->name;
    m->base_url = c->feed->base_url;
    m->unique_key = c->feed->sys->unique_key;
    m->unique_value = id;
}

void
feed_details(const struct feed_ctx *c, const char *id, struct item_outcome *o)
{
    struct envelope_meta m;
    struct url_vars v;
    struct http_result res;
    char *url;

    memset(&res, 0, sizeof(res));
    feed_url_vars(c, id, &v);
    o->result = ITEM_FAIL;
    o->reason = "url";
    if ((url = url_expand(c->feed->item_tmpl, &v, o->err,
        sizeof(o->err))) == NULL)
        return;
    o->reason = "details";
    if (c->fetcher->get(c->fetcher, url, c->hdrs, &res) == -1) {
        snprintf(o->err, sizeof(o->err), "%s", res.err);
        goto out;
    }
    o->status = res.status;
    if (res.status == 404) {
        /* Closed and gone since the listing: nothing left to do. */
        o->result = ITEM_SKIP;
        o->reason = "gone";
        goto out;
    }
    if (res.status != 200) {
        ticket_answer_error(&res, "", o->err, sizeof(o->err));
        goto out;
    }
    feed_item_meta(c, id, &m);
    o->reason = "envelope";
    if ((o->envelope = envelope_build(res.body, res.body_len, c->feed->sys,
        &m, o->err, sizeof(o->err))) != NULL) {
        o->result = ITEM_DELIVER;
        o->reason = NULL;
    }
out:
    http_client_result_free(&res);
    free(url);
}
