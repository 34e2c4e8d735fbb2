/*
 * Feeds through the fetcher seam: the paging decisions as a table, then
 * OpsGenie listing over a fake API (pages of 100 until a short page, the
 * 20000 offset cap, max_pages, repeats across pages, a failed page), the
 * Dynatrace v1 and v2 listings (nextPageKey sent alone), and per-item
 * decisions (Alexis comment -> skip without details, 404 -> gone, 500 ->
 * fail). Every request must carry the feed's credential header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "buf.h"
#include "cfg.h"
#include "cfg_common.h"
#include "feed.h"
#include "fetcher.h"
#include "json.h"
#include "log.h"
#include "str.h"
#include "ticketsys_dtv1.h"
#include "ticketsys_dtv2.h"
#include "ticketsys_jsm.h"
#include "ticketsys_opsgenie.h"
#include "url.h"
#include "xmem.h"

/* ---- Paging decisions ---- */

struct og_row {
    size_t      offset, limit, got;
    int         has_next;
    unsigned    pages, max_pages;
    enum page_step want;
    size_t      next_offset, next_limit;
};

static const struct og_row og_rows[] = {
    { 0, 100, 100, 1, 1, 200, PAGE_NEXT, 100, 100 },
    { 0, 100, 99, 1, 1, 200, PAGE_DONE, 0, 0 },         /* short page */
    { 0, 100, 100, 0, 1, 200, PAGE_DONE, 0, 0 },        /* no paging.next */
    { 0, 100, 0, 0, 1, 200, PAGE_DONE, 0, 0 },          /* empty */
    { 19800, 100, 100, 1, 199, 500, PAGE_NEXT, 19900, 100 },
    { 19900, 100, 100, 1, 200, 500, PAGE_CAP_OFFSET, 0, 0 },
    { 19950, 30, 30, 1, 10, 5000, PAGE_NEXT, 19980, 20 }, /* limit shrinks */
    { 19980, 20, 20, 1, 11, 5000, PAGE_CAP_OFFSET, 0, 0 },
    { 400, 100, 100, 1, 5, 5, PAGE_CAP_PAGES, 0, 0 },
    { 0, 7, 7, 1, 1, 200, PAGE_NEXT, 7, 7 },
};

static void
test_og_page_step(void **state)
{
    size_t i, off, lim;

    (void)state;
    for (i = 0; i < NELEM(og_rows); i++) {
        const struct og_row *r = &og_rows[i];

        off = lim = 0;
        if (feed_og_page_step(r->offset, r->limit, r->got, r->has_next,
            r->pages, r->max_pages, &off, &lim) != r->want)
            fail_msg("row %zu: wrong step", i);
        if (r->want == PAGE_NEXT &&
            (off != r->next_offset || lim != r->next_limit))
            fail_msg("row %zu: next %zu/%zu, want %zu/%zu", i, off, lim,
                r->next_offset, r->next_limit);
    }
    assert_int_equal(feed_dt_page_step(true, 1, 200), PAGE_NEXT);
    assert_int_equal(feed_dt_page_step(false, 1, 200), PAGE_DONE);
    assert_int_equal(feed_dt_page_step(true, 200, 200), PAGE_CAP_PAGES);
    assert_string_equal(feed_page_step_name(PAGE_CAP_OFFSET), "offset_cap");
    assert_null(feed_page_step_name(PAGE_DONE));
}

/* ---- A fake API behind the fetcher seam ---- */

#define CALLS_MAX   512

struct fake {
    struct fetcher  f;
    size_t          total;          /* OpsGenie alerts in the "account" */
    int             fail_offset;    /* answer 500 to this offset, or -1 */
    int             repeat;         /* each page repeats the previous id */
    char           *urls[CALLS_MAX];
    size_t          ncalls;
    /* Dynatrace: comments answer and details status per problem id. */
    const char     *comments;
    long            details_status;
};

static void
answer(struct http_result *res, long status, char *body)
{
    memset(res, 0, sizeof(*res));
    res->status = status;
    res->body = body;
    res->body_len = strlen(body);
    res->retry_after_ms = -1;
}

