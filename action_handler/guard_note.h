/*
 * The one short ticket note of each guardrail event (DESIGN §13): a skip
 * (cooldown, storm_breaker, notify, alert_closed), a refusal
 * (blast_radius), an approval request, a rejection or cancellation, and a
 * verification result. Each such ticket also goes to the investigation
 * queue, where a person must look.
 */
#ifndef ALEXIS_AH_GUARD_NOTE_H
#define ALEXIS_AH_GUARD_NOTE_H

#include <stdbool.h>

#include "jobs.h"

struct rule;

/* Whether a job in state is reported with a guardrail note (and sent to
 * the investigation queue) rather than a run report. */
bool guard_note_applies(const char *state);

/* The note for job j (state, reason, detail) of rule r (may be NULL).
 * Caller frees. */
char *guard_note_format(const struct job *j, const struct rule *r);

/* The note of a verification result: verified or not within the window. */
char *guard_note_verify(const struct job *j, bool verified,
    uint64_t within_ms);

#endif
