/*
 * The job store's guarded create, its guardrail counts, state changes and
 * verification (jobs_guard.c; SQLite here, other backends through their
 * guard ops).
 */
#ifndef ALEXIS_AH_JOBS_GUARD_H
#define ALEXIS_AH_JOBS_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "jobs.h"

/* jobs_create with guardrails g (NULL: none, as jobs_create): a new job
 * is stored in the state guard_decide gives from the store's counts
 * (jobs_guard_count_admitted, jobs_guard_count_entity_runs), its entities are
 * recorded (for later cooldowns) and *v says the state and reason. A
 * duplicate is not checked again (*dup, v says "queued"). Jobs stored
 * final (skipped, refused) have a pending report like a finished job.
 * Returns 0 or -1 with err. */
int jobs_guard_create(struct jobs *js, const struct job_new *jn,
    const struct job_guard *g, char id[JOB_ID_LEN], bool *dup,
    struct job_verdict *v, char *err, size_t errlen) ATTR_WUR;

/* Storm breaker count: jobs created at or after since_ms that were let
 * through (queued, pending_approval, running, or finished after running:
 * not skipped, refused, rejected or cancelled). Answered by SQL over the
 * jobs table. Returns 0 or -1 with err. */
int jobs_guard_count_admitted(struct jobs *js, uint64_t since_ms, uint64_t *n,
    char *err, size_t errlen) ATTR_WUR;

/* Cooldown count: jobs of rule_name created at or after since_ms that
 * include entity and were let through (as jobs_guard_count_admitted). */
int jobs_guard_count_entity_runs(struct jobs *js, const char *rule_name,
    const char *entity, uint64_t since_ms, uint64_t *n, char *err,
    size_t errlen) ATTR_WUR;

/* Move job id from one of the states in from (a NULL-terminated list) to
 * state to, with reason (may be NULL) and actor (the approver, rejecter or
 * canceller; may be NULL), and make its report pending (the ticket hears
 * of the change). A final state gets its finish time. Returns 1 when
 * moved; 0 when not, with cur the job's state, or "" when there is no such
 * job; -1 with err on a store error. */
int jobs_guard_transition(struct jobs *js, const char *id,
    const char *const *from, const char *to, const char *reason,
    const char *actor, char cur[JOB_STATE_MAX], char *err, size_t errlen)
    ATTR_WUR;

/* Job id into out (free with jobs_job_free): 1 found, 0 no such job, -1
 * error. */
int jobs_guard_load(struct jobs *js, const char *id, struct job *out, char *err,
    size_t errlen) ATTR_WUR;

/* A succeeded job whose rule has verify: watch its alert until deadline_ms,
 * first check at next_ms (ms since the epoch). */
int jobs_guard_verify_start(struct jobs *js, const char *id,
    uint64_t deadline_ms, uint64_t next_ms, char *err, size_t errlen) ATTR_WUR;

/* Claim the job whose verification check is due (verify_next_ms <= now_ms)
 * the longest: 1 with out and *deadline_ms, 0 when none is due, -1. */
int jobs_guard_claim_verify(struct jobs *js, uint64_t now_ms, struct job *out,
    uint64_t *deadline_ms, char *err, size_t errlen) ATTR_WUR;

/* The result of a claimed check: verified 1 (alert closed in time), 0
 * (window over, still open) or -1 (not yet: check again at next_ms). */
int jobs_guard_verify_done(struct jobs *js, const char *id, int verified,
    uint64_t next_ms, char *err, size_t errlen) ATTR_WUR;

/* When the next verification check is due: 1 with *when_ms, 0 none. */
int jobs_guard_verify_next(struct jobs *js, uint64_t *when_ms, char *err,
    size_t errlen) ATTR_WUR;

#endif
