/*
 * The PostgreSQL job store (see jobs_pg.h): connection, schema, creation
 * with dedup, claims, leases and the heartbeat, the holder's writes,
 * retention. Reading jobs back is jobs_pg_read.c.
 */
#include "jobs_pg.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "alexis_limits.h"
#include "clock.h"
#include "jobs.h"
#include "jobs_int.h"
#include "jobs_pg_conn.h"
#include "jobs_pg_guard.h"
#include "jobs_pg_int.h"
#include "jobs_pg_read.h"
#include "log.h"
#include "str.h"
#include "xmem.h"

/* pg_advisory_xact_lock key that serialises schema migrations of replicas
 * starting together ("alexisv1" in ASCII). */
#define MIGRATE_LOCK    "8241988624510612017"

#define LEASE_REASON    "the replica running the job stopped answering " \
    "(its lease expired); not re-run (commands may have run: check the " \
    "hosts)"

/* The schema, one entry per version: entry i takes version i to i + 1.
 * Never edit an entry once released; add one. */
static const char *const migrations[] = {
    "CREATE TABLE jobs ("
    " seq bigserial PRIMARY KEY,"
    " id text NOT NULL UNIQUE,"
    " feed_type text NOT NULL, unique_value text NOT NULL,"
    " rule_name text NOT NULL, id_key text NOT NULL,"
    " alert_id text NOT NULL, envelope text NOT NULL,"
    " rule_json text NOT NULL, state text NOT NULL, reason text,"
    " created_ms bigint NOT NULL, started_ms bigint, finished_ms bigint,"
    " report_state text NOT NULL DEFAULT 'pending',"
    " report_error text, report_attempts integer NOT NULL DEFAULT 0,"
    " holder text, lease_until timestamptz);"
    "CREATE INDEX jobs_queued ON jobs (seq) WHERE state = 'queued';"
    "CREATE INDEX jobs_leased ON jobs (lease_until)"
    " WHERE lease_until IS NOT NULL;"
    "CREATE INDEX jobs_report ON jobs (seq)"
    " WHERE report_state = 'pending';"
    "CREATE INDEX jobs_finished ON jobs (finished_ms);"
    "CREATE INDEX jobs_state ON jobs (state);"
    "CREATE TABLE job_keys ("
    " feed_type text NOT NULL, unique_value text NOT NULL,"
    " rule_name text NOT NULL, job text NOT NULL,"
    " created_ms bigint NOT NULL,"
    " PRIMARY KEY (feed_type, unique_value, rule_name));"
    "CREATE TABLE results ("
    " seq bigserial,"
    " job text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    " task integer NOT NULL, entity text NOT NULL, action text,"
    " state text NOT NULL, outcome text NOT NULL, exit_status integer,"
    " signal text, duration_ms bigint NOT NULL, stdout bytea,"
    " stderr bytea, truncated boolean NOT NULL, error text,"
    " finished_ms bigint NOT NULL,"
    " PRIMARY KEY (job, task, entity));",
    /* 2: who asked (GET /v1/jobs shows clients their own; issue 11). */
    "ALTER TABLE jobs ADD COLUMN requestor text;"
    "CREATE INDEX jobs_requestor ON jobs (requestor, state);",
    /* 3: guardrails (jobs_pg_guard.c). */
    "ALTER TABLE jobs ADD COLUMN detail text, ADD COLUMN approver text,"
    " ADD COLUMN verify_state text, ADD COLUMN verify_deadline_ms bigint,"
    " ADD COLUMN verify_next_ms bigint;"
    "CREATE INDEX jobs_created ON jobs (created_ms, state);"
    "CREATE INDEX jobs_verify ON jobs (verify_next_ms)"
    " WHERE verify_state = 'pending';"
    "CREATE TABLE job_entities ("
    " job text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    " rule_name text NOT NULL, entity text NOT NULL,"
    " created_ms bigint NOT NULL, PRIMARY KEY (job, entity));"
    "CREATE INDEX job_entities_runs ON job_entities"
    " (rule_name, entity, created_ms);",
    /* 4: a verification check claimed by a replica that then stopped is
     * taken up again once its claim expires (pg_claim_verify). */
    "CREATE INDEX jobs_verify_checking ON jobs (verify_next_ms)"
    " WHERE verify_state = 'checking';",
};
#define SCHEMA_VERSION  ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* ---- the ids this replica holds (renewed by the heartbeat) ---- */

