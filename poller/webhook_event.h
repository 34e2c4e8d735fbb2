/*
 * What a ticket system's webhook says happened, as far as the poller
 * acts on it: whether the event can make an alert worth forwarding. The
 * id itself comes from the feed's module (ticketsys.h webhook_id). Read
 * the same way for every system, from the member each one uses: OpsGenie
 * and JSM send "action" (Close and Delete do not forward), Dynatrace's
 * custom notification "State" (only OPEN forwards; RESOLVED, CLOSED,
 * MERGED do not). The payload is untrusted: nothing else is read. Pure:
 * no I/O, no logging, thread-safe.
 */
#ifndef ALEXIS_POLLER_WEBHOOK_EVENT_H
#define ALEXIS_POLLER_WEBHOOK_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "alexis_limits.h"
#include "compat.h"

struct webhook_event {
    char    event[WEBHOOK_EVENT_MAX];   /* the action or State; "" when the
                                         * payload has neither */
    bool    forward;
};

/* Read doc's action / State into ev. 0, or -1 with one sentence naming
 * the field when doc is not an object or the member is not a short
 * printable string. */
int webhook_event_read(const cJSON *doc, struct webhook_event *ev,
    char *err, size_t errlen) ATTR_WUR;

#endif
