/*
 * Runs from the job store (see jobstore.h). The failure reason follows
 * agg.h's rule for log lines: the first non-empty of the result's error,
 * signal and outcome (when not "ok"), then "exit status N", then its
 * state.
 */
#include "jobstore.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "alexis_limits.h"
#include "group.h"

/* The action handler's user_version: 1, and 2 since the guardrails (the
 * columns read here are the same in both). */
#define STORE_SCHEMA_MIN    1
#define STORE_SCHEMA        2
#define REASON_LEN      64

static const char runs_sql[] =
    "SELECT r.action, r.entity, j.rule_name, j.alert_id, j.id,"
    " r.finished_ms, r.duration_ms, r.state, r.outcome, r.exit_status,"
    " r.signal, r.error"
    " FROM results r JOIN jobs j ON j.id = r.job"
    " ORDER BY r.finished_ms, j.seq, r.task, r.entity";

static const char *
text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t != NULL ? (const char *)t : "";
}

/* Succeeded like agg.h's status_ok: a dry run counts as success. */
static bool
row_ok(const char *state)
{
    return strcmp(state, "succeeded") == 0 || strcmp(state, "dry_run") == 0;
}

static const char *
row_reason(sqlite3_stmt *st, char *buf, size_t len)
{
    const char *outcome = text(st, 8);

    if (*text(st, 11) != '\0')
        return text(st, 11);
    if (*text(st, 10) != '\0')
        return text(st, 10);
    if (*outcome != '\0' && strcmp(outcome, "ok") != 0)
        return outcome;
    if (sqlite3_column_type(st, 9) != SQLITE_NULL &&
        sqlite3_column_int(st, 9) >= 0) {
        (void)snprintf(buf, len, "exit status %d",
            sqlite3_column_int(st, 9));
        return buf;
    }
    return text(st, 7);
}

static void
count_row(struct agg *a, sqlite3_stmt *st)
{
    struct agg_run r;
    char reason[REASON_LEN];

    memset(&r, 0, sizeof(r));
    r.action = text(st, 0);
    r.entity = text(st, 1);
    r.rule = text(st, 2);
    r.alert = text(st, 3);
    r.job = text(st, 4);
    r.ts = sqlite3_column_type(st, 5) == SQLITE_NULL ? GROUP_NO_TIME :
        sqlite3_column_int64(st, 5);
    r.has_elapsed = sqlite3_column_type(st, 6) != SQLITE_NULL;
    r.elapsed_ms = (uint64_t)sqlite3_column_int64(st, 6);
    r.ok = row_ok(text(st, 7));
    if (!r.ok)
        r.reason = row_reason(st, reason, sizeof(reason));
    a->cnt.job_results++;
    agg_run(a, &r);
}

static int
check_schema(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
        SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (v >= STORE_SCHEMA_MIN && v <= STORE_SCHEMA)
        return 0;
    if (v == -1)
        (void)snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
    else
        (void)snprintf(err, errlen, "%s: not an Alexis job store (schema "
            "version %d, expected %d to %d)", path, v, STORE_SCHEMA_MIN,
            STORE_SCHEMA);
    return -1;
}

int
jobstore_read(struct agg *a, const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int step, rc = -1;

    a->cnt.job_stores++;
    /* Read-only, and never create: a mistyped path is an error. */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
        SQLITE_OK) {
        (void)snprintf(err, errlen, "%s: %s", path, db != NULL ?
            sqlite3_errmsg(db) : "cannot open");
        goto out;
    }
    (void)sqlite3_busy_timeout(db, AH_DB_BUSY_MS);
    if (check_schema(db, path, err, errlen) == -1)
        goto out;
    if (sqlite3_prepare_v2(db, runs_sql, -1, &st, NULL) != SQLITE_OK) {
        (void)snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        count_row(a, st);
    if (step != SQLITE_DONE) {
        (void)snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    rc = 0;
out:
    if (rc == -1)
        a->cnt.read_errors++;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
