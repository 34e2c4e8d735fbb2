/*
 * The job store on a temporary database: create, idempotency within and
 * after the window, claim order, results, finish, report states,
 * interrupted-on-start recovery, JSON read-back and listing; plus the
 * ticket note's content and cap.
 *
 * With ALEXIS_TEST_PG_URI (and ALEXIS_TEST_PG_PASSWORD_FILE) set, every
 * store test runs against that PostgreSQL database instead, its schema
 * emptied first (tests/integration/test_pg.py does this with a server it
 * starts), plus the PostgreSQL-only lease test.
 */
#include <sys/stat.h>

#include <fcntl.h>
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
#include <pthread.h>

#include "alexis_limits.h"
#include "compat.h"
#include "jobs.h"
#include "jobs_defer.h"
#include "jobs_int.h"
#include "jobs_json.h"
#include "jobs_store.h"
#include "json.h"
#include "note.h"
#include "xmem.h"
#include "store_testutil.h"

static int
setup(void **state)
{
    return store_fx_setup(state, "/tmp/ah-jobs-XXXXXX", "replica-a");
}

static int
teardown(void **state)
{
    return store_fx_teardown(state);
}

static void
new_job(struct job_new *jn, const char *unique, uint64_t now)
{
    memset(jn, 0, sizeof(*jn));
    jn->feed_type = "opsgenie";
    jn->unique_value = unique;
    jn->rule_name = "r1";
    jn->id_key = "tinyId";
    jn->alert_id = unique;
    jn->envelope = "{\"alexis\":{}}";
    jn->rule_json = "{\"rule_name\":\"r1\"}";
    jn->window_ms = 3600 * 1000;
    jn->now_ms = now;
}

static void
create(struct jobs *js, const char *unique, uint64_t now, char id[JOB_ID_LEN],
    bool want_dup)
{
    struct job_new jn;
    char err[ALEXIS_ERR_MAX];
    bool dup;

    new_job(&jn, unique, now);
    assert_int_equal(jobs_create(js, &jn, id, &dup, err, sizeof(err)), 0);
    assert_int_equal(dup, want_dup);
    assert_true(jobs_id_valid(id));
}

/* Two queued jobs (unique values u1 then u2, ids into a and b); the
 * older, a, is claimed (oldest first) and goes to running. */
static void
two_jobs_first_claimed(struct jobs *js, const char *u1, const char *u2,
    char a[JOB_ID_LEN], char b[JOB_ID_LEN])
{
    char err[ALEXIS_ERR_MAX];
    struct job j;

    create(js, u1, 0, a, false);
    create(js, u2, 0, b, false);
    assert_int_equal(jobs_claim(js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.id, a);
    assert_string_equal(j.rule_name, "r1");
    jobs_job_free(&j);
}

static void
test_idempotency_window(void **state)
{
    struct store_fx *f = *state;
    char a[JOB_ID_LEN], b[JOB_ID_LEN], c[JOB_ID_LEN], d[JOB_ID_LEN];
    uint64_t t0 = 1700000000000ULL;

    create(f->js, "u1", t0, a, false);
    create(f->js, "u1", t0 + 1000, b, true);
    assert_string_equal(a, b);
    create(f->js, "u2", t0 + 1000, c, false);
    assert_string_not_equal(a, c);
    /* After the window a new job is created. */
    create(f->js, "u1", t0 + 3600 * 1000 + 1, d, false);
    assert_string_not_equal(a, d);
    assert_false(jobs_id_valid("../etc/passwd"));
    assert_false(jobs_id_valid("ABCDEF"));
}

static void
test_claim_result_finish(void **state)
{
    struct store_fx *f = *state;
    char a[JOB_ID_LEN], b[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    struct job_result r;
    struct job j;
    cJSON *doc;

    two_jobs_first_claimed(f->js, "c1", "c2", a, b);
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 0);
    memset(&r, 0, sizeof(r));
    r.entity = "h1";
    r.action = "act";
    r.state = "failed";
    r.outcome = "ok";
    r.exit_status = 3;
    r.signal = "";
    r.out = "o\0ut";
    r.out_len = 4;
    r.err = "";
    r.error = "";
    assert_int_equal(jobs_result_add(f->js, a, &r, err, sizeof(err)), 0);
    assert_int_equal(jobs_finish(f->js, a, "failed", "1 of 1 failed", err,
        sizeof(err)), 0);
    doc = jobs_json_get(f->js, a, err, sizeof(err));
    assert_non_null(doc);
    assert_string_equal(json_str(doc, "state"), "failed");
    assert_string_equal(json_path(doc, "results.0.stdout")->valuestring,
        "o\xef\xbf\xbdut");
    assert_int_equal(json_path(doc, "results.0.exit_status")->valueint, 3);
    assert_true(cJSON_IsNull(json_path(doc, "results.0.signal")));
    assert_string_equal(json_path(doc, "report.state")->valuestring,
        "pending");
    cJSON_Delete(doc);
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.id, a);
    jobs_job_free(&j);
    assert_int_equal(jobs_report_done(f->js, a, false, "HTTP 500", 5, err,
        sizeof(err)), 0);
    doc = jobs_json_get(f->js, a, err, sizeof(err));
    assert_non_null(doc);
    assert_string_equal(json_path(doc, "report.state")->valuestring,
        "failed");
    assert_int_equal(json_path(doc, "report.attempts")->valueint, 5);
    cJSON_Delete(doc);
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 0);
    assert_null(jobs_json_get(f->js, "00000000000000000000000000000000",
        err, sizeof(err)));
    assert_string_equal(err, "");
}

