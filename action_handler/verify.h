/*
 * The verify guardrail's checks (DESIGN §13): a succeeded job of a rule
 * with "verify": {"within": W} is watched; each due check reads the alert
 * through the guard_state_fn seam. Closed → verified true (noted); the
 * window over and still open → verified false, noted and sent to the
 * investigation queue; else the next check is scheduled
 * (guard_verify_next). Logged as event=job_verified verified=true|false.
 */
#ifndef ALEXIS_AH_VERIFY_H
#define ALEXIS_AH_VERIFY_H

#include <stdint.h>

#include "guard.h"
#include "jobs.h"

struct ah_conf;
struct http_client;

/* One check of job j (claimed with jobs_guard_claim_verify) whose window
 * ends at deadline_ms. Uses hc for the note. */
void verify_check(const struct ah_conf *conf, struct jobs *js,
    struct http_client *hc, guard_state_fn state, void *state_arg,
    const struct job *j, uint64_t deadline_ms);

#endif
