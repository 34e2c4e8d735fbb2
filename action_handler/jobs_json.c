/*
 * Reading jobs back (see jobs.h): result rows for the ticket note, and the
 * JSON of GET /v1/jobs/<id>, GET /v1/jobs and the counts of /v1/ping.
 * Output is cleaned (text_clean) before it goes into JSON: commands print
 * anything, JSON strings must be UTF-8 without NUL.
 */
#include "jobs_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "alexis_limits.h"
#include "clock.h"
#include "jobs.h"
#include "jobs_int.h"
#include "jobs_query.h"
#include "text.h"
#include "xmem.h"

#define ROW_COLUMNS "task, entity, action, state, outcome, exit_status, " \
    "signal, duration_ms, stdout, stderr, truncated, error"

static char *
blob_dup(sqlite3_stmt *st, int i, size_t *len)
{
    const void *p = sqlite3_column_blob(st, i);
    int n = sqlite3_column_bytes(st, i);
    char *s;

    *len = n > 0 ? (size_t)n : 0;
    s = xmalloc(*len + 1);
    if (*len > 0)
        memcpy(s, p, *len);
    s[*len] = '\0';
    return s;
}

static void
load_row(sqlite3_stmt *st, struct job_row *r)
{
    char *s;

    memset(r, 0, sizeof(*r));
    r->task = sqlite3_column_int(st, 0);
    r->entity = jobs_col_dup(st, 1);
    r->action = jobs_col_dup(st, 2);
    r->state = jobs_col_dup(st, 3);
    r->outcome = jobs_col_dup(st, 4);
    r->exit_status = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 :
        sqlite3_column_int(st, 5);
    s = jobs_col_dup(st, 6);
    r->signal = s != NULL ? s : xstrdup("");
    r->duration_ms = (uint64_t)sqlite3_column_int64(st, 7);
    r->out = blob_dup(st, 8, &r->out_len);
    r->err = blob_dup(st, 9, &r->err_len);
    r->truncated = sqlite3_column_int(st, 10) != 0;
    s = jobs_col_dup(st, 11);
    r->error = s != NULL ? s : xstrdup("");
    if (r->action == NULL)
        r->action = xstrdup("");
}

int
jobs_json_results(struct jobs *js, const char *id, struct job_row **out,
    size_t *n, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct job_row *rows = NULL;
    size_t cnt = 0;
    int rc = -1, step;

    if (js->ops != NULL)
        return js->ops->results(js->impl, id, out, n, err, errlen);
    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, "SELECT " ROW_COLUMNS " FROM results WHERE "
        "job = ?1 ORDER BY task, rowid", &st, err, errlen) == -1)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        rows = xreallocarray(rows, cnt + 1, sizeof(*rows));
        load_row(st, &rows[cnt++]);
    }
    if (step != SQLITE_DONE) {
        jobs_db_error(js, err, errlen);
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    if (rc == -1) {
        jobs_json_rows_free(rows, cnt);
        rows = NULL;
        cnt = 0;
    }
    *out = rows;
    *n = cnt;
    return rc;
}

void
jobs_json_rows_free(struct job_row *r, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(r[i].entity);
        free(r[i].action);
        free(r[i].state);
        free(r[i].outcome);
        free(r[i].signal);
        free(r[i].out);
        free(r[i].err);
        free(r[i].error);
    }
    free(r);
}

cJSON *
jobs_json_row(const struct job_row *r)
{
    cJSON *o = cJSON_CreateObject();
    char *t;

    cJSON_AddNumberToObject(o, "task", r->task);
    cJSON_AddStringToObject(o, "action", r->action);
    cJSON_AddStringToObject(o, "entity", r->entity);
    cJSON_AddStringToObject(o, "state", r->state);
    cJSON_AddStringToObject(o, "outcome", r->outcome);
    if (r->exit_status >= 0)
        cJSON_AddNumberToObject(o, "exit_status", r->exit_status);
    else
        cJSON_AddNullToObject(o, "exit_status");
    if (r->signal[0] != '\0')
        cJSON_AddStringToObject(o, "signal", r->signal);
    else
        cJSON_AddNullToObject(o, "signal");
    cJSON_AddNumberToObject(o, "duration_ms", (double)r->duration_ms);
    t = text_clean(r->out, r->out_len);
    cJSON_AddStringToObject(o, "stdout", t);
    free(t);
    t = text_clean(r->err, r->err_len);
    cJSON_AddStringToObject(o, "stderr", t);
    free(t);
    cJSON_AddBoolToObject(o, "truncated", r->truncated);
    if (r->error[0] != '\0')
        cJSON_AddStringToObject(o, "error", r->error);
    else
        cJSON_AddNullToObject(o, "error");
    return o;
}

