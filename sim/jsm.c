/*
 * The simulated JSM operations alert API: routes, authorization and
 * handlers. Reads answer at once; tags and responders are accepted with
 * a 202 receipt and applied by
 * the store's timer like OpsGenie requests; a note is added at once and
 * answered 200 with the note (or, with --jsm-notes-202, queued and
 * answered with a receipt, as some clients see).
 */
#include "jsm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"
#include "jsm_alert.h"
#include "json.h"
#include "og_actions.h"
#include "str.h"
#include "url.h"
#include "xmem.h"

/* --- paging (decision code) ---------------------------------------- */

int
jsm_page_check(uint64_t offset, uint64_t size, char *err, size_t errlen)
{
    if (size < 1 || size > SIM_JSM_SIZE_MAX) {
        snprintf(err, errlen, "size must be between 1 and %d",
            SIM_JSM_SIZE_MAX);
        return -1;
    }
    if (offset >= SIM_JSM_WINDOW_MAX || offset + size >= SIM_JSM_WINDOW_MAX) {
        snprintf(err, errlen, "offset + size must be less than %d",
            SIM_JSM_WINDOW_MAX);
        return -1;
    }
    return 0;
}

bool
jsm_page_next(size_t offset, size_t size, size_t total, size_t *next)
{
    *next = offset + size;
    return *next < total;
}

/* --- authorization --------------------------------------------------- */

int
jsm_authorize(struct sim *s, const struct sim_req *req, struct sim_args *a,
    struct sim_resp *resp)
{
    char *user = NULL, *pass = NULL;
    enum jsm_auth_rc rc;
    cJSON *o;
    int ret = -1;

    (void)sim_http_req_basic_auth(req, &user, &pass);
    rc = jsm_auth_check(s->jsm_creds, s->njsm_creds, user, pass, 0);
    if (rc == JSM_AUTH_OK && strcmp(a->cloud, s->jsm_cloud_id) != 0) {
        sim_jsm_error(resp, 404, "NOT_FOUND", "No site with this cloudId");
        goto out;
    }
    if (rc == JSM_AUTH_OK)
        rc = jsm_auth_check(s->jsm_creds, s->njsm_creds, user, pass,
            jsm_auth_needed(req->method));
    switch (rc) {
    case JSM_AUTH_OK:
        snprintf(a->user, sizeof(a->user), "%s", user);
        ret = 0;
        break;
    case JSM_AUTH_FORBIDDEN:
        sim_jsm_error(resp, 403, "FORBIDDEN", "The API token does not "
            "grant delete:ops-alert:jira-service-management");
        break;
    default:
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "code", 401);
        cJSON_AddStringToObject(o, "message", rc == JSM_AUTH_SCOPE_MISMATCH ?
            "Unauthorized; scope does not match" :
            "Client must be authenticated to access this resource.");
        sim_http_resp_json(resp, 401, o);
        break;
    }
out:
    if (pass != NULL)
        explicit_bzero(pass, strlen(pass));
    free(pass);
    free(user);
    return ret;
}

/* --- reads ----------------------------------------------------------- */

static int
query_num(const struct sim_req *req, const char *name, uint64_t def,
    uint64_t *out)
{
    const char *v = sim_http_req_query(req, name), *errstr;

    *out = def;
    if (v == NULL)
        return 0;
    return str_to_u64(v, 0, UINT32_MAX, out, &errstr);
}

static const struct {
    const char     *name;
    enum og_sort    sort;
} sorts[] = {
    { "insertedAt", OG_SORT_INSERTED }, { "createdAt", OG_SORT_CREATED },
    { "lastOccurredAt", OG_SORT_LAST }, { "priority", OG_SORT_PRIORITY },
};

static int
parse_sort(const struct sim_req *req, size_t *sort, bool *asc)
{
    const char *s = sim_http_req_query(req, "sort");
    const char *o = sim_http_req_query(req, "order");

    *sort = 0;
    *asc = o != NULL && strcmp(o, "asc") == 0;
    if (o != NULL && !*asc && strcmp(o, "desc") != 0)
        return -1;
    if (s == NULL)
        return 0;
    for (*sort = 0; *sort < NELEM(sorts); (*sort)++) {
        if (strcmp(s, sorts[*sort].name) == 0)
            return 0;
    }
    return -1;
}

