/*
 * The text written back to the ticket after a job (an OpsGenie note, a
 * Dynatrace comment): rule, job, final state and reason, then per task its
 * action and action_reason and per entity the state, exit status or
 * signal, duration and the tail of its output. The text is capped: each
 * entity's tail shrinks so the whole stays under the cap, and past it the
 * text is cut with a pointer to GET /v1/jobs/<id>.
 */
#ifndef ALEXIS_AH_NOTE_H
#define ALEXIS_AH_NOTE_H

#include <stddef.h>

#include "jobs.h"

struct rule;

struct note_job {
    const char          *id;
    const char          *state;
    const char          *reason;    /* may be NULL */
    const char          *rule_name;
    const struct rule   *rule;      /* tasks' action_reason; may be NULL */
    const struct job_row *rows;
    size_t               nrows;
};

/* The note for nj, at most max bytes (so at most max characters) plus NUL.
 * max must be at least 256. Caller frees. Never NULL. */
char *note_format(const struct note_job *nj, size_t max);

#endif
