/*
 * Choosing the job store backend from action_handler.job_store (DESIGN
 * §14): a path or sqlite:///path opens the embedded SQLite file (jobs.c);
 * postgresql://… (or postgres://…) connects to a PostgreSQL server shared
 * by several replicas (jobs_pg.c). Both answer the same jobs.h interface.
 */
#ifndef ALEXIS_AH_JOBS_STORE_H
#define ALEXIS_AH_JOBS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct jobs;

struct jobs_store_opts {
    const char *store;          /* path, sqlite:///path or postgresql://… */
    const char *password_file;  /* PostgreSQL password; may be NULL */
    const char *holder;         /* replica id for leases; NULL: host:pid */
    uint64_t    lease_ms;       /* PostgreSQL job lease */
};

/* True when store names a PostgreSQL server (a libpq URI). */
bool jobs_store_is_pg(const char *store);

/* The SQLite path of a store that is not PostgreSQL: store itself, or
 * what follows sqlite:// . Borrowed from store. */
const char *jobs_store_sqlite_path(const char *store);

/* Check a job_store value while the configuration loads (a cfg check):
 * a PostgreSQL URI must parse and must not carry a password. The error
 * never quotes the value. */
int jobs_store_check(const char *text, char *err, size_t errlen);

/* A form of store safe to log: for PostgreSQL user@host:port/dbname,
 * never a password. Caller frees. */
char *jobs_store_display(const char *store);

/* Open the store: SQLite (creating the file) or PostgreSQL (connecting,
 * creating or migrating the schema, starting the lease heartbeat). NULL
 * with err. Close with jobs_close. */
struct jobs *jobs_store_open(const struct jobs_store_opts *o, char *err,
    size_t errlen);

#endif
