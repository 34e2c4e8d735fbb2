/*
 * Guardrail decisions with fake counts (guard.c), the verification
 * schedule, a client's rule grants, and the job store's guardrail
 * operations on a temporary SQLite file: counts by SQL, decisions inside
 * the creating transaction, approve/reject/cancel transitions, the
 * verification queue, and the migration of a version 1 store. With
 * ALEXIS_TEST_PG_URI (and ALEXIS_TEST_PG_PASSWORD_FILE) set, the store
 * tests run on that PostgreSQL database instead (test_guard.py does).
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
#include <sqlite3.h>

#include "alexis_limits.h"
#include "auth.h"
#include "guard.h"
#include "jobs.h"
#include "jobs_guard.h"
#include "jobs_store.h"
#include "rules_guard.h"
#include "xmem.h"
#include "store_testutil.h"

/* ---- guard_decide with fakes ---- */

struct fake {
    uint64_t    admitted;
    uint64_t    runs[4];        /* per entity index */
    const char *const *ents;
    int         calls_admitted, calls_runs;
    bool        fail;
};

static int
f_admitted(void *arg, uint64_t since, uint64_t *n, char *err, size_t len)
{
    struct fake *f = arg;

    (void)since;
    f->calls_admitted++;
    if (f->fail) {
        snprintf(err, len, "boom");
        return -1;
    }
    *n = f->admitted;
    return 0;
}

static int
f_runs(void *arg, const char *entity, uint64_t since, uint64_t *n,
    char *err, size_t len)
{
    struct fake *f = arg;
    size_t i;

    (void)since;
    (void)err;
    (void)len;
    f->calls_runs++;
    for (i = 0; f->ents[i] != NULL; i++) {
        if (strcmp(f->ents[i], entity) == 0)
            *n = f->runs[i];
    }
    return 0;
}

static void
test_decide_table(void **state)
{
    static const char *const ents[] = { "web1", "web2", "web3", NULL };
    static const struct {
        int         mode;
        size_t      nents;
        uint32_t    max_entities;
        uint64_t    storm_window;
        uint32_t    storm_max;
        uint64_t    admitted;
        uint64_t    cool_window;
        uint32_t    cool_max;
        uint64_t    runs[3];
        const char *state;
        const char *reason;
        const char *detail_has;
    } rows[] = {
        { RULE_MODE_AUTO, 1, 0, 0, 0, 0, 0, 0, {0}, "queued", "", NULL },
        { RULE_MODE_NOTIFY, 2, 1, 0, 0, 0, 0, 0, {0}, "skipped", "notify",
          "2 entities" },
        { RULE_MODE_AUTO, 3, 2, 0, 0, 0, 0, 0, {0}, "refused",
          "blast_radius", "3 entities, more than max_entities 2" },
        { RULE_MODE_AUTO, 2, 2, 0, 0, 0, 0, 0, {0}, "queued", "", NULL },
        { RULE_MODE_AUTO, 1, 0, 60000, 5, 4, 0, 0, {0}, "queued", "", NULL },
        { RULE_MODE_AUTO, 1, 0, 60000, 5, 5, 0, 0, {0}, "skipped",
          "storm_breaker", "5 jobs within 1m (max_jobs 5)" },
        { RULE_MODE_APPROVE, 1, 0, 60000, 5, 9, 0, 0, {0}, "skipped",
          "storm_breaker", NULL },
        { RULE_MODE_AUTO, 3, 0, 0, 0, 0, 1800000, 1, {0, 1, 0}, "skipped",
          "cooldown", "entity web2 ran this rule 1 time within 30m" },
        { RULE_MODE_AUTO, 3, 0, 0, 0, 0, 1800000, 2, {1, 1, 1}, "queued",
          "", NULL },
        { RULE_MODE_AUTO, 1, 0, 0, 0, 0, 3600000, 2, {3}, "skipped",
          "cooldown", "3 times within 1h (max_runs 2)" },
        { RULE_MODE_APPROVE, 1, 0, 60000, 5, 0, 3600000, 1, {0},
          "pending_approval", "approval_required", "approve" },
        /* blast radius is checked before the storm breaker */
        { RULE_MODE_AUTO, 3, 1, 60000, 1, 7, 0, 0, {0}, "refused",
          "blast_radius", NULL },
    };
    struct job_verdict v;
    struct job_guard g;
    struct fake f;
    struct guard_counter cnt = { .admitted = f_admitted,
        .entity_runs = f_runs, .arg = &f };
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        memset(&g, 0, sizeof(g));
        memset(&f, 0, sizeof(f));
        f.ents = ents;
        g.mode = rows[i].mode;
        g.entities = ents;
        g.nentities = rows[i].nents;
        g.resolved = true;
        g.max_entities = rows[i].max_entities;
        g.storm_window_ms = rows[i].storm_window;
        g.storm_max_jobs = rows[i].storm_max;
        g.cooldown_window_ms = rows[i].cool_window;
        g.cooldown_max_runs = rows[i].cool_max;
        f.admitted = rows[i].admitted;
        memcpy(f.runs, rows[i].runs, sizeof(rows[i].runs));
        assert_int_equal(guard_decide(&g, 10000000, &cnt, &v, err,
            sizeof(err)), 0);
        if (strcmp(v.state, rows[i].state) != 0 ||
            strcmp(v.reason, rows[i].reason) != 0 ||
            (rows[i].detail_has != NULL &&
            strstr(v.detail, rows[i].detail_has) == NULL))
            fail_msg("row %zu: %s %s %s", i, v.state, v.reason, v.detail);
        /* No count is asked for a guardrail that is off. */
        if (rows[i].storm_window == 0)
            assert_int_equal(f.calls_admitted, 0);
        if (rows[i].cool_window == 0)
            assert_int_equal(f.calls_runs, 0);
    }
}

