/*
 * The poller's configuration: the original sample loads unchanged and
 * resolves (kinds, templates, lookback units, credentials, classifier);
 * both original URL spellings work; and a table of bad feeds, each with
 * the exact sentence --check prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "poller_conf.h"
#include "log.h"
#include "ticketsys_dtv1.h"
#include "ticketsys_dtv2.h"
#include "ticketsys_jsm.h"
#include "ticketsys_opsgenie.h"

#define SAMPLE TEST_SRC_DIR "/fixtures/samples/conf/poller/alexis.conf.yaml"

#define AUTH \
    "authentication_list:\n" \
    "  - name: og\n    type: opsgenie\n" \
    "    headers: '{\"Authorization\":\"GenieKey k-og\"}'\n" \
    "  - name: dt\n    type: dynatrace\n    base_url: http://dt:1\n" \
    "    headers: '{\"Authorization\":\"Api-Token k-dt\"}'\n"
#define HEAD \
    AUTH "poller:\n  classifier_destinations:\n" \
    "    opsgenie: http://c:1/v1\n    dynatrace: http://c:2/v1\n" \
    "  tokens: {directory: tok, runtime: r.json}\n  feed_list:\n"

/* Write text to a temporary file; its path goes to path. */
static void
write_tmp(char *path, size_t len, const char *text)
{
    FILE *fp;
    int fd;

    snprintf(path, len, "/tmp/alexis-test-poller-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int
load_text(const char *text, struct poller_conf *c, struct cfg_errors *e)
{
    char path[64];
    int rc;

    memset(c, 0, sizeof(*c));
    memset(e, 0, sizeof(*e));
    write_tmp(path, sizeof(path), text);
    rc = poller_conf_load(path, c, e);
    unlink(path);
    return rc;
}

static void
test_sample(void **state)
{
    struct poller_conf c;
    struct cfg_errors e;

    (void)state;
    memset(&c, 0, sizeof(c));
    memset(&e, 0, sizeof(e));
    if (poller_conf_load(SAMPLE, &c, &e) == -1) {
        cfg_error_print(&e, stderr);
        fail();
    }
    assert_int_equal(c.nfeeds, 2);
    assert_int_equal(c.loop_interval_ms, 10000);
    assert_false(c.single_execution);
    assert_int_equal(c.concurrency, 8);
    assert_int_equal(c.page_size, 100);
    assert_ptr_equal(c.feeds[0].sys, &ticketsys_opsgenie);
    assert_int_equal(c.feeds[0].lookback_ms, 14400000);
    assert_string_equal(c.feeds[0].classifier, "http://classifier/v1");
    assert_string_equal(c.feeds[0].auth->name, "opsgenie_payments");
    assert_string_equal(c.feeds[0].item_tmpl,
        "$base_url/v2/alerts/$uniqueid?identifierType=tiny");
    assert_non_null(strstr(c.feeds[0].list_tmpl, "AND createdAt>$lookback"));
    assert_ptr_equal(c.feeds[1].sys, &ticketsys_dtv1);
    assert_string_equal(c.feeds[1].base_url,
        "https://abc12345.live.dynatrace.com");
    assert_string_equal(poller_conf_feed_api(&c.feeds[1]), "dynatrace_v1");
    assert_non_null(strstr(c.tokens.runtime, "tokens/localhost.token.json"));
    poller_conf_free(&c);
}

struct unit_row {
    const char *lookback;
    uint64_t    want_ms;
};

static const struct unit_row unit_rows[] = {
    { "lookback: 30\n      lookback_unit: s\n", 30000 },
    { "lookback: 30\n", 30000 },
    { "lookback: '90'\n      lookback_unit: m\n", 5400000 },
    { "lookback: 2\n      lookback_unit: h\n", 7200000 },
};

/* Original spellings url / url_individual, lookback units, defaults. */
static void
test_spellings_and_units(void **state)
{
    struct poller_conf c;
    struct cfg_errors e;
    char text[2048];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(unit_rows); i++) {
        snprintf(text, sizeof(text), HEAD
            "    - name: f\n      authentication: og\n      type: opsgenie\n"
            "      url: '$base_url/v2/alerts?query=createdAt>$lookback'\n"
            "      url_individual: '$base_url/v2/alerts/$tinyid'\n"
            "      %s", unit_rows[i].lookback);
        if (load_text(text, &c, &e) == -1) {
            cfg_error_print(&e, stderr);
            fail_msg("row %zu", i);
        }
        assert_int_equal(c.feeds[0].lookback_ms, unit_rows[i].want_ms);
        assert_string_equal(c.feeds[0].item_tmpl,
            "$base_url/v2/alerts/$tinyid");
        assert_string_equal(c.feeds[0].base_url, "https://api.opsgenie.com");
        poller_conf_free(&c);
    }
}

static void
test_dynatrace_versions(void **state)
{
    struct poller_conf c;
    struct cfg_errors e;

    (void)state;
    assert_int_equal(load_text(HEAD
        "    - name: v2\n      authentication: dt\n      type: Dynatrace\n"
        "      feed_url: '$base_url/api/v2/problems?from=now-2h'\n"
        "    - name: v1\n      authentication: dt\n      type: dynatrace\n"
        "      feed_url: '$base_url/api/v1/problem/feed?status=OPEN'\n",
        &c, &e), 0);
    assert_ptr_equal(c.feeds[0].sys, &ticketsys_dtv2);
    assert_string_equal(c.feeds[0].type, "dynatrace");
    assert_string_equal(c.feeds[0].item_tmpl,
        "$base_url/api/v2/problems/$uniqueid");
    assert_string_equal(c.feeds[0].base_url, "http://dt:1");
    assert_ptr_equal(c.feeds[1].sys, &ticketsys_dtv1);
    assert_string_equal(c.feeds[1].item_tmpl,
        "$base_url/api/v1/problem/details/$uniqueid");
    assert_string_equal(c.feeds[1].classifier, "http://c:2/v1");
    poller_conf_free(&c);
}

struct bad_row {
    const char *feed;
    const char *want;   /* a substring of the first error */
};

#define OGF "    - name: f\n      authentication: og\n      type: opsgenie\n"

static const struct bad_row bad_rows[] = {
    { "    - name: f\n      authentication: dt\n      type: opsgenie\n"
      "      feed_url: '$base_url/v2/alerts'\n",
      "feed \"f\": authentication \"dt\" is of type dynatrace, the feed of "
      "type opsgenie" },
    { "    - name: f\n      authentication: zz\n      type: opsgenie\n"
      "      feed_url: '$base_url/v2/alerts'\n",
      "feed \"f\": authentication \"zz\" is not in authentication_list" },
    { OGF, "feed \"f\": feed_url (or url) is required" },
    { OGF "      feed_url: a\n      url: b\n",
      "feed \"f\": set feed_url or url, not both" },
    { OGF "      feed_url: '$base_url/v2/alerts?c>$lookback'\n",
      "feed \"f\": feed_url uses $lookback but lookback is not set" },
    { OGF "      feed_url: '$base_url/$since'\n",
      "feed \"f\": feed_url: unknown placeholder \"$since\"" },
    { OGF "      feed_url: '$base_url/v2/alerts/$uniqueid'\n",
      "feed \"f\": feed_url: unknown placeholder \"$uniqueid\"" },
    { OGF "      feed_url: x\n      individual_url: '$base_url/v2/alerts'\n",
      "feed \"f\": individual_url must contain $uniqueid (or $tinyid)" },
    { "    - name: f\n      authentication: dt\n      type: dynatrace\n"
      "      feed_url: '$base_url/api/v3/problems'\n",
      "a dynatrace feed_url must use /api/v1/problem/feed or "
      "/api/v2/problems" },
    { "    - name: f\n      authentication: dt\n      type: dynatrace\n"
      "      base_url: http://elsewhere:1\n"
      "      feed_url: '$base_url/api/v2/problems'\n",
      "base_url http://elsewhere:1 differs from authentication \"dt\" "
      "base_url http://dt:1" },
    { OGF "      feed_url: x\n      lookback_unit: d\n",
      "expected s, m or h" },
    { OGF "      feed_url: x\n    - name: f\n      authentication: og\n"
      "      type: opsgenie\n      feed_url: y\n",
      "feed \"f\": duplicate name" },
    { "    - name: f\n      authentication: og\n      type: pagerduty\n"
      "      feed_url: x\n", "expected opsgenie, dynatrace or jsm" },
};

static void
test_bad_feeds(void **state)
{
    struct poller_conf c;
    struct cfg_errors e;
    char text[2048];
    size_t i, k;
    int found;

    (void)state;
    for (i = 0; i < NELEM(bad_rows); i++) {
        snprintf(text, sizeof(text), HEAD "%s", bad_rows[i].feed);
        assert_int_equal(load_text(text, &c, &e), -1);
        found = 0;
        for (k = 0; k < e.n; k++) {
            if (strstr(e.msgs[k], bad_rows[i].want) != NULL)
                found = 1;
            /* No credential ever reaches an error message. */
            assert_null(strstr(e.msgs[k], "k-og"));
            assert_null(strstr(e.msgs[k], "k-dt"));
        }
        if (!found) {
            cfg_error_print(&e, stderr);
            fail_msg("row %zu: no error containing: %s", i, bad_rows[i].want);
        }
        poller_conf_free(&c);
    }
}

/* A jsm feed: query and skip_tags (with their defaults) instead of URL
 * templates; its entry's credentials are HTTP Basic. */
static void
test_jsm_feed(void **state)
{
    static const struct {
        const char *feed;
        const char *want_err;   /* NULL: loads */
    } rows[] = {
        { "      query: 'status: open AND tag: x'\n"
          "      skip_tags: [done, 'needs look']\n", NULL },
        { "", NULL },
        { "      feed_url: '$base_url/v1/alerts'\n",
          "feed \"j\": a jsm feed takes query and skip_tags, not feed_url "
          "or individual_url" },
        { "      skip_tags: ['say \"hi\"']\n", "expected a tag" },
    };
    struct poller_conf c;
    struct cfg_errors e;
    char tok[64], text[4096];
    const struct feed_def *d;
    size_t i;
    int rc;

    (void)state;
    write_tmp(tok, sizeof(tok), "jsm-token\n");
    for (i = 0; i < NELEM(rows); i++) {
        snprintf(text, sizeof(text), AUTH "  - name: j\n    type: jsm\n"
            "    cloud_id: c-1\n    email: ops@example.com\n"
            "    api_token_file: %s\n"
            "poller:\n  classifier_destinations: {jsm: http://c:3/v1}\n"
            "  tokens: {directory: tok, runtime: r.json}\n  feed_list:\n"
            "    - name: j\n      authentication: j\n      type: jsm\n%s",
            tok, rows[i].feed);
        rc = load_text(text, &c, &e);
        if (rows[i].want_err != NULL) {
            assert_int_equal(rc, -1);
            if (strstr(e.msgs[0], rows[i].want_err) == NULL)
                fail_msg("row %zu: %s", i, e.msgs[0]);
            poller_conf_free(&c);
            continue;
        }
        if (rc == -1) {
            cfg_error_print(&e, stderr);
            fail_msg("row %zu", i);
        }
        d = &c.feeds[0].def;
        assert_ptr_equal(c.feeds[0].sys, &ticketsys_jsm);
        assert_ptr_equal(d->sys, &ticketsys_jsm);
        assert_string_equal(poller_conf_feed_api(&c.feeds[0]), "jsm");
        assert_string_equal(d->base_url, "https://api.atlassian.com");
        assert_string_equal(d->auth->cloud_id, "c-1");
        assert_string_equal(c.feeds[0].classifier, "http://c:3/v1");
        assert_int_equal(d->nskip_tags, 2);
        if (i == 0) {
            assert_string_equal(d->query, "status: open AND tag: x");
            assert_string_equal(d->skip_tags[1], "needs look");
        } else {
            assert_null(d->query);
            assert_string_equal(d->skip_tags[0], "queue_autoremediation");
            assert_string_equal(d->skip_tags[1], "queue_needsinvestigation");
        }
        poller_conf_free(&c);
    }
    /* Not for the feeds whose URLs the operator writes. */
    assert_int_equal(load_text(HEAD OGF "      feed_url: x\n"
        "      query: 'status: open'\n", &c, &e), -1);
    assert_non_null(strstr(e.msgs[0], "query and skip_tags are for feeds"));
    poller_conf_free(&c);
    unlink(tok);
}

static void
test_bounds(void **state)
{
    struct poller_conf c;
    struct cfg_errors e;

    (void)state;
    assert_int_equal(load_text(HEAD OGF "      feed_url: x\n"
        "  concurrency: 0\n  page_size: 101\n  loop_interval: 500ms\n",
        &c, &e), -1);
    assert_int_equal(e.n, 3);
    assert_non_null(strstr(e.msgs[0], "\"poller.concurrency\""));
    assert_non_null(strstr(e.msgs[1], "\"poller.page_size\""));
    assert_non_null(strstr(e.msgs[2], "\"poller.loop_interval\""));
    poller_conf_free(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_spellings_and_units),
        cmocka_unit_test(test_jsm_feed),
        cmocka_unit_test(test_dynatrace_versions),
        cmocka_unit_test(test_bad_feeds),
        cmocka_unit_test(test_bounds),
    };

    log_init("test", LOG_ERROR, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
