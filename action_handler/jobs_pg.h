/*
 * The PostgreSQL job store (libpq): the jobs.h interface on a server that
 * several action handler replicas share (DESIGN §14). What differs from
 * SQLite is how replicas agree, all of it inside the database:
 * - dedup: a row per (feed_type, unique_value, rule_name) in job_keys,
 *   whose primary key makes two racing creations one (INSERT … ON
 *   CONFLICT DO UPDATE … WHERE the window has passed);
 * - claims: FOR UPDATE SKIP LOCKED, with a lease (holder id and expiry,
 *   database time) that a heartbeat thread renews while this replica runs
 *   the job or sends its report;
 * - a running job whose lease expired becomes interrupted (never run
 *   again), found by any replica's heartbeat;
 * - results, the final state and the report outcome are written only
 *   while this replica holds the lease (conditional statements);
 * - the schema is created and migrated by the daemon (schema_version).
 * A broken connection is reopened on the next call; the holder's writes
 * are retried until the server is back (bounded).
 */
#ifndef ALEXIS_AH_JOBS_PG_H
#define ALEXIS_AH_JOBS_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct jobs;

struct jobs_pg_opts {
    const char *uri;        /* libpq connection URI */
    const char *password;   /* may be NULL (then PGPASSFILE / ~/.pgpass) */
    const char *holder;     /* this replica's id in leases */
    uint64_t    lease_ms;
};

/* Connect, create or migrate the schema, start the heartbeat, and make js
 * (zeroed but for its lock) use PostgreSQL. Strings are copied. -1 with
 * err (never the password). */
int jobs_pg_attach(struct jobs *js, const struct jobs_pg_opts *o,
    char *err, size_t errlen) ATTR_WUR;

#endif
