/*
 * Rule matching as a table: rule text x envelope text -> matched or the
 * reason it did not. Covers OpsGenie tags, Dynatrace v1 (key and key:value)
 * and v2 (stringRepresentation) tags, dotted search_key paths, regexes
 * against non-string values, disabled rules and feed selection; plus the
 * envelope validation errors the API answers with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "alert.h"
#include "alert_tag.h"
#include "json.h"
#include "log.h"
#include "match.h"
#include "rule_index.h"
#include "rules.h"

#define OG_ENV(fields) \
    "{" fields ",\"alexis\":{\"feed_type\":\"opsgenie\"," \
    "\"unique_value\":\"5120\"}}"
#define DT_ENV(fields) \
    "{" fields ",\"alexis\":{\"feed_type\":\"dynatrace\"," \
    "\"unique_value\":\"P-1\"}}"

#define RULE(feed, evals) \
    "{\"rule_name\":\"r\",\"enabled\":\"true\",\"os_type\":\"linux\"," \
    "\"alert_feed\":\"" feed "\",\"evaluation_list\":[" evals "]," \
    "\"task_list\":[{\"task\":{\"task_type\":\"remote_ssh\"," \
    "\"run_command\":\"true\",\"action\":\"a\"}}]," \
    "\"entity_type\":\"explicit\",\"entities\":[\"h\"]}"

#define EV(tags, key, text) \
    "{\"evaluation\":{\"tags\":[" tags "],\"search_key\":\"" key "\"," \
    "\"search_text\":\"" text "\"}}"

struct row {
    const char *name;
    const char *rule;
    const char *env;
    int         applies;
    int         matched;
    const char *why;    /* expected reason when not matched */
};

