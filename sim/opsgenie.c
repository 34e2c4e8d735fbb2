/*
 * The simulated OpsGenie Alert API v2: routes and handlers. Reads answer
 * at once (list items lack description/details/entity/actions, GET has
 * them); writes are validated, answered 202 with a requestId and applied
 * later by the store's timer thread (api/opsgenie-dynatrace.md 1.1-1.10).
 */
#include "opsgenie.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"
#include "json.h"
#include "og_actions.h"
#include "og_query.h"
#include "str.h"
#include "url.h"
#include "xmem.h"

#define OG_PREFIX   "/v2/alerts"

static int
ident_type(const struct sim_req *req, enum og_ident *it)
{
    const char *t = sim_http_req_query(req, "identifierType");

    if (t == NULL || strcmp(t, "id") == 0)
        *it = OG_IDENT_ID;
    else if (strcmp(t, "tiny") == 0)
        *it = OG_IDENT_TINY;
    else if (strcmp(t, "alias") == 0)
        *it = OG_IDENT_ALIAS;
    else
        return -1;
    return 0;
}

static int
query_num(const struct sim_req *req, const char *name, uint64_t def,
    uint64_t min, uint64_t max, uint64_t *out)
{
    const char *v = sim_http_req_query(req, name), *errstr;

    *out = def;
    if (v == NULL)
        return 0;
    return str_to_u64(v, min, max, out, &errstr);
}

/* Append s percent-encoded (libcurl's escaping). */
static int
url_encode(struct buf *b, const char *s)
{
    char *e = url_escape(s);
    int rc = buf_appends(b, e);

    free(e);
    return rc;
}

/* An absolute paging URL; the buffer bound covers the longest query
 * (every byte percent-encoded), so it never fails in practice. */
static char *
page_url(const struct sim_req *req, const char *query, size_t offset,
    size_t limit, const char *sort, const char *order)
{
    const char *host = sim_http_req_host(req);
    struct buf b;
    int rc;

    buf_init(&b, SIM_QUERY_LEN_MAX * 3 + 1024);
    rc = buf_appendf(&b, "http://%s%s?", host, OG_PREFIX);
    if (rc == 0 && query != NULL)
        rc = buf_appends(&b, "query=") | url_encode(&b, query) |
            buf_appends(&b, "&");
    if (rc == 0)
        rc = buf_appendf(&b, "offset=%zu&limit=%zu&sort=", offset, limit) |
            url_encode(&b, sort) | buf_appendf(&b, "&order=%s", order);
    if (rc != 0) {
        buf_free(&b);
        return xstrdup("");
    }
    return buf_steal(&b);
}

static void
add_url(cJSON *paging, const char *key, char *url)
{
    cJSON_AddStringToObject(paging, key, url);
    free(url);
}

static const char *const sort_names[] = {
    [OG_SORT_CREATED] = "createdAt", [OG_SORT_UPDATED] = "updatedAt",
    [OG_SORT_TINY] = "tinyId", [OG_SORT_ALIAS] = "alias",
    [OG_SORT_MESSAGE] = "message", [OG_SORT_STATUS] = "status",
    [OG_SORT_COUNT] = "count", [OG_SORT_LAST] = "lastOccurredAt",
};

static cJSON *
paging(const struct sim_req *req, const char *query, size_t offset,
    size_t limit, size_t total, enum og_sort sort, const char *order)
{
    cJSON *p = cJSON_CreateObject();
    const char *sn = sort_names[sort];
    size_t last = total == 0 ? 0 : (total - 1) / limit * limit;

    if (last + limit > SIM_OG_WINDOW_MAX)
        last = SIM_OG_WINDOW_MAX - limit;
    if (offset + limit < total && offset + 2 * limit <= SIM_OG_WINDOW_MAX)
        add_url(p, "next", page_url(req, query, offset + limit, limit, sn,
            order));
    if (offset > 0)
        add_url(p, "prev", page_url(req, query, offset > limit ?
            offset - limit : 0, limit, sn, order));
    add_url(p, "first", page_url(req, query, 0, limit, sn, order));
    add_url(p, "last", page_url(req, query, last, limit, sn, order));
    return p;
}

