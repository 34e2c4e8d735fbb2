/*
 * Envelope validation shared by the classifier and the action handler:
 * an escaped NUL in an identifier is refused naming the field (issue 11
 * item 8); in other fields it is data. What an envelope must have, and
 * what is read from it for each ticket system: module, id, the id to
 * write with, feed name, base_url, tags; feed_headers wiped however many;
 * tags bounded; JSM's details.* alias; the per-alert lookup cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "alert.h"
#include "alert_tag.h"
#include "compat.h"
#include "json.h"
#include "rules.h"
#include "ticketsys.h"

static const struct {
    const char *json;
    const char *want_err;   /* NULL: accepted */
} cases[] = {
    { "{\"tinyId\":\"1\",\"alexis\":{\"feed_type\":\"opsgenie\","
      "\"unique_value\":\"1\"}}", NULL },
    { "{\"tinyId\":\"1\",\"message\":\"a\\u0000b\",\"alexis\":"
      "{\"feed_type\":\"opsgenie\",\"unique_value\":\"1\"}}", NULL },
    { "{\"tinyId\":\"1\",\"alexis\":{\"feed_type\":\"opsgenie\","
      "\"unique_value\":\"1\\u0000x\"}}", "alexis.unique_value contains" },
    { "{\"tinyId\":\"1\",\"alexis\":{\"feed_type\":\"opsgenie\\u0000\","
      "\"unique_value\":\"1\"}}", "alexis.feed_type contains" },
    { "{\"tinyId\":\"1\\u0000\",\"alexis\":{\"feed_type\":\"opsgenie\","
      "\"unique_value\":\"1\"}}", "tinyId contains" },
    { "{\"problemId\":\"P\\u0000\",\"alexis\":{\"feed_type\":\"dynatrace\","
      "\"unique_value\":\"1\"}}", "problemId contains" },
    { "{\"tinyId\":\"1\",\"alexis\":{\"feed_type\":\"opsgenie\","
      "\"base_url\":\"http://a\\u0000\",\"unique_value\":\"1\"}}",
      "alexis.base_url contains" },
};

static void
test_nul_in_identifiers(void **state)
{
    struct alert a;
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < NELEM(cases); i++) {
        doc = json_parse_marking_nul(cases[i].json, strlen(cases[i].json),
            "t", err, sizeof(err));
        assert_non_null(doc);
        err[0] = '\0';
        rc = alert_from_json(&a, doc, err, sizeof(err));
        if (cases[i].want_err == NULL) {
            if (rc != 0)
                print_error("case %zu: %s\n", i, err);
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, -1);
            if (strstr(err, cases[i].want_err) == NULL)
                print_error("case %zu: %s\n", i, err);
            assert_non_null(strstr(err, cases[i].want_err));
        }
        alert_cleanup(&a);
    }
}

/* ---- What an envelope must have, and what is read from it ---- */

struct env_row {
    const char *json;
    const char *want_err;       /* fragment; NULL: accepted */
    const char *sys;            /* module name */
    const char *id_key, *id, *ticket_id, *ticket_id_type;
    const char *feed_name, *base_url;
    size_t      ntags;
};

#define ALEXIS(ft, more) ",\"alexis\":{\"feed_type\":\"" ft "\"," \
    "\"unique_value\":\"u\"" more "}}"

#define REFUSED(json, err) \
    { json, err, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 }

