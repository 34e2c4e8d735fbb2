/*
 * GET /v1/jobs filters: parsing every parameter (each bad value named in
 * the error), and the query on a temporary store: each filter, their
 * combination, since, and paging with a cursor that stays stable while new
 * jobs are inserted. With ALEXIS_TEST_PG_URI set (test_jobs.c explains),
 * the store tests run on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "alexis_limits.h"
#include "jobs.h"
#include "jobs_json.h"
#include "jobs_query.h"
#include "jobs_store.h"
#include "json.h"
#include "xmem.h"
#include "store_testutil.h"

/* 2026-05-04T10:00:00Z */
#define T0  1777888800000LL

/* Parameters as "name=value" strings, NULL-terminated. */
static const char *
get(const void *arg, const char *name)
{
    const char *const *kv = arg;
    size_t n = strlen(name);

    for (; *kv != NULL; kv++) {
        if (strncmp(*kv, name, n) == 0 && (*kv)[n] == '=')
            return *kv + n + 1;
    }
    return NULL;
}

struct parse_case {
    const char *params[4];
    const char *err;        /* start of the error; NULL: accepted */
};

static const struct parse_case parse_cases[] = {
    { { NULL }, NULL },
    { { "limit=1", "state=failed", "rule=r1", NULL }, NULL },
    { { "alert=5120", "since=24h", NULL }, NULL },
    { { "since=2026-05-04", "cursor=v1.17", NULL }, NULL },
    { { "since=2026-05-04T09:00:00+02:00", NULL }, NULL },
    { { "limit=0", NULL }, "limit: " },
    { { "limit=201", NULL }, "limit: " },
    { { "limit=ten", NULL }, "limit: " },
    { { "limit=", NULL }, "limit: " },
    { { "state=done", NULL }, "state: must be one of queued" },
    { { "state=", NULL }, "state: " },
    { { "rule=", NULL }, "rule: must be 1 to 256 bytes" },
    { { "alert=", NULL }, "alert: " },
    { { "since=yesterday", NULL }, "since: \"yesterday\" is neither" },
    { { "since=24", NULL }, "since: " },
    { { "since=2026-13-01", NULL }, "since: " },
    { { "cursor=17", NULL }, "cursor: not a cursor" },
    { { "cursor=v1.", NULL }, "cursor: " },
    { { "cursor=v1.0", NULL }, "cursor: " },
    { { "cursor=v1.12x", NULL }, "cursor: " },
    { { "cursor=v1.-3", NULL }, "cursor: " },
    /* The first bad parameter is the one named. */
    { { "state=nope", "limit=5", NULL }, "state: " },
};

static void
test_parse_table(void **state)
{
    struct jobs_query q;
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];

        err[0] = '\0';
        rc = jobs_query_parse(&q, get, c->params, T0, err, sizeof(err));
        if (c->err == NULL) {
            if (rc != 0)
                fail_msg("case %zu: %s", i, err);
            continue;
        }
        if (rc != -1 || strncmp(err, c->err, strlen(c->err)) != 0)
            fail_msg("case %zu: rc %d, err \"%s\", want \"%s\"", i, rc, err,
                c->err);
    }
}

static void
test_parse_values(void **state)
{
    const char *p1[] = { NULL };
    const char *p2[] = { "since=90m", "state=partial", "cursor=v1.42",
        "limit=7", NULL };
    const char *p3[] = { "since=2026-05-04T10:15:00.5Z", NULL };
    struct jobs_query q;
    char err[ALEXIS_ERR_MAX], cur[JOBS_CURSOR_LEN];

    (void)state;
    assert_int_equal(jobs_query_parse(&q, get, p1, T0, err, sizeof(err)), 0);
    assert_int_equal(q.limit, AH_JOBS_LIST_DEFAULT);
    assert_null(q.state);
    assert_false(q.has_since);
    assert_int_equal(q.after_seq, 0);
    assert_int_equal(jobs_query_parse(&q, get, p2, T0, err, sizeof(err)), 0);
    assert_true(q.has_since);
    assert_int_equal(q.since_ms, T0 - 90 * 60 * 1000);
    assert_string_equal(q.state, "partial");
    assert_int_equal(q.after_seq, 42);
    assert_int_equal(q.limit, 7);
    assert_int_equal(jobs_query_parse(&q, get, p3, T0, err, sizeof(err)), 0);
    assert_int_equal(q.since_ms, T0 + 15 * 60 * 1000 + 500);
    jobs_query_cursor(42, cur);
    assert_string_equal(cur, "v1.42");
}

/* ---- the query on a store ---- */

static int
setup(void **state)
{
    return store_fx_setup(state, "/tmp/ah-jq-XXXXXX", "replica-q");
}

static int
teardown(void **state)
{
    return store_fx_teardown(state);
}

static void
add(struct store_fx *f, const char *unique, const char *rule, int64_t at)
{
    struct job_new jn;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    bool dup;

    memset(&jn, 0, sizeof(jn));
    jn.feed_type = "opsgenie";
    jn.unique_value = unique;
    jn.rule_name = rule;
    jn.id_key = "tinyId";
    jn.alert_id = unique;
    jn.envelope = "{\"alexis\":{}}";
    jn.rule_json = "{}";
    jn.now_ms = (uint64_t)at;
    assert_int_equal(jobs_create(f->js, &jn, id, &dup, err, sizeof(err)), 0);
    assert_false(dup);
}

