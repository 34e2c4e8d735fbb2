/*
 * The SQLite job store's deferred writes (jobs_defer.c) and its health.
 */
#ifndef ALEXIS_AH_JOBS_DEFER_H
#define ALEXIS_AH_JOBS_DEFER_H

#include <stdbool.h>
#include <stddef.h>

#include "jobs.h"

/*
 * When a write fails (a full disk, an I/O error), what it would have
 * written is kept in memory and written later, never lost and never run
 * again (issue 11): jobs_defer_result, jobs_defer_finish and
 * jobs_defer_report copy their arguments into a queue, and jobs_defer_flush
 * writes the queue in order, stopping at the first failure. A job whose
 * final state waits in the queue stays "running" in the database, so no
 * worker claims it again and its report waits for it; a restart before the
 * flush marks it interrupted, as any crash does. Thread-safe; one flusher
 * at a time (a second caller returns at once).
 */
void jobs_defer_result(struct jobs *js, const char *id,
    const struct job_result *r);
void jobs_defer_finish(struct jobs *js, const char *id, const char *state,
    const char *reason);
void jobs_defer_report(struct jobs *js, const char *id, bool sent,
    const char *error, int attempts);
/* Returns the number of writes still waiting (0: all written). */
size_t jobs_defer_flush(struct jobs *js);

/* The store's health for /v1/ping: true when the last write succeeded and
 * no write waits; else false with the last write error in err. */
bool jobs_defer_health(struct jobs *js, char *err, size_t errlen);

#endif
