/*
 * The PostgreSQL job store's read half (jobs_pg_read.c): the jobs_ops
 * entries of the same name, and loading one job row.
 */
#ifndef ALEXIS_AH_JOBS_PG_READ_H
#define ALEXIS_AH_JOBS_PG_READ_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "jobs_pg_int.h"

/* Row i of a JOB_COLUMNS result into j (strings owned). */
void jobs_pg_read_load_job(const PGresult *res, int i, struct job *j);

/* The read half (jobs_pg_read.c): the jobs_ops entries of the same name. */
int jobs_pg_read_results(void *impl, const char *id, struct job_row **out,
    size_t *n, char *err, size_t errlen);
cJSON *jobs_pg_read_get(void *impl, const char *id, char *err,
    size_t errlen);
cJSON *jobs_pg_read_list(void *impl, int limit, char *err, size_t errlen);
cJSON *jobs_pg_read_stats(void *impl, char *err, size_t errlen);
cJSON *jobs_pg_read_query(void *impl, const struct jobs_query *q,
    char *err, size_t errlen);
int jobs_pg_read_count_unfinished(void *impl, const char *requestor,
    uint64_t *queued, uint64_t *mine, char *err, size_t errlen);

#endif