static void
held_add(struct jobs_pg *jp, const char *id)
{
    pthread_mutex_lock(&jp->held_lock);
    jp->held = xreallocarray(jp->held, jp->nheld + 1, sizeof(*jp->held));
    snprintf(jp->held[jp->nheld++], JOB_ID_LEN, "%s", id);
    pthread_mutex_unlock(&jp->held_lock);
}

static void
held_remove(struct jobs_pg *jp, const char *id)
{
    size_t i;

    pthread_mutex_lock(&jp->held_lock);
    for (i = 0; i < jp->nheld; i++) {
        if (strcmp(jp->held[i], id) == 0) {
            memmove(jp->held[i], jp->held[jp->nheld - 1], JOB_ID_LEN);
            jp->nheld--;
            break;
        }
    }
    pthread_mutex_unlock(&jp->held_lock);
}

/* The held ids as a PostgreSQL array literal ("{a,b}"). Caller frees. */
static char *
held_array(struct jobs_pg *jp)
{
    char *s;
    size_t i, off = 0;

    pthread_mutex_lock(&jp->held_lock);
    s = xmalloc(jp->nheld * JOB_ID_LEN + 3);
    s[off++] = '{';
    for (i = 0; i < jp->nheld; i++) {
        if (i > 0)
            s[off++] = ',';
        memcpy(s + off, jp->held[i], JOB_ID_LEN - 1);
        off += JOB_ID_LEN - 1;
    }
    s[off++] = '}';
    s[off] = '\0';
    pthread_mutex_unlock(&jp->held_lock);
    return s;
}

/* ---- schema ---- */

static int
migrate(PGconn *c, char *err, size_t errlen)
{
    PGresult *res = NULL;
    char ver[JOBS_PG_NUM_LEN];
    const char *v[1] = { ver }, *errstr;
    uint64_t have;
    int i, rc = -1;

    if (jobs_pg_conn_exec(c, "BEGIN", err, errlen) == -1)
        return -1;
    if (jobs_pg_conn_exec(c, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")",
        err, errlen) == -1 ||
        jobs_pg_conn_exec(c, "CREATE TABLE IF NOT EXISTS schema_version ("
        "version integer NOT NULL, applied timestamptz NOT NULL "
        "DEFAULT now())", err, errlen) == -1 ||
        (res = jobs_pg_conn_query(c, "SELECT coalesce(max(version), 0) FROM "
        "schema_version", 0, NULL, NULL, NULL, err, errlen)) == NULL)
        goto out;
    if (str_to_u64(PQgetvalue(res, 0, 0), 0, INT32_MAX, &have,
        &errstr) == -1) {
        snprintf(err, errlen, "job store: schema_version: %s", errstr);
        goto out;
    }
    if (have > SCHEMA_VERSION) {
        snprintf(err, errlen, "job store: schema version %llu is newer "
            "than this daemon's (%d): upgrade the daemon",
            (unsigned long long)have, SCHEMA_VERSION);
        goto out;
    }
    for (i = (int)have; i < SCHEMA_VERSION; i++) {
        jobs_pg_i64s(ver, i + 1);
        PQclear(res);
        res = NULL;
        if (jobs_pg_conn_exec(c, migrations[i], err, errlen) == -1 ||
            (res = jobs_pg_conn_query(c, "INSERT INTO schema_version (version) "
            "VALUES ($1)", 1, v, NULL, NULL, err, errlen)) == NULL)
            goto out;
    }
    rc = jobs_pg_conn_exec(c, "COMMIT", err, errlen);
out:
    PQclear(res);
    if (rc == -1)
        PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}

/* ---- creation with dedup ---- */

struct create_arg {
    const struct job_new   *jn;
    char                    newid[JOB_ID_LEN];  /* the same on a retry */
    char                   *id;
    bool                   *dup;
};

/* The job columns and the key row in one statement (one round trip, its
 * own transaction): the key row is taken (inserted, or renewed when its
 * job is older than the window) and the job inserted from it. No row back
 * means the key was taken within the window. The job id is ours, chosen
 * before the first try, so a retry after a lost answer finds its own job
 * (and a window of 0 inserts ON CONFLICT (id) DO NOTHING). */
