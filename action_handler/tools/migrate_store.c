/*
 * alexis-migrate-store FROM TO: copy an action handler's SQLite job store
 * (FROM: a path or sqlite:///path) into a PostgreSQL store (TO:
 * postgresql://…, the password from PGPASSWORD_FILE's file, PGPASSFILE or
 * ~/.pgpass), creating the schema there. Jobs keep their ids, states,
 * results and report states; a job that was running arrives interrupted
 * (never re-run); jobs already present are skipped, so it can run again.
 * Stop the old action handler first. Exit 0 when everything was copied.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "jobs.h"
#include "jobs_export.h"
#include "jobs_pg.h"
#include "jobs_store.h"
#include "log.h"

struct copy {
    struct jobs    *to;
    size_t          added;
};

static int
copy_one(void *arg, const struct jobs_export *e, char *err, size_t errlen)
{
    struct copy *c = arg;
    bool added;

    if (jobs_export_to_pg(c->to, e, &added, err, errlen) == -1)
        return -1;
    if (added)
        c->added++;
    return 0;
}

int
main(int argc, char **argv)
{
    struct jobs_store_opts o;
    struct jobs *from = NULL;
    struct copy c = { 0 };
    char err[ALEXIS_ERR_MAX], *shown = NULL;
    size_t n = 0;
    int rc = 1;

    if (argc != 3 || jobs_store_is_pg(argv[1]) ||
        !jobs_store_is_pg(argv[2])) {
        fprintf(stderr, "usage: alexis-migrate-store SQLITE_PATH "
            "postgresql://USER@HOST:PORT/DB\n"
            "  the password: file named by PGPASSWORD_FILE, or PGPASSFILE\n");
        return 2;
    }
    if (jobs_store_check(argv[2], err, sizeof(err)) == -1) {
        fprintf(stderr, "alexis-migrate-store: %s\n", err);
        return 2;
    }
    memset(&o, 0, sizeof(o));
    o.store = argv[2];
    o.password_file = getenv("PGPASSWORD_FILE");
    o.holder = "alexis-migrate-store";
    o.lease_ms = 30000;
    if ((from = jobs_open(jobs_store_sqlite_path(argv[1]), err,
        sizeof(err))) == NULL ||
        (c.to = jobs_store_open(&o, err, sizeof(err))) == NULL ||
        jobs_export_each(from, copy_one, &c, &n, err, sizeof(err)) == -1) {
        fprintf(stderr, "alexis-migrate-store: %s\n", err);
        goto out;
    }
    shown = jobs_store_display(argv[2]);
    printf("copied %zu of %zu jobs to %s (%zu already there)\n", c.added,
        n, shown, n - c.added);
    rc = 0;
out:
    free(shown);
    jobs_close(c.to);
    jobs_close(from);
    return rc;
}