static int
parse_sort(const struct sim_req *req, enum og_sort *sort, bool *asc)
{
    const char *s = sim_http_req_query(req, "sort");
    const char *o = sim_http_req_query(req, "order");
    size_t i;

    *sort = OG_SORT_CREATED;
    *asc = o != NULL && strcmp(o, "asc") == 0;
    if (o != NULL && !*asc && strcmp(o, "desc") != 0)
        return -1;
    if (s == NULL)
        return 0;
    for (i = 0; i < NELEM(sort_names); i++) {
        if (strcmp(s, sort_names[i]) == 0) {
            *sort = (enum og_sort)i;
            return 0;
        }
    }
    return -1;
}

static void
og_list(struct sim *s, const struct sim_req *req, const struct sim_args *a,
    struct sim_resp *resp)
{
    const char *text = sim_http_req_query(req, "query");
    struct og_query *q = NULL;
    uint64_t offset, limit;
    enum og_sort sort;
    size_t total;
    cJSON *o;
    char err[ALEXIS_ERR_MAX];
    bool asc;

    if (sim_http_req_query(req, "searchIdentifier") != NULL) {
        sim_og_error(resp, a, 422, "searchIdentifier", "saved searches are "
            "not simulated");
        return;
    }
    if (query_num(req, "offset", 0, 0, SIM_OG_WINDOW_MAX, &offset) == -1 ||
        query_num(req, "limit", SIM_OG_LIMIT_DEFAULT, 1, SIM_OG_LIMIT_MAX,
        &limit) == -1) {
        sim_og_error(resp, a, 422, "limit", "offset must be 0..%d and "
            "limit 1..%d", SIM_OG_WINDOW_MAX, SIM_OG_LIMIT_MAX);
        return;
    }
    if (offset + limit > SIM_OG_WINDOW_MAX) {
        sim_og_error(resp, a, 422, "offset", "offset + limit must not "
            "exceed %d", SIM_OG_WINDOW_MAX);
        return;
    }
    if (parse_sort(req, &sort, &asc) == -1) {
        sim_og_error(resp, a, 422, "sort", "unsupported sort or order");
        return;
    }
    if ((q = og_query_parse(text, err, sizeof(err))) == NULL) {
        sim_og_error(resp, a, 422, "query", "Invalid query: %s", err);
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "data", store_og_list(s->store, q, sort, asc,
        (size_t)offset, (size_t)limit, OG_VIEW_LIST, &total));
    cJSON_AddItemToObject(o, "paging", paging(req, text, (size_t)offset,
        (size_t)limit, total, sort, asc ? "asc" : "desc"));
    og_query_free(q);
    sim_og_reply(resp, a, 200, o);
}

static void
og_get(struct sim *s, const struct sim_req *req, const struct sim_args *a,
    struct sim_resp *resp)
{
    enum og_ident it;
    cJSON *data, *o;

    if (ident_type(req, &it) == -1) {
        sim_og_error(resp, a, 422, "identifierType", "must be id, tiny or "
            "alias");
        return;
    }
    if ((data = store_og_get(s->store, a->ident, it, OG_VIEW_FULL)) ==
        NULL) {
        sim_og_error(resp, a, 404, NULL, "Alert does not exist");
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "data", data);
    sim_og_reply(resp, a, 200, o);
}

static void
og_request_status(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    cJSON *data, *o;

    (void)req;
    if ((data = store_og_request(s->store, a->ident)) == NULL) {
        sim_og_error(resp, a, 404, NULL, "Request not found. It might not "
            "be processed, yet.");
        sim_http_resp_header(resp, "X-Opsgenie-Errortype",
            "RequestNotProcessed");
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "data", data);
    sim_og_reply(resp, a, 200, o);
}

