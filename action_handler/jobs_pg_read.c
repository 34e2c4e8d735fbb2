/*
 * Reading jobs back from the PostgreSQL store (see jobs_pg.h): result
 * rows, and the JSON of GET /v1/jobs/<id>, GET /v1/jobs and /v1/ping, in
 * the same shape as the SQLite store's (a job's summary by
 * jobs_json_summary).
 */
#include "jobs_pg_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "clock.h"
#include "jobs_int.h"
#include "jobs_json.h"
#include "jobs_pg_conn.h"
#include "jobs_pg_int.h"
#include "jobs_query.h"
#include "str.h"
#include "xmem.h"

#define ROW_COLUMNS "task, entity, action, state, outcome, exit_status, " \
    "signal, duration_ms, stdout, stderr, truncated, error"

static char *
col_dup(const PGresult *res, int i, int c)
{
    return PQgetisnull(res, i, c) ? NULL : xstrdup(PQgetvalue(res, i, c));
}

static uint64_t
col_u64(const PGresult *res, int i, int c)
{
    const char *errstr;
    uint64_t v = 0;

    if (!PQgetisnull(res, i, c) && str_to_u64(PQgetvalue(res, i, c), 0,
        UINT64_MAX, &v, &errstr) == -1)
        v = 0;
    return v;
}

void
jobs_pg_read_load_job(const PGresult *res, int i, struct job *j)
{
    memset(j, 0, sizeof(*j));
    snprintf(j->id, sizeof(j->id), "%s", PQgetvalue(res, i, 0));
    j->state = col_dup(res, i, 1);
    j->reason = col_dup(res, i, 2);
    j->rule_name = col_dup(res, i, 3);
    j->feed_type = col_dup(res, i, 4);
    j->id_key = col_dup(res, i, 5);
    j->alert_id = col_dup(res, i, 6);
    j->envelope = col_dup(res, i, 7);
    j->rule_json = col_dup(res, i, 8);
    j->detail = col_dup(res, i, 9);
    j->requestor = col_dup(res, i, 10);
    j->approver = col_dup(res, i, 11);
}

/* A bytea column (text form, hex) as raw bytes, NUL-terminated. */
static char *
bytes_dup(const PGresult *res, int i, int c, size_t *len)
{
    unsigned char *raw;
    size_t n = 0;
    char *s;

    raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, c), &n);
    if (raw == NULL)
        n = 0;
    s = xmalloc(n + 1);
    if (n > 0)
        memcpy(s, raw, n);
    s[n] = '\0';
    PQfreemem(raw);
    *len = n;
    return s;
}

static void
load_row(const PGresult *res, int i, struct job_row *r)
{
    char *s;

    memset(r, 0, sizeof(*r));
    r->task = (int)col_u64(res, i, 0);
    r->entity = col_dup(res, i, 1);
    s = col_dup(res, i, 2);
    r->action = s != NULL ? s : xstrdup("");
    r->state = col_dup(res, i, 3);
    r->outcome = col_dup(res, i, 4);
    r->exit_status = PQgetisnull(res, i, 5) ? -1 : (int)col_u64(res, i, 5);
    s = col_dup(res, i, 6);
    r->signal = s != NULL ? s : xstrdup("");
    r->duration_ms = col_u64(res, i, 7);
    r->out = bytes_dup(res, i, 8, &r->out_len);
    r->err = bytes_dup(res, i, 9, &r->err_len);
    r->truncated = strcmp(PQgetvalue(res, i, 10), "t") == 0;
    s = col_dup(res, i, 11);
    r->error = s != NULL ? s : xstrdup("");
}

struct rows_arg {
    const char         *id;
    struct job_row     *rows;
    size_t              n;
};

