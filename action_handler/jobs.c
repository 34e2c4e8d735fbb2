/*
 * The SQLite job store (see jobs.h): schema, creation with idempotency,
 * claiming, results, recovery. Reading jobs back as JSON is jobs_json.c.
 */
#include "jobs.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "alexis_limits.h"
#include "clock.h"
#include "hex.h"
#include "jobs_int.h"
#include "xmem.h"

/* Version 2 of the schema (guardrails: new states, requestor, entities,
 * verification); user_version tells a foreign file apart, and a version 1
 * file is migrated in place when opened. */
#define SCHEMA_VERSION  2

#define JOBS_TABLE(name) \
    "CREATE TABLE IF NOT EXISTS " name " (" \
    " seq INTEGER PRIMARY KEY AUTOINCREMENT," \
    " id TEXT NOT NULL UNIQUE," \
    " feed_type TEXT NOT NULL, unique_value TEXT NOT NULL," \
    " rule_name TEXT NOT NULL, id_key TEXT NOT NULL, alert_id TEXT NOT NULL," \
    " envelope TEXT NOT NULL, rule_json TEXT NOT NULL," \
    " state TEXT NOT NULL CHECK (state IN ('queued','pending_approval'," \
    "  'running','succeeded','failed','partial','interrupted','skipped'," \
    "  'refused','rejected','cancelled'))," \
    " reason TEXT," \
    " created_ms INTEGER NOT NULL, started_ms INTEGER, finished_ms INTEGER," \
    " report_state TEXT NOT NULL DEFAULT 'pending' CHECK (report_state IN" \
    "  ('pending','sending','sent','failed'))," \
    " report_error TEXT, report_attempts INTEGER NOT NULL DEFAULT 0," \
    " requestor TEXT, detail TEXT, approver TEXT," \
    " verify_state TEXT CHECK (verify_state IN ('pending','checking'," \
    "  'verified','unverified'))," \
    " verify_deadline_ms INTEGER, verify_next_ms INTEGER);"

/* Owner read/write only: the store holds envelopes and command output. */
#define JOBS_FILE_MODE  0600

static const char schema_sql[] =
    JOBS_TABLE("jobs")
    "CREATE INDEX IF NOT EXISTS jobs_key ON jobs"
    " (feed_type, unique_value, rule_name, created_ms);"
    "CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);"
    "CREATE INDEX IF NOT EXISTS jobs_report ON jobs (report_state);"
    "CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_ms, state);"
    "CREATE INDEX IF NOT EXISTS jobs_requestor ON jobs (requestor, state);"
    "CREATE INDEX IF NOT EXISTS jobs_verify ON jobs"
    " (verify_state, verify_next_ms);"
    "CREATE TABLE IF NOT EXISTS results ("
    " job TEXT NOT NULL REFERENCES jobs(id), task INTEGER NOT NULL,"
    " entity TEXT NOT NULL, action TEXT, state TEXT NOT NULL,"
    " outcome TEXT NOT NULL, exit_status INTEGER, signal TEXT,"
    " duration_ms INTEGER NOT NULL, stdout BLOB, stderr BLOB,"
    " truncated INTEGER NOT NULL, error TEXT, finished_ms INTEGER NOT NULL,"
    " PRIMARY KEY (job, task, entity));"
    "CREATE TABLE IF NOT EXISTS job_entities ("
    " job TEXT NOT NULL REFERENCES jobs(id), rule_name TEXT NOT NULL,"
    " entity TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " PRIMARY KEY (job, entity));"
    "CREATE INDEX IF NOT EXISTS job_entities_runs ON job_entities"
    " (rule_name, entity, created_ms);";

/* Version 1 to 2: SQLite cannot change a CHECK constraint, so the jobs
 * table is rebuilt (foreign keys are off while jobs_open migrates). */
static const char migrate_v1_sql[] =
    JOBS_TABLE("jobs_v2")
    "INSERT INTO jobs_v2 (seq, id, feed_type, unique_value, rule_name,"
    " id_key, alert_id, envelope, rule_json, state, reason, created_ms,"
    " started_ms, finished_ms, report_state, report_error, report_attempts,"
    " requestor)"
    " SELECT seq, id, feed_type, unique_value, rule_name, id_key, alert_id,"
    " envelope, rule_json, state, reason, created_ms, started_ms,"
    " finished_ms, report_state, report_error, report_attempts, requestor"
    " FROM jobs;"
    "DROP TABLE jobs;"
    "ALTER TABLE jobs_v2 RENAME TO jobs;";