static void
og_notes_list(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    const char *order = sim_http_req_query(req, "order");
    const char *dir = sim_http_req_query(req, "direction");
    const char *host = sim_http_req_host(req);
    enum og_ident it;
    uint64_t limit;
    cJSON *data = NULL, *o, *p, *last;
    bool asc, more;
    struct buf b;

    if (ident_type(req, &it) == -1 ||
        query_num(req, "limit", SIM_OG_LIMIT_MAX, 1, SIM_OG_LIMIT_MAX,
        &limit) == -1) {
        sim_og_error(resp, a, 422, "limit", "bad identifierType or limit");
        return;
    }
    asc = (order != NULL && strcmp(order, "asc") == 0) !=
        (dir != NULL && strcmp(dir, "prev") == 0);
    switch (store_og_notes(s->store, a->ident, it, sim_http_req_query(req,
        "offset"), asc, (size_t)limit, og_alert_note_to_json, &data, &more)) {
    case STORE_OK:
        break;
    case STORE_ENOENT:
        sim_og_error(resp, a, 404, NULL, "Alert does not exist");
        return;
    default:
        sim_og_error(resp, a, 422, "offset", "offset must be a note offset");
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "data", data);
    p = cJSON_AddObjectToObject(o, "paging");
    buf_init(&b, SIM_ARG_MAX * 3 + 256);
    if (buf_appendf(&b, "http://%s%s/", host, OG_PREFIX) == -1 ||
        url_encode(&b, a->ident) == -1 ||
        buf_appendf(&b, "/notes?identifierType=%s&limit=%llu&order=%s",
        it == OG_IDENT_ID ? "id" : it == OG_IDENT_TINY ? "tiny" : "alias",
        (unsigned long long)limit, asc ? "asc" : "desc") == -1) {
        buf_free(&b);
        cJSON_Delete(o);
        sim_og_error(resp, a, 500, NULL, "paging URL too long");
        return;
    }
    cJSON_AddStringToObject(p, "first", b.data);
    last = cJSON_GetArrayItem(data, cJSON_GetArraySize(data) - 1);
    if (more && last != NULL &&
        buf_appendf(&b, "&direction=next&offset=%s",
        json_str(last, "offset")) == 0)
        cJSON_AddStringToObject(p, "next", b.data);
    buf_free(&b);
    sim_og_reply(resp, a, 200, o);
}

/* Route table. A path is /v2/alerts[/<identifier>[/<action>]]; the
 * identifier may itself hold '/' (an alias), so actions are matched as
 * suffixes. */
struct og_suffix {
    const char         *suffix;     /* "" for the alert itself */
    const char         *method;
    struct sim_route    route;
};

static const struct og_suffix suffixes[] = {
    { "/notes",         "GET",  { "og.notes.list", "og.alert",
        og_notes_list } },
    { "/notes",         "POST", { "og.notes.add", "og.alert",
        og_actions_handle } },
    { "/teams",         "POST", { "og.teams.add", "og.alert",
        og_actions_handle } },
    { "/close",         "POST", { "og.close", "og.alert", og_actions_handle } },
    { "",               "GET",  { "og.get", "og.alert", og_get } },
};

static const struct sim_route route_list = { "og.list", "og.search",
    og_list };
static const struct sim_route route_request = { "og.request_status",
    "og.alert", og_request_status };

static const struct sim_route *
one(const struct sim_req *req, const char *method,
    const struct sim_route *rt, bool *known)
{
    *known = true;
    return strcmp(req->method, method) == 0 ? rt : NULL;
}

const struct sim_route *
opsgenie_route(const struct sim_req *req, struct sim_args *a, bool *known)
{
    const char *rest;
    size_t i, rlen, slen;

    *known = false;
    if (strcmp(req->path, OG_PREFIX) == 0 ||
        strcmp(req->path, OG_PREFIX "/") == 0)
        return one(req, "GET", &route_list, known);
    if (strncmp(req->path, OG_PREFIX "/", sizeof(OG_PREFIX)) != 0)
        return NULL;
    rest = req->path + sizeof(OG_PREFIX);
    if (strncmp(rest, "requests/", 9) == 0 && rest[9] != '\0' &&
        strchr(rest + 9, '/') == NULL) {
        snprintf(a->ident, sizeof(a->ident), "%s", rest + 9);
        return one(req, "GET", &route_request, known);
    }
    rlen = strlen(rest);
    for (i = 0; i < NELEM(suffixes); i++) {
        slen = strlen(suffixes[i].suffix);
        if (rlen <= slen || rlen - slen >= sizeof(a->ident) ||
            strcmp(rest + rlen - slen, suffixes[i].suffix) != 0)
            continue;
        *known = true;
        if (strcmp(req->method, suffixes[i].method) != 0)
            continue;
        snprintf(a->ident, sizeof(a->ident), "%.*s", (int)(rlen - slen),
            rest);
        return &suffixes[i].route;
    }
    return NULL;
}
