/*
 * URL building as tables: template x placeholder values -> the exact URL
 * sent (or the error), covering the original's folded YAML query with
 * spaces, '=', '!' and '>' inside the value, already-encoded URLs, ids
 * that need escaping, lookback units through the feed config, and the
 * paging edits (limit/offset replaced, only nextPageKey kept); the
 * one-component encoder (url_escape), a ticket item's URL (url_item) and
 * the http(s) check (url_check).
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
#include "feed.h"
#include "url.h"
#include "xmem.h"

#define NOW     1732270000000ULL        /* epoch ms the tests pretend */

struct expand_row {
    const char *name;
    const char *tmpl;
    const char *base;
    uint64_t    lookback;
    const char *id;
    const char *want;       /* NULL: an error containing err */
    const char *err;
};

static const struct expand_row expand_rows[] = {
    { "folded opsgenie query (original sample)",
      "$base_url/v2/alerts?query=status=open\nAND teams=payments_incoming\n"
      "AND teams!=queue_autoremediation\nAND createdAt>$lookback\n",
      "https://api.opsgenie.com", 1732255600000ULL, NULL,
      "https://api.opsgenie.com/v2/alerts?query=status%3Dopen%20AND%20teams"
      "%3Dpayments_incoming%20AND%20teams%21%3Dqueue_autoremediation%20AND"
      "%20createdAt%3E1732255600000", NULL },
    { "leading and trailing space dropped", "  $base_url/v2/alerts \n",
      "http://h:1", 0, NULL, "http://h:1/v2/alerts", NULL },
    { "base_url trailing slash", "$base_url/api/v2/problems",
      "http://h/", 0, NULL, "http://h/api/v2/problems", NULL },
    { "already encoded stays", "$base_url/v2/alerts?query=status%3Aopen"
      "&limit=5", "http://h", 0, NULL,
      "http://h/v2/alerts?query=status%3Aopen&limit=5", NULL },
    { "several params and a colon",
      "$base_url/api/v1/problem/feed?status=OPEN&relativeTime=2hours"
      "&tag=[Env]k:v", "http://h", 0, NULL,
      "http://h/api/v1/problem/feed?status=OPEN&relativeTime=2hours"
      "&tag=%5BEnv%5Dk%3Av", NULL },
    { "dynatrace v2 selector",
      "$base_url/api/v2/problems?problemSelector=status(\"open\"),"
      "entityTags(\"env:prod\")&from=$lookback", "http://h", 42, NULL,
      "http://h/api/v2/problems?problemSelector=status%28%22open%22%29%2C"
      "entityTags%28%22env%3Aprod%22%29&from=42", NULL },
    { "plus kept as the original sent it", "$base_url/x?sort=+status",
      "http://h", 0, NULL, "http://h/x?sort=+status", NULL },
    { "tinyid item", "$base_url/v2/alerts/$tinyid?identifierType=tiny",
      "http://h", 0, "412", "http://h/v2/alerts/412?identifierType=tiny",
      NULL },
    { "uniqueid escaped as a path segment",
      "$base_url/api/v1/problem/details/$uniqueid", "http://h", 0,
      "a/b c?d", "http://h/api/v1/problem/details/a%2Fb%20c%3Fd", NULL },
    { "dynatrace id unchanged", "$base_url/api/v2/problems/$uniqueid",
      "http://h", 0, "-4417200931562209843_1732269960000V2",
      "http://h/api/v2/problems/-4417200931562209843_1732269960000V2", NULL },
    { "space in path encoded", "$base_url/a b/c", "http://h", 0, NULL,
      "http://h/a%20b/c", NULL },
    { "UTF-8 in path and query", "$base_url/caf\xc3\xa9?q=\xc3\xa9 \xc3\xbc",
      "http://h", 0, NULL, "http://h/caf%C3%A9?q=%C3%A9%20%C3%BC", NULL },
    { "reserved bytes in a query value", "$base_url/x?q=a/b?c:d@e[f]&g",
      "http://h", 0, NULL, "http://h/x?q=a%2Fb%3Fc%3Ad%40e%5Bf%5D&g", NULL },
    { "path keeps its sub-delims", "$base_url/a:b@c!$&'()*+,;=/d",
      "http://h", 0, NULL, "http://h/a:b@c!$&'()*+,;=/d", NULL },
    { "hash inside query encoded", "$base_url/x?q=a#b", "http://h", 0, NULL,
      "http://h/x?q=a%23b", NULL },
    { "unknown dollar kept literal in path", "$base_url/$x", "http://h", 0,
      NULL, "http://h/$x", NULL },
    { "no lookback value", "$base_url/x?c>$lookback", "http://h", 0, NULL,
      NULL, "$lookback has no value" },
    { "no id value", "$base_url/x/$uniqueid", "http://h", 0, NULL, NULL,
      "$uniqueid has no value" },
    { "no tinyid value", "$base_url/x/$tinyid", "http://h", 0, NULL, NULL,
      "$tinyid has no value" },
};