void
jobs_db_error(struct jobs *js, char *err, size_t errlen)
{
    snprintf(err, errlen, "job store: %s", sqlite3_errmsg(js->db));
}

int
jobs_prepare(struct jobs *js, const char *sql, sqlite3_stmt **st, char *err,
    size_t errlen)
{
    if (sqlite3_prepare_v2(js->db, sql, -1, st, NULL) != SQLITE_OK) {
        jobs_db_error(js, err, errlen);
        *st = NULL;
        return -1;
    }
    return 0;
}

int
jobs_stmt(struct jobs *js, enum jobs_stmt_id id, const char *sql,
    sqlite3_stmt **st, char *err, size_t errlen)
{
    if (js->stmts[id] == NULL && sqlite3_prepare_v3(js->db, sql, -1,
        SQLITE_PREPARE_PERSISTENT, &js->stmts[id], NULL) != SQLITE_OK) {
        jobs_db_error(js, err, errlen);
        js->stmts[id] = NULL;
        *st = NULL;
        return -1;
    }
    sqlite3_reset(js->stmts[id]);
    sqlite3_clear_bindings(js->stmts[id]);
    *st = js->stmts[id];
    return 0;
}

char *
jobs_col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t == NULL ? NULL : xstrdup((const char *)t);
}

static int
exec_sql(struct jobs *js, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;

    if (sqlite3_exec(js->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (msg != NULL)
            snprintf(err, errlen, "job store: %s", msg);
        else
            jobs_db_error(js, err, errlen);
        sqlite3_free(msg);
        jobs_note_write(js, -1, err);
        return -1;
    }
    return 0;
}

/* For ROLLBACK and restoring a pragma after an error: the first error is
 * the one worth reporting. */
static void
exec_quiet(struct jobs *js, const char *sql)
{
    (void)sqlite3_exec(js->db, sql, NULL, NULL, NULL);
}

/* Run a prepared statement that returns no row we need. */
static int
step_done(struct jobs *js, sqlite3_stmt *st, char *err, size_t errlen)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        jobs_db_error(js, err, errlen);
        jobs_note_write(js, -1, err);
        return -1;
    }
    jobs_note_write(js, 0, NULL);
    return 0;
}

void
jobs_note_write(struct jobs *js, int rc, const char *err)
{
    js->failing = rc == -1;
    if (rc == -1)
        snprintf(js->health_err, sizeof(js->health_err), "%s", err);
}

static int add_requestor_column(struct jobs *js, char *err, size_t errlen);

/* Bring the schema to SCHEMA_VERSION (inside jobs_open's transaction):
 * create it in a new file, migrate a version 1 file (which may have the
 * requestor column already). */
