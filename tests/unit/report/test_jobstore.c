/*
 * Unit tests for report/jobstore.c: result rows of a job store (the
 * action handler's schema, written here with SQLite directly) become runs
 * with the log's rules: success for succeeded and dry_run, the failure
 * reason from error, then signal, then outcome (not "ok"), then "exit
 * status N", then the state; the filters apply; a file that is not a job
 * store, or is missing, is an error naming it and is never created.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "alexis_limits.h"
#include "agg.h"
#include "jobstore.h"

/* 2026-05-04T10:00:00Z */
#define T0  1777888800000LL

/* The columns jobstore.c reads, as the action handler creates them. */
static const char schema[] =
    "PRAGMA user_version = 1;"
    "CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id TEXT NOT NULL UNIQUE, rule_name TEXT NOT NULL,"
    " alert_id TEXT NOT NULL);"
    "CREATE TABLE results (job TEXT NOT NULL, task INTEGER NOT NULL,"
    " entity TEXT NOT NULL, action TEXT, state TEXT NOT NULL,"
    " outcome TEXT NOT NULL, exit_status INTEGER, signal TEXT,"
    " duration_ms INTEGER NOT NULL, error TEXT,"
    " finished_ms INTEGER NOT NULL);"
    "INSERT INTO jobs (id, rule_name, alert_id) VALUES"
    " ('j1', 'gc', '5120'), ('j2', 'disk', '5121');"
    "INSERT INTO results VALUES"
    " ('j1', 0, 'h1', 'restart', 'succeeded', 'ok', 0, '', 1200, '',"
    "  1777888800000),"
    " ('j1', 0, 'h2', 'restart', 'failed', 'ok', 3, '', 900, '',"
    "  1777888801000),"
    " ('j1', 0, 'h3', 'restart', 'failed', 'ok', -1, 'KILL', 50, '',"
    "  1777888802000),"
    " ('j1', 0, 'h4', 'restart', 'failed', 'connect_failed', -1, '', 10,"
    "  'connect to h4 port 22: Connection refused', 1777888803000),"
    " ('j2', 0, 'h1', 'vacuum', 'failed', 'timeout', -1, '', 60000, '',"
    "  1777975200000),"
    " ('j2', 1, 'h1', 'vacuum', 'dry_run', 'dry_run', -1, '', 0, '',"
    "  1777975201000);";

struct fx {
    char    dir[64];
    char    path[128];
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    sqlite3 *db;
    char *msg = NULL;

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/rep-js-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/jobs.db", f->dir);
    if (sqlite3_open(f->path, &db) != SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        print_error("%s\n", msg != NULL ? msg : sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_close(db);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static uint64_t
failures(struct agg *a, const char *rule, const char *action,
    const char *entity, const char *reason)
{
    const char *parts[4] = { rule, action, entity, reason };

    return group_table_get(a->failures, parts)->runs;
}

static void
test_rows_are_runs(void **state)
{
    struct fx *f = *state;
    struct agg_filter flt;
    struct agg *a;
    const char *key;
    char err[ALEXIS_ERR_MAX];

    memset(&flt, 0, sizeof(flt));
    a = agg_new(&flt, NULL);
    assert_int_equal(jobstore_read(a, f->path, err, sizeof(err)), 0);
    assert_int_equal(a->cnt.job_stores, 1);
    assert_int_equal(a->cnt.job_results, 6);
    assert_int_equal(a->cnt.runs, 6);
    assert_int_equal(a->cnt.ok, 2);         /* succeeded, dry_run */
    assert_int_equal(a->cnt.failed, 4);
    assert_int_equal(failures(a, "gc", "restart", "h2", "exit status 3"), 1);
    assert_int_equal(failures(a, "gc", "restart", "h3", "KILL"), 1);
    assert_int_equal(failures(a, "gc", "restart", "h4",
        "connect to h4 port 22: Connection refused"), 1);
    assert_int_equal(failures(a, "disk", "vacuum", "h1", "timeout"), 1);
    assert_int_equal(group_table_count(a->failures), 4);
    key = "restart";
    assert_int_equal(group_table_get(a->by_action, &key)->runs, 4);
    assert_int_equal(group_table_get(a->by_action, &key)->ok, 1);
    key = "gc";
    assert_int_equal(group_table_get(a->by_rule, &key)->runs, 4);
    assert_int_equal(a->first_ms, T0);
    assert_int_equal(a->last_ms, T0 + 86400000LL + 1000);
    assert_int_equal(group_table_count(a->by_day), 2);
    agg_free(a);
}

static void
test_filters_apply(void **state)
{
    struct fx *f = *state;
    struct agg_filter flt;
    struct agg *a;
    char err[ALEXIS_ERR_MAX];

    memset(&flt, 0, sizeof(flt));
    flt.rule = "gc";
    flt.has_until = true;
    flt.until_ms = T0 + 2000;
    a = agg_new(&flt, NULL);
    assert_int_equal(jobstore_read(a, f->path, err, sizeof(err)), 0);
    assert_int_equal(a->cnt.job_results, 6);
    assert_int_equal(a->cnt.runs, 2);
    agg_free(a);
}

static void
test_not_a_store(void **state)
{
    struct fx *f = *state;
    struct agg_filter flt;
    struct agg *a;
    char err[ALEXIS_ERR_MAX], path[160];
    sqlite3 *db;
    FILE *fp;

    memset(&flt, 0, sizeof(flt));
    a = agg_new(&flt, NULL);
    snprintf(path, sizeof(path), "%s/missing.db", f->dir);
    assert_int_equal(jobstore_read(a, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "missing.db"));
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof(path), "%s/text.db", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("just some text, not SQLite at all\n", fp);
    fclose(fp);
    assert_int_equal(jobstore_read(a, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "text.db"));
    unlink(path);
    snprintf(path, sizeof(path), "%s/other.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL,
        NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(jobstore_read(a, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not an Alexis job store"));
    unlink(path);
    assert_int_equal(a->cnt.read_errors, 3);
    assert_int_equal(a->cnt.runs, 0);
    agg_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_are_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_store, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
