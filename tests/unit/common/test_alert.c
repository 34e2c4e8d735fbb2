/*
 * Envelope validation shared by the classifier and the action handler:
 * an escaped NUL in an identifier is refused naming the field (issue 11
 * item 8); in other fields it is data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "alert.h"
#include "compat.h"
#include "json.h"

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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nul_in_identifiers),
    };

    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
