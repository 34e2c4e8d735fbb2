/*
 * Table-driven tests of the OpsGenie query language of alexis-sim: each row
 * is a query text, an alert and the expected outcome (match, no match or a
 * parse error).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "og_query.h"

enum want {
    MATCH,
    NO_MATCH,
    PARSE_ERROR,
};

static const char *const tags_gc[] = { "env.prod", "svc.ledger",
    "Team.Payments" };
static const char *const teams_in[] = { "payments_incoming" };
static const char *const teamids_in[] = {
    "2b7f0e44-91c3-4d8a-a5b6-0c1d2e3f4a5b" };
static const char *const teams_done[] = { "payments_incoming",
    "queue_autoremediation" };
static const char *const teamids_done[] = {
    "2b7f0e44-91c3-4d8a-a5b6-0c1d2e3f4a5b",
    "0d6c9f7e-1111-4222-8333-444455556666" };

/* Open, created at 1521127493827, in team payments_incoming. */
static const struct og_query_alert alert_open = {
    .id = "9c41d2e7-5a0b-4f63-8d2e-71b0c4a9e513-1521127493827",
    .tiny_id = "5120",
    .alias = "ledger-gc",
    .message = "[Dynatrace] Long garbage-collection time on ledger-worker",
    .description = "Process ledger-worker spent 41% in GC",
    .status = "open",
    .entity = "ledger-worker-03",
    .source = "Dynatrace",
    .owner = "",
    .priority = "P3",
    .integration_name = "Dynatrace-prod",
    .integration_type = "Dynatrace",
    .tags = tags_gc, .ntags = 3,
    .team_names = teams_in, .nteam_names = 1,
    .team_ids = teamids_in, .nteam_ids = 1,
    .acknowledged = false, .seen = true, .snoozed = false,
    .count = 3,
    .created_ms = 1521127493827ULL,
    .updated_ms = 1521127500000ULL,
    .last_occurred_ms = 1521127499000ULL,
};

/* Same alert, already routed to the remediation queue and closed. */
static const struct og_query_alert alert_done = {
    .id = "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d-1521127000000",
    .tiny_id = "77",
    .alias = NULL,
    .message = "Filesystem /var above 95% on db07",
    .status = "closed",
    .team_names = teams_done, .nteam_names = 2,
    .team_ids = teamids_done, .nteam_ids = 2,
    .acknowledged = true,
    .count = 1,
    .created_ms = 1521127000000ULL,
};