static int
check_version(struct jobs *js, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int v = -1, rc = -1;

    if (jobs_prepare(js, "PRAGMA user_version", &st, err, errlen) == -1)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    /* Finalized first: a table cannot be dropped under a live statement. */
    sqlite3_finalize(st);
    st = NULL;
    if (v == 1 && (add_requestor_column(js, err, errlen) == -1 ||
        exec_sql(js, migrate_v1_sql, err, errlen) == -1)) {
        rc = -1;
    } else if (v == 0 || v == 1) {
        rc = exec_sql(js, schema_sql, err, errlen) == -1 ? -1 :
            exec_sql(js, "PRAGMA user_version = 2", err, errlen);
    } else if (v != SCHEMA_VERSION) {
        snprintf(err, errlen, "job store: schema version %d, expected %d",
            v, SCHEMA_VERSION);
    } else {
        rc = exec_sql(js, schema_sql, err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

/* A file of schema version 1 gains the requestor column (a no-op where the
 * schema already has it). */
static int
add_requestor_column(struct jobs *js, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    bool have = false;

    if (jobs_prepare(js, "SELECT 1 FROM pragma_table_info('jobs') WHERE "
        "name = 'requestor'", &st, err, errlen) == -1)
        return -1;
    have = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (have)
        return 0;
    return exec_sql(js, "ALTER TABLE jobs ADD COLUMN requestor TEXT;"
        "CREATE INDEX IF NOT EXISTS jobs_requestor ON jobs "
        "(requestor, state);", err, errlen);
}

int
jobs_count_unfinished(struct jobs *js, const char *requestor,
    uint64_t *queued, uint64_t *mine, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (js->ops != NULL)
        return js->ops->count_unfinished(js->impl, requestor, queued, mine,
            err, errlen);
    *queued = *mine = 0;
    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, "SELECT (SELECT count(*) FROM jobs WHERE state = "
        "'queued'), (SELECT count(*) FROM jobs WHERE requestor = ?1 AND "
        "state IN ('queued', 'running'))", &st, err, errlen) == -1)
        goto out;
    if (requestor != NULL)
        sqlite3_bind_text(st, 1, requestor, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        jobs_db_error(js, err, errlen);
        goto out;
    }
    *queued = (uint64_t)sqlite3_column_int64(st, 0);
    *mine = (uint64_t)sqlite3_column_int64(st, 1);
    rc = 0;
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

/*
 * The store holds envelopes and command output: create the file 0600
 * before SQLite does (SQLite gives its -wal and -shm files the database
 * file's mode), and tighten a file an older version left readable. The mode
 * is set explicitly, whatever the umask.
 */
static int
make_private(const char *path, bool create, char *err, size_t errlen)
{
    int fd;

    if ((fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0),
        JOBS_FILE_MODE)) == -1) {
        if (!create && errno == ENOENT)
            return 0;
        snprintf(err, errlen, "job store %s: %s", path, strerror(errno));
        return -1;
    }
    if (fchmod(fd, JOBS_FILE_MODE) == -1) {
        snprintf(err, errlen, "job store %s: chmod: %s", path,
            strerror(errno));
        (void)close(fd);
        return -1;
    }
    (void)close(fd);
    return 0;
}

/* The WAL and shared-memory files, when they exist (after journal_mode
 * WAL they do while the store is open). */
static int
make_private_sidecars(const char *path, char *err, size_t errlen)
{
    static const char *const suffix[] = { "-wal", "-shm" };
    char p[PATH_MAX];
    size_t i;

    for (i = 0; i < NELEM(suffix); i++) {
        if (snprintf(p, sizeof(p), "%s%s", path, suffix[i]) >=
            (int)sizeof(p)) {
            snprintf(err, errlen, "job store: path too long");
            return -1;
        }
        if (make_private(p, false, err, errlen) == -1)
            return -1;
    }
    return 0;
}