static int
rows_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct rows_arg *a = arg;
    const char *v[1] = { a->id };
    PGresult *res;
    int i;

    (void)jp;
    (void)unsafe;
    if ((res = jobs_pg_conn_query(c, "SELECT " ROW_COLUMNS " FROM results "
        "WHERE job = $1 ORDER BY task, seq", 1, v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    a->n = (size_t)PQntuples(res);
    a->rows = xcalloc(a->n > 0 ? a->n : 1, sizeof(*a->rows));
    for (i = 0; i < PQntuples(res); i++)
        load_row(res, i, &a->rows[i]);
    PQclear(res);
    return 0;
}

int
jobs_pg_read_results(void *impl, const char *id, struct job_row **out,
    size_t *n, char *err, size_t errlen)
{
    struct rows_arg a = { .id = id };
    int rc;

    rc = jobs_pg_conn_run(impl, rows_fn, &a, err, errlen);
    if (rc == -1) {
        jobs_json_rows_free(a.rows, a.n);
        a.rows = NULL;
        a.n = 0;
    }
    *out = a.rows;
    *n = a.n;
    return rc;
}

/* Row i of a PGresult, for jobs_json_summary. */
struct pg_row {
    const PGresult *res;
    int             i;
};

static const char *
pg_text(void *src, int col)
{
    const struct pg_row *p = src;

    return PQgetisnull(p->res, p->i, col) ? NULL :
        PQgetvalue(p->res, p->i, col);
}

static int64_t
pg_num(void *src, int col)
{
    const struct pg_row *p = src;

    return (int64_t)col_u64(p->res, p->i, col);
}

/* Row i of a JOBS_JSON_SUMMARY_COLUMNS result. */
static cJSON *
summary_json(const PGresult *res, int i)
{
    struct pg_row p = { res, i };
    const struct jobs_json_row r = { pg_text, pg_num, &p };

    return jobs_json_summary(&r);
}

struct json_arg {
    const char *id;
    int         limit;
    cJSON      *doc;
};

static int
get_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct json_arg *a = arg;
    const char *v[1] = { a->id };
    PGresult *res;

    (void)jp;
    (void)unsafe;
    if ((res = jobs_pg_conn_query(c, "SELECT "
        JOBS_JSON_SUMMARY_COLUMNS " FROM jobs WHERE id = $1", 1, v, NULL,
        NULL, err, errlen)) == NULL)
        return -1;
    if (PQntuples(res) == 1)
        a->doc = summary_json(res, 0);
    PQclear(res);
    return 0;
}

cJSON *
jobs_pg_read_get(void *impl, const char *id, char *err, size_t errlen)
{
    struct json_arg a = { .id = id };
    struct job_row *rows;
    cJSON *arr;
    size_t n, i;

    err[0] = '\0';
    if (jobs_pg_conn_run(impl, get_fn, &a, err, errlen) == -1 || a.doc == NULL)
        return NULL;
    if (jobs_pg_read_results(impl, id, &rows, &n, err, errlen) == -1) {
        cJSON_Delete(a.doc);
        return NULL;
    }
    arr = cJSON_AddArrayToObject(a.doc, "results");
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, jobs_json_row(&rows[i]));
    jobs_json_rows_free(rows, n);
    return a.doc;
}

