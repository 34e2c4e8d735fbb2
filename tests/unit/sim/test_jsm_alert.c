/*
 * The JSM rendering of a simulated alert: the status JSM shows (and its
 * queries see), the renamed fields, and the admin API's translation of a
 * JSM-shaped alert.
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
#include "jsm_alert.h"
#include "json.h"
#include "og_parse.h"
#include "xmem.h"

static struct og_alert *
alert(const char *json)
{
    cJSON *o = cJSON_Parse(json);
    char err[ALEXIS_ERR_MAX];
    struct og_alert *a = og_parse_alert_from_json(o, 1764000000000ULL, 10, err,
        sizeof(err));

    if (a == NULL)
        fail_msg("%s: %s", json, err);
    cJSON_Delete(o);
    a->tiny_id = xstrdup("7");
    return a;
}

static const struct status_row {
    const char *json;
    const char *status;
} status_rows[] = {
    { "{}", "open" },
    { "{\"acknowledged\":true}", "acked" },
    { "{\"snoozed\":true,\"acknowledged\":true}", "snoozed" },
    { "{\"status\":\"closed\",\"snoozed\":true}", "closed" },
};

static void
test_status(void **state)
{
    struct og_alert *a;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(status_rows) / sizeof(status_rows[0]); i++) {
        a = alert(status_rows[i].json);
        assert_string_equal(jsm_alert_status(a), status_rows[i].status);
        og_alert_free(a);
    }
}

static void
test_shape(void **state)
{
    struct og_alert *a = alert("{\"message\":\"m\",\"details\":{\"k\":\"v\"},"
        "\"teams\":[{\"id\":\"t1\"}],\"acknowledged\":true,"
        "\"lastOccurredAt\":1764000001000}");
    cJSON *full = jsm_alert_to_json(a, OG_VIEW_JSM);
    cJSON *item = jsm_alert_to_json(a, OG_VIEW_JSM_LIST);

    (void)state;
    assert_string_equal(json_str(full, "status"), "acked");
    assert_string_equal(json_str(full, "lastOccuredAt"),
        "2025-11-24T16:00:01Z");
    assert_string_equal(json_str(cJSON_GetObjectItem(full,
        "extraProperties"), "k"), "v");
    assert_string_equal(json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(
        full, "responders"), 0), "type"), "team");
    assert_non_null(json_str(full, "ackTime"));
    assert_null(json_str(full, "closeTime"));
    assert_null(cJSON_GetObjectItem(full, "details"));
    assert_null(cJSON_GetObjectItem(full, "teams"));
    assert_null(cJSON_GetObjectItem(full, "report"));
    assert_null(cJSON_GetObjectItem(full, "integration"));
    assert_null(cJSON_GetObjectItem(full, "lastOccurredAt"));
    assert_null(cJSON_GetObjectItem(item, "extraProperties"));
    assert_null(cJSON_GetObjectItem(item, "description"));
    assert_non_null(cJSON_GetObjectItem(item, "tags"));
    cJSON_Delete(full);
    cJSON_Delete(item);
    og_alert_free(a);
}

static void
test_admin_in(void **state)
{
    cJSON *in = cJSON_Parse("{\"message\":\"m\",\"status\":\"acked\","
        "\"extraProperties\":{\"k\":\"v\"},\"lastOccuredAt\":\"now\","
        "\"integrationName\":\"Prom\",\"ackTime\":\"x\"}");
    cJSON *bad = cJSON_Parse("{\"status\":\"resolved\"}");
    char err[ALEXIS_ERR_MAX];
    cJSON *out;

    (void)state;
    out = jsm_alert_admin_in(in, err, sizeof(err));
    assert_non_null(out);
    assert_string_equal(json_str(out, "status"), "open");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(out, "acknowledged")));
    assert_string_equal(json_str(cJSON_GetObjectItem(out, "details"), "k"),
        "v");
    assert_string_equal(json_str(out, "lastOccurredAt"), "now");
    assert_string_equal(json_str(cJSON_GetObjectItem(out, "integration"),
        "name"), "Prom");
    assert_null(cJSON_GetObjectItem(out, "ackTime"));
    assert_null(cJSON_GetObjectItem(out, "extraProperties"));
    cJSON_Delete(out);
    assert_null(jsm_alert_admin_in(bad, err, sizeof(err)));
    assert_non_null(strstr(err, "status"));
    cJSON_Delete(in);
    cJSON_Delete(bad);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_admin_in),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