/* The unique values of the page, "a,b,c"; *next gets next_cursor or "". */
static void
run(struct store_fx *f, const char *const *params, char *out, size_t len,
    char *next)
{
    struct jobs_query q;
    const cJSON *j;
    cJSON *doc, *nc;
    char err[ALEXIS_ERR_MAX];

    assert_int_equal(jobs_query_parse(&q, get, params, T0 + 3600000, err,
        sizeof(err)), 0);
    doc = jobs_json_query(f->js, &q, err, sizeof(err));
    assert_non_null(doc);
    out[0] = '\0';
    cJSON_ArrayForEach(j, cJSON_GetObjectItem(doc, "jobs")) {
        size_t used = strlen(out);

        (void)snprintf(out + used, len - used, "%s%s", used > 0 ? "," : "",
            json_str(j, "received"));
    }
    nc = cJSON_GetObjectItem(doc, "next_cursor");
    assert_non_null(nc);
    if (cJSON_IsString(nc))
        (void)strlcpy(next, nc->valuestring, JOBS_CURSOR_LEN);
    else
        next[0] = '\0';
    assert_true(cJSON_IsString(nc) || cJSON_IsNull(nc));
    cJSON_Delete(doc);
}

static void
test_filters(void **state)
{
    /* "now" is T0 + 1 h in run(): 45m back is T0 + 15 min. */
    static const struct {
        const char *args[3];    /* NULL-terminated */
        const char *want;
    } rows[] = {
        { { NULL }, "a4,a3,a2,a1" },
        { { "rule=gc" }, "a4,a3,a1" },
        { { "alert=a2" }, "a2" },
        { { "state=running" }, "a1" },
        { { "state=queued", "rule=gc" }, "a4,a3" },
        { { "since=2026-05-04T10:20:00Z" }, "a4,a3" },
        { { "since=45m", "rule=gc" }, "a4,a3" },
        { { "rule=nothing" }, "" },
    };
    struct store_fx *f = *state;
    struct job j;
    char got[256], next[JOBS_CURSOR_LEN], err[ALEXIS_ERR_MAX];
    size_t i;

    add(f, "a1", "gc", T0);
    add(f, "a2", "disk", T0 + 10 * 60000);
    add(f, "a3", "gc", T0 + 20 * 60000);
    add(f, "a4", "gc", T0 + 30 * 60000);
    /* The oldest queued job (a1) goes to running. */
    assert_int_equal(jobs_claim(f->js, &j, err, sizeof(err)), 1);
    jobs_job_free(&j);

    for (i = 0; i < NELEM(rows); i++) {
        run(f, rows[i].args, got, sizeof(got), next);
        if (strcmp(got, rows[i].want) != 0 || next[0] != '\0')
            fail_msg("row %zu (%s): got \"%s\", next \"%s\"", i,
                rows[i].args[0] != NULL ? rows[i].args[0] : "all", got,
                next);
    }
}

static void
test_cursor_pages_stable_under_inserts(void **state)
{
    struct store_fx *f = *state;
    char got[256], next[JOBS_CURSOR_LEN], arg[64], uv[16];
    const char *first[] = { "limit=2", "rule=gc", NULL };
    const char *more[] = { "limit=2", "rule=gc", arg, NULL };
    int i;

    for (i = 1; i <= 5; i++) {
        snprintf(uv, sizeof(uv), "g%d", i);
        add(f, uv, "gc", T0 + i * 1000);
        add(f, uv, "disk", T0 + i * 1000);
    }
    run(f, first, got, sizeof(got), next);
    assert_string_equal(got, "g5,g4");
    assert_string_not_equal(next, "");
    /* New jobs arrive between pages: they belong before page one, and
     * the next page goes on where the last one stopped. */
    add(f, "g6", "gc", T0 + 6000);
    add(f, "g7", "gc", T0 + 7000);
    snprintf(arg, sizeof(arg), "cursor=%s", next);
    run(f, more, got, sizeof(got), next);
    assert_string_equal(got, "g3,g2");
    snprintf(arg, sizeof(arg), "cursor=%s", next);
    run(f, more, got, sizeof(got), next);
    assert_string_equal(got, "g1");
    assert_string_equal(next, "");
    run(f, first, got, sizeof(got), next);
    assert_string_equal(got, "g7,g6");
}

static void
test_exact_page_has_no_next(void **state)
{
    struct store_fx *f = *state;
    char got[256], next[JOBS_CURSOR_LEN];
    const char *two[] = { "limit=2", NULL };

    add(f, "x1", "r", T0);
    add(f, "x2", "r", T0 + 1);
    run(f, two, got, sizeof(got), next);
    assert_string_equal(got, "x2,x1");
    assert_string_equal(next, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_cursor_pages_stable_under_inserts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exact_page_has_no_next, setup,
            teardown),
    };

    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
