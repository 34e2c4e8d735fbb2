/*
 * Moving a SQLite job store into PostgreSQL (see jobs_export.h): reading
 * it out whole, and writing each job into the PostgreSQL store.
 */
#include "jobs_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "clock.h"
#include "jobs_int.h"
#include "jobs_json.h"
#include "jobs_pg_conn.h"
#include "jobs_pg_int.h"
#include "xmem.h"

static uint64_t
col_ms(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 :
        (uint64_t)sqlite3_column_int64(st, i);
}

/* The job columns of the row into e (strings owned by e->job and the
 * caller's frees). */
static void
load(sqlite3_stmt *st, struct jobs_export *e, char **unique, char **rstate,
    char **rerror, char **requestor)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->job.id, sizeof(e->job.id), "%s",
        (const char *)sqlite3_column_text(st, 0));
    e->job.state = jobs_col_dup(st, 1);
    e->job.reason = jobs_col_dup(st, 2);
    e->job.rule_name = jobs_col_dup(st, 3);
    e->job.feed_type = jobs_col_dup(st, 4);
    e->job.id_key = jobs_col_dup(st, 5);
    e->job.alert_id = jobs_col_dup(st, 6);
    e->job.envelope = jobs_col_dup(st, 7);
    e->job.rule_json = jobs_col_dup(st, 8);
    *unique = jobs_col_dup(st, 9);
    e->unique_value = *unique;
    e->created_ms = col_ms(st, 10);
    e->started_ms = col_ms(st, 11);
    e->finished_ms = col_ms(st, 12);
    *rstate = jobs_col_dup(st, 13);
    e->report_state = *rstate;
    *rerror = jobs_col_dup(st, 14);
    e->report_error = *rerror;
    e->report_attempts = sqlite3_column_int(st, 15);
    *requestor = jobs_col_dup(st, 16);
    e->requestor = *requestor;
}

int
jobs_export_each(struct jobs *js, jobs_export_fn fn, void *arg, size_t *n,
    char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct jobs_export e;
    char *unique, *rstate, *rerror, *requestor;
    int step, rc = -1;

    *n = 0;
    if (js->ops != NULL) {
        snprintf(err, errlen, "the source is not a SQLite store");
        return -1;
    }
    pthread_mutex_lock(&js->lock);
    rc = jobs_prepare(js, "SELECT id, state, reason, rule_name, feed_type, "
        "id_key, alert_id, envelope, rule_json, unique_value, created_ms, "
        "started_ms, finished_ms, report_state, report_error, "
        "report_attempts, requestor FROM jobs ORDER BY seq", &st, err,
        errlen);
    pthread_mutex_unlock(&js->lock);
    if (rc == -1)
        return -1;
    /* The rows of each job come through jobs_json_results, which takes the
     * lock itself; this statement only reads. */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        load(st, &e, &unique, &rstate, &rerror, &requestor);
        rc = jobs_json_results(js, e.job.id, &e.rows, &e.nrows, err, errlen);
        if (rc == 0)
            rc = fn(arg, &e, err, errlen);
        jobs_json_rows_free(e.rows, e.nrows);
        jobs_job_free(&e.job);
        free(unique);
        free(rstate);
        free(rerror);
        free(requestor);
        if (rc == -1)
            goto out;
        (*n)++;
    }
    if (step != SQLITE_DONE) {
        jobs_db_error(js, err, errlen);
        rc = -1;
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}

static int
import_results(PGconn *c, const struct jobs_export *e, char *err,
    size_t errlen)
{
    char task[JOBS_PG_NUM_LEN], exit_status[JOBS_PG_NUM_LEN];
    char dur[JOBS_PG_NUM_LEN], fin[JOBS_PG_NUM_LEN];
    const struct job_row *r;
    const char *v[14];
    int lens[14] = { 0 }, fmts[14] = { 0 };
    PGresult *res;
    size_t i;

    for (i = 0; i < e->nrows; i++) {
        r = &e->rows[i];
        jobs_pg_i64s(task, r->task);
        jobs_pg_i64s(exit_status, r->exit_status);
        jobs_pg_u64s(dur, r->duration_ms);
        jobs_pg_u64s(fin, e->finished_ms != 0 ? e->finished_ms :
            e->created_ms);
        v[0] = e->job.id;
        v[1] = task;
        v[2] = r->entity;
        v[3] = r->action;
        v[4] = r->state;
        v[5] = r->outcome;
        v[6] = r->exit_status >= 0 ? exit_status : NULL;
        v[7] = r->signal[0] != '\0' ? r->signal : NULL;
        v[8] = dur;
        v[9] = r->out;
        v[10] = r->err;
        v[11] = r->truncated ? "t" : "f";
        v[12] = r->error[0] != '\0' ? r->error : NULL;
        v[13] = fin;
        lens[9] = (int)r->out_len;
        lens[10] = (int)r->err_len;
        fmts[9] = fmts[10] = 1;
        if ((res = jobs_pg_conn_query(c, "INSERT INTO results (job, task, "
            "entity, action, state, outcome, exit_status, signal, "
            "duration_ms, stdout, stderr, truncated, error, finished_ms) "
            "VALUES ($1, $2::integer, $3, $4, $5, $6, $7::integer, $8, "
            "$9::bigint, $10::bytea, $11::bytea, $12::boolean, $13, "
            "$14::bigint)", 14, v, lens, fmts, err, errlen)) == NULL)
            return -1;
        PQclear(res);
    }
    return 0;
}

