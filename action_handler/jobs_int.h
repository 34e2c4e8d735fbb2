/*
 * Private to jobs.c and jobs_json.c: the store's state and the few helpers
 * both halves use. Not part of the action handler's API.
 */
#ifndef ALEXIS_AH_JOBS_INT_H
#define ALEXIS_AH_JOBS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "alexis_limits.h"
#include "job.h"

struct jobs_deferred;
struct jobs_ops;
struct jobs_guard_ops;
struct jobs_query;

/* The guardrail statements of the accept path, prepared once (jobs_stmt):
 * preparing them per job cost more than running them. */
enum jobs_stmt_id {
    JOBS_ST_ADMITTED,
    JOBS_ST_EXPIRED,
    JOBS_ST_ADDED,
    JOBS_ST_MAXSEQ,
    JOBS_ST_DATA_VERSION,
    JOBS_ST_ENTITY_RUNS,
    JOBS_ST_ENTITY_ADD,
    JOBS_ST_COUNT
};

/* The storm breaker's last count (jobs_guard.c), carried forward instead
 * of recounted: n admitted jobs created at or after since, among the jobs
 * up to seq maxseq. Valid while gen equals jobs.storm_gen (bumped when a
 * job leaves the admitted states or jobs are deleted) and no other
 * connection wrote (PRAGMA data_version dv). */
struct jobs_storm {
    bool                valid;
    uint64_t            since;
    int64_t             maxseq;
    uint64_t            n;
    uint64_t            gen;
    int64_t             dv;
};

struct jobs {
    sqlite3            *db;
    struct jobs_storm   storm;      /* under lock */
    uint64_t            storm_gen;  /* under lock */
    sqlite3_stmt       *stmts[JOBS_ST_COUNT];   /* under lock */
    pthread_mutex_t     lock;   /* one statement sequence at a time */
    /* Another backend (PostgreSQL, jobs_pg.c): every public function
     * hands over to ops with impl; NULL for SQLite. */
    const struct jobs_ops *ops;
    void               *impl;
    /* Writes that failed, kept until jobs_defer_flush writes them (under lock;
     * flushing: one flusher at a time). */
    struct jobs_deferred *dq_head, *dq_tail;
    size_t              ndeferred;
    /* Drops what is still queued; set by jobs_defer.c with the first
     * deferred write, called by jobs_close (a callback, so jobs.c does not
     * call back into jobs_defer.c, which builds on it). */
    void              (*dq_free)(struct jobs *js);
    bool                flushing;
    /* The last write's outcome, for jobs_defer_health (under lock). */
    bool                failing;
    char                health_err[ALEXIS_ERR_MAX];
};

/* Record a write's outcome for jobs_defer_health; js->lock held. */
void jobs_note_write(struct jobs *js, int rc, const char *err);

/* A backend other than SQLite: the public functions of jobs.h, in order,
 * on the backend's own state. Filled in by jobs_pg.c. */
struct jobs_ops {
    void    (*close)(void *impl);
    int     (*create)(void *impl, const struct job_new *jn,
        char id[JOB_ID_LEN], bool *dup, char *err, size_t errlen);
    int     (*recover)(void *impl, const char *reason, job_fn fn,
        void *arg, size_t *n, char *err, size_t errlen);
    int     (*claim)(void *impl, struct job *out, char *err, size_t errlen);
    int     (*claim_report)(void *impl, struct job *out, char *err,
        size_t errlen);
    int     (*result_add)(void *impl, const char *id,
        const struct job_result *r, char *err, size_t errlen);
    int     (*finish)(void *impl, const char *id, const char *state,
        const char *reason, char *err, size_t errlen);
    int     (*report_done)(void *impl, const char *id, bool sent,
        const char *error, int attempts, char *err, size_t errlen);
    int     (*results)(void *impl, const char *id, struct job_row **out,
        size_t *n, char *err, size_t errlen);
    cJSON  *(*get_json)(void *impl, const char *id, char *err,
        size_t errlen);
    cJSON  *(*list_json)(void *impl, int limit, char *err, size_t errlen);
    cJSON  *(*stats_json)(void *impl, char *err, size_t errlen);
    cJSON  *(*query_json)(void *impl, const struct jobs_query *q,
        char *err, size_t errlen);
    int     (*prune)(void *impl, uint64_t before_ms, size_t *n, char *err,
        size_t errlen);
    int     (*count_unfinished)(void *impl, const char *requestor,
        uint64_t *queued, uint64_t *mine, char *err, size_t errlen);
    uint64_t poll_ms;   /* how often idle workers look for others' jobs */
    /* The guardrail operations (jobs_guard.c); NULL when the backend has
     * none yet: rules with guardrails are then refused (fail closed). */
    const struct jobs_guard_ops *guard;
};

/* A backend's guardrail operations: the jobs.h functions of the same
 * names, on the backend's own state. */