static const struct env_row env_rows[] = {
    REFUSED("[1]", "request body must be a JSON object"),
    REFUSED("{\"tinyId\":\"1\"}", "missing field alexis (an object)"),
    REFUSED("{\"tinyId\":\"1\",\"alexis\":\"x\"}", "missing field alexis"),
    REFUSED("{\"tinyId\":\"1\",\"alexis\":{\"feed_type\":\"opsgenie\"}}",
      "missing field alexis.unique_value"),
    REFUSED("{\"tinyId\":\"1\",\"alexis\":{\"feed_type\":\"opsgenie\","
      "\"unique_value\":\"\"}}", "missing field alexis.unique_value"),
    REFUSED("{\"tinyId\":\"1\",\"alexis\":{\"unique_value\":\"u\"}}",
      "missing field alexis.feed_type"),
    REFUSED("{\"tinyId\":\"1\"" ALEXIS("servicenow", ""),
      "alexis.feed_type: unknown feed type (expected opsgenie, dynatrace "
      "or jsm)"),
    REFUSED("{\"title\":\"t\"" ALEXIS("dynatrace", ""),
      "missing field problemId (Dynatrace v2) or id (Dynatrace v1)"),
    REFUSED("{\"tinyId\":\"7\"" ALEXIS("jsm", ""),
      "missing field id (the JSM alert id)"),
    /* OpsGenie: written to by its id when there is one, else tinyId. */
    { "{\"id\":\"u-1\",\"tinyId\":\"12\",\"tags\":[\"a\",\"b\"]"
      ALEXIS("OpsGenie", ",\"feed_name\":\"og\",\"base_url\":\"http://x\""),
      NULL, "opsgenie", "tinyId", "12", "u-1", "id", "og", "http://x", 2 },
    { "{\"tinyId\":\"12\"" ALEXIS("opsgenie", ""), NULL, "opsgenie",
      "tinyId", "12", "12", "tiny", NULL, NULL, 0 },
    { "{\"message\":\"m\"" ALEXIS("opsgenie", ""), NULL, "opsgenie",
      "tinyId", "u", "u", "tiny", NULL, NULL, 0 },
    /* Dynatrace v1: "key" and "key:value" both count. */
    { "{\"id\":\"P-1\",\"tagsOfAffectedEntities\":"
      "[{\"key\":\"k\",\"value\":\"v\"}]"
      ALEXIS("dynatrace", ""), NULL, "dynatrace_v1", "problem_id", "P-1",
      "P-1", NULL, NULL, NULL, 2 },
    { "{\"problemId\":\"P-2\"" ALEXIS("dynatrace", ""), NULL,
      "dynatrace_v2", "problem_id", "P-2", "P-2", NULL, NULL, NULL, 0 },
    { "{\"id\":\"a-1\",\"tinyId\":\"7\",\"tags\":[\"x\"]" ALEXIS("jsm", ""),
      NULL, "jsm", "tinyId", "7", "a-1", NULL, NULL, NULL, 1 },
};

static void
expect_str(size_t i, const char *what, const char *got, const char *want)
{
    if (want == NULL ? got != NULL : got == NULL || strcmp(got, want) != 0)
        fail_msg("row %zu: %s \"%s\", want \"%s\"", i, what,
            got != NULL ? got : "(null)", want != NULL ? want : "(null)");
}

static void
test_envelope(void **state)
{
    const struct env_row *w;
    struct alert a;
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < NELEM(env_rows); i++) {
        w = &env_rows[i];
        err[0] = '\0';
        rc = alert_from_json(&a, cJSON_Parse(w->json), err, sizeof(err));
        if (w->want_err != NULL) {
            assert_int_equal(rc, -1);
            if (strstr(err, w->want_err) == NULL)
                fail_msg("row %zu: \"%s\", want \"%s\"", i, err,
                    w->want_err);
        } else {
            if (rc != 0)
                fail_msg("row %zu: refused: %s", i, err);
            expect_str(i, "module", a.sys->name, w->sys);
            expect_str(i, "feed_type", a.feed_type, a.sys->feed_type);
            expect_str(i, "id_key", a.id_key, w->id_key);
            expect_str(i, "id", a.id, w->id);
            expect_str(i, "ticket_id", a.ticket_id, w->ticket_id);
            expect_str(i, "ticket_id_type", a.ticket_id_type,
                w->ticket_id_type);
            expect_str(i, "feed_name", a.feed_name, w->feed_name);
            expect_str(i, "base_url", a.base_url, w->base_url);
            expect_str(i, "unique_value", a.unique_value, "u");
            assert_int_equal(a.ntags, w->ntags);
            assert_false(a.had_feed_headers);
        }
        alert_cleanup(&a);
    }
}

/* The original poller's feed_headers (the feed's API key) never ride
 * along: every copy is taken out, and the alert says so. */
