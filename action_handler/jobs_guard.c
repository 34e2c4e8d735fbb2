/*
 * The job store's guardrail operations (see jobs.h): counts answered by
 * SQL over the jobs and job_entities tables (no separate counters), state
 * transitions for approve/reject/cancel, and the verification schedule.
 * Every function takes the store's lock, except the steps that
 * jobs_guard_create passes into jobs_create_tx's transaction.
 */
#include "jobs_guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "clock.h"
#include "guard.h"
#include "jobs.h"
#include "jobs_int.h"

/* No bound: the public counts count everything. */
#define COUNT_ALL   INT64_MAX

#define OPS(js) ((js)->ops != NULL ? (js)->ops->guard : NULL)
#define NO_GUARD_OPS "job store: this backend has no guardrail operations"

/* Whether g asks the store for anything beyond a plain create. */
static bool
guard_active(const struct job_guard *g)
{
    return g != NULL && (g->mode != 0 || g->max_entities > 0 ||
        g->cooldown_window_ms > 0 || g->storm_window_ms > 0);
}

/* The states of a job that was let through: it runs, ran, or will run.
 * Written "+state IN": the unary + keeps SQLite from picking the state
 * index (an equality on 100,000 finished jobs) over the time range. */
#define ADMITTED "('queued','pending_approval','running','succeeded'," \
    "'failed','partial','interrupted')"

/* A one-row, one-integer query on a cached statement, reset after. */
static int
count_of(struct jobs *js, sqlite3_stmt *st, uint64_t *n, char *err,
    size_t errlen)
{
    int rc = -1;

    if (sqlite3_step(st) == SQLITE_ROW) {
        *n = (uint64_t)sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        jobs_db_error(js, err, errlen);
    }
    sqlite3_reset(st);
    return rc;
}

/* One integer from a cached statement with up to three bound integers. */
static int
int_of(struct jobs *js, enum jobs_stmt_id id, const char *sql, int nargs,
    const int64_t *args, int64_t *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    uint64_t n;
    int i;

    if (jobs_stmt(js, id, sql, &st, err, errlen) == -1)
        return -1;
    for (i = 0; i < nargs; i++)
        sqlite3_bind_int64(st, i + 1, (sqlite3_int64)args[i]);
    if (count_of(js, st, &n, err, errlen) == -1)
        return -1;
    *out = (int64_t)n;
    return 0;
}

/*
 * The jobs admitted since `since`. Counting them walks every job of the
 * window, so the count is carried from one call to the next: minus the
 * counted jobs that fell out of the window, plus the jobs added since
 * (both are walked once each). A job leaving the admitted states, a
 * deletion, a write by another connection or a window that moved back
 * starts over from a full count.
 */
static int
admitted_locked(struct jobs *js, uint64_t since, uint64_t *n, char *err,
    size_t errlen)
{
    struct jobs_storm *c = &js->storm;
    int64_t maxseq, dv, a[3], got, gone;

    if (int_of(js, JOBS_ST_MAXSEQ, "SELECT coalesce(max(seq), 0) FROM jobs",
        0, NULL, &maxseq, err, errlen) == -1 ||
        int_of(js, JOBS_ST_DATA_VERSION, "PRAGMA data_version", 0, NULL,
        &dv, err, errlen) == -1)
        return -1;
    if (!c->valid || since < c->since || c->gen != js->storm_gen ||
        c->dv != dv || maxseq < c->maxseq) {
        c->valid = false;
        a[0] = (int64_t)since;
        if (int_of(js, JOBS_ST_ADMITTED, "SELECT count(*) FROM jobs WHERE "
            "created_ms >= ?1 AND +state IN " ADMITTED, 1, a, &got, err,
            errlen) == -1)
            return -1;
        c->n = (uint64_t)got;
    } else {
        a[0] = (int64_t)c->since;
        a[1] = (int64_t)since;
        a[2] = c->maxseq;
        if (int_of(js, JOBS_ST_EXPIRED, "SELECT count(*) FROM jobs WHERE "
            "created_ms >= ?1 AND created_ms < ?2 AND seq <= ?3 AND +state "
            "IN " ADMITTED, 3, a, &gone, err, errlen) == -1)
            return -1;
        a[0] = c->maxseq;
        a[1] = (int64_t)since;
        if (int_of(js, JOBS_ST_ADDED, "SELECT count(*) FROM jobs WHERE "
            "seq > ?1 AND +created_ms >= ?2 AND +state IN " ADMITTED, 2, a,
            &got, err, errlen) == -1)
            return -1;
        c->n = c->n - (uint64_t)gone + (uint64_t)got;
    }
    c->since = since;
    c->maxseq = maxseq;
    c->gen = js->storm_gen;
    c->dv = dv;
    c->valid = true;
    *n = c->n;
    return 0;
}