struct jobs *
jobs_open(const char *path, char *err, size_t errlen)
{
    struct jobs *js;
    bool file = path[0] != '\0' && path[0] != ':';

    if (file && (make_private(path, true, err, errlen) == -1 ||
        make_private_sidecars(path, err, errlen) == -1))
        return NULL;
    js = xcalloc(1, sizeof(*js));
    pthread_mutex_init(&js->lock, NULL);
    if (sqlite3_open_v2(path, &js->db, SQLITE_OPEN_READWRITE |
        SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "job store %s: %s", path,
            js->db != NULL ? sqlite3_errmsg(js->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(js->db, AH_DB_BUSY_MS);
    /* WAL: readers never block the writer. NORMAL is durable against a
     * crash of the process in WAL mode; jobs_create raises it to FULL for
     * the commit that precedes a 202, which must survive power loss. */
    /* Foreign keys go on after the schema is settled: a migration drops
     * and renames the jobs table that results refer to. */
    if (exec_sql(js, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=OFF;", err, errlen) == -1 ||
        exec_sql(js, "BEGIN IMMEDIATE", err, errlen) == -1)
        goto fail;
    if (check_version(js, err, errlen) == -1) {
        exec_quiet(js, "ROLLBACK");
        goto fail;
    }
    if (exec_sql(js, "COMMIT", err, errlen) == -1 ||
        exec_sql(js, "PRAGMA foreign_keys=ON", err, errlen) == -1 ||
        (file && make_private_sidecars(path, err, errlen) == -1))
        goto fail;
    return js;
fail:
    jobs_close(js);
    return NULL;
}

void
jobs_close(struct jobs *js)
{
    size_t i;

    if (js == NULL)
        return;
    if (js->dq_free != NULL)
        js->dq_free(js);
    if (js->ops != NULL)
        js->ops->close(js->impl);
    for (i = 0; i < JOBS_ST_COUNT; i++)
        sqlite3_finalize(js->stmts[i]);
    sqlite3_close(js->db);
    pthread_mutex_destroy(&js->lock);
    free(js);
}

bool
jobs_id_valid(const char *id)
{
    return hex_is_lower(id) && strlen(id) == JOB_ID_LEN - 1;
}

int
jobs_new_id(char id[JOB_ID_LEN], char *err, size_t errlen)
{
    unsigned char raw[AH_JOB_ID_BYTES];

    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
        snprintf(err, errlen, "getrandom: %s", strerror(errno));
        return -1;
    }
    (void)hex_encode(raw, sizeof(raw), id, JOB_ID_LEN);
    return 0;
}

/* The newest job for the key within the window, into id. 1 found, 0 not,
 * -1 error. */
static int
find_recent(struct jobs *js, const struct job_new *jn, uint64_t now,
    char id[JOB_ID_LEN], char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (jobs_prepare(js, "SELECT id FROM jobs WHERE feed_type = ?1 AND "
        "unique_value = ?2 AND rule_name = ?3 AND created_ms >= ?4 "
        "ORDER BY created_ms DESC, seq DESC LIMIT 1", &st, err,
        errlen) == -1)
        return -1;
    sqlite3_bind_text(st, 1, jn->feed_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, jn->unique_value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, jn->rule_name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)(now - (jn->window_ms < now ?
        jn->window_ms : now)));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(id, JOB_ID_LEN, "%s",
            (const char *)sqlite3_column_text(st, 0));
        rc = 1;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        jobs_db_error(js, err, errlen);
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

static int
insert_job(struct jobs *js, const struct job_new *jn, uint64_t now,
    const struct job_verdict *v, char id[JOB_ID_LEN], char *err,
    size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (jobs_new_id(id, err, errlen) == -1 ||
        jobs_prepare(js, "INSERT INTO jobs (id, feed_type, unique_value, "
        "rule_name, id_key, alert_id, envelope, rule_json, state, "
        "created_ms, reason, detail, requestor, finished_ms) VALUES (?1, "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10, ?9, ?11, ?12, ?13, ?14)",
        &st, err, errlen) == -1)
        return -1;
    sqlite3_bind_text(st, 10, v->state, -1, SQLITE_STATIC);
    if (v->reason[0] != '\0')
        sqlite3_bind_text(st, 11, v->reason, -1, SQLITE_STATIC);
    if (v->detail[0] != '\0')
        sqlite3_bind_text(st, 12, v->detail, -1, SQLITE_STATIC);
    if (jn->requestor != NULL)
        sqlite3_bind_text(st, 13, jn->requestor, -1, SQLITE_STATIC);
    if (jobs_state_final(v->state))
        sqlite3_bind_int64(st, 14, (sqlite3_int64)now);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, jn->feed_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, jn->unique_value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, jn->rule_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, jn->id_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, jn->alert_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, jn->envelope, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, jn->rule_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)now);
    rc = step_done(js, st, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

int
jobs_create(struct jobs *js, const struct job_new *jn, char id[JOB_ID_LEN],
    bool *dup, char *err, size_t errlen)
{
    struct job_verdict v;

    if (js->ops == NULL)
        return jobs_create_tx(js, jn, NULL, id, dup, &v, err, errlen);
    /* A backend with guard ops creates through them, without guardrails. */
    if (js->ops->guard != NULL)
        return js->ops->guard->create(js->impl, jn, NULL, id, dup, &v, err,
            errlen);
    return js->ops->create(js->impl, jn, id, dup, err, errlen);
}

int
jobs_create_tx(struct jobs *js, const struct job_new *jn,
    const struct jobs_create_step *step, char id[JOB_ID_LEN], bool *dup,
    struct job_verdict *v, char *err, size_t errlen)
{
    uint64_t now = jn->now_ms != 0 ? jn->now_ms : clock_wall_ms();
    int rc = -1, found = 0;

    *dup = false;
    memset(v, 0, sizeof(*v));
    snprintf(v->state, sizeof(v->state), "queued");
    pthread_mutex_lock(&js->lock);
    /* IMMEDIATE takes the write lock first: the look-up and the insert
     * are one unit even against another process on the same file. */
    if (exec_sql(js, "PRAGMA synchronous=FULL", err, errlen) == -1 ||
        exec_sql(js, "BEGIN IMMEDIATE", err, errlen) == -1)
        goto out;
    if (jn->window_ms > 0 &&
        (found = find_recent(js, jn, now, id, err, errlen)) == -1)
        goto rollback;
    if (found == 1)
        *dup = true;
    else if ((step != NULL && step->decide(step->arg, js, now, v, err,
        errlen) == -1) || insert_job(js, jn, now, v, id, err, errlen) == -1 ||
        (step != NULL && step->record(step->arg, js, id, now, err,
        errlen) == -1))
        goto rollback;
    if (exec_sql(js, "COMMIT", err, errlen) == -1)
        goto rollback;
    rc = 0;
    goto out;
rollback:
    exec_quiet(js, "ROLLBACK");
out:
    exec_quiet(js, "PRAGMA synchronous=NORMAL");
    pthread_mutex_unlock(&js->lock);
    return rc;
}


int
jobs_load_locked(struct jobs *js, const char *id, struct job *out,
    char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int step, rc = -1;

    if (jobs_prepare(js, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?1",
        &st, err, errlen) == -1)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        jobs_load_job(st, out);
        rc = 1;
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        jobs_db_error(js, err, errlen);
    }
    sqlite3_finalize(st);
    return rc;
}

static int
list_running(struct jobs *js, job_fn fn, void *arg, char *err,
    size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct job j;
    int step, rc = -1;

    if (jobs_prepare(js, "SELECT " JOB_COLUMNS " FROM jobs WHERE "
        "state = 'running' ORDER BY seq", &st, err, errlen) == -1)
        return -1;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        jobs_load_job(st, &j);
        fn(arg, &j);
        jobs_job_free(&j);
    }
    if (step == SQLITE_DONE)
        rc = 0;
    else
        jobs_db_error(js, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

static int
recover_tx(struct jobs *js, void *arg, char *err, size_t errlen)
{
    struct jobs_recover_arg *a = arg;
    sqlite3_stmt *st = NULL;
    int rc;

    if ((a->fn != NULL && list_running(js, a->fn, a->arg, err,
        errlen) == -1) ||
        jobs_prepare(js, "UPDATE jobs SET state = 'interrupted', "
        "reason = ?1, finished_ms = ?2, report_state = 'pending' "
        "WHERE state = 'running'", &st, err, errlen) == -1)
        return -1;
    sqlite3_bind_text(st, 1, a->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)clock_wall_ms());
    rc = step_done(js, st, err, errlen);
    sqlite3_finalize(st);
    if (rc == -1)
        return -1;
    *a->n = (size_t)sqlite3_changes(js->db);
    /* A crash while a report was being sent: send it again rather than
     * lose it (the window is one HTTP exchange). */
    if (exec_sql(js, "UPDATE jobs SET report_state = 'pending' "
        "WHERE report_state = 'sending'", err, errlen) == -1 ||
        exec_sql(js, "UPDATE jobs SET verify_state = 'pending' "
        "WHERE verify_state = 'checking'", err, errlen) == -1)
        return -1;
    return 0;
}

int
jobs_recover(struct jobs *js, const char *reason, job_fn fn,
    void *arg, size_t *n, char *err, size_t errlen)
{
    struct jobs_recover_arg a = { .reason = reason, .fn = fn, .arg = arg,
        .n = n };

    if (js->ops != NULL)
        return js->ops->recover(js->impl, reason, fn, arg, n, err, errlen);
    *n = 0;
    return jobs_tx(js, recover_tx, &a, err, errlen) == -1 ? -1 : 0;
}

void
jobs_load_job(sqlite3_stmt *st, struct job *j)
{
    memset(j, 0, sizeof(*j));
    snprintf(j->id, sizeof(j->id), "%s",
        (const char *)sqlite3_column_text(st, 0));
    j->state = jobs_col_dup(st, 1);
    j->reason = jobs_col_dup(st, 2);
    j->rule_name = jobs_col_dup(st, 3);
    j->feed_type = jobs_col_dup(st, 4);
    j->id_key = jobs_col_dup(st, 5);
    j->alert_id = jobs_col_dup(st, 6);
    j->envelope = jobs_col_dup(st, 7);
    j->rule_json = jobs_col_dup(st, 8);
    j->detail = jobs_col_dup(st, 9);
    j->requestor = jobs_col_dup(st, 10);
    j->approver = jobs_col_dup(st, 11);
}

int
jobs_claim_row(struct jobs *js, const char *sql, uint64_t now_ms,
    jobs_load_fn load, void *arg, struct job *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1, step;

    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, sql, &st, err, errlen) == -1)
        goto out;
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, (sqlite3_int64)now_ms);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        load(st, out, arg);
        rc = step_done(js, st, err, errlen) == 0 ? 1 : -1;
        if (rc == -1)
            jobs_job_free(out);
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        jobs_db_error(js, err, errlen);
        jobs_note_write(js, -1, err);
    }
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