static char *
og_page(struct fake *k, size_t offset, size_t limit)
{
    struct buf b;
    size_t i, end = offset + limit < k->total ? offset + limit : k->total;
    int rc = 0;

    buf_init(&b, 1 << 20);
    rc |= buf_appends(&b, "{\"data\":[");
    for (i = offset; i < end; i++)
        rc |= buf_appendf(&b, "%s{\"tinyId\":\"%zu\",\"id\":\"u%zu\"}",
            i > offset ? "," : "", k->repeat && i > 0 && i == offset ?
            i - 1 : i, i);
    rc |= buf_appendf(&b, "],\"paging\":{%s}}", end < k->total ?
        "\"next\":\"http://og/next\"" : "\"first\":\"x\"");
    assert_int_equal(rc, 0);
    return buf_steal(&b);
}

static size_t
param(const char *url, const char *key)
{
    char v[32];
    const char *errstr;
    uint64_t n;

    if (url_get_param(url, key, v, sizeof(v)) == -1 ||
        str_to_u64(v, 0, 1000000, &n, &errstr) == -1)
        return (size_t)-1;
    return (size_t)n;
}

static int
fake_get(struct fetcher *f, const char *url, const char *const *hdrs,
    struct http_result *res)
{
    struct fake *k = f->ctx;
    size_t off;

    assert_non_null(hdrs);
    assert_string_equal(hdrs[0], "Authorization: GenieKey k");
    assert_true(k->ncalls < CALLS_MAX);
    k->urls[k->ncalls++] = xstrdup(url);
    f->calls++;
    if (strncmp(url, "http://og/v2/alerts?", 20) == 0) {
        off = param(url, "offset");
        if ((int)off == k->fail_offset) {
            answer(res, 500, xstrdup("{\"message\":\"boom\"}"));
            return 0;
        }
        answer(res, 200, og_page(k, off, param(url, "limit")));
        return 0;
    }
    if (strstr(url, "/comments") != NULL) {
        answer(res, k->comments != NULL ? 200 : 404,
            xstrdup(k->comments != NULL ? k->comments : "{}"));
        return 0;
    }
    if (strstr(url, "/api/v2/problems?") != NULL ||
        strstr(url, "/api/v2/problems") != NULL) {
        if (strstr(url, "/api/v2/problems/") != NULL) {
            answer(res, k->details_status, xstrdup(
                "{\"problemId\":\"P1\",\"title\":\"t\"}"));
            return 0;
        }
        if (strstr(url, "nextPageKey=") == NULL)
            answer(res, 200, xstrdup("{\"problems\":[{\"problemId\":\"P1\"},"
                "{\"problemId\":\"P2\"}],\"nextPageKey\":\"K/1=\"}"));
        else
            answer(res, 200, xstrdup("{\"problems\":[{\"problemId\":\"P3\"}"
                ",{\"nope\":1}]}"));
        return 0;
    }
    answer(res, 404, xstrdup("{}"));
    return 0;
}

static void
fake_reset(struct fake *k)
{
    size_t i;

    for (i = 0; i < k->ncalls; i++)
        free(k->urls[i]);
    memset(k, 0, sizeof(*k));
    k->f.get = fake_get;
    k->f.ctx = k;
    k->fail_offset = -1;
    k->details_status = 200;
}

static const char *const hdrs[] = { "Authorization: GenieKey k", NULL };
static const char *const jsm_hdrs[] = { "Authorization: Basic b3BzOnRva2Vu",
    NULL };

static void
ctx_for(struct feed_ctx *c, struct feed_def *feed, struct fake *k,
    const struct ticketsys *kind, const char *list_tmpl,
    const char *item_tmpl)
{
    memset(feed, 0, sizeof(*feed));
    feed->name = "f";
    feed->type = kind->feed_type;
    feed->sys = kind;
    feed->base_url = kind == &ticketsys_opsgenie ? "http://og" : "http://dt";
    feed->list_tmpl = list_tmpl;
    feed->item_tmpl = item_tmpl;
    feed->lookback_ms = 60000;
    memset(c, 0, sizeof(*c));
    c->feed = feed;
    c->fetcher = &k->f;
    c->hdrs = hdrs;
    c->page_size = 100;
    c->max_pages = POLLER_MAX_PAGES_DEFAULT;
    c->now_epoch_ms = 1000000;
}

