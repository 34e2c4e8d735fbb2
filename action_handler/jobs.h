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
#include "job.h"

struct jobs;

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

/* Start-up recovery, one transaction: running jobs become interrupted
 * (reason given) with a pending report, fn (may be NULL) seeing each;
 * reports left "sending" go back to pending, verification checks left
 * "checking" to pending. *n receives the number of jobs interrupted.
 * PostgreSQL: only the running jobs whose lease expired or whose holder
 * has this replica's id (other replicas run the rest). */
int jobs_recover(struct jobs *js, const char *reason, job_fn fn,
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

/* True when state is one of list (NULL-terminated). */
bool jobs_state_in(const char *state, const char *const *list);

/* True for the states a job ends in (nothing more runs). */
bool jobs_state_final(const char *state);

/* Whether a job in state was let through: it runs, ran or will run (what
 * the storm breaker and the cooldown count). */
bool jobs_state_admitted(const char *state);

/* True when id has the shape of our job ids (so a lookup is worth it). */
bool jobs_id_valid(const char *id);

#endif