#define CREATE_KEYED "WITH k AS (INSERT INTO job_keys (feed_type, " \
    "unique_value, rule_name, job, created_ms) VALUES ($2, $3, $4, $1, " \
    "$9::bigint) ON CONFLICT (feed_type, unique_value, rule_name) DO " \
    "UPDATE SET job = EXCLUDED.job, created_ms = EXCLUDED.created_ms " \
    "WHERE job_keys.created_ms < $11::bigint RETURNING job) " \
    "INSERT INTO jobs (id, feed_type, unique_value, rule_name, id_key, " \
    "alert_id, envelope, rule_json, state, created_ms, requestor) " \
    "SELECT k.job, $2, $3, $4, $5, $6, $7, $8, 'queued', $9::bigint, $10 " \
    "FROM k RETURNING id"
#define CREATE_PLAIN "INSERT INTO jobs (id, feed_type, unique_value, " \
    "rule_name, id_key, alert_id, envelope, rule_json, state, created_ms, " \
    "requestor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', " \
    "$9::bigint, $10) ON CONFLICT (id) DO NOTHING RETURNING id"

/* The key's row, when a job for it was created within the window: *found
 * and its job id into id. Either way the key row now points at the new
 * id when none was within the window. One statement, so two replicas
 * racing on the same key are serialised by its primary key. */
