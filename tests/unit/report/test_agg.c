/*
 * Unit tests for report/agg.c, group.c, trace.c and report.c: lines made by
 * the real writer (log_format) are counted; success and failure reasons,
 * the filters (--action/--entity/--rule/--since/--until), the capped
 * tables and their "(other)" row, the trace of one alert across daemons
 * in time order, and the tables each command builds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg.h"
#include "alexis_limits.h"
#include "clock.h"
#include "log.h"
#include "report.h"

#define DAY1 "2026-05-04T10:00:00.000Z"
#define DAY2 "2026-05-05T10:00:00.000Z"

struct run_row {
    const char *ts;
    const char *alert;
    const char *job;
    const char *rule;
    const char *entity;
    const char *action;
    const char *status;     /* NULL: no action_status */
    const char *exit_status;
    const char *error;      /* NULL: none */
    long long   ms;
};

static const struct run_row runs[] = {
    { DAY1, "5120", "j1", "gc_rule", "host-a", "restart_gc", "success", "0",
        NULL, 1000 },
    { DAY1, "5120", "j1", "gc_rule", "host-b", "restart_gc", "failed", "3",
        "permission denied", 3000 },
    { DAY1, "5121", "j2", "gc_rule", "host-a", "restart_gc", "SUCCEEDED",
        "0", NULL, 2000 },
    { DAY2, "5122", "j3", "gc_rule", "host-a", "restart_gc", NULL, "0", NULL,
        4000 },
    { DAY2, "-77_1", "j4", "dt_rule", "db \"1\"", "drop caches", "failed",
        "137", NULL, 50 },
    { DAY2, "-77_1", "j4", "dt_rule", "db2", "drop caches", NULL, "1", NULL,
        60 },
};

static void
feed(struct agg *a, const char *ts, const char *app, const char *event,
    const struct kv *kvs)
{
    char line[LOG_LINE_MAX + 1];
    size_t n;

    n = log_format(line, sizeof(line), ts, LOG_INFO, app, event, kvs);
    agg_line(a, line, n - 1);
}

static void
feed_run(struct agg *a, const struct run_row *r)
{
    struct kv kvs[12];
    size_t k = 0;

    kvs[k++] = KV_STR(r->alert[0] == '-' ? "problem_id" : "tinyId",
        r->alert);
    kvs[k++] = KV_STR("job", r->job);
    kvs[k++] = KV_STR("rule_name", r->rule);
    kvs[k++] = KV_STR("entity", r->entity);
    kvs[k++] = KV_STR("action", r->action);
    kvs[k++] = KV_STR("action_reason", "because");
    if (r->status != NULL)
        kvs[k++] = KV_STR("action_status", r->status);
    kvs[k++] = KV_STR("exit_status", r->exit_status);
    if (r->error != NULL)
        kvs[k++] = KV_STR("error", r->error);
    kvs[k++] = KV_INT("app_elapsed_ms", r->ms);
    kvs[k] = KV_END;
    feed(a, r->ts, "action_handler", "ActionStart", kvs);
    feed(a, r->ts, "action_handler", "ActionFinished", kvs);
}

static struct agg *
fed(const struct agg_filter *f, const char *trace)
{
    struct agg *a = agg_new(f, trace);
    size_t i;

    for (i = 0; i < NELEM(runs); i++)
        feed_run(a, &runs[i]);
    agg_line(a, "not key=value at all", 20);
    agg_line(a, "", 0);
    return a;
}

static const struct group *
row(struct gtable *t, const char *k0, const char *k1)
{
    const char *parts[2] = { k0, k1 };

    return group_table_get(t, parts);
}

static void
test_counts(void **state)
{
    struct agg *a = fed(NULL, NULL);

    (void)state;
    assert_int_equal(a->cnt.lines, 2 * NELEM(runs) + 2);
    assert_int_equal(a->cnt.malformed, 2);
    assert_int_equal(a->cnt.action_start, NELEM(runs));
    assert_int_equal(a->cnt.action_finished, NELEM(runs));
    assert_int_equal(a->cnt.runs, 6);
    assert_int_equal(a->cnt.ok, 3);
    assert_int_equal(a->cnt.failed, 3);
    assert_int_equal(row(a->by_action, "restart_gc", NULL)->runs, 4);
    assert_int_equal(row(a->by_action, "restart_gc", NULL)->ok, 3);
    assert_int_equal(row(a->by_pair, "restart_gc", "host-a")->runs, 3);
    assert_int_equal(row(a->by_pair, "drop caches", "db \"1\"")->failed, 1);
    assert_int_equal(row(a->by_rule, "dt_rule", NULL)->failed, 2);
    assert_int_equal(row(a->by_day, "2026-05-05", NULL)->runs, 3);
    assert_int_equal(a->dur_bins[0], 2);
    agg_free(a);
}

