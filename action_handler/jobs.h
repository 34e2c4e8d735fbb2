/*
 * The job store: every accepted action request is a row in an embedded
 * SQLite database (WAL) committed before the HTTP answer, and every
 * (task, entity) result is a row written as soon as it completes. The store
 * is the daemon's memory across crashes: on start-up a job left "running"
 * becomes "interrupted" (never re-run) and "queued" jobs are claimed again.
 * Each job also carries the state of its ticket report (pending, sending,
 * sent, failed) so a report is neither lost nor sent twice.
 *
 * One connection, serialised by the store's mutex: every function is
 * thread-safe. Statements are prepared with bound parameters only.
 *
 * The same interface has a second backend, PostgreSQL (jobs_pg.c), shared
 * by several action handler replicas; jobs_store_open picks one from the
 * job_store setting. Differences in meaning are noted per function.
 */
#ifndef ALEXIS_AH_JOBS_H
#define ALEXIS_AH_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"

#define JOB_ID_LEN  (2 * 16 + 1)    /* hex of AH_JOB_ID_BYTES, plus NUL */
#define JOB_STATE_MAX   24          /* longest state name, plus NUL */
#define JOB_REASON_MAX  32          /* a guardrail reason code, plus NUL */
#define JOB_DETAIL_MAX  512         /* its sentence */

struct jobs;

/* What POST /v1/action stores. Every string is borrowed. */
struct job_new {
    const char *feed_type;
    const char *unique_value;
    const char *rule_name;
    const char *id_key;         /* "tinyId" | "problem_id" */
    const char *alert_id;
    const char *envelope;       /* JSON, without alexis.feed_headers */
    const char *rule_json;      /* the rule object as loaded from disk */
    uint64_t    window_ms;      /* idempotency window; 0 = none */
    uint64_t    now_ms;         /* wall clock (ms since the epoch); 0 =
                                   the real clock (tests pass a time) */
    const char *requestor;      /* the client's name; may be NULL */
};

/*
 * The guardrails a new job is checked against (DESIGN §13), inside the
 * transaction that creates it, so that two concurrent requests cannot both
 * pass a limit. Strings borrowed.
 */
struct job_guard {
    int                 mode;           /* enum rule_mode */
    const char *const  *entities;       /* resolved at accept */
    size_t              nentities;
    bool                resolved;       /* false: entities unknown yet */
    uint32_t            max_entities;   /* 0: no limit */
    uint64_t            cooldown_window_ms;     /* 0: none */
    uint32_t            cooldown_max_runs;
    uint64_t            storm_window_ms;        /* 0: none */
    uint32_t            storm_max_jobs;
};

/* The state a new job was stored in, and why (see guard.h). */
struct job_verdict {
    char        state[JOB_STATE_MAX];   /* queued | pending_approval |
                                           skipped | refused */
    char        reason[JOB_REASON_MAX]; /* "" for queued */
    char        detail[JOB_DETAIL_MAX]; /* one sentence, "" for queued */
};

/* A job as a worker needs it (strings owned; free with jobs_job_free). */
struct job {
    char        id[JOB_ID_LEN];
    char       *state;
    char       *reason;
    char       *rule_name;
    char       *feed_type;
    char       *id_key;
    char       *alert_id;
    char       *envelope;
    char       *rule_json;
    char       *detail;         /* guardrail sentence; may be NULL */
    char       *requestor;      /* may be NULL */
    char       *approver;       /* may be NULL */
};

/* One (task, entity) outcome, as a runner writes it. Strings borrowed. */
struct job_result {
    int         task;           /* 0-based index in task_list */
    const char *entity;
    const char *action;
    const char *state;          /* "succeeded" | "failed" | "dry_run" */
    const char *outcome;        /* ssh_outcome_name or "dry_run" */
    int         exit_status;    /* -1 when none */
    const char *signal;         /* "" when none */
    uint64_t    duration_ms;
    const char *out;
    size_t      out_len;
    const char *err;
    size_t      err_len;
    bool        truncated;
    const char *error;          /* one sentence, "" when none */
};

/* A result row read back (strings owned; see jobs_results). */
struct job_row {
    int         task;
    char       *entity;
    char       *action;
    char       *state;
    char       *outcome;
    int         exit_status;    /* -1 when none */
    char       *signal;         /* "" when none */
    uint64_t    duration_ms;
    char       *out;            /* raw bytes, NUL-terminated */
    size_t      out_len;
    char       *err;
    size_t      err_len;
    bool        truncated;
    char       *error;          /* "" when none */
};

/* Open (creating) the database at path: WAL, foreign keys, schema. NULL
 * with err when it cannot be opened or is not ours. */
