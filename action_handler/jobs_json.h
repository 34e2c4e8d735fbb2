/*
 * Reading the SQLite job store back (jobs_json.c): result rows for the
 * ticket note, and the JSON of GET /v1/jobs/<id>, GET /v1/jobs and the
 * counts of /v1/ping. The summary of one job is built here for both
 * stores (jobs_json_summary; the PostgreSQL store in jobs_pg_read.c).
 */
#ifndef ALEXIS_AH_JOBS_JSON_H
#define ALEXIS_AH_JOBS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"
#include "jobs.h"

/* The result rows of a job in task order, and within a task in the order
 * they were recorded (with "parallel" above 1, the order its entities
 * finished). *out owned by the caller: free with jobs_json_rows_free. */
int jobs_json_results(struct jobs *js, const char *id, struct job_row **out,
    size_t *n, char *err, size_t errlen) ATTR_WUR;
void jobs_json_rows_free(struct job_row *r, size_t n);

/* The job as GET /v1/jobs/<id> shows it (DESIGN §6). NULL with err; an
 * unknown id gives NULL with err "" . Caller frees with cJSON_Delete. */
cJSON *jobs_json_get(struct jobs *js, const char *id, char *err,
    size_t errlen);

/* The most recent limit jobs, newest first, without result rows. */
cJSON *jobs_json_list(struct jobs *js, int limit, char *err, size_t errlen);

/* GET /v1/jobs: the jobs matching q (jobs_query.h), newest first, without
 * result rows, as {"jobs":[...],"next_cursor":"..."|null}; next_cursor
 * is null on the last page. NULL with err on a DB error. */
cJSON *jobs_json_query(struct jobs *js, const struct jobs_query *q,
    char *err, size_t errlen);

/* The columns of a job's summary, in the order jobs_json_summary reads
 * them; both stores select these. */
#define JOBS_JSON_SUMMARY_COLUMNS "id, state, reason, rule_name, " \
    "feed_type, id_key, alert_id, unique_value, created_ms, started_ms, " \
    "finished_ms, report_state, report_error, report_attempts, " \
    "requestor, detail, approver, verify_state"
#define JOBS_JSON_SUMMARY_NCOLS 18

/* One row of a JOBS_JSON_SUMMARY_COLUMNS result, from either store: text
 * gives column col as text (NULL for SQL NULL), num as a number. */
struct jobs_json_row {
    const char *(*text)(void *src, int col);
    int64_t     (*num)(void *src, int col);
    void         *src;
};

/* The summary of one job (GET /v1/jobs, and GET /v1/jobs/<id> before its
 * result rows) from row r. Caller frees with cJSON_Delete. */
cJSON *jobs_json_summary(const struct jobs_json_row *r);

/* Counts of jobs by state, for /v1/ping. NULL with err on a DB error. */
cJSON *jobs_json_stats(struct jobs *js, char *err, size_t errlen);

#endif