static void
test_expand(void **state)
{
    char err[ALEXIS_ERR_MAX], *got;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(expand_rows); i++) {
        const struct expand_row *r = &expand_rows[i];
        struct url_vars v = { r->base, r->lookback, r->id };

        got = url_expand(r->tmpl, &v, err, sizeof(err));
        if (r->want != NULL) {
            if (got == NULL)
                fail_msg("%s: error %s", r->name, err);
            if (strcmp(got, r->want) != 0)
                fail_msg("%s:\n got  %s\n want %s", r->name, got, r->want);
        } else {
            if (got != NULL)
                fail_msg("%s: want an error, got %s", r->name, got);
            if (strstr(err, r->err) == NULL)
                fail_msg("%s: error \"%s\" lacks \"%s\"", r->name, err,
                    r->err);
        }
        free(got);
    }
}

static void
test_escape(void **state)
{
    static const struct {
        const char *in, *want;
    } rows[] = {
        { "", "" },
        { "AZaz09-._~", "AZaz09-._~" },                 /* unreserved */
        { "a b", "a%20b" },                             /* space: %20 */
        { ":/?#[]@", "%3A%2F%3F%23%5B%5D%40" },         /* gen-delims */
        { "!$&'()*+,;=", "%21%24%26%27%28%29%2A%2B%2C%3B%3D" },
        { "%41", "%2541" },                             /* '%' itself */
        { "\"<>\\^`{|}", "%22%3C%3E%5C%5E%60%7B%7C%7D" },
        { "\t\r\n\x7f", "%09%0D%0A%7F" },
        { "caf\xc3\xa9 \xe2\x82\xac", "caf%C3%A9%20%E2%82%AC" }, /* UTF-8 */
        { "\xff\xfe", "%FF%FE" },                       /* not UTF-8 */
        { "a/b c?d", "a%2Fb%20c%3Fd" },
    };
    char *got;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        got = url_escape(rows[i].in);
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("row %zu:\n got  %s\n want %s", i, got, rows[i].want);
        free(got);
    }
}

static void
test_check(void **state)
{
    static const struct {
        const char  *url;
        int          rc;
    } rows[] = {
        { "http://a", 0 }, { "https://a.b:443/x?y#z", 0 },
        { "HTTPS://A.B/", 0 }, { "http://h:65535", 0 },
        { "http://[fe80::1]/", 0 }, { "http://127.0.0.1:8080/v1", 0 },
        { "http://h/caf\xc3\xa9", 0 }, { "http://h/a%20b?q=a+b", 0 },
        /* userinfo is kept, as the config check always took it */
        { "http://u:p@h:1", 0 }, { "http://@h", 0 },
        { "http://u@", -1 },
        /* no scheme, another scheme, a malformed one */
        { "a", -1 }, { "", -1 }, { "h:80", -1 }, { "//h/x", -1 },
        { "ftp://a", -1 }, { "file:///etc/passwd", -1 },
        { "ws://h", -1 }, { "https:/a", -1 }, { "http:///a", -1 },
        { "http//h", -1 },
        /* ports */
        { "http://h:65536", -1 }, { "http://h:", -1 }, { "http://h:0", -1 },
        { "http://h:8x", -1 }, { "http://h:-1", -1 }, { "http://[::1]:", -1 },
        /* hosts */
        { "http://", -1 }, { "http://:80", -1 }, { "http://[]", -1 },
        { "http://[::1]x", -1 }, { "http://a!b", -1 },
        /* white space and control bytes anywhere */
        { "http://a\tb", -1 }, { "http://h/a b", -1 },
        { "http://h/?q=a b", -1 }, { "http://h/\x7f", -1 },
        { "http://h/#\x01", -1 },
    };
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        err[0] = '\0';
        rc = url_check(rows[i].url, err, sizeof(err));
        if (rc != rows[i].rc)
            fail_msg("row %zu (%s): %d, want %d", i, rows[i].url, rc,
                rows[i].rc);
        if (rc == -1 && strstr(err, "http:// or https://") == NULL)
            fail_msg("row %zu: error \"%s\"", i, err);
    }
}

static void
test_expand_too_long(void **state)
{
    char err[ALEXIS_ERR_MAX], *tmpl, *got;
    struct url_vars v = { "http://h", 0, NULL };

    (void)state;
    tmpl = xmalloc(POLLER_URL_MAX + 16);
    memcpy(tmpl, "$base_url/?q=", 13);
    /* Each space becomes three bytes. */
    memset(tmpl + 13, ' ', POLLER_URL_MAX / 2);
    memcpy(tmpl + 13 + POLLER_URL_MAX / 2, "x", 2);
    got = url_expand(tmpl, &v, err, sizeof(err));
    assert_null(got);
    assert_non_null(strstr(err, "longer than"));
    free(tmpl);
}

struct param_row {
    const char *url, *key, *value, *want;
};

