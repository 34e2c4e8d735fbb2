/*
 * The PostgreSQL store's connections (see jobs_pg.h): connecting with the
 * kept parameters, reconnecting after a server restart, running a unit of
 * work with one retry, and the lease holder's writes retried until the
 * server is back.
 */
#include "jobs_pg_conn.h"

#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "alexis_limits.h"
#include "backoff.h"
#include "clock.h"
#include "jobs_pg_int.h"

/* The first line of a libpq message, as our error. */
void
jobs_pg_conn_error(const char *what, const char *msg, char *err, size_t errlen)
{
    size_t n = strcspn(msg, "\n");

    snprintf(err, errlen, "job store: %s%s%.*s", what, *what != '\0' ?
        ": " : "", (int)n, msg);
}

static void
quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *
jobs_pg_conn_connect(const struct jobs_pg *jp, char *err, size_t errlen)
{
    PGconn *c;

    c = PQconnectdbParams((const char *const *)jp->keys,
        (const char *const *)jp->vals, 1);
    if (c == NULL) {
        snprintf(err, errlen, "job store: out of memory");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        jobs_pg_conn_error("unreachable", PQerrorMessage(c), err, errlen);
        PQfinish(c);
        return NULL;
    }
    /* Server notices would reach stderr as lines that are not ours. */
    PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

int
jobs_pg_conn_ensure(struct jobs_pg *jp, PGconn **c, char *err, size_t errlen)
{
    if (*c != NULL && PQstatus(*c) == CONNECTION_OK)
        return 0;
    PQfinish(*c);
    *c = jobs_pg_conn_connect(jp, err, errlen);
    return *c != NULL ? 0 : -1;
}

PGresult *
jobs_pg_conn_query(PGconn *c, const char *sql, int n, const char *const *vals,
    const int *lens, const int *fmts, char *err, size_t errlen)
{
    PGresult *res;
    ExecStatusType st;

    /* Without parameters, the simple protocol: a migration is several
     * statements in one string. */
    res = n == 0 ? PQexec(c, sql) :
        PQexecParams(c, sql, n, NULL, vals, lens, fmts, 0);
    st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    jobs_pg_conn_error("", res != NULL ? PQresultErrorMessage(res) :
        PQerrorMessage(c), err, errlen);
    if (PQstatus(c) != CONNECTION_OK)
        jobs_pg_conn_error("connection lost", PQerrorMessage(c), err, errlen);
    PQclear(res);
    return NULL;
}

int
jobs_pg_conn_exec(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *res = jobs_pg_conn_query(c, sql, 0, NULL, NULL, NULL, err,
        errlen);

    PQclear(res);
    return res != NULL ? 0 : -1;
}

bool
jobs_pg_conn_broken(PGconn *c)
{
    return c == NULL || PQstatus(c) != CONNECTION_OK;
}

/* Run fn on the shared connection under the lock. When fn fails because
 * the connection broke (a server restart), reconnect and run it once more
 * unless *unsafe says a commit may have happened. */
int
jobs_pg_conn_run(struct jobs_pg *jp, jobs_pg_fn fn, void *arg, char *err,
    size_t errlen)
{
    bool unsafe;
    int rc = -1, attempt;

    pthread_mutex_lock(&jp->lock);
    for (attempt = 0; attempt < 2; attempt++) {
        unsafe = false;
        if (jobs_pg_conn_ensure(jp, &jp->conn, err, errlen) == -1)
            break;
        if ((rc = fn(jp, jp->conn, arg, &unsafe, err, errlen)) != -1 ||
            !jobs_pg_conn_broken(jp->conn) || unsafe)
            break;
    }
    pthread_mutex_unlock(&jp->lock);
    return rc;
}

/* A write only the lease holder makes: retried with backoff while the
 * store is unreachable (a restart, a failover), so a job that ran records
 * its result once the store is back. Bounded by AH_PG_WRITE_RETRY_MS. */
int
jobs_pg_conn_run_holder(struct jobs_pg *jp, jobs_pg_fn fn, void *arg, char *err,
    size_t errlen)
{
    uint64_t deadline = clock_mono_ms() + AH_PG_WRITE_RETRY_MS;
    uint64_t rng = 0;
    bool unsafe, down;
    int attempt = 0, rc;

    for (;;) {
        pthread_mutex_lock(&jp->lock);
        unsafe = false;
        if (jobs_pg_conn_ensure(jp, &jp->conn, err, errlen) == -1) {
            rc = -1;
            down = true;
        } else {
            rc = fn(jp, jp->conn, arg, &unsafe, err, errlen);
            down = rc == -1 && jobs_pg_conn_broken(jp->conn);
        }
        pthread_mutex_unlock(&jp->lock);
        if (!down || clock_mono_ms() >= deadline)
            return rc;
        clock_sleep_ms(backoff_ms(&rng, attempt++, AH_PG_BACKOFF_BASE_MS,
            AH_PG_BACKOFF_CAP_MS));
    }
}