static int
entity_runs_locked(struct jobs *js, const char *rule, const char *entity,
    uint64_t since, uint64_t limit, uint64_t *n, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;

    if (jobs_stmt(js, JOBS_ST_ENTITY_RUNS, "SELECT count(*) FROM (SELECT 1 "
        "FROM job_entities e JOIN jobs j ON j.id = e.job WHERE e.rule_name = ?1 AND "
        "e.entity = ?2 AND e.created_ms >= ?3 AND +j.state IN " ADMITTED
        " LIMIT ?4)", &st, err, errlen) == -1)
        return -1;
    sqlite3_bind_text(st, 1, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, entity, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)since);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
    return count_of(js, st, n, err, errlen);
}

int
jobs_guard_count_admitted(struct jobs *js, uint64_t since, uint64_t *n,
    char *err, size_t errlen)
{
    int rc;

    if (js->ops != NULL) {
        if (OPS(js) != NULL)
            return OPS(js)->count_admitted(js->impl, since, n, err, errlen);
        snprintf(err, errlen, NO_GUARD_OPS);
        return -1;
    }
    pthread_mutex_lock(&js->lock);
    rc = admitted_locked(js, since, n, err, errlen);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

int
jobs_guard_count_entity_runs(struct jobs *js, const char *rule,
    const char *entity, uint64_t since, uint64_t *n, char *err, size_t errlen)
{
    int rc;

    if (js->ops != NULL) {
        if (OPS(js) != NULL)
            return OPS(js)->count_entity_runs(js->impl, rule, entity, since,
                n, err, errlen);
        snprintf(err, errlen, NO_GUARD_OPS);
        return -1;
    }
    pthread_mutex_lock(&js->lock);
    rc = entity_runs_locked(js, rule, entity, since, COUNT_ALL, n, err,
        errlen);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

/* Inside a create, a count only needs to reach its limit: counting
 * stops there (a passing job sees fewer rows than the limit anyway). */
struct counter_arg {
    struct jobs            *js;
    const char             *rule;
    const struct job_guard *g;
};

static int
c_admitted(void *arg, uint64_t since, uint64_t *n, char *err, size_t errlen)
{
    struct counter_arg *a = arg;

    return admitted_locked(a->js, since, n, err, errlen);
}

static int
c_entity_runs(void *arg, const char *entity, uint64_t since, uint64_t *n,
    char *err, size_t errlen)
{
    struct counter_arg *a = arg;

    return entity_runs_locked(a->js, a->rule, entity, since,
        a->g->cooldown_max_runs, n, err, errlen);
}

/* Inside jobs_create_tx: the counts and guard_decide into v. */
static int
step_decide(void *arg, struct jobs *js, uint64_t now, struct job_verdict *v,
    char *err, size_t errlen)
{
    struct counter_arg *a = arg;
    struct guard_counter cnt = { .admitted = c_admitted,
        .entity_runs = c_entity_runs, .arg = a };

    a->js = js;
    return guard_decide(a->g, now, &cnt, v, err, errlen);
}

/* Inside jobs_create_tx, after the insert: the job's entities, for later
 * cooldowns. */
static int
step_record(void *arg, struct jobs *js, const char *id, uint64_t now,
    char *err, size_t errlen)
{
    struct counter_arg *a = arg;
    const struct job_guard *g = a->g;
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc = 0;

    if (!g->resolved || g->nentities == 0)
        return 0;
    if (jobs_stmt(js, JOBS_ST_ENTITY_ADD, "INSERT OR IGNORE INTO "
        "job_entities (job, rule_name, entity, created_ms) VALUES (?1, ?2, "
        "?3, ?4)", &st, err, errlen) == -1)
        return -1;
    for (i = 0; i < g->nentities && rc == 0; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a->rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, g->entities[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
        rc = jobs_step_done(js, st, err, errlen);
    }
    sqlite3_reset(st);
    return rc;
}

int
jobs_guard_create(struct jobs *js, const struct job_new *jn,
    const struct job_guard *g, char id[JOB_ID_LEN], bool *dup,
    struct job_verdict *v, char *err, size_t errlen)
{
    struct counter_arg a = { .js = js, .rule = jn->rule_name, .g = g };
    struct jobs_create_step step = { .decide = step_decide,
        .record = step_record, .arg = &a };

    if (js->ops == NULL)
        return jobs_create_tx(js, jn, g != NULL ? &step : NULL, id, dup, v,
            err, errlen);
    memset(v, 0, sizeof(*v));
    snprintf(v->state, sizeof(v->state), "queued");
    if (OPS(js) != NULL)
        return OPS(js)->create(js->impl, jn, g, id, dup, v, err, errlen);
    if (guard_active(g)) {
        snprintf(err, errlen, "%s (the rule has guardrails)", NO_GUARD_OPS);
        return -1;
    }
    return jobs_create(js, jn, id, dup, err, errlen);
}

/* The state of job id into cur ("" when there is none). */
static int
state_of(struct jobs *js, const char *id, char cur[JOB_STATE_MAX],
    char *err, size_t errlen)
{
    struct job j;
    int rc;

    cur[0] = '\0';
    if ((rc = jobs_load_locked(js, id, &j, err, errlen)) == 1) {
        snprintf(cur, JOB_STATE_MAX, "%s", j.state);
        jobs_job_free(&j);
    }
    return rc == -1 ? -1 : 0;
}
static int
transition_tx(struct jobs *js, void *arg, char *err, size_t errlen)
{
    struct jobs_transition_arg *a = arg;
    sqlite3_stmt *st = NULL;
    int rc;

    if (state_of(js, a->id, a->cur, err, errlen) == -1)
        return -1;
    if (a->cur[0] == '\0' || !jobs_state_in(a->cur, a->from))
        return 0;
    if (jobs_prepare(js, "UPDATE jobs SET state = ?2, reason = "
        "coalesce(?3, reason), approver = coalesce(?4, approver), "
        "report_state = 'pending', finished_ms = ?5, detail = NULL "
        "WHERE id = ?1", &st,
        err, errlen) == -1)
        return -1;
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->to, -1, SQLITE_STATIC);
    if (a->reason != NULL)
        sqlite3_bind_text(st, 3, a->reason, -1, SQLITE_STATIC);
    if (a->actor != NULL)
        sqlite3_bind_text(st, 4, a->actor, -1, SQLITE_STATIC);
    if (jobs_state_final(a->to))
        sqlite3_bind_int64(st, 5, (sqlite3_int64)clock_wall_ms());
    jobs_storm_touch(js, a->to);
    rc = jobs_step_done(js, st, err, errlen);
    sqlite3_finalize(st);
    return rc == -1 ? -1 : 1;
}

int
jobs_guard_transition(struct jobs *js, const char *id, const char *const *from,
    const char *to, const char *reason, const char *actor,
    char cur[JOB_STATE_MAX], char *err, size_t errlen)
{
    struct jobs_transition_arg a = { .id = id, .from = from, .to = to,
        .reason = reason, .actor = actor, .cur = cur };
    int rc;

    if (js->ops != NULL) {
        if (OPS(js) != NULL)
            return OPS(js)->transition(js->impl, id, from, to, reason,
                actor, cur, err, errlen);
        snprintf(err, errlen, NO_GUARD_OPS);
        return -1;
    }
    if ((rc = jobs_tx(js, transition_tx, &a, err, errlen)) == 1)
        snprintf(cur, JOB_STATE_MAX, "%s", to);
    return rc;
}

int
jobs_guard_load(struct jobs *js, const char *id, struct job *out, char *err,
    size_t errlen)
{
    int rc;

    if (js->ops != NULL) {
        if (OPS(js) != NULL)
            return OPS(js)->load(js->impl, id, out, err, errlen);
        snprintf(err, errlen, NO_GUARD_OPS);
        return -1;
    }
    pthread_mutex_lock(&js->lock);
    rc = jobs_load_locked(js, id, out, err, errlen);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

/* Run one UPDATE with (id, a, b) bound as ?1, ?2 and ?3 (when used). */
static int
update3(struct jobs *js, const char *sql, const char *id, uint64_t a,
    uint64_t b, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, sql, &st, err, errlen) == -1)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)a);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, (sqlite3_int64)b);
    rc = jobs_step_done(js, st, err, errlen);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return rc;
}