static void
test_failure_reasons(void **state)
{
    struct agg *a = fed(NULL, NULL);
    const char *p1[4] = { "gc_rule", "restart_gc", "host-b",
        "permission denied" };
    const char *p2[4] = { "dt_rule", "drop caches", "db \"1\"",
        "exit status 137" };
    const char *p3[4] = { "dt_rule", "drop caches", "db2",
        "exit status 1" };

    (void)state;
    assert_int_equal(group_table_get(a->failures, p1)->runs, 1);
    assert_string_equal(group_table_get(a->failures, p1)->last_alert, "5120");
    assert_int_equal(group_table_get(a->failures, p2)->runs, 1);
    assert_string_equal(group_table_get(a->failures, p2)->last_alert, "-77_1");
    assert_int_equal(group_table_get(a->failures, p3)->runs, 1);
    assert_int_equal(group_table_count(a->failures), 3);
    agg_free(a);
}

struct filter_case {
    const char *action;
    const char *entity;
    const char *rule;
    const char *since;
    const char *until;
    uint64_t    runs;
    uint64_t    ok;
};

static const struct filter_case filter_cases[] = {
    { NULL, NULL, NULL, NULL, NULL, 7, 4 },
    { "restart_gc", NULL, NULL, NULL, NULL, 5, 4 },
    { "restart_gc", "host-a", NULL, NULL, NULL, 3, 3 },
    { "restart_gc", "host-a", NULL, "2026-05-05", NULL, 1, 1 },
    { "restart_gc", "host-a", NULL, NULL, "2026-05-05", 2, 2 },
    { NULL, NULL, "dt_rule", NULL, NULL, 2, 0 },
    { NULL, "db \"1\"", NULL, NULL, NULL, 1, 0 },
    { NULL, NULL, NULL, "2026-05-04T10:00:00Z", "2026-05-04T10:00:00.001Z",
        3, 2 },
    { NULL, NULL, NULL, "2026-05-06", NULL, 0, 0 },
    { "nope", NULL, NULL, NULL, NULL, 0, 0 },
    { NULL, NULL, "(none)", NULL, NULL, 1, 1 },
};

/* One ActionFinished without ts or rule: counted only without a window. */
static const char no_ts_line[] = "level=info app=action_handler "
    "event=ActionFinished entity=x action=restart_gc action_status=ok";

static void
test_filters(void **state)
{
    const struct filter_case *c;
    struct agg_filter f;
    struct agg *a;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(filter_cases); i++) {
        c = &filter_cases[i];
        memset(&f, 0, sizeof(f));
        f.action = c->action;
        f.entity = c->entity;
        f.rule = c->rule;
        if (c->since != NULL) {
            f.has_since = true;
            assert_int_equal(clock_parse_iso(c->since, strlen(c->since),
                &f.since_ms), 0);
        }
        if (c->until != NULL) {
            f.has_until = true;
            assert_int_equal(clock_parse_iso(c->until, strlen(c->until),
                &f.until_ms), 0);
        }
        a = fed(&f, NULL);
        agg_line(a, no_ts_line, strlen(no_ts_line));
        if (a->cnt.runs != c->runs || a->cnt.ok != c->ok)
            fail_msg("filter case %zu: runs %llu ok %llu", i,
                (unsigned long long)a->cnt.runs,
                (unsigned long long)a->cnt.ok);
        assert_int_equal(a->cnt.no_time, 1);
        agg_free(a);
    }
}

static void
test_overflow(void **state)
{
    struct gtable *t = group_table_new(1, 3);
    const char *keys[] = { "a", "b", "c", "d", "a" };
    struct group **v;
    size_t i, n;

    (void)state;
    for (i = 0; i < NELEM(keys); i++)
        group_count(group_table_get(t, &keys[i]), true, GROUP_NO_TIME, NULL);
    assert_int_equal(group_table_count(t), 3);
    assert_int_equal(group_table_overflow(t), 2);
    v = group_table_sorted(t, GROUP_BY_RUNS, &n);
    assert_int_equal(n, 3);
    assert_string_equal(v[0]->part[0], "a");
    assert_int_equal(v[0]->runs, 2);
    assert_string_equal(v[2]->part[0], GROUP_OTHER);
    assert_int_equal(v[2]->runs, 2);
    free(v);
    group_table_free(t);
}