static const struct row rows[] = {
    { "og tags and regex", RULE("OpsGenie", EV("\"env.prod\"", "message",
        "garbage-collection")),
      OG_ENV("\"tinyId\":\"5120\",\"tags\":[\"env.prod\",\"x\"],"
        "\"message\":\"Long garbage-collection time\""), 1, 1, "" },
    { "og tag missing", RULE("opsgenie", EV("\"env.prod\",\"svc.db\"",
        "message", ".")),
      OG_ENV("\"tags\":[\"env.prod\"],\"message\":\"m\""), 1, 0,
      "evaluation 1: tag svc.db missing" },
    { "og regex unanchored", RULE("opsgenie", EV("", "message",
        "above 9[0-9]%")),
      OG_ENV("\"tags\":[],\"message\":\"Filesystem /var above 95% on db\""),
      1, 1, "" },
    { "og regex no match", RULE("opsgenie", EV("", "message", "^above")),
      OG_ENV("\"tags\":[],\"message\":\"Filesystem above 95%\""), 1, 0,
      "evaluation 1: regex did not match" },
    { "nested path", RULE("opsgenie", EV("", "details.host", "^db[0-9]+")),
      OG_ENV("\"details\":{\"host\":\"db07.prod\"}"), 1, 1, "" },
    { "nested path absent", RULE("opsgenie", EV("", "details.host", ".")),
      OG_ENV("\"details\":{\"mount\":\"/var\"}"), 1, 0,
      "evaluation 1: search_key details.host absent" },
    { "regex on a number", RULE("opsgenie", EV("", "count", "3")),
      OG_ENV("\"count\":3"), 1, 0,
      "evaluation 1: search_key count is not a string" },
    { "regex on an object", RULE("opsgenie", EV("", "details", ".")),
      OG_ENV("\"details\":{}"), 1, 0,
      "evaluation 1: search_key details is not a string" },
    { "second evaluation fails", RULE("opsgenie",
        EV("\"disk\"", "message", "var") "," EV("\"svc.pg\"", "description",
        "db[0-9]+")),
      OG_ENV("\"tags\":[\"disk\",\"svc.pg\"],\"message\":\"var\","
        "\"description\":\"web01\""), 1, 0,
      "evaluation 2: regex did not match" },
    { "dotted literal key wins", RULE("opsgenie", EV("", "a.b", "^lit$")),
      OG_ENV("\"a.b\":\"lit\",\"a\":{\"b\":\"nested\"}"), 1, 1, "" },
    { "disabled", "{\"rule_name\":\"r\",\"enabled\":false,\"os_type\":"
        "\"linux\",\"alert_feed\":\"opsgenie\",\"evaluation_list\":["
        EV("", "message", ".") "],\"task_list\":[{\"task\":{\"task_type\":"
        "\"remote_ssh\",\"run_command\":\"true\",\"action\":\"a\"}}],"
        "\"entity_type\":\"explicit\",\"entities\":[\"h\"]}",
      OG_ENV("\"message\":\"m\""), 1, 0, "rule disabled" },
    { "other feed", RULE("dynatrace", EV("", "message", ".")),
      OG_ENV("\"message\":\"m\""), 0, 0, NULL },
    { "dt v1 key tag", RULE("Dynatrace", EV("\"autoremediate\"",
        "severityLevel", "^RESOURCE_CONTENTION$")),
      DT_ENV("\"id\":\"-44_17V2\",\"severityLevel\":\"RESOURCE_CONTENTION\","
        "\"tagsOfAffectedEntities\":[{\"context\":\"CONTEXTLESS\","
        "\"key\":\"autoremediate\"}]"), 1, 1, "" },
    { "dt v1 key:value tag", RULE("dynatrace", EV("\"env:prod\"",
        "status", "OPEN")),
      DT_ENV("\"id\":\"1\",\"status\":\"OPEN\",\"tagsOfAffectedEntities\":"
        "[{\"key\":\"env\",\"value\":\"prod\"}]"), 1, 1, "" },
    { "dt v1 key of key:value tag", RULE("dynatrace", EV("\"env\"",
        "status", "OPEN")),
      DT_ENV("\"id\":\"1\",\"status\":\"OPEN\",\"tagsOfAffectedEntities\":"
        "[{\"key\":\"env\",\"value\":\"prod\"}]"), 1, 1, "" },
    { "dt v2 stringRepresentation", RULE("dynatrace", EV("\"env:prod\"",
        "title", "Memory")),
      DT_ENV("\"problemId\":\"-44_17V2\",\"title\":\"Memory saturation\","
        "\"entityTags\":[{\"key\":\"env\",\"value\":\"prod\","
        "\"stringRepresentation\":\"env:prod\"}]"), 1, 1, "" },
    { "dt v2 tag missing", RULE("dynatrace", EV("\"autoremediate\"",
        "title", ".")),
      DT_ENV("\"problemId\":\"p\",\"title\":\"t\",\"entityTags\":[]"), 1, 0,
      "evaluation 1: tag autoremediate missing" },
    { "dt v2 nested", RULE("dynatrace", EV("", "rootCauseEntity.name",
        "ledger-worker-[0-9]+")),
      DT_ENV("\"problemId\":\"p\",\"rootCauseEntity\":{\"name\":"
        "\"ledger-worker-03.prod\"}"), 1, 1, "" },
    { "array index path", RULE("dynatrace", EV("",
        "affectedEntities.0.name", "^web")),
      DT_ENV("\"problemId\":\"p\",\"affectedEntities\":[{\"name\":"
        "\"web01\"}]"), 1, 1, "" },
};