#define OG_LIST "$base_url/v2/alerts?query=status=open AND createdAt>$lookback"

struct og_list_row {
    size_t      total;
    size_t      page_size;
    unsigned    max_pages;
    int         fail_offset;
    int         repeat;
    int         want_rc;
    size_t      want_items, want_pages;
    const char *want_trunc;
};

static const struct og_list_row og_list_rows[] = {
    { 0, 100, 200, -1, 0, 0, 0, 1, NULL },
    { 99, 100, 200, -1, 0, 0, 99, 1, NULL },
    { 100, 100, 200, -1, 0, 0, 100, 1, NULL },  /* no paging.next */
    { 250, 100, 200, -1, 0, 0, 250, 3, NULL },
    { 250, 100, 2, -1, 0, 0, 200, 2, "max_pages" },
    { 20500, 100, 500, -1, 0, 0, 20000, 200, "offset_cap" },
    { 250, 100, 200, 100, 0, -1, 100, 1, NULL },
    { 250, 100, 200, -1, 1, 0, 248, 3, NULL },  /* repeats dropped */
};

static void
test_og_list(void **state)
{
    struct fake k;
    struct feed_ctx c;
    struct feed_def feed;
    struct feed_ids ids;
    struct feed_list_result r;
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int rc;

    (void)state;
    memset(&k, 0, sizeof(k));
    for (i = 0; i < NELEM(og_list_rows); i++) {
        const struct og_list_row *w = &og_list_rows[i];

        fake_reset(&k);
        k.total = w->total;
        k.fail_offset = w->fail_offset;
        k.repeat = w->repeat;
        ctx_for(&c, &feed, &k, &ticketsys_opsgenie, OG_LIST, "");
        c.page_size = w->page_size;
        c.max_pages = w->max_pages;
        memset(&ids, 0, sizeof(ids));
        rc = feed_list(&c, &ids, &r, err, sizeof(err));
        if (rc != w->want_rc || ids.n != w->want_items ||
            r.pages != w->want_pages)
            fail_msg("row %zu: rc %d items %zu pages %u (%s)", i, rc, ids.n,
                r.pages, rc == -1 ? err : "");
        if ((w->want_trunc == NULL) != (r.truncated == NULL) ||
            (w->want_trunc != NULL && strcmp(w->want_trunc,
            r.truncated) != 0))
            fail_msg("row %zu: truncated %s", i, r.truncated);
        if (rc == -1)
            assert_int_equal(r.status, 500);
        feed_ids_free(&ids);
    }
    /* The query is encoded and carries limit and offset. */
    fake_reset(&k);
    k.total = 150;
    ctx_for(&c, &feed, &k, &ticketsys_opsgenie, OG_LIST, "");
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(feed_list(&c, &ids, &r, err, sizeof(err)), 0);
    assert_int_equal(k.ncalls, 2);
    assert_string_equal(k.urls[0], "http://og/v2/alerts?query=status%3Dopen"
        "%20AND%20createdAt%3E940000&limit=100&offset=0");
    assert_string_equal(k.urls[1], "http://og/v2/alerts?query=status%3Dopen"
        "%20AND%20createdAt%3E940000&limit=100&offset=100");
    assert_string_equal(ids.v[0], "0");
    assert_string_equal(ids.v[149], "149");
    feed_ids_free(&ids);
    fake_reset(&k);
}

static void
test_dt_v2_list(void **state)
{
    struct fake k;
    struct feed_ctx c;
    struct feed_def feed;
    struct feed_ids ids;
    struct feed_list_result r;
    char err[ALEXIS_ERR_MAX];

    (void)state;
    memset(&k, 0, sizeof(k));
    fake_reset(&k);
    ctx_for(&c, &feed, &k, &ticketsys_dtv2, "$base_url/api/v2/problems?"
        "problemSelector=status(\"open\")&fields=recentComments&from="
        "$lookback", "$base_url/api/v2/problems/$uniqueid");
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(feed_list(&c, &ids, &r, err, sizeof(err)), 0);
    assert_int_equal(ids.n, 3);
    assert_int_equal(r.pages, 2);
    assert_int_equal(r.invalid, 1);
    assert_string_equal(ids.v[2], "P3");
    /* With nextPageKey only "fields" stays. */
    assert_string_equal(k.urls[1], "http://dt/api/v2/problems?"
        "fields=recentComments&nextPageKey=K%2F1%3D");
    feed_ids_free(&ids);
    fake_reset(&k);
}

