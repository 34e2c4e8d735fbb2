/*
 * Table-driven tests of the Dynatrace problemSelector of alexis-sim: each
 * row is a selector and the expected outcome against one problem built
 * from the v2 shape (match, no match or a parse error).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "dt_filter.h"
#include "dt_problem.h"

#define NOW 1763806000000ULL

static const char problem_json[] =
    "{\"problemId\":\"-44_1763805540000V2\",\"displayId\":\"P-2611203\","
    "\"title\":\"Memory saturation\",\"impactLevel\":\"SERVICES\","
    "\"severityLevel\":\"RESOURCE_CONTENTION\",\"status\":\"OPEN\","
    "\"startTime\":1763805540000,\"endTime\":-1,"
    "\"affectedEntities\":[{\"entityId\":{\"id\":\"HOST-3A7F\","
    "\"type\":\"HOST\"},\"name\":\"web03\"}],"
    "\"rootCauseEntity\":{\"entityId\":{\"id\":\"HOST-3A7F\","
    "\"type\":\"HOST\"},\"name\":\"web03\"},"
    "\"managementZones\":[{\"id\":\"128\",\"name\":\"Production\"}],"
    "\"entityTags\":[{\"context\":\"CONTEXTLESS\",\"key\":\"autoremediate\"},"
    "{\"context\":\"CONTEXTLESS\",\"key\":\"env\",\"value\":\"prod\"},"
    "{\"context\":\"AWS\",\"key\":\"Name\",\"value\":\"web:03\"}]}";

enum want {
    MATCH,
    NO_MATCH,
    PARSE_ERROR,
};

static const struct row {
    const char  *selector;
    enum want    want;
} rows[] = {
    { "",                                       MATCH },
    { "status(\"open\")",                       MATCH },
    { "status(\"OPEN\")",                       MATCH },
    { "status(\"closed\")",                     NO_MATCH },
    { "status(open)",                           MATCH },
    { "severityLevel(\"ERROR\",\"RESOURCE_CONTENTION\")", MATCH },
    { "severityLevel(\"ERROR\")",               NO_MATCH },
    { "impactLevel(\"SERVICES\")",              MATCH },
    { "impactLevel(\"SERVICE\")",               MATCH },
    { "problemId(\"-44_1763805540000V2\")",     MATCH },
    { "displayId(\"P-1\",\"P-2611203\")",       MATCH },
    { "entityTags(\"autoremediate\")",          MATCH },
    { "entityTags(\"env:prod\")",               MATCH },
    { "entityTags(\"env\")",                    MATCH },
    { "entityTags(\"env:dev\")",                NO_MATCH },
    { "entityTags(\"[AWS]Name:web:03\")",       MATCH },
    { "entityTags(\"[AZURE]Name:web:03\")",     NO_MATCH },
    { "affectedEntities(\"HOST-3A7F\")",        MATCH },
    { "rootCauseEntity(\"HOST-0000\")",         NO_MATCH },
    { "text(\"memory\")",                       MATCH },
    { "text(\"disk\")",                         NO_MATCH },
    { "managementZones(\"Production\")",        MATCH },
    { "managementZoneIds(\"999\")",             NO_MATCH },
    { "status(\"open\"),entityTags(\"env:prod\")", MATCH },
    { "status(\"open\"), text(\"disk\")",       NO_MATCH },
    { "text(\"say ~\"hi~\"\")",                 NO_MATCH },
    { "bogus(\"x\")",                           PARSE_ERROR },
    { "status(\"open\"",                        PARSE_ERROR },
    { "status(\"open)",                         PARSE_ERROR },
    { "status",                                 PARSE_ERROR },
    { "status(\"open\") text(\"x\")",           PARSE_ERROR },
};

static void
test_selector_rows(void **state)
{
    struct dt_problem *p;
    struct dt_filter f;
    cJSON *doc;
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    doc = cJSON_Parse(problem_json);
    assert_non_null(doc);
    p = dt_problem_from_json(doc, NOW, 10, err, sizeof(err));
    cJSON_Delete(doc);
    assert_non_null(p);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        int rc;

        memset(&f, 0, sizeof(f));
        f.from_ms = NOW - 7200000;
        f.to_ms = NOW;
        rc = dt_filter_parse_selector(&f, rows[i].selector, err,
            sizeof(err));
        if (rows[i].want == PARSE_ERROR) {
            if (rc != -1)
                fail_msg("row %zu (%s): parsed", i, rows[i].selector);
        } else if (rc == -1)
            fail_msg("row %zu (%s): %s", i, rows[i].selector, err);
        else if (dt_filter_problem_match(p, &f, NOW) != (rows[i].want == MATCH))
            fail_msg("row %zu (%s): want %s", i, rows[i].selector,
                rows[i].want == MATCH ? "match" : "no match");
        dt_filter_cleanup(&f);
    }
    dt_problem_free(p);
}

/* The timeframe: open problems overlap any window up to now; a closed one
 * only while its [start, end] overlaps. */
static void
test_timeframe(void **state)
{
    struct dt_problem *p;
    struct dt_filter f;
    cJSON *doc;
    char err[ALEXIS_ERR_MAX];

    (void)state;
    doc = cJSON_Parse("{\"problemId\":\"x\",\"status\":\"CLOSED\","
        "\"startTime\":1000,\"endTime\":2000}");
    p = dt_problem_from_json(doc, NOW, 10, err, sizeof(err));
    cJSON_Delete(doc);
    assert_non_null(p);
    memset(&f, 0, sizeof(f));
    f.from_ms = 1500;
    f.to_ms = NOW;
    assert_true(dt_filter_problem_match(p, &f, NOW));
    f.from_ms = 2001;
    assert_false(dt_filter_problem_match(p, &f, NOW));
    f.from_ms = 0;
    f.to_ms = 999;
    assert_false(dt_filter_problem_match(p, &f, NOW));
    dt_problem_free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selector_rows),
        cmocka_unit_test(test_timeframe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