static void
count_cb(void *arg, const struct job *j)
{
    (*(int *)arg)++;
    assert_string_equal(j->state, "running");
}

static void
test_recover_and_list(void **state)
{
    struct store_fx *f = *state;
    char a[JOB_ID_LEN], b[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    struct job j;
    cJSON *doc;
    size_t n;
    int seen = 0;

    two_jobs_first_claimed(f->js, "r1", "r2", a, b);
    /* A restart: close and reopen the same file. */
    jobs_close(f->js);
    f->js = store_fx_open(f, "replica-a", err, sizeof(err));
    assert_non_null(f->js);
    assert_int_equal(jobs_recover(f->js, "restarted", count_cb, &seen, &n,
        err, sizeof(err)), 0);
    assert_int_equal(n, 1);
    assert_int_equal(seen, 1);
    doc = jobs_json_get(f->js, a, err, sizeof(err));
    assert_string_equal(json_str(doc, "state"), "interrupted");
    assert_string_equal(json_str(doc, "reason"), "restarted");
    cJSON_Delete(doc);
    /* The queued job is still there to run, and is never the other. */
    assert_int_equal(jobs_claim(f->js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.id, b);
    jobs_job_free(&j);
    assert_int_equal(jobs_claim(f->js, &j, err, sizeof(err)), 0);
    /* The interrupted job's report is pending. */
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.id, a);
    jobs_job_free(&j);
    doc = jobs_json_list(f->js, 1, err, sizeof(err));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "jobs")),
        1);
    assert_string_equal(json_path(doc, "jobs.0.job")->valuestring, b);
    cJSON_Delete(doc);
}

/* Retention removes finished, reported jobs older than the cut, with
 * their results, and keeps the rest. */
static void
test_prune(void **state)
{
    struct store_fx *f = *state;
    char a[JOB_ID_LEN], b[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    struct job_result r;
    struct job j;
    cJSON *doc;
    size_t n;

    two_jobs_first_claimed(f->js, "p1", "p2", a, b);
    memset(&r, 0, sizeof(r));
    r.entity = "h1";
    r.state = "succeeded";
    r.outcome = "ok";
    r.signal = "";
    r.error = "";
    assert_int_equal(jobs_result_add(f->js, a, &r, err, sizeof(err)), 0);
    assert_int_equal(jobs_finish(f->js, a, "succeeded", NULL, err,
        sizeof(err)), 0);
    /* Not reported yet: kept. */
    assert_int_equal(jobs_prune(f->js, UINT64_MAX / 2, &n, err,
        sizeof(err)), 0);
    assert_int_equal(n, 0);
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 1);
    jobs_job_free(&j);
    assert_int_equal(jobs_report_done(f->js, a, true, NULL, 1, err,
        sizeof(err)), 0);
    /* Finished after the cut: kept. */
    assert_int_equal(jobs_prune(f->js, 1000, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 0);
    assert_int_equal(jobs_prune(f->js, UINT64_MAX / 2, &n, err,
        sizeof(err)), 0);
    assert_int_equal(n, 1);
    assert_null(jobs_json_get(f->js, a, err, sizeof(err)));
    assert_string_equal(err, "");
    doc = jobs_json_get(f->js, b, err, sizeof(err));
    assert_non_null(doc);       /* the queued job stays */
    cJSON_Delete(doc);
}

struct race {
    struct jobs    *js;
    char            id[JOB_ID_LEN];
    bool            dup;
    int             rc;
};

static void *
race_create(void *arg)
{
    struct race *r = arg;
    struct job_new jn;
    char err[ALEXIS_ERR_MAX];

    new_job(&jn, "race", 0);
    r->rc = jobs_create(r->js, &jn, r->id, &r->dup, err, sizeof(err));
    return NULL;
}

/* Two connections (two replicas) creating the same key at once: one job,
 * and the other sees it as a duplicate. */
static void
test_concurrent_create_one_job(void **state)
{
    struct store_fx *f = *state;
    struct race r[2];
    pthread_t t[2];
    char err[ALEXIS_ERR_MAX];
    int i;

    memset(r, 0, sizeof(r));
    r[0].js = f->js;
    r[1].js = store_fx_open(f, "replica-b", err, sizeof(err));
    assert_non_null(r[1].js);
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, race_create, &r[i]),
            0);
    for (i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(r[0].rc, 0);
    assert_int_equal(r[1].rc, 0);
    assert_string_equal(r[0].id, r[1].id);
    assert_true(r[0].dup != r[1].dup);
    jobs_close(r[1].js);
}

