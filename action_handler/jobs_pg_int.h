/*
 * Private to jobs_pg.c and jobs_pg_read.c: the PostgreSQL store's state
 * and the helpers both halves use. Not part of the action handler's API.
 */
#ifndef ALEXIS_AH_JOBS_PG_INT_H
#define ALEXIS_AH_JOBS_PG_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "alexis_limits.h"
#include "jobs.h"

struct jobs_pg {
    PGconn             *conn;       /* requests and workers, under lock */
    pthread_mutex_t     lock;
    char              **keys;       /* libpq keywords and values, kept */
    char              **vals;       /* for reconnecting; NULL-ended */
    char                holder[AH_PG_HOLDER_MAX];
    uint64_t            lease_ms;
    /* Jobs this replica holds a lease on, renewed by the heartbeat. */
    pthread_mutex_t     held_lock;
    char              (*held)[JOB_ID_LEN];
    size_t              nheld;
    /* The heartbeat thread and its own connection. */
    pthread_t           hb;
    bool                hb_started;
    pthread_mutex_t     hb_lock;
    pthread_cond_t      hb_cond;
    bool                hb_stop;    /* under hb_lock */
    PGconn             *hb_conn;    /* heartbeat thread only */
    bool                hb_down;    /* heartbeat thread only */
};

/* The columns jobs_pg_load_job reads, in its order (as jobs.c's). */
#define JOBS_PG_JOB_COLUMNS "id, state, reason, rule_name, feed_type, " \
    "id_key, alert_id, envelope, rule_json, detail, requestor, approver"

/* One unit of work on connection c. May set *unsafe once a commit may
 * have reached the server (then a broken connection is not retried). */
typedef int (*jobs_pg_fn)(struct jobs_pg *jp, PGconn *c, void *arg,
    bool *unsafe, char *err, size_t errlen);

/* "job store: <what>: <first line of msg>" into err. */
void jobs_pg_error(const char *what, const char *msg, char *err,
    size_t errlen);

/* A new connection with the kept parameters; NULL with err. */
PGconn *jobs_pg_connect(const struct jobs_pg *jp, char *err,
    size_t errlen);

/* Reconnect *c when it is missing or broken. */
int jobs_pg_ensure(struct jobs_pg *jp, PGconn **c, char *err,
    size_t errlen);

/* PQexecParams in text results; NULL with err unless it succeeded. */
PGresult *jobs_pg_query(PGconn *c, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts, char *err,
    size_t errlen);
int jobs_pg_exec(PGconn *c, const char *sql, char *err, size_t errlen);

/* True when c is gone (a failure worth a reconnect). */
bool jobs_pg_broken(PGconn *c);

/* fn on the shared connection, reconnecting and retrying once when the
 * connection broke and fn left *unsafe false. */
int jobs_pg_run(struct jobs_pg *jp, jobs_pg_fn fn, void *arg, char *err,
    size_t errlen);

/* fn as the lease holder's write: retried with backoff while the server
 * is unreachable (a restart, a failover), so a job that ran records its
 * result once the store is back. Bounded by AH_PG_WRITE_RETRY_MS. */
int jobs_pg_run_holder(struct jobs_pg *jp, jobs_pg_fn fn, void *arg,
    char *err, size_t errlen);

/* True when js is a PostgreSQL store. */
bool jobs_pg_is(const struct jobs *js);

/* Row i of a JOBS_PG_JOB_COLUMNS result into j (strings owned). */
void jobs_pg_load_job(const PGresult *res, int i, struct job *j);

/* The dedup key of jn (see jobs_pg.c): *found when a job for it was
 * created within the window (its id into id); else the key now names
 * newid. */
int jobs_pg_claim_key(PGconn *c, const struct job_new *jn, uint64_t now,
    const char *newid, char *id, bool *found, char *err, size_t errlen);

/* The read half (jobs_pg_read.c): the jobs_ops entries of the same name. */
int jobs_pg_results(void *impl, const char *id, struct job_row **out,
    size_t *n, char *err, size_t errlen);
cJSON *jobs_pg_get_json(void *impl, const char *id, char *err,
    size_t errlen);
cJSON *jobs_pg_list_json(void *impl, int limit, char *err, size_t errlen);
cJSON *jobs_pg_stats_json(void *impl, char *err, size_t errlen);
cJSON *jobs_pg_query_json(void *impl, const struct jobs_query *q,
    char *err, size_t errlen);
int jobs_pg_count_unfinished(void *impl, const char *requestor,
    uint64_t *queued, uint64_t *mine, char *err, size_t errlen);

#endif