static const struct row {
    const char                  *query;
    const struct og_query_alert *alert;
    enum want                    want;
} rows[] = {
    /* Empty and blank queries match everything. */
    { NULL,                                 &alert_open, MATCH },
    { "",                                   &alert_done, MATCH },
    { "   ",                                &alert_open, MATCH },
    /* The original Alexis poller's query. */
    { "status=open AND teams=payments_incoming AND "
      "teams!=queue_autoremediation AND teams!=queue_needsinvestigation "
      "AND createdAt>1521127493000",        &alert_open, MATCH },
    { "status=open AND teams=payments_incoming AND "
      "teams!=queue_autoremediation AND createdAt>1521127493000",
                                            &alert_done, NO_MATCH },
    { "status=open AND createdAt>1521127493827", &alert_open, NO_MATCH },
    { "createdAt>=1521127493827",           &alert_open, MATCH },
    { "createdAt<1521127493827",            &alert_open, NO_MATCH },
    { "createdAt<=1521127493827",           &alert_open, MATCH },
    { "createdAt < 1521127493828",          &alert_open, MATCH },
    /* The documented ':' form, spaces and case. */
    { "status: open",                       &alert_open, MATCH },
    { "status:OPEN",                        &alert_open, MATCH },
    { "status: closed",                     &alert_open, NO_MATCH },
    { "status != closed",                   &alert_open, MATCH },
    /* Teams by name or by id; tags; wildcards. */
    { "teams: payments_incoming",           &alert_open, MATCH },
    { "teams: 2b7f0e44-91c3-4d8a-a5b6-0c1d2e3f4a5b", &alert_open, MATCH },
    { "teams: queue_autoremediation",       &alert_done, MATCH },
    { "teams: other",                       &alert_open, NO_MATCH },
    { "tag: svc.ledger",                    &alert_open, MATCH },
    { "tag: team.payments",                 &alert_open, MATCH },
    { "tags: svc.*",                        &alert_open, MATCH },
    { "tag: svc",                           &alert_open, NO_MATCH },
    { "tag != svc.ledger",                  &alert_open, NO_MATCH },
    { "tag: svc.ledger",                    &alert_done, NO_MATCH },
    /* AND / OR / NOT and parentheses; AND binds tighter than OR. */
    { "status: closed OR tag: env.prod",    &alert_open, MATCH },
    { "status: closed OR tag: env.prod AND count > 5",
                                            &alert_open, NO_MATCH },
    { "(status: closed OR tag: env.prod) AND count > 2",
                                            &alert_open, MATCH },
    { "NOT status: closed",                 &alert_open, MATCH },
    { "NOT (status: open AND acknowledged: false)",
                                            &alert_open, NO_MATCH },
    { "message: (lorem OR garbage)",        &alert_open, MATCH },
    { "message: (lorem OR ipsum)",          &alert_open, NO_MATCH },
    { "message: \"garbage-collection time\"", &alert_open, MATCH },
    { "description: gc",                    &alert_open, MATCH },
    /* Scalar fields. */
    { "alias: ledger-gc",                   &alert_open, MATCH },
    { "alias: ledger",                      &alert_open, NO_MATCH },
    { "tinyId: 5120",                       &alert_open, MATCH },
    { "tinyId > 100",                       &alert_done, NO_MATCH },
    { "acknowledged: true",                 &alert_done, MATCH },
    { "isSeen: true AND snoozed: false",    &alert_open, MATCH },
    { "priority: P3",                       &alert_open, MATCH },
    { "integration.name: Dynatrace-prod",   &alert_open, MATCH },
    { "count >= 3 AND count <= 3",          &alert_open, MATCH },
    { "updatedAt > 1521127499999",          &alert_open, MATCH },
    { "lastOccurredAt > 1521127499000",     &alert_open, NO_MATCH },
    { "entity: ledger-worker-03",           &alert_open, MATCH },
    { "source: dynatrace",                  &alert_open, MATCH },
    { "alias: x",                           &alert_done, NO_MATCH },
    /* Errors: syntax, unknown fields, types, operators, bounds. */
    { "status",                             &alert_open, PARSE_ERROR },
    { "status:",                            &alert_open, PARSE_ERROR },
    { "bogus: 1",                           &alert_open, PARSE_ERROR },
    { "createdAt > yesterday",              &alert_open, PARSE_ERROR },
    { "status > open",                      &alert_open, PARSE_ERROR },
    { "acknowledged: maybe",                &alert_open, PARSE_ERROR },
    { "(status: open",                      &alert_open, PARSE_ERROR },
    { "status: open)",                      &alert_open, PARSE_ERROR },
    { "status: open AND",                   &alert_open, PARSE_ERROR },
    { "status: open status: closed",        &alert_open, PARSE_ERROR },
    { "message: \"open",                    &alert_open, PARSE_ERROR },
    { "message: (a OR )",                   &alert_open, PARSE_ERROR },
    { "status ~ open",                      &alert_open, PARSE_ERROR },
};

static void
test_rows(void **state)
{
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        struct og_query *q;

        err[0] = '\0';
        q = og_query_parse(r->query, err, sizeof(err));
        if (r->want == PARSE_ERROR) {
            if (q != NULL)
                fail_msg("row %zu (%s): parsed, want error", i, r->query);
            if (err[0] == '\0')
                fail_msg("row %zu (%s): no error text", i, r->query);
            continue;
        }
        if (q == NULL)
            fail_msg("row %zu (%s): %s", i, r->query, err);
        if (og_query_match(q, r->alert) != (r->want == MATCH))
            fail_msg("row %zu (%s): want %s", i, r->query,
                r->want == MATCH ? "match" : "no match");
        og_query_free(q);
    }
}

/* Deep nesting, many terms and long text are refused, never a crash. */
static void
test_bounds(void **state)
{
    char text[8192], err[ALEXIS_ERR_MAX];
    size_t i, n = 0;

    (void)state;
    for (i = 0; i < 100; i++)
        text[n++] = '(';
    memcpy(text + n, "status: open", 12);
    n += 12;
    for (i = 0; i < 100; i++)
        text[n++] = ')';
    text[n] = '\0';
    assert_null(og_query_parse(text, err, sizeof(err)));
    assert_non_null(strstr(err, "nested"));

    n = 0;
    for (i = 0; i < 300; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%scount: %zu",
            i == 0 ? "" : " OR ", i);
    assert_null(og_query_parse(text, err, sizeof(err)));
    assert_non_null(strstr(err, "complex"));

    memset(text, 'a', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    assert_null(og_query_parse(text, err, sizeof(err)));
    assert_non_null(strstr(err, "longer"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_bounds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