static const struct param_row set_rows[] = {
    { "http://h/v2/alerts?query=a%20b", "limit", "100",
      "http://h/v2/alerts?query=a%20b&limit=100" },
    { "http://h/v2/alerts", "offset", "0", "http://h/v2/alerts?offset=0" },
    { "http://h/x?limit=20&query=q&limit=5", "limit", "100",
      "http://h/x?query=q&limit=100" },
    { "http://h/x?limitless=1", "limit", "7",
      "http://h/x?limitless=1&limit=7" },
    { "http://h/x?a=1", "nextPageKey", "AQ==/+",
      "http://h/x?a=1&nextPageKey=AQ%3D%3D%2F%2B" },
};

static void
test_set_param(void **state)
{
    size_t i;
    char *got;

    (void)state;
    for (i = 0; i < NELEM(set_rows); i++) {
        got = url_set_param(set_rows[i].url, set_rows[i].key,
            set_rows[i].value);
        assert_non_null(got);
        if (strcmp(got, set_rows[i].want) != 0)
            fail_msg("row %zu: got %s want %s", i, got, set_rows[i].want);
        free(got);
    }
}

static void
test_keep_and_get(void **state)
{
    static const char *const keep[] = { "fields", NULL };
    char *got, val[64];

    (void)state;
    got = url_keep_params("http://h/api/v2/problems?from=1&fields=a%2Cb"
        "&problemSelector=x", keep);
    assert_string_equal(got, "http://h/api/v2/problems?fields=a%2Cb");
    free(got);
    got = url_keep_params("http://h/api/v2/problems?from=1", NULL);
    assert_string_equal(got, "http://h/api/v2/problems");
    free(got);
    assert_int_equal(url_get_param("http://h/x?a=1&offset=200&b", "offset",
        val, sizeof(val)), 0);
    assert_string_equal(val, "200");
    assert_int_equal(url_get_param("http://h/x?a=1", "offset", val,
        sizeof(val)), -1);
    assert_int_equal(url_get_param("http://h/x?offsets=1", "offset", val,
        sizeof(val)), -1);
}

/* The lookback epoch: now minus the feed's lookback, 0 without one. */
static void
test_lookback_epoch(void **state)
{
    static const uint64_t lookbacks[] = { 14400000, 5400000, 0 };
    struct feed_def f;
    struct feed_ctx c;
    struct url_vars v;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(lookbacks); i++) {
        memset(&f, 0, sizeof(f));
        memset(&c, 0, sizeof(c));
        f.lookback_ms = lookbacks[i];
        c.feed = &f;
        c.now_epoch_ms = NOW;
        feed_url_vars(&c, "7", &v);
        assert_int_equal(v.lookback, lookbacks[i] == 0 ? 0 :
            NOW - lookbacks[i]);
        assert_string_equal(v.uniqueid, "7");
    }
}

/* url_item: the URLs of one ticket item the modules and ticket writes
 * build. */
static void
test_item(void **state)
{
    static const struct {
        const char *base, *prefix, *id, *what, *query;
        size_t      max;
        const char *want;       /* NULL: too long */
    } rows[] = {
        { "https://api.opsgenie.com", "/v2/alerts", "5120", NULL, NULL,
          POLLER_URL_MAX, "https://api.opsgenie.com/v2/alerts/5120" },
        { "https://api.opsgenie.com", "/v2/alerts", "5120", "notes",
          "?identifierType=tiny", TICKET_URL_MAX,
          "https://api.opsgenie.com/v2/alerts/5120/notes"
          "?identifierType=tiny" },
        { "http://127.0.0.1:9", "/api/v2/problems", "-42_1700", "comments",
          "", POLLER_URL_MAX,
          "http://127.0.0.1:9/api/v2/problems/-42_1700/comments" },
        { "http://h", "/a", "a b/c?d#e%", "tags", NULL, 1024,
          "http://h/a/a%20b%2Fc%3Fd%23e%25/tags" },       /* id escaped */
        { "http://h", "", "caf\xc3\xa9", NULL, "?x=1", 1024,
          "http://h/caf%C3%A9?x=1" },
        { "http://h", "/a", "123", NULL, NULL, 14, "http://h/a/123" },
        { "http://h", "/a", "1234", NULL, NULL, 14, NULL },  /* max bytes */
    };
    char *got;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        got = url_item(rows[i].base, rows[i].prefix, rows[i].id,
            rows[i].what, rows[i].query, rows[i].max);
        if (rows[i].want == NULL) {
            if (got != NULL)
                fail_msg("row %zu: got %s, want too long", i, got);
        } else if (got == NULL || strcmp(got, rows[i].want) != 0) {
            fail_msg("row %zu: got %s, want %s", i,
                got != NULL ? got : "NULL", rows[i].want);
        }
        free(got);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_expand_too_long),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_set_param),
        cmocka_unit_test(test_keep_and_get),
        cmocka_unit_test(test_lookback_epoch),
        cmocka_unit_test(test_item),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