static void
load_claimed(sqlite3_stmt *st, struct job *out, void *arg)
{
    (void)arg;
    jobs_load_job(st, out);
}

/* An UPDATE ... RETURNING JOB_COLUMNS that changes at most one row. */
static int
claim_with(struct jobs *js, const char *sql, struct job *out, char *err,
    size_t errlen)
{
    return jobs_claim_row(js, sql, clock_wall_ms(), load_claimed, NULL, out,
        err, errlen);
}

int
jobs_claim(struct jobs *js, struct job *out, char *err, size_t errlen)
{
    if (js->ops != NULL)
        return js->ops->claim(js->impl, out, err, errlen);
    return claim_with(js, "UPDATE jobs SET state = 'running', "
        "started_ms = ?1 WHERE seq = (SELECT seq FROM jobs WHERE "
        "state = 'queued' ORDER BY seq LIMIT 1) AND state = 'queued' "
        "RETURNING " JOB_COLUMNS, out, err, errlen);
}

int
jobs_claim_report(struct jobs *js, struct job *out, char *err,
    size_t errlen)
{
    if (js->ops != NULL)
        return js->ops->claim_report(js->impl, out, err, errlen);
    return claim_with(js, "UPDATE jobs SET report_state = 'sending' "
        "WHERE seq = (SELECT "
        "seq FROM jobs WHERE report_state = 'pending' AND state NOT IN "
        "('queued', 'running') ORDER BY seq LIMIT 1) AND "
        "report_state = 'pending' RETURNING " JOB_COLUMNS, out, err,
        errlen);
}