static void
test_decide_count_error_and_unresolved(void **state)
{
    static const char *const ents[] = { "web1", NULL };
    struct fake f = { .ents = ents, .fail = true };
    struct guard_counter cnt = { .admitted = f_admitted,
        .entity_runs = f_runs, .arg = &f };
    struct job_guard g = { .storm_window_ms = 1000, .storm_max_jobs = 1,
        .entities = ents, .nentities = 1, .resolved = true };
    struct job_verdict v;
    char err[ALEXIS_ERR_MAX];

    (void)state;
    assert_int_equal(guard_decide(&g, 5000, &cnt, &v, err, sizeof(err)), -1);
    assert_string_equal(err, "boom");
    /* Entities unknown at accept: blast radius and cooldown cannot judge,
     * the job is queued (and fails at run time as before). */
    memset(&g, 0, sizeof(g));
    g.max_entities = 1;
    g.cooldown_window_ms = 1000;
    g.cooldown_max_runs = 1;
    f.fail = false;
    assert_int_equal(guard_decide(&g, 5000, &cnt, &v, err, sizeof(err)), 0);
    assert_string_equal(v.state, "queued");
    assert_int_equal(f.calls_runs, 0);
}

static void
test_verify_next_and_recheck(void **state)
{
    static const struct {
        uint64_t now, deadline, within, next;
    } rows[] = {
        { 1000, 601000, 600000, 31000 },    /* a tenth, capped at 30 s */
        { 1000, 11000, 10000, 2000 },       /* a tenth: 1 s */
        { 1000, 2000, 1000, 1200 },         /* at least 200 ms */
        { 1000, 1100, 1000, 1100 },         /* never past the deadline */
        { 5000, 4000, 1000, 4000 },         /* past it: the deadline */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_int_equal(guard_verify_next(rows[i].now, rows[i].deadline,
            rows[i].within), rows[i].next);
    assert_true(guard_recheck_skips(GUARD_ALERT_CLOSED));
    assert_false(guard_recheck_skips(GUARD_ALERT_OPEN));
    assert_false(guard_recheck_skips(GUARD_ALERT_UNKNOWN));
}

static void
test_grant_rules(void **state)
{
    char p1[] = "web_*", p2[] = "db_restart";
    char *pats[] = { p1, p2 };
    struct auth_grant g = { .limited = true, .rules = pats, .nrules = 2 };
    struct auth_grant none = { .limited = true };

    (void)state;
    assert_true(auth_grant_allows_rule(NULL, "anything"));
    assert_true(auth_grant_allows_rule(&g, "web_restart"));
    assert_true(auth_grant_allows_rule(&g, "web_"));
    assert_true(auth_grant_allows_rule(&g, "db_restart"));
    assert_false(auth_grant_allows_rule(&g, "db_restart2"));
    assert_false(auth_grant_allows_rule(&g, "we"));
    assert_false(auth_grant_allows_rule(&none, "web_restart"));
}

/* ---- the store ---- */

static int
setup(void **state)
{
    return store_fx_setup(state, "/tmp/ah-guard-XXXXXX", "replica-a");
}

static int
teardown(void **state)
{
    return store_fx_teardown(state);
}

static void
create(struct jobs *js, const char *unique, const struct job_guard *g,
    uint64_t now, char id[JOB_ID_LEN], struct job_verdict *v)
{
    struct job_new jn = { .feed_type = "opsgenie", .unique_value = unique,
        .rule_name = "restart", .id_key = "tinyId", .alert_id = unique,
        .envelope = "{}", .rule_json = "{}", .window_ms = 3600000,
        .now_ms = now, .requestor = "tester" };
    char err[ALEXIS_ERR_MAX];
    bool dup;

    if (jobs_guard_create(js, &jn, g, id, &dup, v, err,
        sizeof(err)) == -1)
        fail_msg("%s", err);
    assert_false(dup);
}

static void
test_store_cooldown_and_storm(void **state)
{
    struct store_fx *f = *state;
    static const char *const web1[] = { "web1", NULL };
    static const char *const web2[] = { "web2", NULL };
    struct job_guard g = { .entities = web1, .nentities = 1,
        .resolved = true, .cooldown_window_ms = 60000,
        .cooldown_max_runs = 1 };
    struct job_verdict v;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX], cur[JOB_STATE_MAX];
    uint64_t base = 1700000000000ULL, n;
    static const char *const from_q[] = { "queued", NULL };

    create(f->js, "1", &g, base, id, &v);
    assert_string_equal(v.state, "queued");
    create(f->js, "2", &g, base + 1000, id, &v);
    assert_string_equal(v.state, "skipped");
    assert_string_equal(v.reason, "cooldown");
    /* Another entity is not in cooldown. */
    g.entities = web2;
    create(f->js, "3", &g, base + 2000, id, &v);
    assert_string_equal(v.state, "queued");
    /* A cancelled job does not count as a run. */
    assert_int_equal(jobs_guard_transition(f->js, id, from_q, "cancelled", NULL,
        "tester", cur, err, sizeof(err)), 1);
    create(f->js, "4", &g, base + 3000, id, &v);
    assert_string_equal(v.state, "queued");
    /* After the window, web1 may run again. */
    g.entities = web1;
    create(f->js, "5", &g, base + 61000, id, &v);
    assert_string_equal(v.state, "queued");
    assert_int_equal(jobs_guard_count_entity_runs(f->js, "restart", "web1",
        base, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 2);
    /* Storm: 3 admitted jobs since base (1, 4, 5; 2 skipped, 3
     * cancelled). */
    assert_int_equal(jobs_guard_count_admitted(f->js, base, &n, err,
        sizeof(err)), 0);
    assert_int_equal(n, 3);
    memset(&g, 0, sizeof(g));
    g.storm_window_ms = 120000;
    g.storm_max_jobs = 3;
    create(f->js, "6", &g, base + 62000, id, &v);
    assert_string_equal(v.reason, "storm_breaker");
    g.storm_max_jobs = 4;
    create(f->js, "7", &g, base + 62000, id, &v);
    assert_string_equal(v.state, "queued");
}

/* The storm breaker's count is carried from call to call (jobs_guard.c);
 * after every step of a pseudo-random run of creates, claims, finishes
 * into admitted and other states, cancels, prunes and moving time, it
 * equals a count over a model of the jobs. */
struct model_job {
    char        id[JOB_ID_LEN];
    uint64_t    created;
    char        state[JOB_STATE_MAX];
};

static uint64_t
model_admitted(const struct model_job *m, size_t n, uint64_t since)
{
    uint64_t c = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (m[i].created >= since && jobs_state_admitted(m[i].state))
            c++;
    }
    return c;
}