/* PostgreSQL: a job claimed by replica A is written only by A; B's
 * writes are refused, and B's start-up recovery leaves A's job alone
 * while A's lease is current. */
static void
test_pg_only_holder_writes(void **state)
{
    struct store_fx *f = *state;
    struct jobs *b;
    struct job_result r;
    struct job j;
    char a[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    cJSON *doc;
    size_t n;

    if (getenv("ALEXIS_TEST_PG_URI") == NULL)
        skip();
    create(f->js, "h1", 0, a, false);
    assert_int_equal(jobs_claim(f->js, &j, err, sizeof(err)), 1);
    jobs_job_free(&j);
    b = store_fx_open(f, "replica-b", err, sizeof(err));
    assert_non_null(b);
    assert_int_equal(jobs_recover(b, "restarted", NULL, NULL, &n, err,
        sizeof(err)), 0);
    assert_int_equal(n, 0);
    /* Refused (logged), not an error to retry: nothing is written. */
    assert_int_equal(jobs_finish(b, a, "failed", NULL, err, sizeof(err)),
        0);
    memset(&r, 0, sizeof(r));
    r.entity = "h1";
    r.state = "failed";
    r.outcome = "ok";
    r.signal = "";
    r.error = "";
    assert_int_equal(jobs_result_add(b, a, &r, err, sizeof(err)), 0);
    doc = jobs_json_get(f->js, a, err, sizeof(err));
    assert_non_null(doc);
    assert_string_equal(json_str(doc, "state"), "running");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
        "results")), 0);
    cJSON_Delete(doc);
    assert_int_equal(jobs_finish(f->js, a, "succeeded", NULL, err,
        sizeof(err)), 0);
    doc = jobs_json_get(f->js, a, err, sizeof(err));
    assert_string_equal(json_str(doc, "state"), "succeeded");
    cJSON_Delete(doc);
    jobs_close(b);
}

static void
test_note_format_and_cap(void **state)
{
    struct job_row rows[40];
    struct note_job nj;
    char big[70000], *text;
    size_t i;

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memset(rows, 0, sizeof(rows));
    for (i = 0; i < 40; i++) {
        rows[i].task = (int)(i / 20);
        rows[i].entity = (char *)(uintptr_t)"web1";
        rows[i].action = (char *)(uintptr_t)"restart";
        rows[i].state = (char *)(uintptr_t)(i == 0 ? "failed" : "succeeded");
        rows[i].outcome = (char *)(uintptr_t)"ok";
        rows[i].exit_status = i == 0 ? 2 : 0;
        rows[i].signal = (char *)(uintptr_t)"";
        rows[i].error = (char *)(uintptr_t)"";
        rows[i].out = big;
        rows[i].out_len = sizeof(big) - 1;
        rows[i].err = (char *)(uintptr_t)"";
        rows[i].truncated = true;
    }
    memset(&nj, 0, sizeof(nj));
    nj.id = "abc";
    nj.state = "partial";
    nj.reason = "1 of 40 entity runs failed";
    nj.rule_name = "gc";
    nj.rows = rows;
    nj.nrows = 40;
    text = note_format(&nj, AH_NOTE_MAX);
    assert_true(strlen(text) <= AH_NOTE_MAX);
    assert_non_null(strstr(text, "Alexis remediation partial: rule gc, "
        "job abc"));
    assert_non_null(strstr(text, "- web1: failed, exit status 2"));
    assert_non_null(strstr(text, "Task 2:"));
    assert_non_null(strstr(text, "output truncated"));
    assert_null(strstr(text, "note cut"));
    free(text);
    text = note_format(&nj, 300);
    assert_true(strlen(text) <= 300);
    assert_non_null(strstr(text, "GET /v1/jobs/abc"));
    free(text);
}