void
jobs_job_free(struct job *j)
{
    free(j->state);
    free(j->reason);
    free(j->rule_name);
    free(j->feed_type);
    free(j->id_key);
    free(j->alert_id);
    free(j->envelope);
    free(j->rule_json);
    free(j->detail);
    free(j->requestor);
    free(j->approver);
    memset(j, 0, sizeof(*j));
}

int
jobs_result_add(struct jobs *js, const char *id, const struct job_result *r,
    char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (js->ops != NULL)
        return js->ops->result_add(js->impl, id, r, err, errlen);
    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, "INSERT INTO results (job, task, entity, action, "
        "state, outcome, exit_status, signal, duration_ms, stdout, stderr, "
        "truncated, error, finished_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10, ?11, ?12, ?13, ?14)", &st, err, errlen) == -1)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, r->task);
    sqlite3_bind_text(st, 3, r->entity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->outcome, -1, SQLITE_STATIC);
    if (r->exit_status >= 0)
        sqlite3_bind_int(st, 7, r->exit_status);
    if (r->signal != NULL && r->signal[0] != '\0')
        sqlite3_bind_text(st, 8, r->signal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)r->duration_ms);
    sqlite3_bind_blob(st, 10, r->out != NULL ? r->out : "",
        (int)r->out_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 11, r->err != NULL ? r->err : "",
        (int)r->err_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 12, r->truncated);
    if (r->error != NULL && r->error[0] != '\0')
        sqlite3_bind_text(st, 13, r->error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)clock_wall_ms());
    rc = step_done(js, st, err, errlen);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

int
jobs_finish(struct jobs *js, const char *id, const char *state,
    const char *reason, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (js->ops != NULL)
        return js->ops->finish(js->impl, id, state, reason, err, errlen);
    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, "UPDATE jobs SET state = ?2, reason = ?3, "
        "finished_ms = ?4 WHERE id = ?1 AND state = 'running'", &st, err,
        errlen) == -1)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    if (reason != NULL)
        sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)clock_wall_ms());
    rc = step_done(js, st, err, errlen);
    jobs_storm_touch(js, state);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

