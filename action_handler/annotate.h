/*
 * Writing a finished job back to its ticket: one OpsGenie note (then add
 * team route_to_team when the rule has one) or one Dynatrace v1/v2 comment,
 * built by note_format from the stored results. The ticket API and its
 * credentials come only from our authentication_list (ticket_resolve); the
 * outcome is stored with the job (report state sent/failed) and logged as
 * ticket_noted / ticket_note_failed / ticket_team_added /
 * ticket_team_failed / ticket_refused. Retries (429, 5xx) are ticket.c's.
 */
#ifndef ALEXIS_AH_ANNOTATE_H
#define ALEXIS_AH_ANNOTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "jobs.h"

struct ah_conf;
struct fetcher;

/* Report job j (claimed for reporting) and record the outcome. Every
 * request goes through f (the seam: one per thread; the daemon's wraps
 * its HTTP client, fetcher_client_init). */
void annotate_job(const struct ah_conf *conf, struct jobs *js,
    struct fetcher *f, const struct job *j);

/* One note on job j's ticket (a guardrail event outside the job's own
 * report, such as a verification result), then, when investigate, the
 * investigation queue (OpsGenie team). Logged like a report's writes.
 * 0, or -1 with err. */
int annotate_note(const struct ah_conf *conf, struct fetcher *f,
    const struct job *j, const char *text, bool investigate, char *err,
    size_t errlen);

#endif
