/*
 * Private to jobs.c and jobs_json.c: the store's state and the few helpers
 * both halves use. Not part of the action handler's API.
 */
#ifndef ALEXIS_AH_JOBS_INT_H
#define ALEXIS_AH_JOBS_INT_H

#include <pthread.h>
#include <stdint.h>

#include <sqlite3.h>

struct jobs {
    sqlite3            *db;
    pthread_mutex_t     lock;   /* one statement sequence at a time */
};

/* Prepare sql on js->db; -1 with SQLite's message in err. */
int jobs_prepare(struct jobs *js, const char *sql, sqlite3_stmt **st,
    char *err, size_t errlen);

/* Column i as a heap copy (NULL stays NULL). */
char *jobs_col_dup(sqlite3_stmt *st, int i);

struct job_new;
struct job_guard;
struct job_verdict;

/* sqlite3_exec with the store's error form; a prepared statement run to
 * its end. -1 with err. */
int jobs_exec(struct jobs *js, const char *sql, char *err, size_t errlen);
int jobs_step_done(struct jobs *js, sqlite3_stmt *st, char *err,
    size_t errlen);

/* jobs_guard.c, called by jobs_create_guarded with the lock held and the
 * transaction open: the counts and guard_decide into v; then the job's
 * entities recorded. -1 with err. */
int jobs_guard_decide_locked(struct jobs *js, const struct job_new *jn,
    const struct job_guard *g, uint64_t now, struct job_verdict *v,
    char *err, size_t errlen);
int jobs_entities_add_locked(struct jobs *js, const char *id,
    const char *rule_name, const struct job_guard *g, uint64_t now,
    char *err, size_t errlen);

#endif