static int
list_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct json_arg *a = arg;
    char limit[JOBS_PG_NUM_LEN];
    const char *v[1] = { limit };
    PGresult *res;
    cJSON *arr;
    int i;

    (void)jp;
    (void)unsafe;
    jobs_pg_i64s(limit, a->limit);
    if ((res = jobs_pg_conn_query(c, "SELECT "
        JOBS_JSON_SUMMARY_COLUMNS " FROM jobs "
        "ORDER BY seq DESC LIMIT $1::integer", 1, v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    a->doc = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(a->doc, "jobs");
    for (i = 0; i < PQntuples(res); i++)
        cJSON_AddItemToArray(arr, summary_json(res, i));
    PQclear(res);
    return 0;
}

cJSON *
jobs_pg_read_list(void *impl, int limit, char *err, size_t errlen)
{
    struct json_arg a = { .limit = limit };

    if (jobs_pg_conn_run(impl, list_fn, &a, err, errlen) == -1) {
        cJSON_Delete(a.doc);
        return NULL;
    }
    return a.doc;
}

static int
stats_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct json_arg *a = arg;
    PGresult *res;
    int i;

    (void)jp;
    (void)unsafe;
    if ((res = jobs_pg_conn_query(c,
        "SELECT state, count(*) FROM jobs GROUP BY state", 0, NULL, NULL,
        NULL, err, errlen)) == NULL)
        return -1;
    a->doc = cJSON_CreateObject();
    for (i = 0; i < PQntuples(res); i++)
        cJSON_AddNumberToObject(a->doc, PQgetvalue(res, i, 0),
            (double)col_u64(res, i, 1));
    PQclear(res);
    return 0;
}

cJSON *
jobs_pg_read_stats(void *impl, char *err, size_t errlen)
{
    struct json_arg a = { 0 };

    if (jobs_pg_conn_run(impl, stats_fn, &a, err, errlen) == -1) {
        cJSON_Delete(a.doc);
        return NULL;
    }
    return a.doc;
}

struct query_arg {
    const struct jobs_query    *q;
    cJSON                      *doc;
};

static int
query_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct query_arg *a = arg;
    const struct jobs_query *q = a->q;
    char since[JOBS_PG_NUM_LEN], after[JOBS_PG_NUM_LEN];
    char limit[JOBS_PG_NUM_LEN], cursor[JOBS_CURSOR_LEN];
    const char *v[7] = { q->state, q->rule, q->alert,
        q->has_since ? since : NULL, q->after_seq > 0 ? after : NULL,
        limit, q->requestor };
    PGresult *res;
    cJSON *arr;
    int i, n;

    (void)jp;
    (void)unsafe;
    jobs_pg_i64s(since, q->since_ms);
    jobs_pg_i64s(after, q->after_seq);
    jobs_pg_i64s(limit, q->limit + 1);
    /* One row more than the page says whether another page follows. */
    if ((res = jobs_pg_conn_query(c,
        "SELECT " JOBS_JSON_SUMMARY_COLUMNS ", seq FROM jobs "
        "WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR "
        "rule_name = $2) AND ($3::text IS NULL OR unique_value = $3) AND "
        "($4::bigint IS NULL OR created_ms >= $4) AND ($5::bigint IS NULL "
        "OR seq < $5) AND ($7::text IS NULL OR requestor = $7) ORDER BY seq "
        "DESC LIMIT $6::integer", 7, v, NULL, NULL, err, errlen)) == NULL)
        return -1;
    a->doc = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(a->doc, "jobs");
    n = PQntuples(res) < q->limit ? PQntuples(res) : q->limit;
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, summary_json(res, i));
    if (PQntuples(res) > q->limit && n > 0) {
        jobs_query_cursor((int64_t)col_u64(res, n - 1,
            JOBS_JSON_SUMMARY_NCOLS), cursor);
        cJSON_AddStringToObject(a->doc, "next_cursor", cursor);
    } else {
        cJSON_AddNullToObject(a->doc, "next_cursor");
    }
    PQclear(res);
    return 0;
}

cJSON *
jobs_pg_read_query(void *impl, const struct jobs_query *q, char *err,
    size_t errlen)
{
    struct query_arg a = { .q = q };

    if (jobs_pg_conn_run(impl, query_fn, &a, err, errlen) == -1) {
        cJSON_Delete(a.doc);
        return NULL;
    }
    return a.doc;
}

struct count_arg {
    const char *requestor;
    uint64_t   *queued, *mine;
};

static int
count_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct count_arg *a = arg;
    const char *v[1] = { a->requestor };
    PGresult *res;

    (void)jp;
    (void)unsafe;
    if ((res = jobs_pg_conn_query(c, "SELECT (SELECT count(*) FROM jobs WHERE "
        "state = 'queued'), (SELECT count(*) FROM jobs WHERE requestor = "
        "$1 AND state IN ('queued', 'running'))", 1, v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    *a->queued = col_u64(res, 0, 0);
    *a->mine = col_u64(res, 0, 1);
    PQclear(res);
    return 0;
}

int
jobs_pg_read_count_unfinished(void *impl, const char *requestor,
    uint64_t *queued, uint64_t *mine, char *err, size_t errlen)
{
    struct count_arg a = { requestor, queued, mine };

    *queued = *mine = 0;
    return jobs_pg_conn_run(impl, count_fn, &a, err, errlen);
}