/* Column col of r as an ISO time, or JSON null when it is NULL. */
static void
add_time(cJSON *obj, const char *key, const struct jobs_json_row *r,
    int col)
{
    char iso[CLOCK_ISO_LEN];

    if (r->text(r->src, col) == NULL) {
        cJSON_AddNullToObject(obj, key);
        return;
    }
    clock_format_iso(r->num(r->src, col), iso);
    cJSON_AddStringToObject(obj, key, iso);
}

static void
add_text(cJSON *obj, const char *key, const struct jobs_json_row *r,
    int col)
{
    const char *t = r->text(r->src, col);

    if (t == NULL)
        cJSON_AddNullToObject(obj, key);
    else
        cJSON_AddStringToObject(obj, key, t);
}

/* "verified": true/false once known, null while watching or without
 * verify; "verify" the watch's own state. */
static void
add_verified(cJSON *o, const struct jobs_json_row *r, int col)
{
    const char *t = r->text(r->src, col);

    if (t == NULL) {
        cJSON_AddNullToObject(o, "verified");
        return;
    }
    if (strcmp(t, "verified") == 0)
        cJSON_AddTrueToObject(o, "verified");
    else if (strcmp(t, "unverified") == 0)
        cJSON_AddFalseToObject(o, "verified");
    else
        cJSON_AddNullToObject(o, "verified");
    cJSON_AddStringToObject(o, "verify", t);
}

cJSON *
jobs_json_summary(const struct jobs_json_row *r)
{
    cJSON *o = cJSON_CreateObject(), *rep;

    add_text(o, "job", r, 0);
    add_text(o, "state", r, 1);
    add_text(o, "rule_name", r, 3);
    add_text(o, "feed_type", r, 4);
    add_text(o, "alert_id_key", r, 5);
    add_text(o, "alert_id", r, 6);
    add_text(o, "received", r, 7);
    add_time(o, "created", r, 8);
    add_time(o, "started", r, 9);
    add_time(o, "finished", r, 10);
    add_text(o, "reason", r, 2);
    rep = cJSON_AddObjectToObject(o, "report");
    add_text(rep, "state", r, 11);
    add_text(rep, "error", r, 12);
    cJSON_AddNumberToObject(rep, "attempts", (double)r->num(r->src, 13));
    add_text(o, "requestor", r, 14);
    add_text(o, "detail", r, 15);
    add_text(o, "approver", r, 16);
    add_verified(o, r, 17);
    return o;
}

static const char *
sqlite_text(void *src, int col)
{
    return (const char *)sqlite3_column_text(src, col);
}

static int64_t
sqlite_num(void *src, int col)
{
    return sqlite3_column_int64(src, col);
}

/* One job's summary from a JOBS_JSON_SUMMARY_COLUMNS row. */
static cJSON *
summary_json(sqlite3_stmt *st)
{
    const struct jobs_json_row r = { sqlite_text, sqlite_num, st };

    return jobs_json_summary(&r);
}

static int
add_results(struct jobs *js, cJSON *job, const char *id, char *err,
    size_t errlen)
{
    struct job_row *rows;
    cJSON *arr;
    size_t n, i;

    if (jobs_json_results(js, id, &rows, &n, err, errlen) == -1)
        return -1;
    arr = cJSON_AddArrayToObject(job, "results");
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, jobs_json_row(&rows[i]));
    jobs_json_rows_free(rows, n);
    return 0;
}

cJSON *
jobs_json_get(struct jobs *js, const char *id, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    cJSON *job = NULL;
    int step;

    if (js->ops != NULL)
        return js->ops->get_json(js->impl, id, err, errlen);
    err[0] = '\0';
    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, "SELECT " JOBS_JSON_SUMMARY_COLUMNS
        " FROM jobs WHERE id = ?1", &st, err, errlen) == -1)
        goto out;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        job = summary_json(st);
    else if (step != SQLITE_DONE)
        jobs_db_error(js, err, errlen);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    if (job != NULL && add_results(js, job, id, err, errlen) == -1) {
        cJSON_Delete(job);
        job = NULL;
    }
    return job;
}

