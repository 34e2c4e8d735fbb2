/*
 * The id extraction of each ticket system's webhook payload, as a table:
 * payload text, the function, and the id / forward decision / event it
 * must give, or the field its error must name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "log.h"
#include "webhook_id.h"

typedef int (*extract_fn)(const cJSON *, struct webhook_event *, char *,
    size_t);

struct row {
    extract_fn   fn;
    const char  *json;
    const char  *id;        /* NULL: an error naming field */
    int          forward;
    const char  *event;
    const char  *field;
};

#define OG webhook_id_opsgenie
#define JSM webhook_id_jsm
#define DT webhook_id_dynatrace

static const struct row rows[] = {
    { OG, "{\"action\":\"Create\",\"alert\":{\"alertId\":\"a-1\","
      "\"tinyId\":\"412\"}}", "412", 1, "Create", NULL },
    { OG, "{\"action\":\"AddNote\",\"alert\":{\"tinyId\":\"7\"}}", "7", 1,
      "AddNote", NULL },
    { OG, "{\"action\":\"Close\",\"alert\":{\"tinyId\":\"7\"}}", "7", 0,
      "Close", NULL },
    { OG, "{\"action\":\"delete\",\"alert\":{\"tinyId\":\"7\"}}", "7", 0,
      "delete", NULL },
    { OG, "{\"alert\":{\"tinyId\":9}}", "9", 1, "", NULL },
    { OG, "{\"action\":\"Create\",\"alert\":{\"alertId\":\"a-1\"}}", NULL, 0,
      NULL, "\"alert.tinyId\" is missing" },
    { OG, "{\"action\":\"Create\"}", NULL, 0, NULL, "\"alert.tinyId\"" },
    { OG, "{\"action\":\"Create\",\"alert\":[]}", NULL, 0, NULL,
      "\"alert.tinyId\"" },
    { OG, "{\"alert\":{\"tinyId\":\"1 OR tinyId:2\"}}", NULL, 0, NULL,
      "\"alert.tinyId\" must be a number" },
    { OG, "{\"alert\":{\"tinyId\":\"\"}}", NULL, 0, NULL, "alert.tinyId" },
    { OG, "{\"alert\":{\"tinyId\":-3}}", NULL, 0, NULL, "alert.tinyId" },
    { OG, "{\"action\":7,\"alert\":{\"tinyId\":\"1\"}}", NULL, 0, NULL,
      "\"action\"" },
    { OG, "[]", NULL, 0, NULL, "JSON object" },
    { JSM, "{\"action\":\"Create\",\"alert\":{\"alertId\":\"8f1e-77\","
      "\"tinyId\":\"3\"}}", "8f1e-77", 1, "Create", NULL },
    { JSM, "{\"action\":\"Close\",\"alert\":{\"alertId\":\"8f1e-77\"}}",
      "8f1e-77", 0, "Close", NULL },
    { JSM, "{\"action\":\"Create\",\"alert\":{\"tinyId\":\"3\"}}", NULL, 0,
      NULL, "\"alert.alertId\" is missing" },
    { JSM, "{\"alert\":{\"alertId\":\"a\\nb\"}}", NULL, 0, NULL,
      "alert.alertId" },
    { DT, "{\"PID\":\"-4417_1732V2\",\"ProblemID\":\"2411034\","
      "\"State\":\"OPEN\"}", "-4417_1732V2", 1, "OPEN", NULL },
    { DT, "{\"PID\":\"99999\",\"State\":\"RESOLVED\"}", "99999", 0,
      "RESOLVED", NULL },
    { DT, "{\"PID\":99999,\"State\":\"open\"}", "99999", 1, "open", NULL },
    { DT, "{\"PID\":\"1\",\"State\":\"MERGED\"}", "1", 0, "MERGED", NULL },
    { DT, "{\"ProblemID\":\"999\",\"State\":\"OPEN\"}", NULL, 0, NULL,
      "\"PID\" is missing" },
    { DT, "{\"PID\":\"1\"}", NULL, 0, NULL, "\"State\" is missing" },
    { DT, "{\"PID\":null,\"State\":\"OPEN\"}", NULL, 0, NULL, "\"PID\"" },
    { DT, "{\"PID\":1.5,\"State\":\"OPEN\"}", NULL, 0, NULL, "\"PID\"" },
    { DT, "{\"PID\":\"1\",\"State\":[]}", NULL, 0, NULL, "\"State\"" },
    { DT, "\"PID\"", NULL, 0, NULL, "JSON object" },
};

static void
test_rows(void **state)
{
    struct webhook_event ev;
    char err[256];
    cJSON *doc;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
        const struct row *r = &rows[i];

        doc = cJSON_Parse(r->json);
        assert_non_null(doc);
        err[0] = '\0';
        rc = r->fn(doc, &ev, err, sizeof(err));
        cJSON_Delete(doc);
        if (r->id == NULL) {
            if (rc != -1 || strstr(err, r->field) == NULL)
                fail_msg("row %zu: rc %d, err \"%s\", want \"%s\"", i, rc,
                    err, r->field);
            continue;
        }
        if (rc != 0 || strcmp(ev.id, r->id) != 0 ||
            ev.forward != (r->forward == 1) || strcmp(ev.event,
            r->event) != 0)
            fail_msg("row %zu: rc %d id \"%s\" forward %d event \"%s\" "
                "(%s)", i, rc, ev.id, ev.forward, ev.event, err);
    }
}

static void
test_dispatch(void **state)
{
    struct webhook_event ev;
    char err[256];
    cJSON *dt = cJSON_Parse("{\"PID\":\"p1\",\"State\":\"OPEN\"}");
    cJSON *og = cJSON_Parse("{\"alert\":{\"tinyId\":\"5\"}}");

    (void)state;
    assert_int_equal(webhook_id_extract(FEED_KIND_DT_V1, dt, &ev, err,
        sizeof(err)), 0);
    assert_string_equal(ev.id, "p1");
    assert_int_equal(webhook_id_extract(FEED_KIND_DT_V2, og, &ev, err,
        sizeof(err)), -1);
    assert_int_equal(webhook_id_extract(FEED_KIND_OPSGENIE, og, &ev, err,
        sizeof(err)), 0);
    assert_string_equal(ev.id, "5");
    cJSON_Delete(dt);
    cJSON_Delete(og);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_dispatch),
    };

    log_init("test", LOG_ERROR, 2);
    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