static struct model_job *
model_find(struct model_job *m, size_t n, const char *id)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(m[i].id, id) == 0)
            return &m[i];
    }
    fail_msg("job %s not in the model", id);
    return NULL;
}

static void
test_store_storm_count_carried(void **state)
{
    static const char *const from_q[] = { "queued", NULL };
    static const char *const ends[] = { "succeeded", "failed", "skipped",
        "refused", "partial" };
    struct store_fx *f = *state;
    struct model_job m[400];
    struct job_guard g;
    struct job_verdict v;
    struct job j;
    uint64_t now = 1700000000000ULL, n, window = 60000;
    uint32_t seed = 12345;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX], cur[JOB_STATE_MAX], uniq[32];
    size_t nm = 0, step;
    int op, rc;

    memset(&g, 0, sizeof(g));
    g.storm_window_ms = window;
    g.storm_max_jobs = 1000000;
    for (step = 0; step < 600 && nm < 400; step++) {
        seed = seed * 1103515245u + 12345u;
        op = (int)((seed >> 16) % 10);
        if (op < 5) {
            snprintf(uniq, sizeof(uniq), "s%zu", step);
            create(f->js, uniq, &g, now, id, &v);
            snprintf(m[nm].id, sizeof(m[nm].id), "%s", id);
            m[nm].created = now;
            snprintf(m[nm].state, sizeof(m[nm].state), "%s", v.state);
            nm++;
        } else if (op < 7) {
            rc = jobs_claim(f->js, &j, err, sizeof(err));
            assert_int_not_equal(rc, -1);
            if (rc == 1) {
                const char *to = ends[(seed >> 8) % 5];

                assert_int_equal(jobs_finish(f->js, j.id, to, NULL, err,
                    sizeof(err)), 0);
                snprintf(model_find(m, nm, j.id)->state, JOB_STATE_MAX,
                    "%s", to);
                jobs_job_free(&j);
            }
        } else if (op == 7 && nm > 0) {
            struct model_job *x = &m[(seed >> 8) % nm];

            rc = jobs_guard_transition(f->js, x->id, from_q, "cancelled", NULL,
                "tester", cur, err, sizeof(err));
            assert_int_not_equal(rc, -1);
            if (rc == 1)
                snprintf(x->state, sizeof(x->state), "cancelled");
        } else {
            now += (seed >> 8) % 9000;
        }
        assert_int_equal(jobs_guard_count_admitted(f->js, now - window, &n, err,
            sizeof(err)), 0);
        assert_int_equal(n, model_admitted(m, nm, now - window));
        /* A window that moved back is counted afresh. */
        if (step % 97 == 0) {
            assert_int_equal(jobs_guard_count_admitted(f->js, now - 2 * window,
                &n, err, sizeof(err)), 0);
            assert_int_equal(n, model_admitted(m, nm, now - 2 * window));
        }
    }
    assert_true(model_admitted(m, nm, 0) > 50);
}

