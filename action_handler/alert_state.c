/*
 * Alert state look-ups (see alert_state.h): the ticket system's own state
 * op (ticket_state), with our credentials and a client of our own.
 */
#include "alert_state.h"

#include <stdio.h>

#include "alert.h"
#include "alexis_limits.h"
#include "ah_conf.h"
#include "fetcher.h"
#include "http_client.h"
#include "ticket.h"

const char *
alert_state_name(enum guard_alert_state st)
{
    switch (st) {
    case GUARD_ALERT_OPEN:
        return "open";
    case GUARD_ALERT_CLOSED:
        return "closed";
    default:
        return "unknown";
    }
}

enum guard_alert_state
alert_state_read(const struct ah_conf *conf, const struct alert *a,
    char *err, size_t errlen)
{
    struct fetcher_client fc;
    struct http_client *hc;
    struct ticket_ref t;
    enum ticket_state st;

    if (ticket_resolve(&t, a, conf->auth, conf->nauth, err, errlen) == -1)
        return GUARD_ALERT_UNKNOWN;
    hc = http_client_new(NULL);
    fetcher_client_init(&fc, hc, HTTP_RETRY_MAX);
    st = ticket_state(&fc.f, &t, err, errlen);
    http_client_free(hc);
    switch (st) {
    case TICKET_STATE_OPEN:
        return GUARD_ALERT_OPEN;
    case TICKET_STATE_CLOSED:
        return GUARD_ALERT_CLOSED;
    default:
        return GUARD_ALERT_UNKNOWN;
    }
}
