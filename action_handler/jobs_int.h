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

#endif