static void
test_match_table(void **state)
{
    char err[ALEXIS_ERR_MAX], why[256];
    struct alert a;
    struct rule *r;
    cJSON *doc;
    size_t i;
    int m;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        r = rules_parse(rows[i].rule, strlen(rows[i].rule), "t.json", err,
            sizeof(err));
        if (r == NULL)
            fail_msg("%s: rule: %s", rows[i].name, err);
        doc = json_parse_located(rows[i].env, strlen(rows[i].env), "env",
            err, sizeof(err));
        if (doc == NULL)
            fail_msg("%s: env: %s", rows[i].name, err);
        if (alert_from_json(&a, doc, err, sizeof(err)) == -1)
            fail_msg("%s: alert: %s", rows[i].name, err);
        if (match_rule_applies(r, &a) != rows[i].applies)
            fail_msg("%s: applies", rows[i].name);
        if (rows[i].applies) {
            m = match_rule(r, &a, why, sizeof(why));
            if (m != rows[i].matched)
                fail_msg("%s: matched=%d (%s)", rows[i].name, m, why);
            if (!m && strcmp(why, rows[i].why) != 0)
                fail_msg("%s: why \"%s\" != \"%s\"", rows[i].name, why,
                    rows[i].why);
        }
        alert_cleanup(&a);
        rules_unref(r);
    }
}

/* The rule index gives match_rule's answer on the feed and the tags for
 * every row (each rule its own set), and match_rule_tags_known then gives
 * match_rule's; on a set of six it compares tags as text: svc.5dac and
 * svc.8b8a0 have the same FNV-1a hash. */
static void
test_index(void **state)
{
    static const char *const set[] = {
        RULE("opsgenie", EV("\"env.prod\",\"svc.a\"", "message", ".")),
        RULE("opsgenie", EV("\"env.prod\",\"svc.b\"", "message", ".")),
        RULE("opsgenie", EV("\"env.prod\"", "message", ".")),
        RULE("opsgenie", EV("", "message", ".")),
        RULE("dynatrace", EV("\"env.prod\"", "title", ".")),
        RULE("opsgenie", EV("\"svc.8b8a0\"", "message", ".")),
        RULE("opsgenie", EV("\"svc.5dac\"", "message", ".")),
    };
    static const unsigned char want[] = {
        RULE_INDEX_TAGS_PRESENT, RULE_INDEX_TAG_MISSING,
        RULE_INDEX_TAGS_PRESENT, RULE_INDEX_TAGS_PRESENT,
        RULE_INDEX_OTHER_FEED, RULE_INDEX_TAG_MISSING,
        RULE_INDEX_TAGS_PRESENT,
    };
    const char *env = OG_ENV("\"tags\":[\"svc.a\",\"env.prod\","
        "\"svc.5dac\"],\"message\":\"m\"");
    struct rule *rules[sizeof(set) / sizeof(set[0])];
    struct rule_index *ix;
    unsigned char cand[sizeof(set) / sizeof(set[0])];
    char err[ALEXIS_ERR_MAX], why[256];
    struct alert a;
    struct rule *r;
    cJSON *doc;
    size_t i;
    int m;

    (void)state;
    assert_int_equal(alert_tag_hash("svc.5dac"), alert_tag_hash("svc.8b8a0"));
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        r = rules_parse(rows[i].rule, strlen(rows[i].rule), "t.json", err,
            sizeof(err));
        doc = json_parse_located(rows[i].env, strlen(rows[i].env), "env",
            err, sizeof(err));
        if (r == NULL || doc == NULL ||
            alert_from_json(&a, doc, err, sizeof(err)) == -1)
            fail_msg("%s: %s", rows[i].name, err);
        ix = rule_index_build((const struct rule *const *)&r, 1);
        rule_index_candidates(ix, &a, cand);
        if ((cand[0] != RULE_INDEX_OTHER_FEED) != rows[i].applies)
            fail_msg("%s: index says feed %d", rows[i].name, cand[0]);
        m = match_rule(r, &a, why, sizeof(why));
        if (cand[0] == RULE_INDEX_TAG_MISSING && m)
            fail_msg("%s: matches but the index says a tag is missing",
                rows[i].name);
        if (rows[i].applies && strstr(why, ": tag ") != NULL &&
            cand[0] != RULE_INDEX_TAG_MISSING)
            fail_msg("%s: %s, but the index found every tag",
                rows[i].name, why);
        if (cand[0] == RULE_INDEX_TAGS_PRESENT &&
            match_rule_tags_known(r, &a) != m)
            fail_msg("%s: match_rule_tags_known differs", rows[i].name);
        rule_index_free(ix);
        alert_cleanup(&a);
        rules_unref(r);
    }
    for (i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
        rules[i] = rules_parse(set[i], strlen(set[i]), "t.json", err,
            sizeof(err));
        assert_non_null(rules[i]);
    }
    doc = json_parse_located(env, strlen(env), "env", err, sizeof(err));
    assert_int_equal(alert_from_json(&a, doc, err, sizeof(err)), 0);
    ix = rule_index_build((const struct rule *const *)rules,
        sizeof(set) / sizeof(set[0]));
    rule_index_candidates(ix, &a, cand);
    assert_memory_equal(cand, want, sizeof(want));
    rule_index_free(ix);
    alert_cleanup(&a);
    for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
        rules_unref(rules[i]);
}

