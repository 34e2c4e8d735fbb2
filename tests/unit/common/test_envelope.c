/*
 * Envelope building as a table: a details answer of each API -> the
 * object sent to the classifier. The source object must arrive whole, the
 * alexis object must hold exactly feed_type, feed_name, base_url,
 * unique_key and unique_value, and no credential (feed_headers, an
 * Authorization value) may ever be in it, even when the source object
 * carried an "alexis" member of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "envelope.h"
#include "json.h"
#include "log.h"
#include "ticketsys_dtv1.h"
#include "ticketsys_dtv2.h"
#include "ticketsys_opsgenie.h"

struct row {
    const char     *name;
    const struct ticketsys *kind;
    const char     *body;
    const char     *want;   /* exact compact JSON, or NULL for an error */
    const char     *err;
};

#define META_OG "\"alexis\":{\"feed_type\":\"opsgenie\",\"feed_name\":" \
    "\"F\",\"base_url\":\"http://og\",\"unique_key\":\"tinyId\"," \
    "\"unique_value\":\"412\"}"
#define META_DT "\"alexis\":{\"feed_type\":\"dynatrace\",\"feed_name\":" \
    "\"F\",\"base_url\":\"http://og\",\"unique_key\":\"problem_id\"," \
    "\"unique_value\":\"412\"}"

static const struct row rows[] = {
    { "opsgenie data", &ticketsys_opsgenie,
      "{\"data\":{\"tinyId\":\"412\",\"tags\":[\"a\"],\"details\":{\"host\":"
      "\"db01\"},\"count\":3},\"took\":0.008,\"requestId\":\"r\"}",
      "{\"tinyId\":\"412\",\"tags\":[\"a\"],\"details\":{\"host\":\"db01\"},"
      "\"count\":3," META_OG "}", NULL },
    { "dynatrace v1 result", &ticketsys_dtv1,
      "{\"result\":{\"id\":\"412\",\"startTime\":1732269960000,"
      "\"tagsOfAffectedEntities\":[{\"context\":\"CONTEXTLESS\",\"key\":"
      "\"k\"}]}}",
      "{\"id\":\"412\",\"startTime\":1732269960000,\"tagsOfAffectedEntities"
      "\":[{\"context\":\"CONTEXTLESS\",\"key\":\"k\"}]," META_DT "}", NULL },
    { "dynatrace v2 bare", &ticketsys_dtv2,
      "{\"problemId\":\"412\",\"endTime\":-1,\"rootCauseEntity\":null}",
      "{\"problemId\":\"412\",\"endTime\":-1,\"rootCauseEntity\":null,"
      META_DT "}", NULL },
    { "foreign alexis member replaced", &ticketsys_opsgenie,
      "{\"data\":{\"tinyId\":\"412\",\"alexis\":{\"feed_headers\":"
      "{\"Authorization\":\"GenieKey secret\"},\"unique_value\":\"9\"}}}",
      "{\"tinyId\":\"412\"," META_OG "}", NULL },
    { "opsgenie without data", &ticketsys_opsgenie,
      "{\"message\":\"x\"}", NULL, "no \"data\" object" },
    { "v1 result not an object", &ticketsys_dtv1,
      "{\"result\":[1]}", NULL, "no \"result\" object" },
    { "v2 array", &ticketsys_dtv2, "[1,2]", NULL, "not a JSON object" },
    { "not json", &ticketsys_dtv2, "<html>", NULL, "invalid JSON" },
};

static void
test_build(void **state)
{
    const struct envelope_meta m = {
        .feed_type = "opsgenie", .feed_name = "F", .base_url = "http://og",
        .unique_key = "tinyId", .unique_value = "412",
    };
    struct envelope_meta mm;
    char err[ALEXIS_ERR_MAX], *got;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        mm = m;
        if (rows[i].kind != &ticketsys_opsgenie) {
            mm.feed_type = "dynatrace";
            mm.unique_key = envelope_id_key(rows[i].kind);
        }
        err[0] = '\0';
        got = envelope_build(rows[i].body, strlen(rows[i].body),
            rows[i].kind, &mm, err, sizeof(err));
        if (rows[i].want == NULL) {
            if (got != NULL || strstr(err, rows[i].err) == NULL)
                fail_msg("%s: got %s err %s", rows[i].name, got, err);
            continue;
        }
        if (got == NULL || strcmp(got, rows[i].want) != 0)
            fail_msg("%s:\n got  %s\n want %s (%s)", rows[i].name, got,
                rows[i].want, err);
        assert_null(strstr(got, "feed_headers"));
        assert_null(strstr(got, "GenieKey"));
        assert_null(strstr(got, "Authorization"));
        free(got);
    }
}

static void
test_id_keys(void **state)
{
    (void)state;
    assert_string_equal(envelope_id_key(&ticketsys_opsgenie), "tinyId");
    assert_string_equal(envelope_id_key(&ticketsys_dtv1), "problem_id");
    assert_string_equal(envelope_id_key(&ticketsys_dtv2), "problem_id");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_id_keys),
    };

    log_init("test", LOG_ERROR, 2);
    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
