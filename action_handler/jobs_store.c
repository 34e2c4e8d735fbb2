/*
 * Picking the job store backend (see jobs_store.h).
 */
#include "jobs_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "alexis_limits.h"
#include "compat.h"
#include "file.h"
#include "jobs.h"
#include "jobs_int.h"
#include "jobs_pg.h"
#include "xmem.h"

#define SQLITE_PREFIX   "sqlite://"

bool
jobs_store_is_pg(const char *store)
{
    return strncmp(store, "postgresql://", 13) == 0 ||
        strncmp(store, "postgres://", 11) == 0;
}

const char *
jobs_store_sqlite_path(const char *store)
{
    if (strncmp(store, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) == 0)
        return store + strlen(SQLITE_PREFIX);
    return store;
}

/* The value of keyword in parsed libpq options, or NULL. */
static const char *
opt(const PQconninfoOption *o, const char *keyword)
{
    for (; o->keyword != NULL; o++) {
        if (strcmp(o->keyword, keyword) == 0)
            return o->val;
    }
    return NULL;
}

int
jobs_store_check(const char *text, char *err, size_t errlen)
{
    PQconninfoOption *o;
    char *msg = NULL;
    const char *pw;
    int rc = 0;

    if (*text == '\0') {
        snprintf(err, errlen, "empty: a path, sqlite:///path or "
            "postgresql://…");
        return -1;
    }
    if (!jobs_store_is_pg(text)) {
        if (*jobs_store_sqlite_path(text) == '\0') {
            snprintf(err, errlen, "sqlite:// without a path");
            return -1;
        }
        return 0;
    }
    /* libpq's own parser: the URI is libpq's syntax. Its message may
     * quote the URI, so it is not passed on. */
    if ((o = PQconninfoParse(text, &msg)) == NULL) {
        PQfreemem(msg);
        snprintf(err, errlen, "not a valid PostgreSQL connection URI");
        return -1;
    }
    pw = opt(o, "password");
    if (pw != NULL && *pw != '\0') {
        snprintf(err, errlen, "the URI carries a password: put it in "
            "job_store_password_file (or PGPASSFILE) instead");
        rc = -1;
    }
    PQconninfoFree(o);
    return rc;
}

char *
jobs_store_display(const char *store)
{
    PQconninfoOption *o;
    const char *user, *host, *port, *db;
    char buf[512];

    if (!jobs_store_is_pg(store))
        return xstrdup(jobs_store_sqlite_path(store));
    if ((o = PQconninfoParse(store, NULL)) == NULL)
        return xstrdup("postgresql://(invalid)");
    user = opt(o, "user");
    host = opt(o, "host");
    port = opt(o, "port");
    db = opt(o, "dbname");
    snprintf(buf, sizeof(buf), "postgresql://%s%s%s%s%s/%s",
        user != NULL ? user : "", user != NULL ? "@" : "",
        host != NULL ? host : "", port != NULL ? ":" : "",
        port != NULL ? port : "", db != NULL ? db : "");
    PQconninfoFree(o);
    return xstrdup(buf);
}

struct jobs *
jobs_store_open(const struct jobs_store_opts *o, char *err, size_t errlen)
{
    struct jobs_pg_opts po;
    struct jobs *js;
    char holder[AH_PG_HOLDER_MAX], host[64], *pw = NULL;

    if (!jobs_store_is_pg(o->store))
        return jobs_open(jobs_store_sqlite_path(o->store), err, errlen);
    if (o->password_file != NULL &&
        (pw = file_first_line(o->password_file, AH_PG_PASSWORD_MAX, NULL,
        err, errlen)) == NULL)
        return NULL;
    if (o->holder == NULL) {
        if (gethostname(host, sizeof(host)) == -1)
            snprintf(host, sizeof(host), "unknown");
        host[sizeof(host) - 1] = '\0';
        snprintf(holder, sizeof(holder), "%s:%ld", host, (long)getpid());
    } else {
        snprintf(holder, sizeof(holder), "%s", o->holder);
    }
    memset(&po, 0, sizeof(po));
    po.uri = o->store;
    po.password = pw;
    po.holder = holder;
    po.lease_ms = o->lease_ms;
    js = xcalloc(1, sizeof(*js));
    pthread_mutex_init(&js->lock, NULL);
    if (jobs_pg_attach(js, &po, err, errlen) == -1) {
        jobs_close(js);
        js = NULL;
    }
    if (pw != NULL) {
        explicit_bzero(pw, strlen(pw));
        free(pw);
    }
    return js;
}
