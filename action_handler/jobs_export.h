/*
 * Reading a SQLite job store out whole, job by job with its results, and
 * writing each job into a PostgreSQL store, for alexis-migrate-store (moving an existing store to PostgreSQL, README
 * "Replicas on PostgreSQL").
 */
#ifndef ALEXIS_AH_JOBS_EXPORT_H
#define ALEXIS_AH_JOBS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "jobs.h"

/* One job as stored (strings owned by the exporter, valid during the
 * callback). Times are ms since the epoch, 0 when not set. */
struct jobs_export {
    struct job      job;
    const char     *unique_value;
    uint64_t        created_ms, started_ms, finished_ms;
    const char     *report_state;
    const char     *report_error;   /* may be NULL */
    int             report_attempts;
    const char     *requestor;      /* may be NULL */
    struct job_row *rows;
    size_t          nrows;
};

typedef int (*jobs_export_fn)(void *arg, const struct jobs_export *e,
    char *err, size_t errlen);

/* Call fn for every job of the SQLite store js, oldest first; stop at the
 * first -1 (its err is returned). *n receives the number of jobs seen. */
int jobs_export_each(struct jobs *js, jobs_export_fn fn, void *arg,
    size_t *n, char *err, size_t errlen) ATTR_WUR;

/* Copy one job (and its results) into the PostgreSQL store js, keeping
 * its id, state and times; a job whose id is already there is left alone
 * (*added false), so a copy can be run again. A running job arrives
 * interrupted (never re-run); the newest job of each dedup key keeps
 * deduplicating. */
int jobs_export_to_pg(struct jobs *js, const struct jobs_export *e,
    bool *added, char *err, size_t errlen) ATTR_WUR;

#endif
