/*
 * jobs_json_summary: a job's summary as GET /v1/jobs shows it, the same
 * from either store's row (SQLite's columns, PostgreSQL's text), table-
 * driven over the columns that vary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "jobs_json.h"
#include "json.h"

/* A row as text, NULL for SQL NULL; numbers read from the text. */
static const char *
row_text(void *src, int col)
{
    return ((const char **)src)[col];
}

static int64_t
row_num(void *src, int col)
{
    const char *t = ((const char **)src)[col];

    return t == NULL ? 0 : strtoll(t, NULL, 10);
}

struct row {
    const char *started_ms;     /* column 9 */
    const char *detail;         /* 15 */
    const char *verify_state;   /* 17 */
    const char *want;           /* the fields that vary, as JSON */
};

static const struct row rows[] = {
    { NULL, NULL, NULL,
      "{\"started\":null,\"detail\":null,\"verified\":null}" },
    { "1714817700000", "cooldown: 1 run in 30m", "verified",
      "{\"started\":\"2024-05-04T10:15:00.000Z\",\"detail\":\"cooldown: "
      "1 run in 30m\",\"verified\":true,\"verify\":\"verified\"}" },
    { NULL, NULL, "unverified",
      "{\"started\":null,\"detail\":null,\"verified\":false,"
      "\"verify\":\"unverified\"}" },
    { NULL, NULL, "pending",
      "{\"started\":null,\"detail\":null,\"verified\":null,"
      "\"verify\":\"pending\"}" },
};

static void
test_summary_table(void **state)
{
    const char *cols[JOBS_JSON_SUMMARY_NCOLS] = {
        "0123456789abcdef0123456789abcdef", "done", "ok", "disk_full",
        "opsgenie", "tinyId", "5120", "5120", "1714817640123", NULL,
        "1714817760999", "sent", NULL, "2", "oncall", NULL, "lead", NULL,
    };
    const struct jobs_json_row r = { row_text, row_num, cols };
    static const char *const vary[] = { "started", "detail", "verified",
        "verify" };
    cJSON *doc, *got, *want;
    char *text;
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        cols[9] = rows[i].started_ms;
        cols[15] = rows[i].detail;
        cols[17] = rows[i].verify_state;
        doc = jobs_json_summary(&r);
        got = cJSON_CreateObject();
        for (k = 0; k < sizeof(vary) / sizeof(vary[0]); k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, vary[k]);

            if (v != NULL)
                cJSON_AddItemToObject(got, vary[k],
                    cJSON_Duplicate(v, 1));
        }
        want = cJSON_Parse(rows[i].want);
        assert_non_null(want);
        if (!cJSON_Compare(got, want, 1)) {
            text = json_print(got);
            fail_msg("row %zu: %s != %s", i, text, rows[i].want);
        }
        /* The columns that do not vary. */
        assert_string_equal(json_str(doc, "job"),
            "0123456789abcdef0123456789abcdef");
        assert_string_equal(json_str(doc, "alert_id_key"), "tinyId");
        assert_string_equal(json_str(doc, "received"), "5120");
        assert_string_equal(json_str(doc, "created"),
            "2024-05-04T10:14:00.123Z");
        assert_string_equal(json_str(doc, "finished"),
            "2024-05-04T10:16:00.999Z");
        assert_string_equal(json_str(doc, "approver"), "lead");
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "report"), "error")));
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "report"),
            "attempts")->valuedouble, 2);
        cJSON_Delete(want);
        cJSON_Delete(got);
        cJSON_Delete(doc);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
