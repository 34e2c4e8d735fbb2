/*
 * Poller leader election on PostgreSQL advisory locks (see leader.h).
 */
#include "leader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "alexis_limits.h"
#include "file.h"
#include "log.h"
#include "xmem.h"

struct leader {
    const char     *keys[8];
    char           *vals[8];
    PGconn         *conn;
    bool           *held;       /* per feed: we hold its lock */
    size_t          nfeeds;
    bool            down;       /* the last connection attempt failed */
};

int
leader_check_uri(const char *text, char *err, size_t errlen)
{
    PQconninfoOption *o, *p;
    int rc = 0;

    if (strncmp(text, "postgresql://", 13) != 0 &&
        strncmp(text, "postgres://", 11) != 0) {
        snprintf(err, errlen, "expected a PostgreSQL URI "
            "(postgresql://user@host:port/db)");
        return -1;
    }
    if ((o = PQconninfoParse(text, NULL)) == NULL) {
        snprintf(err, errlen, "not a valid PostgreSQL connection URI");
        return -1;
    }
    for (p = o; p->keyword != NULL; p++) {
        if (strcmp(p->keyword, "password") == 0 && p->val != NULL &&
            *p->val != '\0') {
            snprintf(err, errlen, "the URI carries a password: put it in "
                "leader_store_password_file (or PGPASSFILE) instead");
            rc = -1;
        }
    }
    PQconninfoFree(o);
    return rc;
}

struct leader *
leader_new(const char *uri, const char *password_file, size_t nfeeds,
    char *err, size_t errlen)
{
    struct leader *l;
    char *pw = NULL;
    size_t n = 0;

    if (uri == NULL)
        return xcalloc(1, sizeof(struct leader));
    if (password_file != NULL && (pw = file_first_line(password_file,
        POLLER_PASSWORD_MAX, NULL, err, errlen)) == NULL)
        return NULL;
    l = xcalloc(1, sizeof(*l));
    l->keys[n] = "application_name";
    l->vals[n++] = xstrdup("alexis-poller");
    l->keys[n] = "connect_timeout";
    l->vals[n++] = xstrdup("5");
    /* A dead peer is noticed in seconds, so a partitioned leader stops
     * believing it leads about when the server drops its session. */
    l->keys[n] = "keepalives_idle";
    l->vals[n++] = xstrdup("5");
    l->keys[n] = "tcp_user_timeout";
    l->vals[n++] = xstrdup("10000");
    l->keys[n] = "dbname";
    l->vals[n++] = xstrdup(uri);
    if (pw != NULL) {
        l->keys[n] = "password";
        l->vals[n++] = pw;
    }
    l->held = xcalloc(nfeeds > 0 ? nfeeds : 1, sizeof(*l->held));
    l->nfeeds = nfeeds;
    return l;
}

void
leader_free(struct leader *l)
{
    size_t i;

    if (l == NULL)
        return;
    PQfinish(l->conn);  /* ends the session: the locks are released */
    for (i = 0; i < sizeof(l->vals) / sizeof(l->vals[0]); i++) {
        if (l->vals[i] != NULL) {
            explicit_bzero(l->vals[i], strlen(l->vals[i]));
            free(l->vals[i]);
        }
    }
    free(l->held);
    free(l);
}

static void
quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The whole session is gone: every lock with it. */
static void
lose_all(struct leader *l, const char *why)
{
    size_t i;

    for (i = 0; i < l->nfeeds; i++) {
        if (l->held[i])
            log_event(LOG_WARN, "leader_lost", KV_UINT("feed_index", i),
                KV_STR("reason", why));
        l->held[i] = false;
    }
    PQfinish(l->conn);
    l->conn = NULL;
}

/* The first line of a libpq message. */
static void
first_line(const char *msg, char *buf, size_t len)
{
    snprintf(buf, len, "%.*s", (int)strcspn(msg, "\n"), msg);
}

static bool
connected(struct leader *l)
{
    char msg[256];

    if (l->conn != NULL && PQstatus(l->conn) == CONNECTION_OK)
        return true;
    lose_all(l, "connection lost");
    l->conn = PQconnectdbParams(l->keys, (const char *const *)l->vals, 1);
    if (l->conn == NULL || PQstatus(l->conn) != CONNECTION_OK) {
        first_line(l->conn != NULL ? PQerrorMessage(l->conn) :
            "out of memory", msg, sizeof(msg));
        if (!l->down)
            log_event(LOG_ERROR, "leader_store_unreachable",
                KV_STR("error", msg), KV_STR("msg", "not polling until "
                "the leader store answers"));
        l->down = true;
        PQfinish(l->conn);
        l->conn = NULL;
        return false;
    }
    PQsetNoticeProcessor(l->conn, quiet, NULL);
    if (l->down)
        log_event(LOG_INFO, "leader_store_reconnected",
            KV_STR("msg", "electing again"));
    l->down = false;
    return true;
}

/* One statement with the feed name; its single boolean answer, or -1
 * when the session broke. */
static int
ask(struct leader *l, const char *sql, const char *name)
{
    const char *v[1] = { name };
    PGresult *res;
    int rc = -1;

    res = PQexecParams(l->conn, sql, 1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return rc;
}

bool
leader_is_active(struct leader *l, size_t i, const char *name)
{
    int got;

    if (l->keys[0] == NULL)
        return true;        /* no leader_store: a single replica */
    if (!connected(l))
        return false;
    /* Held: the session must still be alive (a broken connection means
     * the server may already have given the lock to another replica).
     * Not held: try to take it. Two int4 keys: our namespace and the
     * feed. */
    got = ask(l, l->held[i] ? "SELECT EXISTS (SELECT 1 FROM pg_locks "
        "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND "
        "classid = hashtext('alexis.poller')::oid AND "
        "objid = hashtext($1)::oid AND objsubid = 2 AND granted)" :
        "SELECT pg_try_advisory_lock(hashtext('alexis.poller'), "
        "hashtext($1))", name);
    if (got == -1) {
        lose_all(l, "connection lost");
        return false;
    }
    if (got == 1 && !l->held[i])
        log_event(LOG_INFO, "leader_elected", KV_STR("feed_name", name));
    else if (got == 0 && l->held[i])
        log_event(LOG_WARN, "leader_lost", KV_STR("feed_name", name),
            KV_STR("reason", "lock no longer held"));
    l->held[i] = got == 1;
    return l->held[i];
}
