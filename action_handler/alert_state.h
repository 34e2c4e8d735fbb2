/*
 * Reading an alert's state back for the guardrails (recheck, verify)
 * through the ticket system's own state op (ticket_state: OpsGenie,
 * Dynatrace v1/v2, JSM). Credentials come from the daemon's own
 * authentication_list, as for every ticket write (ticket_resolve).
 * This is the real implementation behind the guard_state_fn seam
 * (guard.h); tests put fakes there.
 */
#ifndef ALEXIS_AH_ALERT_STATE_H
#define ALEXIS_AH_ALERT_STATE_H

#include <stddef.h>

#include "guard.h"

struct alert;

struct ah_conf;

/* The state of alert a's ticket, with conf's credentials. One GET with
 * the usual bounded retries; GUARD_ALERT_UNKNOWN with err when the answer
 * or its status field is missing. Thread-safe (a client per call). */
enum guard_alert_state alert_state_read(const struct ah_conf *conf,
    const struct alert *a, char *err, size_t errlen);

/* "open", "closed" or "unknown", for logs. */
const char *alert_state_name(enum guard_alert_state st);

#endif