/* doc after a loop over a statement's rows that ended with step: NULL
 * (doc deleted) with the store's error when it stopped on one. */
static cJSON *
rows_done(struct jobs *js, int step, cJSON *doc, char *err, size_t errlen)
{
    if (step == SQLITE_DONE)
        return doc;
    jobs_db_error(js, err, errlen);
    cJSON_Delete(doc);
    return NULL;
}

cJSON *
jobs_json_list(struct jobs *js, int limit, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    cJSON *doc = NULL, *arr;
    int step;

    if (js->ops != NULL)
        return js->ops->list_json(js->impl, limit, err, errlen);
    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, "SELECT " JOBS_JSON_SUMMARY_COLUMNS
        " FROM jobs ORDER BY seq DESC LIMIT ?1", &st, err, errlen) == -1)
        goto out;
    sqlite3_bind_int(st, 1, limit);
    doc = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(doc, "jobs");
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, summary_json(st));
    doc = rows_done(js, step, doc, err, errlen);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return doc;
}

cJSON *
jobs_json_stats(struct jobs *js, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    cJSON *doc = NULL;
    int step;

    if (js->ops != NULL)
        return js->ops->stats_json(js->impl, err, errlen);
    pthread_mutex_lock(&js->lock);
    if (jobs_prepare(js, "SELECT state, count(*) FROM jobs GROUP BY state",
        &st, err, errlen) == -1)
        goto out;
    doc = cJSON_CreateObject();
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddNumberToObject(doc, (const char *)sqlite3_column_text(st,
            0), (double)sqlite3_column_int64(st, 1));
    doc = rows_done(js, step, doc, err, errlen);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return doc;
}

/* Bind a filter's text, or NULL (which the WHERE clause reads as "any"). */
static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v != NULL)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

cJSON *
jobs_json_query(struct jobs *js, const struct jobs_query *q, char *err,
    size_t errlen)
{
    char cursor[JOBS_CURSOR_LEN];
    sqlite3_stmt *st = NULL;
    cJSON *doc = NULL, *arr;
    int64_t last = 0;
    int step, n = 0;

    if (js->ops != NULL)
        return js->ops->query_json(js->impl, q, err, errlen);
    pthread_mutex_lock(&js->lock);
    /* One row more than the page says whether another page follows. */
    if (jobs_prepare(js, "SELECT " JOBS_JSON_SUMMARY_COLUMNS
        ", seq FROM jobs WHERE"
        " (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR rule_name = ?2)"
        " AND (?3 IS NULL OR unique_value = ?3)"
        " AND (?4 IS NULL OR created_ms >= ?4)"
        " AND (?5 IS NULL OR seq < ?5)"
        " AND (?7 IS NULL OR requestor = ?7)"
        " ORDER BY seq DESC LIMIT ?6", &st, err, errlen) == -1)
        goto out;
    bind_opt(st, 1, q->state);
    bind_opt(st, 2, q->rule);
    bind_opt(st, 3, q->alert);
    if (q->has_since)
        sqlite3_bind_int64(st, 4, q->since_ms);
    if (q->after_seq > 0)
        sqlite3_bind_int64(st, 5, q->after_seq);
    sqlite3_bind_int(st, 6, q->limit + 1);
    bind_opt(st, 7, q->requestor);
    doc = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(doc, "jobs");
    while ((step = sqlite3_step(st)) == SQLITE_ROW && n < q->limit) {
        cJSON_AddItemToArray(arr, summary_json(st));
        last = sqlite3_column_int64(st, JOBS_JSON_SUMMARY_NCOLS);
        n++;
    }
    if (step != SQLITE_DONE && step != SQLITE_ROW) {
        jobs_db_error(js, err, errlen);
        cJSON_Delete(doc);
        doc = NULL;
        goto out;
    }
    if (step == SQLITE_ROW) {
        jobs_query_cursor(last, cursor);
        cJSON_AddStringToObject(doc, "next_cursor", cursor);
    } else {
        cJSON_AddNullToObject(doc, "next_cursor");
    }
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&js->lock);
    return doc;
}