static void
test_store_transitions(void **state)
{
    struct store_fx *f = *state;
    static const char *const pending[] = { "pending_approval", NULL };
    static const char *const waiting[] = { "queued", "pending_approval",
        NULL };
    struct job_guard g = { .mode = RULE_MODE_APPROVE };
    struct job_verdict v;
    struct job j;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX], cur[JOB_STATE_MAX];

    create(f->js, "1", &g, 0, id, &v);
    assert_string_equal(v.state, "pending_approval");
    /* The approval request is reported while the job waits. */
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.state, "pending_approval");
    assert_string_equal(j.requestor, "tester");
    /* Approved while its request was being sent: the new report is not
     * lost when the old one completes. */
    assert_int_equal(jobs_claim(f->js, &j, err, sizeof(err)), 0);
    assert_int_equal(jobs_guard_transition(f->js, id, pending, "queued",
        "approved", "boss", cur, err, sizeof(err)), 1);
    assert_string_equal(cur, "queued");
    assert_int_equal(jobs_report_done(f->js, id, true, NULL, 1, err,
        sizeof(err)), 0);
    jobs_job_free(&j);
    assert_int_equal(jobs_guard_transition(f->js, id, pending, "rejected", NULL,
        "boss", cur, err, sizeof(err)), 0);
    assert_string_equal(cur, "queued");
    assert_int_equal(jobs_claim(f->js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.approver, "boss");
    jobs_job_free(&j);
    assert_int_equal(jobs_finish(f->js, id, "succeeded", NULL, err,
        sizeof(err)), 0);
    assert_int_equal(jobs_claim_report(f->js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.state, "succeeded");
    jobs_job_free(&j);
    assert_int_equal(jobs_guard_transition(f->js, id, waiting, "cancelled",
        NULL, NULL, cur, err, sizeof(err)), 0);
    assert_string_equal(cur, "succeeded");
    assert_int_equal(jobs_guard_transition(f->js,
        "00000000000000000000000000000000", waiting, "cancelled", NULL, NULL,
        cur, err, sizeof(err)), 0);
    assert_string_equal(cur, "");
    assert_int_equal(jobs_guard_load(f->js, id, &j, err, sizeof(err)), 1);
    assert_string_equal(j.rule_name, "restart");
    assert_string_equal(j.id_key, "tinyId");
    assert_string_equal(j.alert_id, "1");
    assert_string_equal(j.state, "succeeded");
    jobs_job_free(&j);
    assert_int_equal(jobs_guard_load(f->js, "00000000000000000000000000000000",
        &j, err, sizeof(err)), 0);
}

static void
test_store_verify_queue(void **state)
{
    struct store_fx *f = *state;
    struct job_verdict v;
    struct job j;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    uint64_t when, deadline;

    create(f->js, "1", NULL, 0, id, &v);
    assert_int_equal(jobs_guard_verify_next(f->js, &when, err, sizeof(err)), 0);
    assert_int_equal(jobs_guard_verify_start(f->js, id, 5000, 1000, err,
        sizeof(err)), 0);
    assert_int_equal(jobs_guard_verify_next(f->js, &when, err, sizeof(err)), 1);
    assert_int_equal(when, 1000);
    assert_int_equal(jobs_guard_claim_verify(f->js, 999, &j, &deadline, err,
        sizeof(err)), 0);
    assert_int_equal(jobs_guard_claim_verify(f->js, 1000, &j, &deadline, err,
        sizeof(err)), 1);
    assert_int_equal(deadline, 5000);
    assert_string_equal(j.id, id);
    jobs_job_free(&j);
    /* Claimed: not claimed twice. */
    assert_int_equal(jobs_guard_claim_verify(f->js, 9999, &j, &deadline, err,
        sizeof(err)), 0);
    assert_int_equal(jobs_guard_verify_done(f->js, id, -1, 3000, err,
        sizeof(err)), 0);
    assert_int_equal(jobs_guard_verify_next(f->js, &when, err, sizeof(err)), 1);
    assert_int_equal(when, 3000);
    assert_int_equal(jobs_guard_claim_verify(f->js, 3000, &j, &deadline, err,
        sizeof(err)), 1);
    jobs_job_free(&j);
    assert_int_equal(jobs_guard_verify_done(f->js, id, 1, 0, err,
        sizeof(err)), 0);
    assert_int_equal(jobs_guard_verify_next(f->js, &when, err, sizeof(err)), 0);
}

/* A check claimed by a replica that stopped before verify_done is taken
 * up again: on SQLite by the recovery at start-up, on PostgreSQL (other
 * replicas keep running) when the claim, the store's lease, runs out. */
static void
test_store_verify_reclaimed(void **state)
{
    struct store_fx *f = *state;
    struct job_verdict v;
    struct job j;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    uint64_t deadline, when;
    size_t n;

    create(f->js, "1", NULL, 0, id, &v);
    assert_int_equal(jobs_guard_verify_start(f->js, id, 90000, 1000, err,
        sizeof(err)), 0);
    assert_int_equal(jobs_guard_claim_verify(f->js, 1000, &j, &deadline, err,
        sizeof(err)), 1);
    jobs_job_free(&j);
    /* Inside the claim (lease 30 s): nobody else takes it. */
    assert_int_equal(jobs_guard_claim_verify(f->js, 30999, &j, &deadline, err,
        sizeof(err)), 0);
    if (getenv("ALEXIS_TEST_PG_URI") != NULL) {
        assert_int_equal(jobs_guard_verify_next(f->js, &when, err, sizeof(err)),
            1);
        assert_int_equal(when, 31000);
    } else {
        assert_int_equal(jobs_guard_claim_verify(f->js, 31000, &j, &deadline,
            err, sizeof(err)), 0);
        assert_int_equal(jobs_recover(f->js, "test", NULL, NULL, &n, err,
            sizeof(err)), 0);
    }
    assert_int_equal(jobs_guard_claim_verify(f->js, 31000, &j, &deadline, err,
        sizeof(err)), 1);
    assert_string_equal(j.id, id);
    assert_int_equal(deadline, 90000);
    jobs_job_free(&j);
}

static void
test_migrate_v1(void **state)
{
    struct store_fx *f = *state;
    sqlite3 *db;
    struct jobs *js;
    struct job j;
    char err[ALEXIS_ERR_MAX], path[160];

    if (getenv("ALEXIS_TEST_PG_URI") != NULL)
        skip();     /* SQLite's own migration */
    jobs_close(f->js);
    unlink(f->path);
    snprintf(path, sizeof(path), "%s-wal", f->path);
    unlink(path);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " id TEXT NOT NULL UNIQUE, feed_type TEXT NOT NULL,"
        " unique_value TEXT NOT NULL, rule_name TEXT NOT NULL,"
        " id_key TEXT NOT NULL, alert_id TEXT NOT NULL,"
        " envelope TEXT NOT NULL, rule_json TEXT NOT NULL,"
        " state TEXT NOT NULL CHECK (state IN ('queued','running',"
        " 'succeeded','failed','partial','interrupted')), reason TEXT,"
        " created_ms INTEGER NOT NULL, started_ms INTEGER,"
        " finished_ms INTEGER, report_state TEXT NOT NULL DEFAULT"
        " 'pending', report_error TEXT,"
        " report_attempts INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE results (job TEXT NOT NULL REFERENCES jobs(id),"
        " task INTEGER NOT NULL, entity TEXT NOT NULL, action TEXT,"
        " state TEXT NOT NULL, outcome TEXT NOT NULL, exit_status INTEGER,"
        " signal TEXT, duration_ms INTEGER NOT NULL, stdout BLOB,"
        " stderr BLOB, truncated INTEGER NOT NULL, error TEXT,"
        " finished_ms INTEGER NOT NULL, PRIMARY KEY (job, task, entity));"
        "INSERT INTO jobs (id, feed_type, unique_value, rule_name, id_key,"
        " alert_id, envelope, rule_json, state, created_ms) VALUES"
        " ('0123456789abcdef0123456789abcdef', 'opsgenie', '7', 'r',"
        " 'tinyId', '7', '{}', '{}', 'queued', 1);"
        "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    if ((js = jobs_open(f->path, err, sizeof(err))) == NULL)
        fail_msg("%s", err);
    f->js = js;
    /* The queued job survived and is claimed as before. */
    assert_int_equal(jobs_claim(js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.id, "0123456789abcdef0123456789abcdef");
    jobs_job_free(&j);
    jobs_close(js);
    /* Opening again finds version 2. */
    if ((f->js = jobs_open(f->path, err, sizeof(err))) == NULL)
        fail_msg("%s", err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide_table),
        cmocka_unit_test(test_decide_count_error_and_unresolved),
        cmocka_unit_test(test_verify_next_and_recheck),
        cmocka_unit_test(test_grant_rules),
        cmocka_unit_test_setup_teardown(test_store_cooldown_and_storm,
            setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_storm_count_carried,
            setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_transitions, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_store_verify_queue, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_store_verify_reclaimed, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