struct item_row {
    const char     *comments;       /* NULL: comments answer 404 */
    long            details_status;
    enum item_result want;
    const char     *reason;
    size_t          calls;
};

static const struct item_row item_rows[] = {
    { "{\"comments\":[]}", 200, ITEM_DELIVER, NULL, 2 },
    { "{\"comments\":[{\"context\":\"other\"}],\"totalCount\":1}", 200,
      ITEM_DELIVER, NULL, 2 },
    { "{\"comments\":[{\"context\":\"Alexis\",\"content\":\"rule x\"}]}",
      200, ITEM_SKIP, "alexis_comment", 1 },
    { NULL, 200, ITEM_SKIP, "gone", 1 },
    { "{\"comments\":[]}", 404, ITEM_SKIP, "gone", 2 },
    { "{\"comments\":[]}", 500, ITEM_FAIL, "details", 2 },
};

static void
test_dt_items(void **state)
{
    struct fake k;
    struct feed_ctx c;
    struct feed_def feed;
    struct item_outcome o;
    size_t i;

    (void)state;
    memset(&k, 0, sizeof(k));
    for (i = 0; i < NELEM(item_rows); i++) {
        fake_reset(&k);
        k.comments = item_rows[i].comments;
        k.details_status = item_rows[i].details_status;
        ctx_for(&c, &feed, &k, &ticketsys_dtv2, "",
            "$base_url/api/v2/problems/$uniqueid");
        feed_item(&c, "P1", &o);
        if (o.result != item_rows[i].want || k.ncalls != item_rows[i].calls)
            fail_msg("row %zu: result %d calls %zu", i, o.result, k.ncalls);
        if (item_rows[i].reason != NULL)
            assert_string_equal(o.reason, item_rows[i].reason);
        assert_string_equal(k.urls[0],
            "http://dt/api/v2/problems/P1/comments?pageSize=500");
        if (o.result == ITEM_DELIVER) {
            assert_non_null(strstr(o.envelope, "\"unique_key\":"
                "\"problem_id\""));
            assert_non_null(strstr(o.envelope, "\"title\":\"t\""));
        }
        free(o.envelope);
    }
    fake_reset(&k);
}

static void
test_ids_set(void **state)
{
    struct feed_ids ids;
    char id[16];
    size_t i;

    (void)state;
    memset(&ids, 0, sizeof(ids));
    for (i = 0; i < 1000; i++) {
        snprintf(id, sizeof(id), "%zu", i % 600);
        (void)feed_ids_add(&ids, id);
    }
    assert_int_equal(ids.n, 600);
    assert_false(feed_ids_add(&ids, "599"));
    assert_true(feed_ids_add(&ids, "600"));
    feed_ids_free(&ids);
    assert_false(feed_id_ok(""));
    assert_false(feed_id_ok(NULL));
    assert_false(feed_id_ok("a\nb"));
    assert_true(feed_id_ok("-4417200931562209843_1732269960000V2"));
}

/* ---- JSM: offset paging under 20,000, skip tags twice ---- */

struct jsm_fake {
    struct fetcher  f;
    size_t          total;      /* alerts; every fifth carries a skip tag */
    long            item_status;
    const char     *item_body;
    char           *urls[CALLS_MAX];
    size_t          ncalls;
};

static char *
jsm_page(const struct jsm_fake *k, size_t offset, size_t size)
{
    size_t i, end = offset + size < k->total ? offset + size : k->total;
    struct buf b;
    int rc = 0;

    buf_init(&b, 1 << 20);
    rc |= buf_appends(&b, "{\"values\":[");
    for (i = offset; i < end; i++)
        rc |= buf_appendf(&b, "%s{\"id\":\"a%zu\",\"tinyId\":\"%zu\","
            "\"tags\":[%s]}", i > offset ? "," : "", i, i, i % 5 == 0 ?
            "\"x\",\"queue_autoremediation\"" : "\"x\"");
    rc |= buf_appendf(&b, "],\"count\":%zu,\"links\":{%s}}", k->total,
        end < k->total ? "\"next\":\"https://jsm/next\"" : "");
    assert_int_equal(rc, 0);
    return buf_steal(&b);
}

