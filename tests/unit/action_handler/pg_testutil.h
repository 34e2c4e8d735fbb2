/*
 * For the store tests that also run on PostgreSQL (ALEXIS_TEST_PG_URI and
 * ALEXIS_TEST_PG_PASSWORD_FILE, set by test_guard.py and test_pg.py):
 * pg_reset empties that database before each test (the store creates the
 * schema again); without ALEXIS_TEST_PG_URI it does nothing.
 */
#ifndef ALEXIS_TEST_PG_UTIL_H
#define ALEXIS_TEST_PG_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

static inline int
pg_reset(void)
{
    const char *uri = getenv("ALEXIS_TEST_PG_URI");
    const char *pwf = getenv("ALEXIS_TEST_PG_PASSWORD_FILE");
    const char *keys[3] = { "dbname", "password", NULL };
    char pw[256] = "";
    const char *vals[3] = { uri, pw, NULL };
    PGconn *c;
    PGresult *r;
    FILE *fp;
    int rc;

    if (uri == NULL)
        return 0;
    if (pwf != NULL && (fp = fopen(pwf, "r")) != NULL) {
        if (fgets(pw, sizeof(pw), fp) != NULL)
            pw[strcspn(pw, "\n")] = '\0';
        fclose(fp);
    }
    c = PQconnectdbParams(keys, vals, 1);
    r = PQexec(c, "SET client_min_messages = warning; "
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc == -1)
        print_error("pg_reset: %s\n", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return rc;
}

#endif
