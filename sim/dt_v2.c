/*
 * The simulated Dynatrace problems API v2: problem list (problemSelector,
 * from/to, pageSize, sort, fields; nextPageKey paging where the key alone
 * carries the query), one problem, close, and comments (POST 201,
 * PUT/DELETE 204).
 */
#include "dt_v2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "clock.h"
#include "dt_api.h"
#include "dt_filter.h"
#include "hex.h"
#include "json.h"
#include "store_dt.h"
#include "str.h"
#include "xmem.h"

#define KEY_TEXT_MAX    (SIM_DT_SELECTOR_LEN_MAX + 128)
#define KEY_FIELDS      7

/* The state of a paged query: what a nextPageKey encodes. */
struct page {
    uint64_t    offset;
    uint64_t    from_ms;
    uint64_t    to_ms;
    uint64_t    size;
    uint64_t    asc;
    char        selector[SIM_DT_SELECTOR_LEN_MAX + 1];
};

/* Opaque to clients: hex of "P1|offset|from|to|size|asc|selector". */
static char *
key_encode(const struct page *pg)
{
    char text[KEY_TEXT_MAX], *hex;
    int n;

    n = snprintf(text, sizeof(text), "P1|%llu|%llu|%llu|%llu|%llu|%s",
        (unsigned long long)pg->offset, (unsigned long long)pg->from_ms,
        (unsigned long long)pg->to_ms, (unsigned long long)pg->size,
        (unsigned long long)pg->asc, pg->selector);
    if (n < 0 || (size_t)n >= sizeof(text))
        return NULL;
    hex = xmalloc(2 * (size_t)n + 1);
    (void)hex_encode(text, (size_t)n, hex, 2 * (size_t)n + 1);
    return hex;
}

static int
key_decode(const char *key, struct page *pg)
{
    char text[KEY_TEXT_MAX + 1], *parts[KEY_FIELDS], *p;
    uint64_t *nums[] = { &pg->offset, &pg->from_ms, &pg->to_ms, &pg->size,
        &pg->asc };
    const char *errstr;
    size_t i, n = strlen(key) / 2;

    if (hex_decode(key, strlen(key), text, KEY_TEXT_MAX) == -1)
        return -1;
    text[n] = '\0';
    /* A NUL byte would end the text early: not a key of ours. */
    if (strlen(text) != n)
        return -1;
    p = text;
    for (i = 0; i < KEY_FIELDS; i++) {
        parts[i] = p;
        if (i + 1 < KEY_FIELDS) {
            if ((p = strchr(p, '|')) == NULL)
                return -1;
            *p++ = '\0';
        }
    }
    if (strcmp(parts[0], "P1") != 0)
        return -1;
    for (i = 0; i < NELEM(nums); i++) {
        if (str_to_u64(parts[i + 1], 0, UINT64_MAX, nums[i], &errstr) == -1)
            return -1;
    }
    if (pg->size < 1 || pg->size > SIM_DT_PAGE_MAX ||
        pg->offset > SIM_OBJECTS_MAX_CEILING ||
        strlen(parts[6]) > SIM_DT_SELECTOR_LEN_MAX)
        return -1;
    snprintf(pg->selector, sizeof(pg->selector), "%s", parts[6]);
    return 0;
}

/* The first page's parameters, or the state of nextPageKey. */
static int
page_params(const struct sim_req *req, struct page *pg,
    struct sim_resp *resp)
{
    static const char *const with_key[] = { "nextPageKey", "fields",
        "api-token", NULL };
    const char *key = sim_http_req_query(req, "nextPageKey");
    const char *sel = sim_http_req_query(req, "problemSelector");
    const char *sort = sim_http_req_query(req, "sort"), *errstr;
    const char *size = sim_http_req_query(req, "pageSize");
    uint64_t now = clock_wall_ms();

    memset(pg, 0, sizeof(*pg));
    if (key != NULL) {
        if (sim_http_req_query_others(req, with_key) > 0) {
            sim_dt_error(resp, 400, "nextPageKey", false, "when "
                "nextPageKey is set, only fields may accompany it");
            return -1;
        }
        if (key_decode(key, pg) == -1) {
            sim_dt_error(resp, 400, "nextPageKey", false, "invalid page "
                "key");
            return -1;
        }
        return 0;
    }
    pg->size = SIM_DT_PAGE_DEFAULT;
    if (size != NULL && str_to_u64(size, 1, SIM_DT_PAGE_MAX, &pg->size,
        &errstr) == -1) {
        sim_dt_error(resp, 400, "pageSize", false, "must be between 1 and "
            "%d", SIM_DT_PAGE_MAX);
        return -1;
    }
    if (dt_api_time(req, "from", now - SIM_DT_DEFAULT_FROM_MS, &pg->from_ms,
        resp) == -1 ||
        dt_api_time(req, "to", now, &pg->to_ms, resp) == -1)
        return -1;
    if (sort != NULL && strstr(sort, "startTime") != NULL)
        pg->asc = strstr(sort, "-startTime") == NULL;
    if (sel != NULL && strlen(sel) > SIM_DT_SELECTOR_LEN_MAX) {
        sim_dt_error(resp, 400, "problemSelector", false, "longer than %d",
            SIM_DT_SELECTOR_LEN_MAX);
        return -1;
    }
    snprintf(pg->selector, sizeof(pg->selector), "%s", sel == NULL ? "" :
        sel);
    return 0;
}

