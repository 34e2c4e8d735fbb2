/*
 * The guardrail fields of a rule (rules_guard.c through rules_parse):
 * defaults for an original rule, every field read, and each bad input
 * rejected with the file, line, column and field named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "rules.h"

#define HEAD "{\n\"rule_name\": \"g\", \"enabled\": true,\n" \
    "\"alert_feed\": \"opsgenie\", \"os_type\": \"linux\",\n" \
    "\"evaluation_list\": [{\"evaluation\": {\"tags\": [\"a\"]}}],\n" \
    "\"task_list\": [{\"task\": {\"task_type\": \"remote_ssh\", " \
    "\"run_command\": \"true\", \"action\": \"a\"}}],\n" \
    "\"entity_type\": \"explicit\", \"entities\": [\"h1\"]"

static struct rule *
parse(const char *extra, char *err, size_t errlen)
{
    char text[2048];

    snprintf(text, sizeof(text), "%s%s\n}\n", HEAD, extra);
    return rules_parse(text, strlen(text), "rules/g.json", err, errlen);
}

static void
test_defaults(void **state)
{
    char err[ALEXIS_ERR_MAX];
    struct rule *r = parse("", err, sizeof(err));

    (void)state;
    assert_non_null(r);
    assert_int_equal(r->guard.mode, RULE_MODE_AUTO);
    assert_true(r->guard.recheck);
    assert_false(r->guard.on_failure_continue);
    assert_int_equal(r->guard.cooldown_window_ms, 0);
    assert_int_equal(r->guard.max_entities, 0);
    assert_int_equal(r->guard.verify_within_ms, 0);
    assert_string_equal(rules_guard_mode_name(r->guard.mode), "auto");
    rules_unref(r);
}

static void
test_fields(void **state)
{
    char err[ALEXIS_ERR_MAX];
    struct rule *r = parse(",\n\"mode\": \"approve\", \"cooldown\": "
        "{\"window\": \"30m\", \"max_runs\": 2}, \"max_entities\": 5,\n"
        "\"recheck\": \"false\", \"verify\": {\"within\": \"10m\"},\n"
        "\"on_failure\": \"continue\"", err, sizeof(err));

    (void)state;
    assert_non_null(r);
    assert_int_equal(r->guard.mode, RULE_MODE_APPROVE);
    assert_int_equal(r->guard.cooldown_window_ms, 30 * 60000);
    assert_int_equal(r->guard.cooldown_max_runs, 2);
    assert_int_equal(r->guard.max_entities, 5);
    assert_false(r->guard.recheck);
    assert_int_equal(r->guard.verify_within_ms, 10 * 60000);
    assert_true(r->guard.on_failure_continue);
    rules_unref(r);
    /* max_runs defaults to 1 */
    r = parse(",\n\"cooldown\": {\"window\": \"1h\"}", err, sizeof(err));
    assert_non_null(r);
    assert_int_equal(r->guard.cooldown_max_runs, 1);
    rules_unref(r);
    r = parse(",\n\"mode\": \"notify\"", err, sizeof(err));
    assert_non_null(r);
    assert_int_equal(r->guard.mode, RULE_MODE_NOTIFY);
    rules_unref(r);
}

static void
test_errors(void **state)
{
    static const struct {
        const char *extra;
        const char *where;      /* file:line:col */
        const char *msg;
    } rows[] = {
        { ",\n\"mode\": \"sometimes\"", "rules/g.json:7:1:",
          "\"mode\" must be \"auto\", \"approve\" or \"notify\"" },
        { ",\n\"mode\": 1", "rules/g.json:7:1:", "\"mode\" must be" },
        { ",\n\"cooldown\": {\"window\": \"-5m\", \"max_runs\": 1}",
          "rules/g.json:7:14:", "\"cooldown.window\" must not be negative" },
        { ",\n\"cooldown\": {\"window\": -300}", "rules/g.json:7:14:",
          "\"cooldown.window\" must not be negative" },
        { ",\n\"cooldown\": {\"window\": \"soon\"}", "rules/g.json:7:14:",
          "\"cooldown.window\" must be a window like \"30m\"" },
        { ",\n\"cooldown\": {\"window\": \"0s\"}", "rules/g.json:7:14:",
          "\"cooldown.window\" must be longer than 0" },
        { ",\n\"cooldown\": {\"window\": \"400d\"}", "rules/g.json:7:14:",
          "\"cooldown.window\" must be at most 30d" },
        { ",\n\"cooldown\": {\"max_runs\": 1}", "rules/g.json:7:1:",
          "missing \"cooldown.window\"" },
        { ",\n\"cooldown\": {\"window\": \"1m\", \"max_runs\": 0}",
          "rules/g.json:7:30:", "\"cooldown.max_runs\" must be an integer "
          "1..10000" },
        { ",\n\"cooldown\": {\"window\": \"1m\", \"max_runs\": 1.5}",
          "rules/g.json:7:30:", "\"cooldown.max_runs\" must be an integer" },
        { ",\n\"cooldown\": \"1h\"", "rules/g.json:7:1:",
          "\"cooldown\" must be an object" },
        { ",\n\"max_entities\": 0", "rules/g.json:7:1:",
          "\"max_entities\" must be an integer" },
        { ",\n\"recheck\": \"maybe\"", "rules/g.json:7:1:",
          "\"recheck\" must be true or false" },
        { ",\n\"on_failure\": \"retry\"", "rules/g.json:7:1:",
          "\"on_failure\" must be \"stop\" or \"continue\"" },
        { ",\n\"verify\": {\"within\": \"later\"}", "rules/g.json:7:12:",
          "\"verify.within\" must be a window" },
        { ",\n\"mode\": \"notify\",\n\"verify\": {\"within\": \"1m\"}",
          "rules/g.json:8:1:", "\"verify\" cannot go with \"mode\": "
          "\"notify\"" },
    };
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        err[0] = '\0';
        assert_null(parse(rows[i].extra, err, sizeof(err)));
        if (strstr(err, rows[i].where) != err ||
            strstr(err, rows[i].msg) == NULL ||
            strstr(err, "rule \"g\"") == NULL)
            fail_msg("row %zu: %s", i, err);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