/* Values longer than REPORT_VALUE_MAX are cut, and equal cuts share a row. */
static void
test_long_keys(void **state)
{
    struct gtable *t = group_table_new(1, 10);
    char k1[REPORT_VALUE_MAX * 2], k2[REPORT_VALUE_MAX * 2];
    const char *p1 = k1, *p2 = k2;
    struct group *g;

    (void)state;
    memset(k1, 'x', sizeof(k1) - 1);
    k1[sizeof(k1) - 1] = '\0';
    memcpy(k2, k1, sizeof(k1));
    k2[sizeof(k2) - 2] = 'y';
    g = group_table_get(t, &p1);
    assert_ptr_equal(group_table_get(t, &p2), g);
    assert_int_equal(strlen(g->part[0]), REPORT_VALUE_MAX);
    assert_string_equal(g->part[0] + REPORT_VALUE_MAX - 3, "...");
    /* Bytes past the cut differ, but before REPORT_VALUE_MAX. */
    k2[REPORT_VALUE_MAX - 2] = 'y';
    assert_ptr_equal(group_table_get(t, &p2), g);
    assert_int_equal(group_table_count(t), 1);
    group_table_free(t);
}

struct route_case {
    const char *line;
    uint64_t    malformed;
    uint64_t    truncated;
    uint64_t    start;
    uint64_t    result;
    uint64_t    finished;
};

/* agg_line checks most lines without splitting them and splits those of
 * runs; the counts must not depend on which way a line went. */
static const struct route_case route_cases[] = {
    { "ts=1 level=info app=a event=ActionStart", 0, 0, 1, 0, 0 },
    { "ts=1 level=info app=a event=ActionStart truncated=1", 0, 1, 1, 0,
        0 },
    { "ts=1 level=info app=a event=\"ActionFinished\" action=x", 0, 0, 0,
        0, 1 },
    { "event=ActionFinished ts=1 level=info app=a action=x", 0, 0, 0, 0,
        1 },
    { "ts=1 level=info app=a event=ActionFinished action=\"a\\\"b\"", 0,
        0, 0, 0, 1 },
    { "ts=1 level=info app=a event=ActionResult action=\"a b\"", 0, 0, 0,
        1, 0 },
    { "ts=1 level=info app=a event=\"Action\\u0046inished\"", 0, 0, 0, 0,
        0 },
    { "ts=1 level=info event=ActionStart app=a event=ActionFinished", 0, 0,
        1, 0, 0 },
    { "ts=1 level=info app=a event=ActionFinishedX", 0, 0, 0, 0, 0 },
    { "ts=1 level=info app=a event=ActionFinished x", 1, 0, 0, 0, 0 },
    { "ts=1 level=info app=a event=ActionStart x=\"open", 1, 0, 0, 0, 0 },
    { "ts=1 level=info app=a event=ActionStart x=\"a\\qb\"", 1, 0, 0, 0,
        0 },
    { "ts=\"1 2\" level=info app=a event=ActionStart", 0, 0, 1, 0, 0 },
    { "a=1 truncated=1", 0, 1, 0, 0, 0 },
};

static void
test_line_routes(void **state)
{
    const struct route_case *c;
    struct agg *a;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(route_cases); i++) {
        c = &route_cases[i];
        a = agg_new(NULL, NULL);
        agg_line(a, c->line, strlen(c->line));
        if (a->cnt.malformed != c->malformed ||
            a->cnt.parsed != 1 - c->malformed ||
            a->cnt.truncated != c->truncated ||
            a->cnt.action_start != c->start ||
            a->cnt.action_result != c->result ||
            a->cnt.action_finished != c->finished)
            fail_msg("case %zu [%s] miscounted", i, c->line);
        agg_free(a);
    }
}

