/*
 * Reading the SQLite job store back (jobs_json.c): result rows for the
 * ticket note, and the JSON of GET /v1/jobs/<id>, GET /v1/jobs and the
 * counts of /v1/ping.
 */
#ifndef ALEXIS_AH_JOBS_JSON_H
#define ALEXIS_AH_JOBS_JSON_H

#include <stddef.h>

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

/* Counts of jobs by state, for /v1/ping. NULL with err on a DB error. */
cJSON *jobs_json_stats(struct jobs *js, char *err, size_t errlen);

#endif
