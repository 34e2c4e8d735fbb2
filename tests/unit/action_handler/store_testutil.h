/*
 * The job store fixture of the store tests (test_jobs.c, test_jobs_query.c,
 * test_guard.c): a fresh temporary directory holding the SQLite file
 * jobs.db, or, with ALEXIS_TEST_PG_URI set, the PostgreSQL database it
 * names (emptied first by pg_reset, password from
 * ALEXIS_TEST_PG_PASSWORD_FILE) with a replica holder name.
 */
#ifndef ALEXIS_TEST_STORE_UTIL_H
#define ALEXIS_TEST_STORE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alexis_limits.h"
#include "compat.h"
#include "jobs.h"
#include "jobs_store.h"
#include "xmem.h"
#include "pg_testutil.h"

struct store_fx {
    char        dir[64];
    char        path[128];
    struct jobs *js;
};

/* The store under test: the SQLite file, or the PostgreSQL database of
 * ALEXIS_TEST_PG_URI as replica holder (a reopen is the same replica). */
static inline struct jobs *
store_fx_open(struct store_fx *f, const char *holder, char *err,
    size_t errlen)
{
    struct jobs_store_opts o;

    memset(&o, 0, sizeof(o));
    o.store = getenv("ALEXIS_TEST_PG_URI");
    if (o.store == NULL)
        return jobs_open(f->path, err, errlen);
    o.password_file = getenv("ALEXIS_TEST_PG_PASSWORD_FILE");
    o.holder = holder;
    o.lease_ms = 30000;
    return jobs_store_open(&o, err, errlen);
}

/* cmocka setup: a new store_fx in *state, its directory made from tmpl
 * (ending in XXXXXX), the store opened as holder. */
static inline int
store_fx_setup(void **state, const char *tmpl, const char *holder)
{
    struct store_fx *f = xcalloc(1, sizeof(*f));
    char err[ALEXIS_ERR_MAX] = "";

    snprintf(f->dir, sizeof(f->dir), "%s", tmpl);
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/jobs.db", f->dir);
    if (pg_reset() == -1 ||
        (f->js = store_fx_open(f, holder, err, sizeof(err))) == NULL) {
        print_error("%s\n", err);
        rmdir(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* cmocka teardown: close the store, remove the file, its WAL sidecars and
 * the directory. */
static inline int
store_fx_teardown(void **state)
{
    struct store_fx *f = *state;
    char p[160];

    jobs_close(f->js);
    unlink(f->path);
    snprintf(p, sizeof(p), "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", f->path);
    unlink(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

#endif