struct import_arg {
    const struct jobs_export   *e;
    bool                       *added;
};

static int
import_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe,
    char *err, size_t errlen)
{
    const struct jobs_export *e = ((struct import_arg *)arg)->e;
    char cr[JOBS_PG_NUM_LEN], st[JOBS_PG_NUM_LEN], fin[JOBS_PG_NUM_LEN];
    char att[JOBS_PG_NUM_LEN];
    const char *running = strcmp(e->job.state, "running") == 0 ?
        "interrupted" : e->job.state;
    const char *v[18] = { e->job.id, e->job.feed_type, e->unique_value,
        e->job.rule_name, e->job.id_key, e->job.alert_id, e->job.envelope,
        e->job.rule_json, running, strcmp(e->job.state, "running") == 0 ?
        "moved to PostgreSQL while running; not re-run" : e->job.reason, cr,
        e->started_ms != 0 ? st : NULL, e->finished_ms != 0 ? fin : NULL,
        strcmp(e->job.state, "running") == 0 ? "pending" : e->report_state,
        e->report_error, att, jp->holder, e->requestor };
    const char *k[5] = { e->job.feed_type, e->unique_value,
        e->job.rule_name, e->job.id, cr };
    PGresult *res;

    (void)unsafe;
    jobs_pg_u64s(cr, e->created_ms);
    jobs_pg_u64s(st, e->started_ms);
    jobs_pg_u64s(fin, e->finished_ms != 0 ? e->finished_ms :
        clock_wall_ms());
    if (strcmp(e->job.state, "running") == 0)
        v[12] = fin;
    jobs_pg_i64s(att, e->report_attempts);
    if (jobs_pg_conn_exec(c, "BEGIN", err, errlen) == -1)
        return -1;
    if ((res = jobs_pg_conn_query(c, "INSERT INTO jobs (id, feed_type, "
        "unique_value, rule_name, id_key, alert_id, envelope, rule_json, "
        "state, reason, created_ms, started_ms, finished_ms, report_state, "
        "report_error, report_attempts, holder, requestor) VALUES ($1, $2, "
        "$3, $4, $5, $6, $7, $8, $9, $10, $11::bigint, $12::bigint, "
        "$13::bigint, $14, $15, $16::integer, $17, $18) ON CONFLICT (id) DO "
        "NOTHING RETURNING 1", 18, v, NULL, NULL, err, errlen)) == NULL)
        goto rollback;
    *((struct import_arg *)arg)->added = PQntuples(res) == 1;
    PQclear(res);
    if (*((struct import_arg *)arg)->added) {
        if (import_results(c, e, err, errlen) == -1)
            goto rollback;
        /* The newest job of a key keeps deduplicating after the move. */
        if ((res = jobs_pg_conn_query(c, "INSERT INTO job_keys (feed_type, "
            "unique_value, rule_name, job, created_ms) VALUES ($1, $2, $3, "
            "$4, $5::bigint) ON CONFLICT (feed_type, unique_value, "
            "rule_name) DO UPDATE SET job = EXCLUDED.job, created_ms = "
            "EXCLUDED.created_ms WHERE job_keys.created_ms < "
            "EXCLUDED.created_ms", 5, k, NULL, NULL, err, errlen)) == NULL)
            goto rollback;
        PQclear(res);
    }
    return jobs_pg_conn_exec(c, "COMMIT", err, errlen);
rollback:
    PQclear(PQexec(c, "ROLLBACK"));
    return -1;
}

int
jobs_export_to_pg(struct jobs *js, const struct jobs_export *e, bool *added,
    char *err, size_t errlen)
{
    struct import_arg a = { e, added };

    if (!jobs_pg_is(js)) {
        snprintf(err, errlen, "the destination is not a PostgreSQL store");
        return -1;
    }
    return jobs_pg_conn_run(js->impl, import_fn, &a, err, errlen);
}