static void
test_feed_headers(void **state)
{
    static const char env[] = "{\"tinyId\":\"1\",\"alexis\":{"
        "\"feed_type\":\"opsgenie\",\"unique_value\":\"1\","
        "\"feed_headers\":{\"Authorization\":\"GenieKey s1\"},"
        "\"feed_headers\":\"GenieKey s2\"}}";
    struct alert a;
    char err[ALEXIS_ERR_MAX], *text;

    (void)state;
    assert_int_equal(alert_from_json(&a, cJSON_Parse(env), err,
        sizeof(err)), 0);
    assert_true(a.had_feed_headers);
    text = json_print(a.doc);
    assert_null(strstr(text, "feed_headers"));
    assert_null(strstr(text, "GenieKey"));
    free(text);
    alert_cleanup(&a);
}

/* At most 256 tags are kept; lookups by hash find them. */
static void
test_tags_bounded(void **state)
{
    struct alert a;
    char err[ALEXIS_ERR_MAX], tag[16];
    cJSON *doc, *tags, *alexis;
    int i;

    (void)state;
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "tinyId", "1");
    tags = cJSON_AddArrayToObject(doc, "tags");
    for (i = 0; i < 300; i++) {
        snprintf(tag, sizeof(tag), "t%d", i);
        cJSON_AddItemToArray(tags, cJSON_CreateString(tag));
    }
    alexis = cJSON_AddObjectToObject(doc, "alexis");
    cJSON_AddStringToObject(alexis, "feed_type", "opsgenie");
    cJSON_AddStringToObject(alexis, "unique_value", "1");
    assert_int_equal(alert_from_json(&a, doc, err, sizeof(err)), 0);
    assert_int_equal(a.ntags, 256);
    assert_true(alert_has_tag_hashed(&a, "t0", alert_tag_hash("t0")));
    assert_true(alert_has_tag_hashed(&a, "t255", alert_tag_hash("t255")));
    assert_false(alert_has_tag_hashed(&a, "t256", alert_tag_hash("t256")));
    alert_tag_add(&a, "extra");
    assert_int_equal(a.ntags, 256);
    alert_cleanup(&a);
}

/* JSM keeps OpsGenie's details under extraProperties: a rule's
 * details.host finds it; other systems have no alias. The lookup cache
 * answers a repeated key with the same value. */
static void
test_paths(void **state)
{
    static const char jsm[] = "{\"id\":\"a-1\",\"extraProperties\":"
        "{\"host\":\"db01\"},\"message\":\"m\",\"alexis\":{"
        "\"feed_type\":\"jsm\",\"unique_value\":\"a-1\"}}";
    static const char og[] = "{\"tinyId\":\"1\",\"extraProperties\":"
        "{\"host\":\"db01\"},\"alexis\":{\"feed_type\":\"opsgenie\","
        "\"unique_value\":\"1\"}}";
    static const char *const keys[] = { "details", "host" };
    const cJSON *v;
    struct alert a;
    char err[ALEXIS_ERR_MAX];

    (void)state;
    assert_int_equal(alert_from_json(&a, cJSON_Parse(jsm), err,
        sizeof(err)), 0);
    v = alert_path(&a, "details.host");
    assert_non_null(v);
    assert_string_equal(v->valuestring, "db01");
    assert_null(alert_path(&a, "detailsx.host"));
    v = alert_path_list(a.doc, keys, 2);
    assert_non_null(v);
    assert_string_equal(v->valuestring, "db01");
    v = alert_lookup(&a, "message");
    assert_ptr_equal(alert_lookup(&a, "message"), v);
    assert_int_equal(a.ncache, 1);
    assert_null(alert_lookup(&a, "absent"));
    assert_int_equal(a.ncache, 2);
    alert_cleanup(&a);

    assert_int_equal(alert_from_json(&a, cJSON_Parse(og), err,
        sizeof(err)), 0);
    assert_null(alert_path(&a, "details.host"));
    assert_null(alert_path_list(a.doc, keys, 2));
    alert_cleanup(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nul_in_identifiers),
        cmocka_unit_test(test_envelope),
        cmocka_unit_test(test_feed_headers),
        cmocka_unit_test(test_tags_bounded),
        cmocka_unit_test(test_paths),
    };

    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