void
dt_v2_list(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    struct dt_filter f;
    struct page pg;
    unsigned fields;
    size_t total;
    cJSON *o, *items;
    char err[ALEXIS_ERR_MAX], *key;

    (void)a;
    memset(&f, 0, sizeof(f));
    if (page_params(req, &pg, resp) == -1 ||
        dt_api_fields(req, &fields, resp) == -1)
        goto out;
    if (dt_filter_parse_selector(&f, pg.selector, err, sizeof(err)) == -1) {
        sim_dt_error(resp, 400, "problemSelector", false, "%s", err);
        goto out;
    }
    f.from_ms = pg.from_ms;
    f.to_ms = pg.to_ms;
    items = store_dt_list(s->store, &f, 2, false, fields, pg.asc != 0,
        (size_t)pg.offset, (size_t)pg.size, &total);
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "totalCount", (double)total);
    cJSON_AddNumberToObject(o, "pageSize", (double)pg.size);
    if (pg.offset + pg.size < total) {
        pg.offset += pg.size;
        if ((key = key_encode(&pg)) != NULL)
            cJSON_AddStringToObject(o, "nextPageKey", key);
        free(key);
    }
    cJSON_AddItemToObject(o, "problems", items);
    cJSON_AddArrayToObject(o, "warnings");
    sim_http_resp_json(resp, 200, o);
out:
    dt_filter_cleanup(&f);
}

void
dt_v2_get(struct sim *s, const struct sim_req *req, const struct sim_args *a,
    struct sim_resp *resp)
{
    unsigned fields;
    cJSON *p;

    if (dt_api_fields(req, &fields, resp) == -1)
        return;
    if ((p = store_dt_get(s->store, a->ident, 2, fields)) == NULL) {
        dt_api_not_found(resp, "Problem", a->ident);
        return;
    }
    sim_http_resp_json(resp, 200, p);
}

/* Comment pages reuse the problem-page key (only offset and size count). */
static void
comments_list(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    const char *key = sim_http_req_query(req, "nextPageKey");
    const char *size = sim_http_req_query(req, "pageSize"), *errstr;
    struct page pg;
    enum store_rc rc;
    size_t total = 0;
    cJSON *items = NULL, *o;
    char *next;

    memset(&pg, 0, sizeof(pg));
    pg.size = SIM_DT_COMMENT_PAGE_DEFAULT;
    if ((key != NULL && key_decode(key, &pg) == -1) ||
        (key == NULL && size != NULL && str_to_u64(size, 1, SIM_DT_PAGE_MAX,
        &pg.size, &errstr) == -1)) {
        sim_dt_error(resp, 400, key != NULL ? "nextPageKey" : "pageSize",
            false, "invalid paging parameter");
        return;
    }
    rc = store_dt_comments(s->store, a->ident, 2, (size_t)pg.offset,
        (size_t)pg.size, &total, &items);
    if (rc != STORE_OK) {
        dt_api_answer(resp, rc, a, 200, items);
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "comments", items);
    cJSON_AddNumberToObject(o, "totalCount", (double)total);
    cJSON_AddNumberToObject(o, "pageSize", (double)pg.size);
    if (pg.offset + pg.size < total) {
        pg.offset += pg.size;
        if ((next = key_encode(&pg)) != NULL)
            cJSON_AddStringToObject(o, "nextPageKey", next);
        free(next);
    }
    sim_http_resp_json(resp, 200, o);
}

void
dt_v2_comments(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    cJSON *body = NULL, *out = NULL;
    const char *msg;
    enum store_rc rc;

    if (strcmp(req->method, "GET") == 0) {
        comments_list(s, req, a, resp);
        return;
    }
    if ((body = dt_api_body(req, resp)) == NULL ||
        (msg = dt_api_body_str(body, "message", resp)) == NULL)
        goto out;
    rc = store_dt_comment_add(s->store, a->ident, msg, s->dt_author,
        json_str(body, "context"), 2, &out);
    /* The real API documents no body for 201. */
    cJSON_Delete(out);
    dt_api_answer(resp, rc, a, 201, NULL);
out:
    cJSON_Delete(body);
}
