/*
 * The guardrail operations of the PostgreSQL job store (jobs.h, struct
 * jobs_guard_ops): the same meaning as jobs_guard.c's on SQLite, for
 * several replicas. A guarded create takes a transaction-scoped advisory
 * lock, so the counts guard_decide reads and the insert that follows are
 * one unit across replicas (two requests cannot both pass a limit);
 * creates without counting guardrails do not take it. Counts are SQL over
 * jobs and job_entities.
 */
#include "jobs_pg_guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "clock.h"
#include "guard.h"
#include "jobs_guard.h"
#include "jobs_int.h"
#include "jobs_pg_conn.h"
#include "jobs_pg_int.h"
#include "jobs_pg_read.h"
#include "str.h"

/* pg_advisory_xact_lock key serialising guarded creates ("alexisgd"). */
#define GUARD_LOCK  "7011877447236347748"

#define ADMITTED "('queued','pending_approval','running','succeeded'," \
    "'failed','partial','interrupted')"

/* A one-row, one-number query. */
static int
count_q(PGconn *c, const char *sql, int n, const char *const *v,
    uint64_t *out, char *err, size_t errlen)
{
    const char *errstr;
    PGresult *res;
    int rc = -1;

    if ((res = jobs_pg_conn_query(c, sql, n, v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    if (PQntuples(res) == 1 && str_to_u64(PQgetvalue(res, 0, 0), 0,
        UINT64_MAX, out, &errstr) == 0)
        rc = 0;
    else
        snprintf(err, errlen, "job store: a count did not answer");
    PQclear(res);
    return rc;
}

static int
admitted_c(PGconn *c, uint64_t since, uint64_t *n, char *err, size_t errlen)
{
    char s[JOBS_PG_NUM_LEN];
    const char *v[1] = { s };

    jobs_pg_u64s(s, since);
    return count_q(c, "SELECT count(*) FROM jobs WHERE created_ms >= "
        "$1::bigint AND state IN " ADMITTED, 1, v, n, err, errlen);
}

static int
runs_c(PGconn *c, const char *rule, const char *entity, uint64_t since,
    uint64_t *n, char *err, size_t errlen)
{
    char s[JOBS_PG_NUM_LEN];
    const char *v[3] = { rule, entity, s };

    jobs_pg_u64s(s, since);
    return count_q(c, "SELECT count(*) FROM job_entities e JOIN jobs j ON "
        "j.id = e.job WHERE e.rule_name = $1 AND e.entity = $2 AND "
        "e.created_ms >= $3::bigint AND j.state IN " ADMITTED, 3, v, n, err,
        errlen);
}

/* ---- create ---- */

struct create_arg {
    const struct job_new    *jn;
    const struct job_guard  *g;
    char                    *id;
    bool                    *dup;
    struct job_verdict      *v;
};

struct counter_arg {
    PGconn      *c;
    const char  *rule;
};

static int
c_admitted(void *arg, uint64_t since, uint64_t *n, char *err, size_t errlen)
{
    struct counter_arg *a = arg;

    return admitted_c(a->c, since, n, err, errlen);
}

static int
c_runs(void *arg, const char *entity, uint64_t since, uint64_t *n,
    char *err, size_t errlen)
{
    struct counter_arg *a = arg;

    return runs_c(a->c, a->rule, entity, since, n, err, errlen);
}

static int
insert(PGconn *c, const struct job_new *jn, const struct job_verdict *vd,
    uint64_t now, const char *id, char *err, size_t errlen)
{
    char nowbuf[JOBS_PG_NUM_LEN];
    const char *v[14] = { id, jn->feed_type, jn->unique_value,
        jn->rule_name, jn->id_key, jn->alert_id, jn->envelope,
        jn->rule_json, vd->state, nowbuf,
        vd->reason[0] != '\0' ? vd->reason : NULL,
        vd->detail[0] != '\0' ? vd->detail : NULL, jn->requestor,
        jobs_state_final(vd->state) ? nowbuf : NULL };
    PGresult *res;

    jobs_pg_u64s(nowbuf, now);
    res = jobs_pg_conn_query(c,
        "INSERT INTO jobs (id, feed_type, unique_value, "
        "rule_name, id_key, alert_id, envelope, rule_json, state, "
        "created_ms, reason, detail, requestor, finished_ms) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7, $8, $9, $10::bigint, $11, $12, $13, "
        "$14::bigint)", 14, v, NULL, NULL, err, errlen);
    PQclear(res);
    return res != NULL ? 0 : -1;
}

static int
add_entities(PGconn *c, const char *id, const char *rule,
    const struct job_guard *g, uint64_t now, char *err, size_t errlen)
{
    char nowbuf[JOBS_PG_NUM_LEN];
    const char *v[4] = { id, rule, NULL, nowbuf };
    PGresult *res;
    size_t i;

    jobs_pg_u64s(nowbuf, now);
    for (i = 0; g != NULL && g->resolved && i < g->nentities; i++) {
        v[2] = g->entities[i];
        if ((res = jobs_pg_conn_query(c, "INSERT INTO job_entities (job, "
            "rule_name, entity, created_ms) VALUES ($1, $2, $3, $4::bigint) "
            "ON CONFLICT DO NOTHING", 4, v, NULL, NULL, err,
            errlen)) == NULL)
            return -1;
        PQclear(res);
    }
    return 0;
}

static int
create_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct create_arg *a = arg;
    const struct job_new *jn = a->jn;
    const struct job_guard *g = a->g;
    struct counter_arg ca = { .c = c, .rule = jn->rule_name };
    struct guard_counter cnt = { .admitted = c_admitted,
        .entity_runs = c_runs, .arg = &ca };
    uint64_t now = jn->now_ms != 0 ? jn->now_ms : clock_wall_ms();
    char newid[JOB_ID_LEN];
    bool found = false;

    (void)jp;
    *a->dup = false;
    memset(a->v, 0, sizeof(*a->v));
    snprintf(a->v->state, sizeof(a->v->state), "queued");
    if (jobs_new_id(newid, err, errlen) == -1 ||
        jobs_pg_conn_exec(c, "BEGIN", err, errlen) == -1)
        return -1;
    if (g != NULL && (g->storm_window_ms > 0 || g->cooldown_window_ms > 0) &&
        jobs_pg_conn_exec(c, "SELECT pg_advisory_xact_lock(" GUARD_LOCK ")",
        err, errlen) == -1)
        goto rollback;
    if (jn->window_ms > 0 && jobs_pg_claim_key(c, jn, now, newid, a->id,
        &found, err, errlen) == -1)
        goto rollback;
    if (found) {
        *a->dup = true;
    } else {
        snprintf(a->id, JOB_ID_LEN, "%s", newid);
        if ((g != NULL && guard_decide(g, now, &cnt, a->v, err,
            errlen) == -1) || insert(c, jn, a->v, now, newid, err,
            errlen) == -1 || add_entities(c, newid, jn->rule_name, g, now,
            err, errlen) == -1)
            goto rollback;
    }
    *unsafe = true;
    return jobs_pg_conn_exec(c, "COMMIT", err, errlen);
rollback:
    PQclear(PQexec(c, "ROLLBACK"));
    return -1;
}

static int
pg_create(void *impl, const struct job_new *jn, const struct job_guard *g,
    char id[JOB_ID_LEN], bool *dup, struct job_verdict *v, char *err,
    size_t errlen)
{
    struct create_arg a = { .jn = jn, .g = g, .id = id, .dup = dup,
        .v = v };

    return jobs_pg_conn_run(impl, create_fn, &a, err, errlen);
}

/* ---- counts ---- */

struct count_arg {
    const char  *rule;
    const char  *entity;
    uint64_t     since;
    uint64_t    *n;
};

static int
count_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct count_arg *a = arg;

    (void)jp;
    (void)unsafe;
    if (a->rule == NULL)
        return admitted_c(c, a->since, a->n, err, errlen);
    return runs_c(c, a->rule, a->entity, a->since, a->n, err, errlen);
}

static int
pg_count_admitted(void *impl, uint64_t since, uint64_t *n, char *err,
    size_t errlen)
{
    struct count_arg a = { .since = since, .n = n };

    return jobs_pg_conn_run(impl, count_fn, &a, err, errlen);
}

static int
pg_count_entity_runs(void *impl, const char *rule, const char *entity,
    uint64_t since, uint64_t *n, char *err, size_t errlen)
{
    struct count_arg a = { .rule = rule, .entity = entity, .since = since,
        .n = n };

    return jobs_pg_conn_run(impl, count_fn, &a, err, errlen);
}

/* ---- transitions ---- */

static int
trans_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct jobs_transition_arg *a = arg;
    char now[JOBS_PG_NUM_LEN];
    const char *v[5] = { a->id, a->to, a->reason, a->actor, NULL };
    PGresult *res;

    (void)jp;
    a->rc = 0;
    a->cur[0] = '\0';
    if (jobs_pg_conn_exec(c, "BEGIN", err, errlen) == -1)
        return -1;
    if ((res = jobs_pg_conn_query(c, "SELECT state FROM jobs WHERE id = $1 FOR "
        "UPDATE", 1, v, NULL, NULL, err, errlen)) == NULL)
        goto rollback;
    if (PQntuples(res) == 1)
        snprintf(a->cur, JOB_STATE_MAX, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (a->cur[0] == '\0' || !jobs_state_in(a->cur, a->from))
        return jobs_pg_conn_exec(c, "ROLLBACK", err, errlen);
    jobs_pg_u64s(now, clock_wall_ms());
    v[4] = jobs_state_final(a->to) ? now : NULL;
    if ((res = jobs_pg_conn_query(c, "UPDATE jobs SET state = $2, reason = "
        "coalesce($3, reason), approver = coalesce($4, approver), "
        "report_state = 'pending', finished_ms = $5::bigint, detail = NULL "
        "WHERE id = $1", 5, v, NULL, NULL, err, errlen)) == NULL)
        goto rollback;
    PQclear(res);
    *unsafe = true;
    if (jobs_pg_conn_exec(c, "COMMIT", err, errlen) == -1)
        return -1;
    snprintf(a->cur, JOB_STATE_MAX, "%s", a->to);
    a->rc = 1;
    return 0;
rollback:
    PQclear(PQexec(c, "ROLLBACK"));
    return -1;
}

static int
pg_transition(void *impl, const char *id, const char *const *from,
    const char *to, const char *reason, const char *actor,
    char cur[JOB_STATE_MAX], char *err, size_t errlen)
{
    struct jobs_transition_arg a = { .id = id, .from = from, .to = to,
        .reason = reason, .actor = actor, .cur = cur };

    if (jobs_pg_conn_run(impl, trans_fn, &a, err, errlen) == -1)
        return -1;
    return a.rc;
}

/* ---- small reads and writes ---- */

struct one_arg {
    const char  *sql;
    int          n;
    const char  *v[3];
    char        *out;       /* first column of the first row, or NULL */
    size_t       outlen;
    int          rows;
    struct job  *job;       /* JOB_COLUMNS, then one more */
    uint64_t    *extra;
};

static int
one_fn(struct jobs_pg *jp, PGconn *c, void *arg, bool *unsafe, char *err,
    size_t errlen)
{
    struct one_arg *a = arg;
    const char *errstr;
    PGresult *res;

    (void)jp;
    (void)unsafe;
    if ((res = jobs_pg_conn_query(c, a->sql, a->n, a->v, NULL, NULL, err,
        errlen)) == NULL)
        return -1;
    a->rows = PQntuples(res);
    if (a->rows > 0 && a->out != NULL) {
        if (PQgetisnull(res, 0, 0))
            a->rows = 0;
        else
            snprintf(a->out, a->outlen, "%s", PQgetvalue(res, 0, 0));
    }
    if (a->rows > 0 && a->job != NULL) {
        jobs_pg_read_load_job(res, 0, a->job);
        if (a->extra != NULL && str_to_u64(PQgetvalue(res, 0, 12), 0,
            UINT64_MAX, a->extra, &errstr) == -1)
            *a->extra = 0;
    }
    PQclear(res);
    return 0;
}

static int
pg_load(void *impl, const char *id, struct job *out, char *err,
    size_t errlen)
{
    struct one_arg a = { .sql = "SELECT " JOB_COLUMNS " FROM jobs "
        "WHERE id = $1", .n = 1, .v = { id }, .job = out };

    if (jobs_pg_conn_run(impl, one_fn, &a, err, errlen) == -1)
        return -1;
    return a.rows > 0 ? 1 : 0;
}

static int
pg_verify_start(void *impl, const char *id, uint64_t deadline,
    uint64_t next, char *err, size_t errlen)
{
    char d[JOBS_PG_NUM_LEN], n[JOBS_PG_NUM_LEN];
    struct one_arg a = { .sql = "UPDATE jobs SET verify_state = 'pending', "
        "verify_deadline_ms = $2::bigint, verify_next_ms = $3::bigint "
        "WHERE id = $1", .n = 3, .v = { id, d, n } };

    jobs_pg_u64s(d, deadline);
    jobs_pg_u64s(n, next);
    return jobs_pg_conn_run(impl, one_fn, &a, err, errlen);
}

static int
pg_verify_done(void *impl, const char *id, int verified, uint64_t next,
    char *err, size_t errlen)
{
    char n[JOBS_PG_NUM_LEN];
    struct one_arg a = { .n = 2, .v = { id, n } };

    jobs_pg_u64s(n, next);
    if (verified == -1) {
        a.sql = "UPDATE jobs SET verify_state = 'pending', verify_next_ms "
            "= $2::bigint WHERE id = $1";
    } else {
        a.sql = "UPDATE jobs SET verify_state = $2, verify_next_ms = NULL "
            "WHERE id = $1";
        a.v[1] = verified == 1 ? "verified" : "unverified";
    }
    return jobs_pg_conn_run(impl, one_fn, &a, err, errlen);
}

/*
 * A due check, claimed until now + the store's lease (verify_next_ms):
 * a check whose replica stopped before verify_done (kill -9, lost
 * server) is due again when its claim runs out, as SQLite's recovery
 * hands "checking" back at start-up. A check that outlives its claim may
 * be taken up twice (two notes at worst); the ticket reads behind it
 * time out well inside the lease.
 */
static int
pg_claim_verify(void *impl, uint64_t now, struct job *out,
    uint64_t *deadline, char *err, size_t errlen)
{
    struct jobs_pg *jp = impl;
    char n[JOBS_PG_NUM_LEN], until[JOBS_PG_NUM_LEN];
    struct one_arg a = { .sql = "UPDATE jobs SET verify_state = 'checking', "
        "verify_next_ms = $2::bigint WHERE seq = (SELECT seq FROM jobs "
        "WHERE verify_state IN ('pending', 'checking') AND verify_next_ms "
        "<= $1::bigint ORDER BY verify_next_ms LIMIT 1 FOR UPDATE SKIP "
        "LOCKED) RETURNING " JOB_COLUMNS ", verify_deadline_ms",
        .n = 2, .v = { n, until }, .job = out, .extra = deadline };

    jobs_pg_u64s(n, now);
    jobs_pg_u64s(until, now + jp->lease_ms);
    if (jobs_pg_conn_run(impl, one_fn, &a, err, errlen) == -1)
        return -1;
    return a.rows > 0 ? 1 : 0;
}

static int
pg_verify_next(void *impl, uint64_t *when, char *err, size_t errlen)
{
    char buf[32];
    const char *errstr;
    struct one_arg a = { .sql = "SELECT min(verify_next_ms) FROM jobs "
        "WHERE verify_state IN ('pending', 'checking')", .out = buf,
        .outlen = sizeof(buf) };

    if (jobs_pg_conn_run(impl, one_fn, &a, err, errlen) == -1)
        return -1;
    if (a.rows == 0 || str_to_u64(buf, 0, UINT64_MAX, when, &errstr) == -1)
        return 0;
    return 1;
}

const struct jobs_guard_ops jobs_pg_guard_ops = {
    .create = pg_create,
    .count_admitted = pg_count_admitted,
    .count_entity_runs = pg_count_entity_runs,
    .transition = pg_transition,
    .load = pg_load,
    .verify_start = pg_verify_start,
    .claim_verify = pg_claim_verify,
    .verify_done = pg_verify_done,
    .verify_next = pg_verify_next,
};