struct env_row {
    const char *env;
    const char *err;    /* NULL: valid */
};

static const struct env_row env_rows[] = {
    { "[]", "request body must be a JSON object" },
    { "{\"tinyId\":\"1\"}", "missing field alexis (an object)" },
    { "{\"alexis\":\"x\"}", "missing field alexis (an object)" },
    { "{\"alexis\":{\"feed_type\":\"opsgenie\"}}",
      "missing field alexis.unique_value" },
    { "{\"alexis\":{\"feed_type\":\"opsgenie\",\"unique_value\":\"\"}}",
      "missing field alexis.unique_value" },
    { "{\"alexis\":{\"unique_value\":\"1\"}}",
      "missing field alexis.feed_type" },
    { "{\"alexis\":{\"feed_type\":\"jira\",\"unique_value\":\"1\"}}",
      "alexis.feed_type: unknown feed type (expected opsgenie, "
      "dynatrace or jsm)" },
    { "{\"alexis\":{\"feed_type\":\"dynatrace\",\"unique_value\":\"1\"}}",
      "missing field problemId (Dynatrace v2) or id (Dynatrace v1)" },
    { "{\"tinyId\":\"7\",\"alexis\":{\"feed_type\":\"OpsGenie\","
      "\"unique_value\":\"7\"}}", NULL },
};

static void
test_envelope_table(void **state)
{
    char err[ALEXIS_ERR_MAX];
    struct alert a;
    cJSON *doc;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(env_rows) / sizeof(env_rows[0]); i++) {
        doc = json_parse_located(env_rows[i].env, strlen(env_rows[i].env),
            "env", err, sizeof(err));
        assert_non_null(doc);
        err[0] = '\0';
        rc = alert_from_json(&a, doc, err, sizeof(err));
        if (env_rows[i].err == NULL) {
            if (rc != 0)
                fail_msg("row %zu: unexpected error %s", i, err);
        } else if (rc != -1 || strcmp(err, env_rows[i].err) != 0) {
            fail_msg("row %zu: got \"%s\"", i, err);
        }
        alert_cleanup(&a);
    }
}

static void
test_feed_headers_removed(void **state)
{
    const char *env = "{\"tinyId\":\"9\",\"alexis\":{\"feed_type\":"
        "\"opsgenie\",\"unique_value\":\"9\",\"feed_headers\":"
        "{\"Authorization\":\"GenieKey secret-key\"}}}";
    char err[ALEXIS_ERR_MAX], *text;
    struct alert a;
    cJSON *doc;

    (void)state;
    doc = json_parse_located(env, strlen(env), "env", err, sizeof(err));
    assert_int_equal(alert_from_json(&a, doc, err, sizeof(err)), 0);
    assert_true(a.had_feed_headers);
    text = json_print(a.doc);
    assert_null(strstr(text, "feed_headers"));
    assert_null(strstr(text, "secret-key"));
    assert_string_equal(a.id_key, "tinyId");
    assert_string_equal(a.id, "9");
    free(text);
    alert_cleanup(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_table),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_envelope_table),
        cmocka_unit_test(test_feed_headers_removed),
    };

    json_init();
    log_init("test", LOG_ERROR, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