static int
jsm_get(struct fetcher *f, const char *url, const char *const *h,
    struct http_result *res)
{
    struct jsm_fake *k = f->ctx;

    assert_string_equal(h[0], "Authorization: Basic b3BzOnRva2Vu");
    assert_true(k->ncalls < CALLS_MAX);
    k->urls[k->ncalls++] = xstrdup(url);
    f->calls++;
    if (strncmp(url, "http://jsm/jsm/ops/api/c-1/v1/alerts?", 37) == 0) {
        assert_true(param(url, "offset") + param(url, "size") < 20000);
        answer(res, 200, jsm_page(k, param(url, "offset"),
            param(url, "size")));
        return 0;
    }
    answer(res, k->item_status, xstrdup(k->item_body));
    return 0;
}

static void
jsm_ctx(struct feed_ctx *c, struct feed_def *d, struct cfg_auth *a,
    struct jsm_fake *k)
{
    static const char *const skip[] = { "queue_autoremediation",
        "queue_needsinvestigation" };
    size_t i;

    for (i = 0; i < k->ncalls; i++)
        free(k->urls[i]);
    k->ncalls = 0;
    k->f.get = jsm_get;
    k->f.ctx = k;
    memset(a, 0, sizeof(*a));
    a->cloud_id = (char *)(uintptr_t)"c-1";
    memset(d, 0, sizeof(*d));
    d->sys = &ticketsys_jsm;
    d->name = "j";
    d->type = "jsm";
    d->base_url = "http://jsm";
    d->auth = a;
    d->lookback_ms = 60000;
    d->skip_tags = skip;
    d->nskip_tags = NELEM(skip);
    memset(c, 0, sizeof(*c));
    c->feed = d;
    c->fetcher = &k->f;
    c->hdrs = jsm_hdrs;
    c->page_size = 100;
    c->max_pages = POLLER_MAX_PAGES_DEFAULT;
    c->now_epoch_ms = 1000000;
}

static void
test_jsm_list(void **state)
{
    static const struct {
        size_t total, want_items, want_pages;
        unsigned max_pages;
        const char *trunc;
    } rows[] = {
        { 0, 0, 1, 200, NULL },
        { 250, 200, 3, 200, NULL },
        { 250, 80, 1, 1, "max_pages" },
        /* The last page shrinks to keep offset + size under 20,000. */
        { 25000, 15999, 200, 500, "offset_cap" },
    };
    struct jsm_fake k;
    struct feed_ctx c;
    struct feed_def d;
    struct cfg_auth a;
    struct feed_ids ids;
    struct feed_list_result r;
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    memset(&k, 0, sizeof(k));
    for (i = 0; i < NELEM(rows); i++) {
        jsm_ctx(&c, &d, &a, &k);
        k.total = rows[i].total;
        c.max_pages = rows[i].max_pages;
        memset(&ids, 0, sizeof(ids));
        assert_int_equal(feed_list(&c, &ids, &r, err, sizeof(err)), 0);
        if (ids.n != rows[i].want_items || r.pages != rows[i].want_pages)
            fail_msg("row %zu: items %zu pages %u", i, ids.n, r.pages);
        if ((rows[i].trunc == NULL) != (r.truncated == NULL) ||
            (r.truncated != NULL && strcmp(r.truncated, rows[i].trunc) != 0))
            fail_msg("row %zu: truncated %s", i, r.truncated);
        if (rows[i].total == 25000)
            assert_string_equal(k.urls[199], "http://jsm/jsm/ops/api/c-1/v1/"
                "alerts?query=%28status%3A%20open%29%20AND%20NOT%20tag%3A%20%22"
                "queue_autoremediation%22%20AND%20NOT%20tag%3A%20%22"
                "queue_needsinvestigation%22%20AND%20createdAt%20%3E%20940000"
                "&offset=19900&size=99&sort=insertedAt&order=asc");
        feed_ids_free(&ids);
    }
    /* The query: the feed's own, then the skip tags and the lookback. */
    jsm_ctx(&c, &d, &a, &k);
    k.total = 3;
    d.query = "status: open AND priority: P1";
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(feed_list(&c, &ids, &r, err, sizeof(err)), 0);
    assert_string_equal(k.urls[0], "http://jsm/jsm/ops/api/c-1/v1/alerts?"
        "query=%28status%3A%20open%20AND%20priority%3A%20P1%29%20AND%20NOT%20"
        "tag%3A%20%22queue_autoremediation%22%20AND%20NOT%20tag%3A%20%22"
        "queue_needsinvestigation%22%20AND%20createdAt%20%3E%20940000"
        "&offset=0&size=100&sort=insertedAt&order=asc");
    assert_int_equal(ids.n, 2);
    assert_string_equal(ids.v[0], "a1");
    feed_ids_free(&ids);
    jsm_ctx(&c, &d, &a, &k);
}

