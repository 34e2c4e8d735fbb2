/*
 * The action handler's job store (its SQLite file) as a source of runs for
 * alexis-report: every result row (one task on one entity) is the run an
 * ActionFinished log line records, with the same columns: action, entity,
 * rule, alert id, job, finish time, duration, and success or the failure
 * reason. So the tables are the same whether they come from the logs or
 * from the store. The file is opened read-only (the daemon may be
 * running; WAL lets it write meanwhile).
 */
#ifndef ALEXIS_JOBSTORE_H
#define ALEXIS_JOBSTORE_H

#include <stddef.h>

#include "agg.h"
#include "compat.h"

/* Count every result row of the store at path into a (agg_run). 0, or -1
 * with "<path>: <reason>" in err (not a readable job store). */
int jobstore_read(struct agg *a, const char *path, char *err,
    size_t errlen) ATTR_WUR;

#endif