/* Issue 11 item 12: the database, its WAL and its shared-memory file hold
 * envelopes and command output: 0600 whatever the umask, and a file left
 * 0644 by an older version is tightened. */
static void
test_files_are_private(void **state)
{
    static const char *const suffix[] = { "", "-wal", "-shm" };
    struct store_fx *f = *state;
    struct jobs *js;
    struct stat sb;
    char p[160], id[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    mode_t old;
    size_t i;

    jobs_close(f->js);
    f->js = NULL;
    unlink(f->path);
    old = umask(0);
    /* An older file, world-readable. */
    assert_int_equal(close(open(f->path, O_CREAT | O_WRONLY, 0644)), 0);
    js = jobs_open(f->path, err, sizeof(err));
    umask(old);
    assert_non_null(js);
    create(js, "perm", 1700000000000ULL, id, false);
    for (i = 0; i < NELEM(suffix); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
        assert_int_equal(stat(p, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
    }
    f->js = js;
}

/* Issue 11 item 3: the store refuses writes (the database is "full": a
 * page cap stands in for a full disk); the result and the final state are
 * kept, the job stays running (never claimed again, its report waits),
 * the health says failing; once the store takes writes again, jobs_defer_flush
 * writes both, in order, once. */
static void
test_deferred_writes_survive_a_full_store(void **state)
{
    struct store_fx *f = *state;
    static char big[200000];
    char a[JOB_ID_LEN], b[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    struct job_result r;
    struct job j;
    cJSON *doc;

    if (getenv("ALEXIS_TEST_PG_URI") != NULL)
        skip();                 /* a full SQLite file; PostgreSQL: test_pg */
    create(f->js, "full", 1700000000000ULL, a, false);
    assert_int_equal(jobs_claim(f->js, &j, err, sizeof(err)), 1);
    jobs_job_free(&j);
    assert_true(jobs_defer_health(f->js, err, sizeof(err)));
    assert_int_equal(sqlite3_exec(f->js->db, "PRAGMA max_page_count = 1",
        NULL, NULL, NULL), SQLITE_OK);
    memset(big, 'o', sizeof(big));
    memset(&r, 0, sizeof(r));
    r.entity = "web1";
    r.action = "restart";
    r.state = "succeeded";
    r.outcome = "ok";
    r.exit_status = 0;
    r.signal = "";
    r.out = big;
    r.out_len = sizeof(big);
    r.error = "";
    assert_int_equal(jobs_result_add(f->js, a, &r, err, sizeof(err)), -1);
    assert_false(jobs_defer_health(f->js, err, sizeof(err)));
    assert_non_null(strstr(err, "full"));
    jobs_defer_result(f->js, a, &r);
    jobs_defer_finish(f->js, a, "succeeded", NULL);
    memset(big, 'x', sizeof(big));          /* the copy is the store's */
    assert_int_equal(jobs_defer_flush(f->js), 2);
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 0);
    assert_false(jobs_defer_health(f->js, err, sizeof(err)));
    /* New jobs are refused meanwhile: nothing half-written. */
    {
        struct job_new jn;
        bool dup;

        new_job(&jn, "other", 1700000000001ULL);
        jn.envelope = big;
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(jobs_create(f->js, &jn, b, &dup, err, sizeof(err)),
            -1);
    }
    assert_int_equal(sqlite3_exec(f->js->db, "PRAGMA max_page_count = "
        "1073741823", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(jobs_defer_flush(f->js), 0);
    assert_true(jobs_defer_health(f->js, err, sizeof(err)));
    assert_int_equal(jobs_defer_flush(f->js), 0);
    doc = jobs_json_get(f->js, a, err, sizeof(err));
    assert_non_null(doc);
    assert_string_equal(json_str(doc, "state"), "succeeded");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "results")),
        1);
    assert_int_equal(strlen(json_str(cJSON_GetArrayItem(
        cJSON_GetObjectItem(doc, "results"), 0), "stdout")), sizeof(big));
    assert_int_equal(json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(doc,
        "results"), 0), "stdout")[0], 'o');
    cJSON_Delete(doc);
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.id, a);
    jobs_job_free(&j);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_idempotency_window, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_claim_result_finish, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_recover_and_list, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_create_one_job,
            setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_only_holder_writes, setup,
            teardown),
        cmocka_unit_test(test_note_format_and_cap),
        cmocka_unit_test_setup_teardown(test_files_are_private, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_deferred_writes_survive_a_full_store, setup, teardown),
    };

    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
