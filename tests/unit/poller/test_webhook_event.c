/*
 * The event of a webhook payload, as a table: payload text, and the event
 * and forward decision it must give, or the field its error must name.
 * Then the id through each ticket system's webhook_id, as the intake
 * calls it (the modules' own tests cover them in depth).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "json.h"
#include "log.h"
#include "ticketsys.h"
#include "webhook_event.h"

struct row {
    const char  *json;
    int          ok;
    const char  *event;     /* ok: the event; else a part of the error */
    int          forward;
};

static const struct row rows[] = {
    { "{\"action\":\"Create\",\"alert\":{\"tinyId\":\"412\"}}", 1,
      "Create", 1 },
    { "{\"action\":\"AddNote\",\"alert\":{}}", 1, "AddNote", 1 },
    { "{\"action\":\"Close\"}", 1, "Close", 0 },
    { "{\"action\":\"delete\"}", 1, "delete", 0 },
    { "{\"alert\":{\"tinyId\":\"9\"}}", 1, "", 1 },
    { "{\"PID\":\"-1_2V2\",\"State\":\"OPEN\"}", 1, "OPEN", 1 },
    { "{\"PID\":\"1\",\"State\":\"open\"}", 1, "open", 1 },
    { "{\"PID\":\"1\",\"State\":\"RESOLVED\"}", 1, "RESOLVED", 0 },
    { "{\"PID\":\"1\",\"State\":\"MERGED\"}", 1, "MERGED", 0 },
    { "{\"PID\":\"1\",\"State\":null}", 1, "", 1 },
    { "{\"action\":7}", 0, "action", 0 },
    { "{\"action\":\"a\\nb\"}", 0, "action", 0 },
    { "{\"State\":[]}", 0, "State", 0 },
    { "[1,2]", 0, "JSON object", 0 },
    { "\"PID\"", 0, "JSON object", 0 },
};

static void
test_events(void **state)
{
    struct webhook_event ev;
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
        const struct row *r = &rows[i];

        doc = cJSON_Parse(r->json);
        assert_non_null(doc);
        err[0] = '\0';
        rc = webhook_event_read(doc, &ev, err, sizeof(err));
        cJSON_Delete(doc);
        if (!r->ok) {
            if (rc != -1 || strstr(err, r->event) == NULL)
                fail_msg("row %zu: rc %d, err \"%s\"", i, rc, err);
            continue;
        }
        if (rc != 0 || strcmp(ev.event, r->event) != 0 ||
            ev.forward != (r->forward == 1))
            fail_msg("row %zu: rc %d event \"%s\" forward %d (%s)", i, rc,
                ev.event, ev.forward, err);
    }
}

struct id_row {
    const char  *type;
    const char  *json;
    const char  *id;        /* NULL: an error naming field */
    const char  *field;
};

static const struct id_row id_rows[] = {
    { "opsgenie", "{\"alert\":{\"alertId\":\"a-1\",\"tinyId\":\"412\"}}",
      "412", NULL },
    { "opsgenie", "{\"alert\":{\"alertId\":\"a-1\"}}", NULL,
      "alert.tinyId" },
    { "opsgenie", "{\"action\":\"Create\"}", NULL, "alert" },
    { "jsm", "{\"alert\":{\"alertId\":\"8f1e-77\",\"tinyId\":\"3\"}}",
      "8f1e-77", NULL },
    { "jsm", "{\"alert\":{\"tinyId\":\"3\"}}", NULL, "alert.alertId" },
    { "dynatrace", "{\"PID\":\"-4417_1732V2\",\"State\":\"OPEN\"}",
      "-4417_1732V2", NULL },
    { "dynatrace", "{\"State\":\"OPEN\"}", NULL, "PID" },
};

static void
test_ids(void **state)
{
    const struct ticketsys *sys;
    char err[ALEXIS_ERR_MAX], id[600];
    cJSON *doc;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(id_rows) / sizeof(*id_rows); i++) {
        const struct id_row *r = &id_rows[i];

        assert_non_null(sys = ticketsys_find(r->type));
        assert_non_null(sys->webhook_id);
        doc = cJSON_Parse(r->json);
        assert_non_null(doc);
        err[0] = '\0';
        rc = sys->webhook_id(doc, id, sizeof(id), err, sizeof(err));
        cJSON_Delete(doc);
        if (r->id == NULL) {
            if (rc != -1 || strstr(err, r->field) == NULL)
                fail_msg("row %zu: rc %d, err \"%s\"", i, rc, err);
        } else if (rc != 0 || strcmp(id, r->id) != 0) {
            fail_msg("row %zu: rc %d id \"%s\" (%s)", i, rc, id, err);
        }
    }
    /* Only OpsGenie keeps its "handled" filter in the listing's query. */
    assert_non_null(ticketsys_find("opsgenie")->listed);
    assert_null(ticketsys_find("jsm")->listed);
    assert_null(ticketsys_find("dynatrace")->listed);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_ids),
    };

    log_init("test", LOG_ERROR, 2);
    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
