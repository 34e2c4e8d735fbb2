/*
 * The guardrail decisions of the action handler (DESIGN §13), as pure
 * functions over counts the job store supplies, so that both stores
 * (SQLite, PostgreSQL) decide alike and unit tests can use fakes:
 *   at accept: blast radius (refused), storm breaker and cooldown
 *   (skipped), mode notify (skipped) and approve (pending_approval);
 *   before the first command: recheck (skipped when the alert closed);
 *   after success: when to look at the alert again for verify.
 * Reasons are short codes (cooldown, storm_breaker, blast_radius, notify,
 * alert_closed) plus one sentence of detail for the ticket and the job.
 */
#ifndef ALEXIS_AH_GUARD_H
#define ALEXIS_AH_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "job.h"

/* The counts guard_decide asks for, only when a guardrail needs them. Each
 * returns 0 or -1 with err. */
struct guard_counter {
    /* Jobs let through since since_ms (jobs_guard_count_admitted). */
    int   (*admitted)(void *arg, uint64_t since_ms, uint64_t *n, char *err,
              size_t errlen);
    /* Jobs of this rule on entity since since_ms
     * (jobs_guard_count_entity_runs). */
    int   (*entity_runs)(void *arg, const char *entity, uint64_t since_ms,
              uint64_t *n, char *err, size_t errlen);
    void   *arg;
};

/* Decide the state of a new job under g at now_ms (ms since the epoch)
 * into v: in order, notify mode → skipped/notify; more entities than
 * max_entities → refused/blast_radius; the storm window full → skipped/
 * storm_breaker; an entity that ran max_runs times within the cooldown
 * window → skipped/cooldown; approve mode → pending_approval; else queued.
 * Returns 0, or -1 with err when a count failed. */
int guard_decide(const struct job_guard *g, uint64_t now_ms,
    const struct guard_counter *cnt, struct job_verdict *v, char *err,
    size_t errlen) ATTR_WUR;

/* What a ticket says about its alert (the ticket system's "state" op). */
enum guard_alert_state {
    GUARD_ALERT_UNKNOWN,    /* could not be read; the job goes on */
    GUARD_ALERT_OPEN,
    GUARD_ALERT_CLOSED,     /* closed or resolved */
};

struct alert;

/* The seam that reads an alert's state through its ticket API: the
 * daemon's is alert_state_read, tests put fakes here. Thread-safe. */
typedef enum guard_alert_state (*guard_state_fn)(void *arg,
    const struct alert *a, char *err, size_t errlen);

/* Whether a recheck that found st skips the job. */
bool guard_recheck_skips(enum guard_alert_state st);

/* The next verification check after one at now_ms for a window of
 * within_ms ending at deadline_ms: a tenth of the window, between
 * GUARD_VERIFY_POLL_MIN_MS and GUARD_VERIFY_POLL_MAX_MS, and never past
 * the deadline (the last check is at the deadline). */
uint64_t guard_verify_next(uint64_t now_ms, uint64_t deadline_ms,
    uint64_t within_ms);

#endif
