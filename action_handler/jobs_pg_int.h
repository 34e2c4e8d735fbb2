/*
 * Private to the PostgreSQL store (jobs_pg*.c, and jobs_export.c which
 * writes into one): its state and the helpers they share. Not part of the action handler's API.
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

/* One unit of work on connection c. May set *unsafe once a commit may
 * have reached the server (then a broken connection is not retried). */
typedef int (*jobs_pg_fn)(struct jobs_pg *jp, PGconn *c, void *arg,
    bool *unsafe, char *err, size_t errlen);

/* A number as the decimal text libpq takes for a parameter (jobs_pg.c). */
#define JOBS_PG_NUM_LEN 24
void jobs_pg_u64s(char out[JOBS_PG_NUM_LEN], uint64_t v);
void jobs_pg_i64s(char out[JOBS_PG_NUM_LEN], int64_t v);

/* True when js is a PostgreSQL store. */
bool jobs_pg_is(const struct jobs *js);

/* The dedup key of jn (see jobs_pg.c): *found when a job for it was
 * created within the window (its id into id); else the key now names
 * newid. */
int jobs_pg_claim_key(PGconn *c, const struct job_new *jn, uint64_t now,
    const char *newid, char *id, bool *found, char *err, size_t errlen);

#endif