int
jobs_pg_claim_key(PGconn *c, const struct job_new *jn, uint64_t now,
    const char *newid, char *id, bool *found, char *err, size_t errlen)
{
    char nowbuf[JOBS_PG_NUM_LEN], cut[JOBS_PG_NUM_LEN];
    const char *v[6] = { jn->feed_type, jn->unique_value, jn->rule_name,
        newid, nowbuf, cut };
    PGresult *res;

    jobs_pg_u64s(nowbuf, now);
    jobs_pg_u64s(cut, now - (jn->window_ms < now ? jn->window_ms : now));
    if ((res = jobs_pg_conn_query(c, "INSERT INTO job_keys (feed_type, "
        "unique_value, rule_name, job, created_ms) VALUES ($1, $2, $3, $4, "
        "$5) ON CONFLICT (feed_type, unique_value, rule_name) DO UPDATE SET "
        "job = EXCLUDED.job, created_ms = EXCLUDED.created_ms WHERE "
        "job_keys.created_ms < $6 RETURNING job", 6, v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    *found = PQntuples(res) == 0;
    PQclear(res);
    if (!*found)
        return 0;
    /* Not ours: the key was taken within the window. Its row is locked
     * by the statement above, so this reads the committed winner. */
    if ((res = jobs_pg_conn_query(c, "SELECT job FROM job_keys WHERE "
        "feed_type = $1 AND unique_value = $2 AND rule_name = $3", 3, v,
        NULL, NULL, err, errlen)) == NULL)
        return -1;
    if (PQntuples(res) != 1) {
        snprintf(err, errlen, "job store: dedup key vanished");
        PQclear(res);
        return -1;
    }
    snprintf(id, JOB_ID_LEN, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}


static int
create_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct create_arg *a = arg;
    const struct job_new *jn = a->jn;
    uint64_t now = jn->now_ms != 0 ? jn->now_ms : clock_wall_ms();
    char nowbuf[JOBS_PG_NUM_LEN], cut[JOBS_PG_NUM_LEN];
    const char *v[11] = { a->newid, jn->feed_type, jn->unique_value,
        jn->rule_name, jn->id_key, jn->alert_id, jn->envelope,
        jn->rule_json, nowbuf, jn->requestor, cut };
    PGresult *res;
    bool made;

    (void)jp;
    (void)unsafe;
    *a->dup = false;
    jobs_pg_u64s(nowbuf, now);
    jobs_pg_u64s(cut, now - (jn->window_ms < now ? jn->window_ms : now));
    if ((res = jobs_pg_conn_query(c, jn->window_ms > 0 ? CREATE_KEYED :
        CREATE_PLAIN, jn->window_ms > 0 ? 11 : 10, v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    made = PQntuples(res) == 1;
    PQclear(res);
    snprintf(a->id, JOB_ID_LEN, "%s", a->newid);
    if (made || jn->window_ms == 0)
        return 0;
    /* The key was taken within the window: by the job it names. The
     * statement above waited for a racing replica's commit, so this reads
     * the winner. */
    if ((res = jobs_pg_conn_query(c, "SELECT job FROM job_keys WHERE "
        "feed_type = $1 AND unique_value = $2 AND rule_name = $3", 3, v + 1,
        NULL, NULL, err, errlen)) == NULL)
        return -1;
    if (PQntuples(res) != 1) {
        snprintf(err, errlen, "job store: dedup key vanished");
        PQclear(res);
        return -1;
    }
    snprintf(a->id, JOB_ID_LEN, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    /* Our own id: an earlier try committed and its answer was lost. */
    *a->dup = strcmp(a->id, a->newid) != 0;
    return 0;
}

static int
pg_create(void *impl, const struct job_new *jn, char id[JOB_ID_LEN],
    bool *dup, char *err, size_t errlen)
{
    struct create_arg a = { .jn = jn, .id = id, .dup = dup };

    if (jobs_new_id(a.newid, err, errlen) == -1)
        return -1;
    return jobs_pg_conn_run(impl, create_fn, &a, err, errlen);
}

/* ---- claims and leases ---- */

struct claim_arg {
    const char     *sql;
    int             nparams;    /* of holder, lease, now */
    struct job     *out;
    bool            got;
};

static int
claim_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct claim_arg *a = arg;
    char nowbuf[JOBS_PG_NUM_LEN], lease[JOBS_PG_NUM_LEN];
    const char *v[3] = { jp->holder, lease, nowbuf };
    PGresult *res;

    (void)unsafe;
    jobs_pg_u64s(nowbuf, clock_wall_ms());
    jobs_pg_u64s(lease, jp->lease_ms);
    if ((res = jobs_pg_conn_query(c, a->sql, a->nparams, v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    a->got = PQntuples(res) == 1;
    if (a->got)
        jobs_pg_read_load_job(res, 0, a->out);
    PQclear(res);
    return a->got ? 1 : 0;
}

static int
claim(struct jobs_pg *jp, const char *sql, int nparams, struct job *out,
    char *err, size_t errlen)
{
    struct claim_arg a = { .sql = sql, .nparams = nparams, .out = out };
    int rc;

    rc = jobs_pg_conn_run(jp, claim_fn, &a, err, errlen);
    if (rc == 1)
        held_add(jp, out->id);
    return rc;
}

#define LEASE_SET "holder = $1, lease_until = now() + $2::bigint * " \
    "interval '1 millisecond'"

static int
pg_claim(void *impl, struct job *out, char *err, size_t errlen)
{
    return claim(impl, "UPDATE jobs SET state = 'running', started_ms = "
        "$3::bigint, " LEASE_SET " WHERE seq = (SELECT seq FROM jobs WHERE "
        "state = 'queued' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING " JOB_COLUMNS, 3, out, err, errlen);
}

static int
pg_claim_report(void *impl, struct job *out, char *err, size_t errlen)
{
    return claim(impl, "UPDATE jobs SET report_state = 'sending', "
        LEASE_SET " WHERE seq = (SELECT seq FROM jobs WHERE report_state = "
        "'pending' AND state NOT IN ('queued', 'running') ORDER BY seq "
        "LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " JOB_COLUMNS, 2,
        out, err, errlen);
}

/* Interrupt the running jobs whose lease expired (or, at start-up, that
 * this replica's id held before a restart), calling fn on each, and give
 * stale "sending" reports back. *n receives the count. */
static int
sweep(struct jobs_pg *jp, PGconn *c, const char *reason, bool mine,
    job_fn fn, void *arg, size_t *n, char *err, size_t errlen)
{
    char nowbuf[JOBS_PG_NUM_LEN];
    const char *v[3] = { reason, nowbuf, mine ? jp->holder : "" };
    PGresult *res;
    struct job j;
    int i;

    jobs_pg_u64s(nowbuf, clock_wall_ms());
    if ((res = jobs_pg_conn_query(c, "UPDATE jobs SET state = 'interrupted', "
        "reason = $1, finished_ms = $2::bigint, report_state = 'pending', "
        "lease_until = NULL WHERE state = 'running' AND (lease_until < now() "
        "OR holder = $3) RETURNING " JOB_COLUMNS, 3, v, NULL, NULL,
        err, errlen)) == NULL)
        return -1;
    *n = (size_t)PQntuples(res);
    for (i = 0; fn != NULL && i < PQntuples(res); i++) {
        jobs_pg_read_load_job(res, i, &j);
        /* fn sees the job as it was (jobs.h), RETURNING gives the new. */
        free(j.state);
        j.state = xstrdup("running");
        fn(arg, &j);
        jobs_job_free(&j);
    }
    PQclear(res);
    res = jobs_pg_conn_query(c, "UPDATE jobs SET report_state = 'pending', "
        "lease_until = NULL WHERE report_state = 'sending' AND "
        "(lease_until < now() OR holder = $1)", 1, v + 2, NULL, NULL, err,
        errlen);
    PQclear(res);
    return res != NULL ? 0 : -1;
}

static int
recover_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe,
    char *err, size_t errlen)
{
    struct jobs_recover_arg *a = arg;

    (void)unsafe;
    if (jobs_pg_conn_exec(c, "BEGIN", err, errlen) == -1)
        return -1;
    if (sweep(jp, c, a->reason, true, a->fn, a->arg, a->n, err,
        errlen) == -1) {
        PQclear(PQexec(c, "ROLLBACK"));
        return -1;
    }
    return jobs_pg_conn_exec(c, "COMMIT", err, errlen);
}

static int
pg_recover(void *impl, const char *reason, job_fn fn, void *arg,
    size_t *n, char *err, size_t errlen)
{
    struct jobs_recover_arg a = { reason, fn, arg, n };

    *n = 0;
    return jobs_pg_conn_run(impl, recover_fn, &a, err, errlen);
}

static void
log_swept(void *arg, const struct job *j)
{
    (void)arg;
    log_event(LOG_WARN, "job_interrupted", KV_STR("job", j->id),
        KV_STR(j->id_key, j->alert_id), KV_STR("rule_name", j->rule_name),
        KV_STR("reason", LEASE_REASON));
}

/* One heartbeat: renew this replica's leases, then interrupt what others
 * left behind. On its own connection, so a slow request never delays it. */
static void
beat(struct jobs_pg *jp)
{
    char err[ALEXIS_ERR_MAX], lease[JOBS_PG_NUM_LEN], *ids;
    const char *v[3];
    PGresult *res;
    size_t n;

    if (jobs_pg_conn_ensure(jp, &jp->hb_conn, err, sizeof(err)) == -1)
        goto down;
    ids = held_array(jp);
    jobs_pg_u64s(lease, jp->lease_ms);
    v[0] = jp->holder;
    v[1] = lease;
    v[2] = ids;
    res = jobs_pg_conn_query(jp->hb_conn,
        "UPDATE jobs SET lease_until = now() + "
        "$2::bigint * interval '1 millisecond' WHERE holder = $1 AND "
        "id = ANY ($3::text[]) AND (state = 'running' OR "
        "report_state = 'sending')", 3, v, NULL, NULL, err, sizeof(err));
    free(ids);
    if (res == NULL)
        goto down;
    PQclear(res);
    if (sweep(jp, jp->hb_conn, LEASE_REASON, false, log_swept, NULL, &n,
        err, sizeof(err)) == -1)
        goto down;
    if (jp->hb_down)
        log_event(LOG_INFO, "job_store_reconnected",
            KV_STR("holder", jp->holder));
    jp->hb_down = false;
    return;
down:
    if (!jp->hb_down)
        log_event(LOG_ERROR, "job_store_unreachable", KV_ERR(err));
    jp->hb_down = true;
}

static void *
heartbeat(void *arg)
{
    struct jobs_pg *jp = arg;
    struct timespec until;
    uint64_t every = jp->lease_ms / 3;

    /* The first beat one period after start: jobs_recover has just done
     * what it would. */
    pthread_mutex_lock(&jp->hb_lock);
    for (;;) {
        clock_deadline(CLOCK_REALTIME, every, &until);
        while (!jp->hb_stop && pthread_cond_timedwait(&jp->hb_cond,
            &jp->hb_lock, &until) != ETIMEDOUT)
            ;
        if (jp->hb_stop)
            break;
        pthread_mutex_unlock(&jp->hb_lock);
        beat(jp);
        pthread_mutex_lock(&jp->hb_lock);
    }
    pthread_mutex_unlock(&jp->hb_lock);
    return NULL;
}

/* ---- the holder's writes ---- */

struct write_arg {
    const char                 *id;
    const struct job_result    *r;
    const char                 *state;
    const char                 *reason;
    bool                        sent;
    const char                 *error;
    int                         attempts;
    int                         tries;
};

/* A conditional write changed no row: either an earlier try of ours
 * committed and its answer was lost (sql finds it), or the lease is gone
 * (another replica interrupted the job): then nothing is written, on
 * purpose, and retrying cannot change that, so it is logged and counts as
 * done. */
static int
lost_or_done(PGconn *c, const char *sql, int n, const char *const *v,
    char *err, size_t errlen)
{
    PGresult *res;
    bool done;

    if ((res = jobs_pg_conn_query(c, sql, n, v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    done = PQntuples(res) > 0;
    PQclear(res);
    if (!done)
        log_event(LOG_WARN, "job_write_refused", KV_STR("job", v[0]),
            KV_STR("reason", "lease lost: another replica interrupted the "
            "job; nothing written"));
    return 0;
}

static int
result_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct write_arg *a = arg;
    const struct job_result *r = a->r;
    char task[JOBS_PG_NUM_LEN], exit_status[JOBS_PG_NUM_LEN];
    char dur[JOBS_PG_NUM_LEN], now[JOBS_PG_NUM_LEN];
    const char *v[15] = { a->id, task, r->entity, r->action, r->state,
        r->outcome, r->exit_status >= 0 ? exit_status : NULL,
        r->signal != NULL && r->signal[0] != '\0' ? r->signal : NULL, dur,
        r->out != NULL ? r->out : "", r->err != NULL ? r->err : "",
        r->truncated ? "t" : "f",
        r->error != NULL && r->error[0] != '\0' ? r->error : NULL, now,
        jp->holder };
    int lens[15] = { 0 }, fmts[15] = { 0 };
    PGresult *res;
    bool wrote;

    (void)unsafe;
    jobs_pg_i64s(task, r->task);
    jobs_pg_i64s(exit_status, r->exit_status);
    jobs_pg_u64s(dur, r->duration_ms);
    jobs_pg_u64s(now, clock_wall_ms());
    lens[9] = (int)r->out_len;
    lens[10] = (int)r->err_len;
    fmts[9] = fmts[10] = 1;     /* bytes as they are: output is binary */
    a->tries++;
    if ((res = jobs_pg_conn_query(c, "INSERT INTO results (job, task, entity, "
        "action, state, outcome, exit_status, signal, duration_ms, stdout, "
        "stderr, truncated, error, finished_ms) SELECT $1, $2::integer, $3, "
        "$4, $5, $6, $7::integer, $8, $9::bigint, $10::bytea, $11::bytea, "
        "$12::boolean, $13, $14::bigint WHERE EXISTS (SELECT 1 FROM jobs "
        "WHERE id = $1 AND state = 'running' AND holder = $15) "
        "ON CONFLICT DO NOTHING RETURNING 1", 15, v, lens, fmts, err,
        errlen)) == NULL)
        return -1;
    wrote = PQntuples(res) == 1;
    PQclear(res);
    if (wrote)
        return 0;
    return lost_or_done(c, "SELECT 1 FROM results WHERE job = $1 AND "
        "task = $2::integer AND entity = $3", 3, v, err, errlen);
}

static int
pg_result_add(void *impl, const char *id, const struct job_result *r,
    char *err, size_t errlen)
{
    struct write_arg a = { .id = id, .r = r };

    return jobs_pg_conn_run_holder(impl, result_fn, &a, err, errlen);
}

static int
finish_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct write_arg *a = arg;
    char now[JOBS_PG_NUM_LEN];
    const char *v[5] = { a->id, a->state, a->reason, now, jp->holder };
    PGresult *res;
    bool wrote;

    (void)unsafe;
    jobs_pg_u64s(now, clock_wall_ms());
    if ((res = jobs_pg_conn_query(c, "UPDATE jobs SET state = $2, reason = $3, "
        "finished_ms = $4::bigint, lease_until = NULL WHERE id = $1 AND "
        "state = 'running' AND holder = $5 RETURNING 1", 5, v, NULL, NULL,
        err, errlen)) == NULL)
        return -1;
    wrote = PQntuples(res) == 1;
    PQclear(res);
    if (wrote)
        return 0;
    v[2] = jp->holder;
    return lost_or_done(c, "SELECT 1 FROM jobs WHERE id = $1 AND "
        "state = $2 AND holder = $3", 3, v, err, errlen);
}

static int
pg_finish(void *impl, const char *id, const char *state, const char *reason,
    char *err, size_t errlen)
{
    struct write_arg a = { .id = id, .state = state, .reason = reason };
    int rc;

    /* Still held while the write waits (jobs_defer_finish): its lease
     * stays renewed, so no replica interrupts a job that did finish. */
    if ((rc = jobs_pg_conn_run_holder(impl, finish_fn, &a, err, errlen)) == 0)
        held_remove(impl, id);
    return rc;
}

static int
report_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct write_arg *a = arg;
    char attempts[JOBS_PG_NUM_LEN];
    const char *v[5] = { a->id, a->sent ? "sent" : "failed",
        a->error != NULL && a->error[0] != '\0' ? a->error : NULL, attempts,
        jp->holder };
    PGresult *res;
    bool wrote;

    (void)unsafe;
    jobs_pg_i64s(attempts, a->attempts);
    if ((res = jobs_pg_conn_query(c, "UPDATE jobs SET report_state = $2, "
        "report_error = $3, report_attempts = $4::integer, lease_until = "
        "NULL WHERE id = $1 AND report_state = 'sending' AND holder = $5 "
        "RETURNING 1", 5, v, NULL, NULL, err, errlen)) == NULL)
        return -1;
    wrote = PQntuples(res) == 1;
    PQclear(res);
    if (wrote)
        return 0;
    v[2] = jp->holder;
    /* A report made pending again meanwhile (a job approved or rejected
     * while its approval request was being sent) is not a lost lease. */
    return lost_or_done(c, "SELECT 1 FROM jobs WHERE id = $1 AND "
        "report_state IN ($2, 'pending') AND holder = $3", 3, v, err,
        errlen);
}

static int
pg_report_done(void *impl, const char *id, bool sent, const char *error,
    int attempts, char *err, size_t errlen)
{
    struct write_arg a = { .id = id, .sent = sent, .error = error,
        .attempts = attempts };
    int rc;

    if ((rc = jobs_pg_conn_run_holder(impl, report_fn, &a, err, errlen)) == 0)
        held_remove(impl, id);
    return rc;
}

/* ---- retention ---- */

struct prune_arg {
    uint64_t    before_ms;
    size_t     *n;
};

static int
prune_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct prune_arg *a = arg;
    char before[JOBS_PG_NUM_LEN];
    const char *v[1] = { before }, *errstr;
    uint64_t deleted;
    PGresult *res;

    (void)jp;
    (void)unsafe;
    jobs_pg_u64s(before, a->before_ms);
    /* Results go with their job (ON DELETE CASCADE). */
    if ((res = jobs_pg_conn_query(c, "DELETE FROM jobs WHERE state NOT IN "
        "('queued', 'running') AND report_state IN ('sent', 'failed') AND "
        "finished_ms < $1::bigint", 1, v, NULL, NULL, err, errlen)) == NULL)
        return -1;
    if (str_to_u64(PQcmdTuples(res), 0, UINT64_MAX, &deleted,
        &errstr) == 0)
        *a->n = (size_t)deleted;
    PQclear(res);
    res = jobs_pg_conn_query(c, "DELETE FROM job_keys WHERE created_ms < "
        "$1::bigint", 1, v, NULL, NULL, err, errlen);
    PQclear(res);
    return res != NULL ? 0 : -1;
}

static int
pg_prune(void *impl, uint64_t before_ms, size_t *n, char *err,
    size_t errlen)
{
    struct prune_arg a = { before_ms, n };

    *n = 0;
    return jobs_pg_conn_run(impl, prune_fn, &a, err, errlen);
}

/* ---- lifecycle ---- */

static void
pg_close(void *impl)
{
    struct jobs_pg *jp = impl;
    size_t i;

    if (jp == NULL)
        return;
    if (jp->hb_started) {
        pthread_mutex_lock(&jp->hb_lock);
        jp->hb_stop = true;
        pthread_cond_broadcast(&jp->hb_cond);
        pthread_mutex_unlock(&jp->hb_lock);
        pthread_join(jp->hb, NULL);
    }
    PQfinish(jp->conn);
    PQfinish(jp->hb_conn);
    for (i = 0; jp->keys != NULL && jp->keys[i] != NULL; i++) {
        if (jp->vals[i] != NULL)
            explicit_bzero(jp->vals[i], strlen(jp->vals[i]));
        free(jp->keys[i]);
        free(jp->vals[i]);
    }
    free(jp->keys);
    free(jp->vals);
    free(jp->held);
    pthread_mutex_destroy(&jp->lock);
    pthread_mutex_destroy(&jp->held_lock);
    pthread_mutex_destroy(&jp->hb_lock);
    pthread_cond_destroy(&jp->hb_cond);
    free(jp);
}

static const struct jobs_ops pg_ops = {
    .close = pg_close,
    .create = pg_create,
    .recover = pg_recover,
    .claim = pg_claim,
    .claim_report = pg_claim_report,
    .result_add = pg_result_add,
    .finish = pg_finish,
    .report_done = pg_report_done,
    .results = jobs_pg_read_results,
    .get_json = jobs_pg_read_get,
    .list_json = jobs_pg_read_list,
    .stats_json = jobs_pg_read_stats,
    .query_json = jobs_pg_read_query,
    .prune = pg_prune,
    .count_unfinished = jobs_pg_read_count_unfinished,
    .poll_ms = AH_PG_POLL_MS,
    .guard = &jobs_pg_guard_ops,
};

/* Connection keywords: ours first, so the URI (expanded in place of
 * dbname) overrides them, and the password file's last. */
static void
set_params(struct jobs_pg *jp, const struct jobs_pg_opts *o)
{
    static const char *const defaults[][2] = {
        { "application_name", "alexis-action-handler" },
        { "connect_timeout", AH_PG_CONNECT_TIMEOUT_S },
        { "keepalives", "1" },
        { "keepalives_idle", "5" },
        { "keepalives_interval", "2" },
        { "keepalives_count", "3" },
        { "tcp_user_timeout", AH_PG_TCP_TIMEOUT_MS },
        { "options", "-c statement_timeout=" AH_PG_STATEMENT_TIMEOUT_MS },
    };
    size_t nd = sizeof(defaults) / sizeof(defaults[0]), i, n = 0;

    jp->keys = xcalloc(nd + 3, sizeof(char *));
    jp->vals = xcalloc(nd + 3, sizeof(char *));
    for (i = 0; i < nd; i++) {
        jp->keys[n] = xstrdup(defaults[i][0]);
        jp->vals[n++] = xstrdup(defaults[i][1]);
    }
    jp->keys[n] = xstrdup("dbname");
    jp->vals[n++] = xstrdup(o->uri);
    if (o->password != NULL) {
        jp->keys[n] = xstrdup("password");
        jp->vals[n++] = xstrdup(o->password);
    }
}

int
jobs_pg_attach(struct jobs *js, const struct jobs_pg_opts *o, char *err,
    size_t errlen)
{
    struct jobs_pg *jp;

    jp = xcalloc(1, sizeof(*jp));
    pthread_mutex_init(&jp->lock, NULL);
    pthread_mutex_init(&jp->held_lock, NULL);
    pthread_mutex_init(&jp->hb_lock, NULL);
    pthread_cond_init(&jp->hb_cond, NULL);
    snprintf(jp->holder, sizeof(jp->holder), "%s", o->holder);
    jp->lease_ms = o->lease_ms;
    set_params(jp, o);
    if ((jp->conn = jobs_pg_conn_connect(jp, err, errlen)) == NULL ||
        migrate(jp->conn, err, errlen) == -1)
        goto fail;
    if (pthread_create(&jp->hb, NULL, heartbeat, jp) != 0) {
        snprintf(err, errlen, "cannot start the lease heartbeat: %s",
            strerror(errno));
        goto fail;
    }
    jp->hb_started = true;
    js->ops = &pg_ops;
    js->impl = jp;
    return 0;
fail:
    pg_close(jp);
    return -1;
}

void
jobs_pg_u64s(char out[JOBS_PG_NUM_LEN], uint64_t v)
{
    snprintf(out, JOBS_PG_NUM_LEN, "%llu", (unsigned long long)v);
}

void
jobs_pg_i64s(char out[JOBS_PG_NUM_LEN], int64_t v)
{
    snprintf(out, JOBS_PG_NUM_LEN, "%lld", (long long)v);
}

bool
jobs_pg_is(const struct jobs *js)
{
    return js->ops == &pg_ops;
}