static void
test_trace(void **state)
{
    struct agg *a = agg_new(NULL, "5120");
    struct table *t[REPORT_TABLES_MAX];
    size_t n;

    (void)state;
    /* The action handler's file first, the classifier's second: the
     * trace must interleave them by time. */
    feed(a, "2026-05-04T10:00:02.000Z", "action_handler", "job_queued",
        (const struct kv[]){ KV_STR("tinyId", "5120"), KV_STR("job", "j9"),
        KV_END });
    feed(a, "2026-05-04T10:00:03.000Z", "action_handler", "ssh_connected",
        (const struct kv[]){ KV_STR("job", "j9"), KV_STR("entity", "h"),
        KV_END });
    feed(a, "2026-05-04T10:00:03.500Z", "action_handler", "other_job",
        (const struct kv[]){ KV_STR("job", "j10"), KV_END });
    feed(a, "2026-05-04T10:00:01.000Z", "classifier",
        "classification_started", (const struct kv[]){
        KV_STR("tinyId", "5120"), KV_END });
    feed(a, "2026-05-04T10:00:01.500Z", "classifier", "other_alert",
        (const struct kv[]){ KV_STR("tinyId", "51200"), KV_END });
    feed(a, "2026-05-04T10:00:04.000Z", "classifier",
        "classification_finished", (const struct kv[]){
        KV_STR("tinyId", "5120"), KV_STR("result", "matched"), KV_END });
    n = report_build(a, REPORT_TRACE, t);
    assert_int_equal(n, 1);
    assert_int_equal(t[0]->nrows, 4);
    assert_string_equal(table_cell(t[0], 0, 3), "classification_started");
    assert_string_equal(table_cell(t[0], 1, 3), "job_queued");
    assert_string_equal(table_cell(t[0], 2, 3), "ssh_connected");
    assert_string_equal(table_cell(t[0], 2, 4), "job=j9 entity=h");
    assert_string_equal(table_cell(t[0], 3, 3), "classification_finished");
    assert_string_equal(table_cell(t[0], 3, 1), "classifier");
    report_free(t, n);
    agg_free(a);
}

/* Guardrail lines (issue 13): skips and refusals by event and reason,
 * verifications by rule with verified_pct, under the filters. */
static void
test_guard_counts(void **state)
{
    static const char *const lines[] = {
        "ts=2026-05-04T10:00:00.000Z level=warn app=action_handler "
        "event=job_skipped job=j1 tinyId=1 rule_name=r1 reason=cooldown "
        "detail=\"cooldown: entity h ran\"",
        "ts=2026-05-04T10:01:00.000Z level=warn app=action_handler "
        "event=job_skipped job=j2 tinyId=2 rule_name=r1 reason=cooldown",
        "ts=2026-05-04T10:02:00.000Z level=warn app=action_handler "
        "event=job_skipped job=j3 tinyId=3 rule_name=r2 "
        "reason=storm_breaker",
        "ts=2026-05-04T10:03:00.000Z level=warn app=action_handler "
        "event=job_refused job=j4 tinyId=4 rule_name=r2 "
        "reason=blast_radius",
        "ts=2026-05-04T10:04:00.000Z level=info app=action_handler "
        "event=job_verified job=j5 tinyId=5 rule_name=r1 verified=true",
        "ts=2026-05-04T10:05:00.000Z level=warn app=action_handler "
        "event=job_verified job=j6 tinyId=6 rule_name=r1 verified=false",
        "ts=2026-05-04T10:06:00.000Z level=info app=action_handler "
        "event=job_verified job=j7 problem_id=P-7 rule_name=r1 "
        "verified=true",
    };
    struct agg_filter f = { .rule = "r2" };
    struct table *t[REPORT_TABLES_MAX];
    struct agg *a = agg_new(NULL, NULL);
    size_t i, n;

    (void)state;
    for (i = 0; i < NELEM(lines); i++)
        agg_line(a, lines[i], strlen(lines[i]));
    assert_int_equal(a->cnt.guard_stops, 4);
    assert_int_equal(a->cnt.verifications, 3);
    assert_int_equal(row(a->skips, "job_skipped", "cooldown")->runs, 2);
    assert_int_equal(row(a->skips, "job_refused", "blast_radius")->runs, 1);
    n = report_build(a, REPORT_SUMMARY, t);
    assert_string_equal(t[6]->name, "guardrail_skips");
    assert_string_equal(table_cell(t[6], 0, 1), "cooldown");
    assert_string_equal(table_cell(t[6], 0, 2), "2");
    assert_string_equal(table_cell(t[6], 0, 4), "2");
    assert_string_equal(t[7]->name, "verified");
    assert_string_equal(table_cell(t[7], 0, 0), "r1");
    assert_string_equal(table_cell(t[7], 0, 1), "3");
    assert_string_equal(table_cell(t[7], 0, 4), "66.7");
    assert_string_equal(table_cell(t[7], 0, 5), "2026-05-04T10:06:00.000Z");
    report_free(t, n);
    agg_free(a);
    a = agg_new(&f, NULL);
    for (i = 0; i < NELEM(lines); i++)
        agg_line(a, lines[i], strlen(lines[i]));
    assert_int_equal(a->cnt.guard_stops, 2);
    assert_int_equal(a->cnt.verifications, 0);
    agg_free(a);
}

