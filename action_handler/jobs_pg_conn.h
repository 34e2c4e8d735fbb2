/*
 * The PostgreSQL job store's connection (jobs_pg_conn.c): connecting,
 * reconnecting, queries and retried runs.
 */
#ifndef ALEXIS_AH_JOBS_PG_CONN_H
#define ALEXIS_AH_JOBS_PG_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "jobs_pg_int.h"

/* "job store: <what>: <first line of msg>" into err. */
void jobs_pg_conn_error(const char *what, const char *msg, char *err,
    size_t errlen);

/* A new connection with the kept parameters; NULL with err. */
PGconn *jobs_pg_conn_connect(const struct jobs_pg *jp, char *err,
    size_t errlen);

/* Reconnect *c when it is missing or broken. */
int jobs_pg_conn_ensure(struct jobs_pg *jp, PGconn **c, char *err,
    size_t errlen);

/* PQexecParams in text results; NULL with err unless it succeeded. */
PGresult *jobs_pg_conn_query(PGconn *c, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts, char *err,
    size_t errlen);
int jobs_pg_conn_exec(PGconn *c, const char *sql, char *err, size_t errlen);

/* True when c is gone (a failure worth a reconnect). */
bool jobs_pg_conn_broken(PGconn *c);

/* fn on the shared connection, reconnecting and retrying once when the
 * connection broke and fn left *unsafe false. */
int jobs_pg_conn_run(struct jobs_pg *jp, jobs_pg_fn fn, void *arg, char *err,
    size_t errlen);

/* fn as the lease holder's write: retried with backoff while the server
 * is unreachable (a restart, a failover), so a job that ran records its
 * result once the store is back. Bounded by AH_PG_WRITE_RETRY_MS. */
int jobs_pg_conn_run_holder(struct jobs_pg *jp, jobs_pg_fn fn, void *arg,
    char *err, size_t errlen);

#endif
