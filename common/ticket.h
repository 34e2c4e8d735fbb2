/*
 * Writing back to the ticket: OpsGenie (add team, add note; asynchronous
 * 202 + requestId) and Dynatrace problems API v1 (comment + user + context)
 * and v2 (message + context). Credentials come only from the daemon's own
 * authentication_list (DESIGN §5): ticket_resolve refuses any base_url that
 * is not configured for the feed type, so a request can never make a daemon
 * send an API key to an address of the caller's choosing. 429 and 5xx are
 * retried with backoff, bounded (HTTP_RETRY_MAX).
 */
#ifndef ALEXIS_TICKET_H
#define ALEXIS_TICKET_H

#include <stddef.h>

#include "compat.h"

struct alert;
struct cfg_auth;
struct http_client;

enum ticket_kind {
    TICKET_OPSGENIE,
    TICKET_DYNATRACE_V1,
    TICKET_DYNATRACE_V2,
};

struct ticket_ref {
    enum ticket_kind         kind;
    const struct cfg_auth   *auth;      /* credentials and base_url */
    const char              *id;        /* alert id / tinyId / problem id */
    const char              *id_type;   /* OpsGenie identifierType */
};

struct ticket_outcome {
    long    status;         /* last HTTP status, 0 when none */
    int     attempts;
    char    request_id[64]; /* OpsGenie requestId when given */
    char    err[256];       /* why it failed, one sentence */
};

/* Address the ticket of alert a (OpsGenie alert, Dynatrace v1 or v2
 * problem, and its identifier) and pick its credentials from list
 * (cfg_auth_find on the alert's feed type and alexis.base_url), checking
 * the entry has a base_url. -1 with the reason in err (no secret in it).
 * t borrows from a and list. */
int ticket_resolve(struct ticket_ref *t, const struct alert *a,
    const struct cfg_auth *list, size_t n, char *err, size_t errlen)
    ATTR_WUR;

/* OpsGenie: POST /v2/alerts/{id}/teams {"team":{"name":team},...}; note
 * (may be NULL) is attached. Dynatrace tickets: -1 (no teams there).
 * 0 on a 2xx answer. */
int ticket_add_team(struct http_client *c, const struct ticket_ref *t,
    const char *team, const char *note, struct ticket_outcome *out)
    ATTR_WUR;

/* Read the alert (OpsGenie) or problem (Dynatrace) back before writing
 * to it: a request names its ticket, and a write must go only to one
 * that exists in the configured account (issue 11). 1 when it exists, 0
 * when the API answers 404, -1 when it cannot be told (out->err). 429 and
 * 5xx are retried as for writes. */
int ticket_exists(struct http_client *c, const struct ticket_ref *t,
    struct ticket_outcome *out) ATTR_WUR;

/* OpsGenie: a note (truncated to the API's 25,000-character limit);
 * Dynatrace v1/v2: a comment with context "Alexis". 0 on a 2xx answer. */
int ticket_note(struct http_client *c, const struct ticket_ref *t,
    const char *text, struct ticket_outcome *out) ATTR_WUR;

#endif