static void
test_build(void **state)
{
    struct agg_filter f = { .action = "restart_gc", .entity = "host-a" };
    struct agg *a = fed(NULL, NULL);
    struct table *t[REPORT_TABLES_MAX];
    size_t n;

    (void)state;
    n = report_build(a, REPORT_SUMMARY, t);
    assert_int_equal(n, 8);
    assert_string_equal(t[1]->name, "by_action");
    /* restart_gc: 4 runs, 3 ok, 1 failed, 75.0%, 2 entities, p50 2000,
     * p95 4000, max 4000. */
    assert_string_equal(table_cell(t[1], 0, 0), "restart_gc");
    assert_string_equal(table_cell(t[1], 0, 4), "75.0");
    assert_string_equal(table_cell(t[1], 0, 5), "2");
    assert_string_equal(table_cell(t[1], 0, 6), "2000");
    assert_string_equal(table_cell(t[1], 0, 7), "4000");
    assert_string_equal(table_cell(t[1], 0, 8), "4000");
    assert_string_equal(t[5]->name, "by_day");
    assert_string_equal(table_cell(t[5], 0, 0), "2026-05-04");
    report_free(t, n);
    agg_free(a);
    /* "How often did restart_gc run against host-a": one row, 3. */
    a = fed(&f, NULL);
    n = report_build(a, REPORT_RUNS, t);
    assert_int_equal(t[0]->nrows, 1);
    assert_string_equal(table_cell(t[0], 0, 2), "3");
    assert_string_equal(table_cell(t[0], 0, 5), DAY1);
    assert_string_equal(table_cell(t[0], 0, 6), DAY2);
    assert_string_equal(table_cell(t[0], 0, 7), "5122");
    report_free(t, n);
    agg_free(a);
}

/* The action handler states the reason on ActionResult only (error,
 * signal and outcome, empty when unused); ActionFinished inherits it. */
static void
test_reason_from_result(void **state)
{
    struct agg *a = agg_new(NULL, NULL);
    const char *p1[4] = { "r", "act", "h1", "host key changed" };
    const char *p2[4] = { "r", "act", "h2", "signal KILL" };
    const char *p3[4] = { "r", "act", "h3", "exit status -1" };
    const char *p4[4] = { "r", "act", "h4", "timeout" };

    (void)state;
#define RES(ent, sig, outcome, err) feed(a, DAY1, "action_handler", \
    "ActionResult", (const struct kv[]){ KV_STR("job", "j"), \
    KV_STR("rule_name", "r"), KV_STR("entity", ent), \
    KV_STR("action", "act"), KV_STR("action_status", "failed"), \
    KV_INT("exit_status", -1), KV_STR("signal", sig), \
    KV_STR("outcome", outcome), KV_STR("error", err), KV_END })
#define FIN(ent) feed(a, DAY1, "action_handler", "ActionFinished", \
    (const struct kv[]){ KV_STR("job", "j"), KV_STR("rule_name", "r"), \
    KV_STR("entity", ent), KV_STR("action", "act"), \
    KV_STR("action_status", "failed"), KV_INT("exit_status", -1), \
    KV_UINT("app_elapsed_ms", 5), KV_END })
    RES("h1", "", "host_key_changed", "host key changed");
    RES("h2", "KILL", "ok", "");
    RES("h4", "", "timeout", "");
    FIN("h2");
    FIN("h1");
    FIN("h3");
    FIN("h4");
#undef RES
#undef FIN
    assert_int_equal(group_table_get(a->failures, p1)->runs, 1);
    assert_int_equal(group_table_get(a->failures, p2)->runs, 1);
    assert_int_equal(group_table_get(a->failures, p3)->runs, 1);
    assert_int_equal(group_table_get(a->failures, p4)->runs, 1);
    assert_int_equal(group_table_count(a->failures), 4);
    agg_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_failure_reasons),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_long_keys),
        cmocka_unit_test(test_line_routes),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_guard_counts),
        cmocka_unit_test(test_reason_from_result),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