int
jobs_guard_verify_start(struct jobs *js, const char *id, uint64_t deadline,
    uint64_t next, char *err, size_t errlen)
{
    if (js->ops != NULL) {
        if (OPS(js) != NULL)
            return OPS(js)->verify_start(js->impl, id, deadline, next, err,
                errlen);
        snprintf(err, errlen, NO_GUARD_OPS);
        return -1;
    }
    return update3(js, "UPDATE jobs SET verify_state = 'pending', "
        "verify_deadline_ms = ?2, verify_next_ms = ?3 WHERE id = ?1", id,
        deadline, next, err, errlen);
}

int
jobs_guard_verify_done(struct jobs *js, const char *id, int verified,
    uint64_t next, char *err, size_t errlen)
{
    if (js->ops != NULL) {
        if (OPS(js) != NULL)
            return OPS(js)->verify_done(js->impl, id, verified, next, err,
                errlen);
        snprintf(err, errlen, NO_GUARD_OPS);
        return -1;
    }
    if (verified == -1)
        return update3(js, "UPDATE jobs SET verify_state = 'pending', "
            "verify_next_ms = ?2 WHERE id = ?1", id, next, 0,
            err, errlen);
    return update3(js, "UPDATE jobs SET verify_state = CASE ?2 WHEN 1 THEN "
        "'verified' ELSE 'unverified' END, verify_next_ms = NULL WHERE "
        "id = ?1", id, (uint64_t)verified, 0, err, errlen);
}