int
jobs_report_done(struct jobs *js, const char *id, bool sent,
    const char *error, int attempts, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (js->ops != NULL)
        return js->ops->report_done(js->impl, id, sent, error, attempts,
            err, errlen);
    pthread_mutex_lock(&js->lock);
    /* Only a report still "sending": a job approved or rejected while its
     * approval request was being sent has a new report pending. */
    if (jobs_prepare(js, "UPDATE jobs SET report_state = ?2, "
        "report_error = ?3, report_attempts = ?4 WHERE id = ?1 AND "
        "report_state = 'sending'", &st, err, errlen) == -1)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sent ? "sent" : "failed", -1, SQLITE_STATIC);
    if (error != NULL && error[0] != '\0')
        sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, attempts);
    rc = step_done(js, st, err, errlen);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

/* Finished, reported, and older than ?1: what retention removes. */
#define JOBS_PRUNABLE "state NOT IN ('queued', 'running') AND " \
    "report_state IN ('sent', 'failed') AND finished_ms < ?1"

/* Run sql with ?1 bound to ms, to its end. -1 with err. */
static int
run_with_ms(struct jobs *js, const char *sql, uint64_t ms, char *err,
    size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (jobs_prepare(js, sql, &st, err, errlen) == -1)
        return -1;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)ms);
    rc = step_done(js, st, err, errlen);
    sqlite3_finalize(st);
    return rc;
}

struct prune_arg {
    uint64_t    before_ms;
    size_t     *n;
};

static int
prune_tx(struct jobs *js, void *arg, char *err, size_t errlen)
{
    struct prune_arg *a = arg;

    if (run_with_ms(js, "DELETE FROM results WHERE job IN (SELECT id "
        "FROM jobs WHERE " JOBS_PRUNABLE ")", a->before_ms, err,
        errlen) == -1 ||
        run_with_ms(js, "DELETE FROM job_entities WHERE job IN (SELECT id "
        "FROM jobs WHERE " JOBS_PRUNABLE ")", a->before_ms, err,
        errlen) == -1 ||
        run_with_ms(js, "DELETE FROM jobs WHERE " JOBS_PRUNABLE,
        a->before_ms, err, errlen) == -1)
        return -1;
    *a->n = (size_t)sqlite3_changes(js->db);
    jobs_storm_touch(js, NULL);
    return 0;
}

int
jobs_prune(struct jobs *js, uint64_t before_ms, size_t *n, char *err,
    size_t errlen)
{
    struct prune_arg a = { .before_ms = before_ms, .n = n };

    if (js->ops != NULL)
        return js->ops->prune(js->impl, before_ms, n, err, errlen);
    *n = 0;
    return jobs_tx(js, prune_tx, &a, err, errlen) == -1 ? -1 : 0;
}

int
jobs_tx(struct jobs *js, jobs_tx_fn fn, void *arg, char *err, size_t errlen)
{
    int rc = -1;

    pthread_mutex_lock(&js->lock);
    if (exec_sql(js, "BEGIN IMMEDIATE", err, errlen) == 0) {
        rc = fn(js, arg, err, errlen);
        if (rc == -1 || exec_sql(js, "COMMIT", err, errlen) == -1) {
            exec_quiet(js, "ROLLBACK");
            rc = -1;
        }
    }
    pthread_mutex_unlock(&js->lock);
    return rc;
}

bool
jobs_state_in(const char *s, const char *const *list)
{
    for (; *list != NULL; list++) {
        if (strcmp(s, *list) == 0)
            return true;
    }
    return false;
}

bool
jobs_state_final(const char *s)
{
    static const char *const final[] = { "succeeded", "failed", "partial",
        "interrupted", "skipped", "refused", "rejected", "cancelled", NULL };

    return jobs_state_in(s, final);
}

bool
jobs_state_admitted(const char *s)
{
    static const char *const admitted[] = { "queued", "pending_approval",
        "running", "succeeded", "failed", "partial", "interrupted", NULL };

    return jobs_state_in(s, admitted);
}

void
jobs_storm_touch(struct jobs *js, const char *state)
{
    if (state == NULL || !jobs_state_admitted(state))
        js->storm_gen++;
}

uint64_t
jobs_poll_ms(const struct jobs *js)
{
    return js->ops != NULL ? js->ops->poll_ms : 0;
}

int
jobs_exec(struct jobs *js, const char *sql, char *err, size_t errlen)
{
    return exec_sql(js, sql, err, errlen);
}

int
jobs_step_done(struct jobs *js, sqlite3_stmt *st, char *err, size_t errlen)
{
    return step_done(js, st, err, errlen);
}
