/*
 * Reading a SQLite job store out whole (see jobs_export.h).
 */
#include "jobs_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "jobs_int.h"
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
    char **rerror)
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
}

int
jobs_export_each(struct jobs *js, jobs_export_fn fn, void *arg, size_t *n,
    char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct jobs_export e;
    char *unique, *rstate, *rerror;
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
        "report_attempts FROM jobs ORDER BY seq", &st, err, errlen);
    pthread_mutex_unlock(&js->lock);
    if (rc == -1)
        return -1;
    rc = -1;
    /* The rows of each job come through jobs_results, which takes the
     * lock itself; this statement only reads. */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        load(st, &e, &unique, &rstate, &rerror);
        rc = jobs_results(js, e.job.id, &e.rows, &e.nrows, err, errlen);
        if (rc == 0)
            rc = fn(arg, &e, err, errlen);
        jobs_rows_free(e.rows, e.nrows);
        jobs_job_free(&e.job);
        free(unique);
        free(rstate);
        free(rerror);
        if (rc == -1)
            goto out;
        (*n)++;
    }
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "job store: %s", sqlite3_errmsg(js->db));
        rc = -1;
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    return rc;
}