/* A verification claim's row: JOB_COLUMNS, then the deadline into arg. */
static void
load_verify(sqlite3_stmt *st, struct job *out, void *arg)
{
    jobs_load_job(st, out);
    *(uint64_t *)arg = (uint64_t)sqlite3_column_int64(st, 12);
}

int
jobs_guard_claim_verify(struct jobs *js, uint64_t now, struct job *out,
    uint64_t *deadline, char *err, size_t errlen)
{
    if (js->ops != NULL)
        return OPS(js) != NULL ? OPS(js)->claim_verify(js->impl, now, out,
            deadline, err, errlen) : 0;
    return jobs_claim_row(js, "UPDATE jobs SET verify_state = 'checking' "
        "WHERE seq = (SELECT seq FROM jobs WHERE verify_state = 'pending' "
        "AND verify_next_ms <= ?1 ORDER BY verify_next_ms LIMIT 1) AND "
        "verify_state = 'pending' RETURNING " JOB_COLUMNS
        ", verify_deadline_ms", now, load_verify, deadline, out, err, errlen);
}

int
jobs_guard_verify_next(struct jobs *js, uint64_t *when, char *err,
    size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (js->ops != NULL)
        return OPS(js) != NULL ? OPS(js)->verify_next(js->impl, when, err,
            errlen) : 0;
    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, "SELECT min(verify_next_ms) FROM jobs WHERE "
        "verify_state = 'pending'", &st, err, errlen) == -1)
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW) {
        jobs_db_error(js, err, errlen);
    } else if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        rc = 0;
    } else {
        *when = (uint64_t)sqlite3_column_int64(st, 0);
        rc = 1;
    }
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return rc;
}