struct jobs_guard_ops {
    int     (*create)(void *impl, const struct job_new *jn,
        const struct job_guard *g, char id[JOB_ID_LEN], bool *dup,
        struct job_verdict *v, char *err, size_t errlen);
    int     (*count_admitted)(void *impl, uint64_t since_ms, uint64_t *n,
        char *err, size_t errlen);
    int     (*count_entity_runs)(void *impl, const char *rule_name,
        const char *entity, uint64_t since_ms, uint64_t *n, char *err,
        size_t errlen);
    int     (*transition)(void *impl, const char *id,
        const char *const *from, const char *to, const char *reason,
        const char *actor, char cur[JOB_STATE_MAX], char *err,
        size_t errlen);
    int     (*load)(void *impl, const char *id, struct job *out, char *err,
        size_t errlen);
    int     (*verify_start)(void *impl, const char *id, uint64_t deadline_ms,
        uint64_t next_ms, char *err, size_t errlen);
    int     (*claim_verify)(void *impl, uint64_t now_ms, struct job *out,
        uint64_t *deadline_ms, char *err, size_t errlen);
    int     (*verify_done)(void *impl, const char *id, int verified,
        uint64_t next_ms, char *err, size_t errlen);
    int     (*verify_next)(void *impl, uint64_t *when_ms, char *err,
        size_t errlen);
};

/* A new random job id (hex of AH_JOB_ID_BYTES). */
int jobs_new_id(char id[JOB_ID_LEN], char *err, size_t errlen);

/* Shared by both backends' JSON: one result row as GET /v1/jobs/<id>
 * shows it. */
cJSON *jobs_json_row(const struct job_row *r);

/* Prepare sql on js->db; -1 with SQLite's message in err. */
/* "job store: <SQLite's last error on js->db>" into err. */
void jobs_db_error(struct jobs *js, char *err, size_t errlen);

int jobs_prepare(struct jobs *js, const char *sql, sqlite3_stmt **st,
    char *err, size_t errlen);

/* The cached statement id for sql, reset and unbound, in *st; js->lock
 * held. The caller resets it after use and never finalizes it. */
int jobs_stmt(struct jobs *js, enum jobs_stmt_id id, const char *sql,
    sqlite3_stmt **st, char *err, size_t errlen);

/* A job of this connection now has state (NULL: jobs were deleted):
 * forget the storm breaker's carried count when it may have changed;
 * js->lock held. */
void jobs_storm_touch(struct jobs *js, const char *state);

/* Job id into out; 1, 0 (none) or -1; js->lock held. */
int jobs_load_locked(struct jobs *js, const char *id, struct job *out,
    char *err, size_t errlen);

/* The current row of st, JOB_COLUMNS in order, into j (zeroed first;
 * strings owned: free with jobs_job_free). */
void jobs_load_job(sqlite3_stmt *st, struct job *j);

/* Column i as a heap copy (NULL stays NULL). */
char *jobs_col_dup(sqlite3_stmt *st, int i);

/* sqlite3_exec with the store's error form; a prepared statement run to
 * its end. -1 with err. */
int jobs_exec(struct jobs *js, const char *sql, char *err, size_t errlen);
int jobs_step_done(struct jobs *js, sqlite3_stmt *st, char *err,
    size_t errlen);

/* jobs_recover's and jobs_guard_transition's arguments, packed for a backend's
 * unit of work (jobs.c's transaction, jobs_pg's retried run). */
struct jobs_recover_arg {
    const char         *reason;
    job_fn              fn;
    void               *arg;
    size_t             *n;
};

struct jobs_transition_arg {
    const char         *id;
    const char *const  *from;
    const char         *to;
    const char         *reason;
    const char         *actor;
    char               *cur;
    int                 rc;     /* 1 moved, 0 not */
};

/* fn inside one BEGIN IMMEDIATE transaction, under js->lock: committed
 * when fn returns 0 or more (jobs_tx returns that), rolled back when it
 * returns -1 (with err) or the commit fails. */
typedef int (*jobs_tx_fn)(struct jobs *js, void *arg, char *err,
    size_t errlen);
int jobs_tx(struct jobs *js, jobs_tx_fn fn, void *arg, char *err,
    size_t errlen);

/* Fills out (zeroed) from the current row of st. */
typedef void (*jobs_load_fn)(sqlite3_stmt *st, struct job *out, void *arg);

/* Run sql, an UPDATE ... RETURNING that changes at most one row, with ?1
 * (when it has one) bound to now_ms, under js->lock; load its row into
 * out with load(st, out, arg). 1 claimed (free out with jobs_job_free),
 * 0 none, -1 with err. */
int jobs_claim_row(struct jobs *js, const char *sql, uint64_t now_ms,
    jobs_load_fn load, void *arg, struct job *out, char *err, size_t errlen);

/* What a guarded create adds to jobs_create_tx's transaction (jobs_guard.c
 * passes its own), with js->lock held: decide runs before a new job is
 * inserted (v says "queued" until it changes it), record after the
 * insert. Each returns 0, or -1 with err (the transaction is rolled
 * back). */
struct jobs_create_step {
    int   (*decide)(void *arg, struct jobs *js, uint64_t now,
              struct job_verdict *v, char *err, size_t errlen);
    int   (*record)(void *arg, struct jobs *js, const char *id, uint64_t now,
              char *err, size_t errlen);
    void   *arg;
};

/* The SQLite create (jobs_create), with step (NULL: none) inside its
 * transaction; *v receives the verdict ("queued" for a duplicate). */
int jobs_create_tx(struct jobs *js, const struct job_new *jn,
    const struct jobs_create_step *step, char id[JOB_ID_LEN], bool *dup,
    struct job_verdict *v, char *err, size_t errlen);

#endif
