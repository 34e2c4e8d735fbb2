/*
 * Private to jobs.c and jobs_json.c: the store's state and the few helpers
 * both halves use. Not part of the action handler's API.
 */
#ifndef ALEXIS_AH_JOBS_INT_H
#define ALEXIS_AH_JOBS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

struct jobs_deferred;

struct jobs {
    sqlite3            *db;
    pthread_mutex_t     lock;   /* one statement sequence at a time */
    /* Writes that failed, kept until jobs_flush writes them (under lock;
     * flushing: one flusher at a time). */
    struct jobs_deferred *dq_head, *dq_tail;
    size_t              ndeferred;
    bool                flushing;
    /* The last write's outcome, for jobs_health (under lock). */
    bool                failing;
    char                health_err[256];
};

/* Drop what is still deferred (jobs_close). */
void jobs_deferred_free(struct jobs *js);

/* Record a write's outcome for jobs_health; js->lock held. */
void jobs_note_write(struct jobs *js, int rc, const char *err);

/* Prepare sql on js->db; -1 with SQLite's message in err. */
int jobs_prepare(struct jobs *js, const char *sql, sqlite3_stmt **st,
    char *err, size_t errlen);

/* Column i as a heap copy (NULL stays NULL). */
char *jobs_col_dup(sqlite3_stmt *st, int i);

#endif
