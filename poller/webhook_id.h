/*
 * What a ticket system's outgoing webhook says, reduced to what the poller
 * acts on: the id to fetch through the API and whether the event can make
 * an alert worth forwarding. One small function per system, so each moves
 * as it is into the ticket-system interface when that lands. The payload
 * is untrusted: only the id and the action/state are read, and the id is
 * checked as the feed would check one from a listing. Pure: no I/O, no
 * logging, thread-safe.
 */
#ifndef ALEXIS_POLLER_WEBHOOK_ID_H
#define ALEXIS_POLLER_WEBHOOK_ID_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "compat.h"
#include "conf.h"
#include "poller_limits.h"

#define WEBHOOK_EVENT_MAX   64

struct webhook_event {
    char    id[POLLER_ID_MAX + 1];  /* what the feed's individual URL takes */
    bool    forward;    /* false: a Close-type action or a closed problem */
    char    event[WEBHOOK_EVENT_MAX];   /* the action or State, printable;
                                         * "" when the payload has none */
};

/* OpsGenie alert-action webhook {"action": …, "alert": {"tinyId": …}}:
 * the id is alert.tinyId (the OpsGenie feed's key), digits only. Actions
 * Close and Delete do not forward. 0, or -1 with one sentence naming the
 * field in err. */
int webhook_id_opsgenie(const cJSON *doc, struct webhook_event *ev,
    char *err, size_t errlen) ATTR_WUR;

/* JSM operations webhook, OpsGenie's shape: the id is alert.alertId (JSM's
 * GET /v1/alerts/{id} refuses the tinyId). Close and Delete do not
 * forward. */
int webhook_id_jsm(const cJSON *doc, struct webhook_event *ev, char *err,
    size_t errlen) ATTR_WUR;

/* Dynatrace custom problem notification: the id is PID (the API's
 * problemId; ProblemID is only the display number); State must be there,
 * and only OPEN forwards (RESOLVED, CLOSED, MERGED do not). */
int webhook_id_dynatrace(const cJSON *doc, struct webhook_event *ev,
    char *err, size_t errlen) ATTR_WUR;

/* The function above for a feed kind. */
int webhook_id_extract(enum feed_kind kind, const cJSON *doc,
    struct webhook_event *ev, char *err, size_t errlen) ATTR_WUR;

#endif