/* The absolute URL of the next page (caller frees); NULL if too long. */
static char *
next_url(const struct sim_req *req, const struct sim_args *a,
    const char *query, size_t offset, size_t size, size_t sort, bool asc)
{
    const char *host = sim_http_req_host(req);
    char *q = query != NULL ? url_escape(query) : NULL;
    struct buf b;
    int rc;

    buf_init(&b, SIM_QUERY_LEN_MAX * 3 + 1024);
    rc = buf_appendf(&b, "http://%s%s%s/v1/alerts?", host, JSM_PREFIX,
        a->cloud);
    if (rc == 0 && q != NULL)
        rc = buf_appendf(&b, "query=%s&", q);
    if (rc == 0)
        rc = buf_appendf(&b, "offset=%zu&size=%zu&sort=%s&order=%s", offset,
            size, sorts[sort].name, asc ? "asc" : "desc");
    free(q);
    if (rc != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

static void
jsm_list(struct sim *s, const struct sim_req *req, const struct sim_args *a,
    struct sim_resp *resp)
{
    const char *text = sim_http_req_query(req, "query");
    struct og_query *q;
    uint64_t offset, size;
    size_t total, next, sort;
    cJSON *o, *links;
    char err[ALEXIS_ERR_MAX], *url;
    bool asc;

    if (query_num(req, "offset", 0, &offset) == -1 ||
        query_num(req, "size", SIM_JSM_SIZE_DEFAULT, &size) == -1) {
        sim_jsm_error(resp, 400, "INVALID_INPUT", "offset and size must be "
            "numbers");
        return;
    }
    if (jsm_page_check(offset, size, err, sizeof(err)) == -1) {
        sim_jsm_error(resp, 400, "INVALID_INPUT", "%s", err);
        return;
    }
    if (parse_sort(req, &sort, &asc) == -1) {
        sim_jsm_error(resp, 400, "INVALID_INPUT", "sort must be insertedAt, "
            "createdAt, lastOccurredAt or priority; order asc or desc");
        return;
    }
    if ((q = og_query_parse(text, err, sizeof(err))) == NULL) {
        sim_jsm_error(resp, 400, "INVALID_QUERY", "Invalid query: %s", err);
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "values", store_og_list(s->store, q,
        sorts[sort].sort, asc, (size_t)offset, (size_t)size,
        OG_VIEW_JSM_LIST, &total));
    og_query_free(q);
    cJSON_AddNumberToObject(o, "count", (double)total);
    links = cJSON_AddObjectToObject(o, "links");
    if (jsm_page_next((size_t)offset, (size_t)size, total, &next) &&
        (url = next_url(req, a, text, next, (size_t)size, sort, asc)) !=
        NULL) {
        cJSON_AddStringToObject(links, "next", url);
        free(url);
    }
    sim_http_resp_json(resp, 200, o);
}

static void
answer_alert(struct sim_resp *resp, cJSON *alert)
{
    if (alert == NULL)
        sim_jsm_error(resp, 404, "NOT_FOUND", "Alert not found");
    else
        sim_http_resp_json(resp, 200, alert);
}

/* By the full id only: a tinyId finds nothing, as in JSM. */
static void
jsm_get(struct sim *s, const struct sim_req *req, const struct sim_args *a,
    struct sim_resp *resp)
{
    (void)req;
    answer_alert(resp, store_og_get(s->store, a->ident, OG_IDENT_ID,
        OG_VIEW_JSM));
}

static void
jsm_notes_list(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    const char *host = sim_http_req_host(req);
    uint64_t size;
    cJSON *data = NULL, *o, *links, *last;
    bool more;

    if (query_num(req, "size", SIM_JSM_SIZE_DEFAULT, &size) == -1 ||
        size < 1 || size > SIM_JSM_SIZE_MAX) {
        sim_jsm_error(resp, 400, "INVALID_INPUT", "size must be between 1 "
            "and %d", SIM_JSM_SIZE_MAX);
        return;
    }
    switch (store_og_notes(s->store, a->ident, OG_IDENT_ID,
        sim_http_req_query(req, "after"), false, (size_t)size,
        jsm_alert_note_to_json, &data, &more)) {
    case STORE_OK:
        break;
    case STORE_ENOENT:
        sim_jsm_error(resp, 404, "NOT_FOUND", "Alert not found");
        return;
    default:
        sim_jsm_error(resp, 400, "INVALID_INPUT", "after must be a note id");
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "values", data);
    links = cJSON_AddObjectToObject(o, "links");
    last = cJSON_GetArrayItem(data, cJSON_GetArraySize(data) - 1);
    if (more && last != NULL && strlen(a->ident) < 200) {
        char url[1024];

        snprintf(url, sizeof(url), "http://%s%s%s/v1/alerts/%s/notes?"
            "size=%llu&after=%s", host, JSM_PREFIX, a->cloud, a->ident,
            (unsigned long long)size, json_str(last, "id"));
        cJSON_AddStringToObject(links, "next", url);
    }
    sim_http_resp_json(resp, 200, o);
}

static void
jsm_request_status(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    cJSON *d;

    (void)req;
    if ((d = store_og_request(s->store, a->ident)) == NULL) {
        sim_jsm_error(resp, 404, "NOT_FOUND", "Request not found. It might "
            "not be processed, yet.");
        return;
    }
    /* JSM has no success field; isSuccess stays. */
    cJSON_DeleteItemFromObjectCaseSensitive(d, "success");
    sim_http_resp_json(resp, 200, d);
}

/* --- writes ---------------------------------------------------------- */

/* The fields of one write from its body; -1 with the reason. */
static int
fill_action(struct og_action *act, const cJSON *body, char *err,
    size_t errlen)
{
    const char *note = json_str(body, "note");
    const char *id = json_str(body, "id"), *type = json_str(body, "type");

    switch (act->kind) {
    case OG_ACT_TAGS_ADD:
        return og_actions_tags(body, act, err, errlen);
    case OG_ACT_RESPONDER:
        if (id == NULL || id[0] == '\0' || strlen(id) > 64 || type == NULL) {
            snprintf(err, errlen, "a responder needs \"id\" and \"type\"");
            return -1;
        }
        if (strcmp(type, "team") != 0) {
            snprintf(err, errlen, "only team responders are simulated");
            return -1;
        }
        act->team_id = xstrdup(id);
        act->team_name = xstrdup("");
        return 0;
    case OG_ACT_NOTE:
        if (note == NULL || note[0] == '\0') {
            snprintf(err, errlen, "note must be a non-empty string");
            return -1;
        }
        if (strlen(note) > SIM_JSM_NOTE_MAX) {
            snprintf(err, errlen, "note can not be longer than %d "
                "characters", SIM_JSM_NOTE_MAX);
            return -1;
        }
        act->note = xstrdup(note);
        return 0;
    default:
        return 0;
    }
}

/* Queue act (consumed) and answer the 202 receipt. */
static void
submit(struct sim *s, struct og_action *act, const struct sim_args *a,
    struct sim_resp *resp)
{
    switch (og_actions_submit(s, act, a, resp)) {
    case STORE_OK:
        break;
    case STORE_EBUSY:
        sim_jsm_error(resp, 429, "TOO_MANY_REQUESTS", "Too many pending "
            "requests");
        sim_http_resp_header(resp, "Retry-After", "1");
        break;
    default:
        sim_jsm_error(resp, 507, "INSUFFICIENT_STORAGE", "The simulator's "
            "alert limit is reached");
        break;
    }
}

static void
write_call(struct sim *s, const struct sim_req *req, const struct sim_args *a,
    struct sim_resp *resp, enum og_action_kind kind)
{
    struct og_action *act;
    cJSON *body, *note;
    char err[ALEXIS_ERR_MAX];
    bool bad;

    body = sim_body_json(req, &bad);
    if (bad || (body != NULL && !cJSON_IsObject(body))) {
        sim_jsm_error(resp, 400, "INVALID_INPUT", "The request body is not "
            "a JSON object");
        goto out;
    }
    act = xcalloc(1, sizeof(*act));
    act->kind = kind;
    act->itype = OG_IDENT_ID;
    act->ident = xstrdup(a->ident);
    act->user = xstrdup(a->user);
    memcpy(act->request_id, a->rid, sizeof(act->request_id));
    if (fill_action(act, body, err, sizeof(err)) == -1) {
        og_alert_action_free(act);
        sim_jsm_error(resp, 400, "INVALID_INPUT", "%s", err);
        goto out;
    }
    if (kind != OG_ACT_NOTE || atomic_load(&s->jsm_note_status) == 202) {
        submit(s, act, a, resp);
        goto out;
    }
    switch (store_og_note_now(s->store, a->ident, act->note, a->user,
        &note)) {
    case STORE_OK:
        sim_http_resp_json(resp, 200, note);
        break;
    case STORE_ENOENT:
        sim_jsm_error(resp, 404, "NOT_FOUND", "Alert not found");
        break;
    default:
        sim_jsm_error(resp, 400, "INVALID_INPUT", "The alert has reached "
            "the simulator's limit of notes");
        break;
    }
    og_alert_action_free(act);
out:
    cJSON_Delete(body);
}

#define WRITE_FN(name, kind)                                            \
static void                                                             \
name(struct sim *s, const struct sim_req *req, const struct sim_args *a, \
    struct sim_resp *resp)                                              \
{                                                                       \
    write_call(s, req, a, resp, kind);                                  \
}

WRITE_FN(jsm_note_add, OG_ACT_NOTE)
WRITE_FN(jsm_tags_add, OG_ACT_TAGS_ADD)
WRITE_FN(jsm_responder_add, OG_ACT_RESPONDER)

/* --- routes ---------------------------------------------------------- */

struct jsm_sub {
    const char         *action;     /* after /alerts/{id}; "" for the alert */
    const char         *method;
    struct sim_route    route;
};

static const struct jsm_sub subs[] = {
    { "",               "GET",    { "jsm.get", "jsm.alert", jsm_get } },
    { "notes",          "GET",    { "jsm.notes.list", "jsm.alert",
        jsm_notes_list } },
    { "notes",          "POST",   { "jsm.notes.add", "jsm.alert",
        jsm_note_add } },
    { "tags",           "POST",   { "jsm.tags.add", "jsm.alert",
        jsm_tags_add } },
    { "responders",     "POST",   { "jsm.responders.add", "jsm.alert",
        jsm_responder_add } },
};

static const struct sim_route route_list = { "jsm.list", "jsm.search",
    jsm_list };
static const struct sim_route route_request = { "jsm.request_status",
    "jsm.alert", jsm_request_status };

static const struct sim_route *
only(const struct sim_req *req, const char *method,
    const struct sim_route *rt, bool *known)
{
    *known = true;
    return strcmp(req->method, method) == 0 ? rt : NULL;
}

const struct sim_route *
jsm_route(const struct sim_req *req, struct sim_args *a, bool *known)
{
    const char *p = req->path + strlen(JSM_PREFIX), *slash, *action;
    size_t i, n;

    *known = false;
    if (strncmp(req->path, JSM_PREFIX, strlen(JSM_PREFIX)) != 0 ||
        (slash = strchr(p, '/')) == NULL || slash == p ||
        (size_t)(slash - p) >= sizeof(a->cloud))
        return NULL;
    snprintf(a->cloud, sizeof(a->cloud), "%.*s", (int)(slash - p), p);
    p = slash;
    if (strncmp(p, "/v1/alerts", 10) != 0)
        return NULL;
    p += 10;
    if (*p == '\0' || strcmp(p, "/") == 0)
        return only(req, "GET", &route_list, known);
    p++;
    if (strncmp(p, "requests/", 9) == 0 && p[9] != '\0' &&
        strchr(p + 9, '/') == NULL && strlen(p + 9) < sizeof(a->ident)) {
        snprintf(a->ident, sizeof(a->ident), "%s", p + 9);
        return only(req, "GET", &route_request, known);
    }
    slash = strchr(p, '/');
    n = slash == NULL ? strlen(p) : (size_t)(slash - p);
    action = slash == NULL ? "" : slash + 1;
    if (n == 0 || n >= sizeof(a->ident))
        return NULL;
    snprintf(a->ident, sizeof(a->ident), "%.*s", (int)n, p);
    for (i = 0; i < NELEM(subs); i++) {
        if (strcmp(subs[i].action, action) != 0)
            continue;
        *known = true;
        if (strcmp(subs[i].method, req->method) == 0)
            return &subs[i].route;
    }
    return NULL;
}