static void
test_jsm_items(void **state)
{
    static const struct {
        long status;
        const char *body;
        enum item_result want;
        const char *reason, *err;
    } rows[] = {
        { 200, "{\"id\":\"a1\",\"tinyId\":\"1\",\"tags\":[\"x\"],"
          "\"extraProperties\":{\"host\":\"h\"}}", ITEM_DELIVER, NULL,
          NULL },
        { 200, "{\"id\":\"a1\",\"tags\":[\"queue_needsinvestigation\"]}",
          ITEM_SKIP, "skip_tag", NULL },
        { 404, "{\"message\":\"Alert does not exist\"}", ITEM_SKIP, "gone",
          NULL },
        { 500, "{\"errors\":[{\"title\":\"boom\",\"code\":\"E1\"}]}",
          ITEM_FAIL, "details", "HTTP 500: boom (E1)" },
        { 401, "{\"code\":401,\"message\":\"scope does not match\"}",
          ITEM_FAIL, "details", "HTTP 401: scope does not match" },
        { 200, "[1]", ITEM_FAIL, "envelope", "not a JSON object" },
    };
    struct jsm_fake k;
    struct feed_ctx c;
    struct feed_def d;
    struct cfg_auth a;
    struct item_outcome o;
    size_t i;

    (void)state;
    memset(&k, 0, sizeof(k));
    for (i = 0; i < NELEM(rows); i++) {
        jsm_ctx(&c, &d, &a, &k);
        k.item_status = rows[i].status;
        k.item_body = rows[i].body;
        feed_item(&c, "a1", &o);
        assert_int_equal(k.ncalls, 1);
        assert_string_equal(k.urls[0],
            "http://jsm/jsm/ops/api/c-1/v1/alerts/a1");
        if (o.result != rows[i].want)
            fail_msg("row %zu: result %d (%s)", i, o.result, o.err);
        if (rows[i].reason != NULL)
            assert_string_equal(o.reason, rows[i].reason);
        if (rows[i].err != NULL && strstr(o.err, rows[i].err) == NULL)
            fail_msg("row %zu: err %s", i, o.err);
        if (o.result == ITEM_DELIVER) {
            assert_non_null(strstr(o.envelope, "\"extraProperties\":{"
                "\"host\":\"h\"}"));
            assert_non_null(strstr(o.envelope, "\"alexis\":{\"feed_type\":"
                "\"jsm\",\"feed_name\":\"j\",\"base_url\":\"http://jsm\","
                "\"unique_key\":\"id\",\"unique_value\":\"a1\"}"));
        }
        free(o.envelope);
    }
    jsm_ctx(&c, &d, &a, &k);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_og_page_step),
        cmocka_unit_test(test_og_list),
        cmocka_unit_test(test_dt_v2_list),
        cmocka_unit_test(test_dt_items),
        cmocka_unit_test(test_ids_set),
        cmocka_unit_test(test_jsm_list),
        cmocka_unit_test(test_jsm_items),
    };

    log_init("test", LOG_ERROR, 2);
    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