struct jobs *jobs_open(const char *path, char *err, size_t errlen);
void jobs_close(struct jobs *js);

/* Create a queued job, unless a job for the same (feed_type,
 * unique_value, rule_name) was created within window_ms: then *dup is true
 * and id is that job's. One IMMEDIATE transaction with synchronous=FULL,
 * so two concurrent requests cannot both create and a 202 is durable.
 * Returns 0 or -1 with err. */
int jobs_create(struct jobs *js, const struct job_new *jn,
    char id[JOB_ID_LEN], bool *dup, char *err, size_t errlen) ATTR_WUR;

/* jobs_create with guardrails g (NULL: none, as jobs_create): a new job
 * is stored in the state guard_decide gives from the store's counts
 * (jobs_count_admitted, jobs_count_entity_runs), its entities are
 * recorded (for later cooldowns) and *v says the state and reason. A
 * duplicate is not checked again (*dup, v says "queued"). Jobs stored
 * final (skipped, refused) have a pending report like a finished job.
 * Returns 0 or -1 with err. */
int jobs_create_guarded(struct jobs *js, const struct job_new *jn,
    const struct job_guard *g, char id[JOB_ID_LEN], bool *dup,
    struct job_verdict *v, char *err, size_t errlen) ATTR_WUR;

/* Called by jobs_recover for each job it interrupts (strings borrowed for
 * the call). */
typedef void (*jobs_recover_fn)(void *arg, const struct job *j);

/* Start-up recovery, one transaction: running jobs become interrupted
 * (reason given) with a pending report, fn (may be NULL) seeing each;
 * reports left "sending" go back to pending, verification checks left
 * "checking" to pending. *n receives the number of jobs interrupted.
 * PostgreSQL: only the running jobs whose lease expired or whose holder
 * has this replica's id (other replicas run the rest). */
int jobs_recover(struct jobs *js, const char *reason, jobs_recover_fn fn,
    void *arg, size_t *n, char *err, size_t errlen) ATTR_WUR;

/* Atomically move the oldest queued job to running and load it into out.
 * 1 when a job was claimed, 0 when none is queued, -1 on error. */
int jobs_claim(struct jobs *js, struct job *out, char *err, size_t errlen)
    ATTR_WUR;

/* Atomically move the oldest finished job whose report is pending to
 * "sending" and load it. 1, 0 or -1 as jobs_claim. */
int jobs_claim_report(struct jobs *js, struct job *out, char *err,
    size_t errlen) ATTR_WUR;

void jobs_job_free(struct job *j);

/* Record one result row (replacing none: a (job, task, entity) is written
 * once). */
int jobs_result_add(struct jobs *js, const char *id,
    const struct job_result *r, char *err, size_t errlen) ATTR_WUR;

/* Set a running job's final state (succeeded|failed|partial|interrupted)
 * and reason (may be NULL), and its finish time. PostgreSQL: only while
 * this replica holds the job's lease; when another replica has taken it
 * over (interrupted the job), nothing is written, the refusal is logged
 * (job_write_refused) and the call returns 0: retrying cannot help.
 * Results and report outcomes likewise. */
int jobs_finish(struct jobs *js, const char *id, const char *state,
    const char *reason, char *err, size_t errlen) ATTR_WUR;

/* Record the ticket report's outcome: "sent" or "failed" with error, and
 * attempts, the HTTP requests made for the report (every ticket write,
 * retries included; 0 when nothing was sent). */
int jobs_report_done(struct jobs *js, const char *id, bool sent,
    const char *error, int attempts, char *err, size_t errlen) ATTR_WUR;

struct jobs_query;

/* Back-pressure for POST /v1/action (issue 11): *queued receives the
 * number of queued jobs, *mine the number of unfinished (queued or
 * running) jobs of requestor (0 when requestor is NULL), on every replica
 * of a shared store. Returns 0 or -1 with err. */
int jobs_count_unfinished(struct jobs *js, const char *requestor,
    uint64_t *queued, uint64_t *mine, char *err, size_t errlen) ATTR_WUR;

/* Retention: delete the jobs (and their results) that finished before
 * before_ms (wall clock) and whose report is sent or failed. *n receives
 * the number of jobs deleted. */
int jobs_prune(struct jobs *js, uint64_t before_ms, size_t *n, char *err,
    size_t errlen) ATTR_WUR;

/* How often an idle worker should look for work queued by others (ms);
 * 0 when only this process queues jobs (SQLite: runner_wake suffices). */
uint64_t jobs_poll_ms(const struct jobs *js);

/* True when id has the shape of our job ids (so a lookup is worth it). */
bool jobs_id_valid(const char *id);

#endif
