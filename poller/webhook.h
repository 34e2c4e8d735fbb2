/*
 * The poller's listener (poller.listener): GET /v1/ping, GET /metrics
 * (metrics_http.h) and POST /v1/webhook/<feed_name>, the ticket systems'
 * outgoing webhooks (OpsGenie/JSM alert actions, Dynatrace custom problem
 * notifications). A delivery is only a trigger: it is authenticated by
 * the feed's webhook_secret (header X-Alexis-Webhook-Secret or
 * Authorization: Bearer, compared in constant time), its id is taken by
 * the feed's module (ticketsys.h webhook_id) and its event read
 * (webhook_event.h), the answer is 202 at once, and a worker then runs the id through poll_item exactly as
 * a poll would: fetched through the API with the feed's own credentials,
 * filtered, enveloped, forwarded, remembered in the recently-forwarded set.
 * Errors: unknown feed or a feed without a secret 404, bad or missing
 * secret 401, body not JSON or without an id 400 (naming the field), body
 * over WEBHOOK_BODY_MAX 413, Content-Type not JSON 415, queue full 503.
 */
#ifndef ALEXIS_POLLER_WEBHOOK_H
#define ALEXIS_POLLER_WEBHOOK_H

#include <stddef.h>

#include "compat.h"

struct poller;
struct webhook;

/* Start the workers and serve on listen_fd (from daemon_listen; owned by
 * the server from then on). p must be initialised (poller_init) and
 * outlive the intake. Logs "listening" with the bound port. NULL with err
 * on failure. */
struct webhook *webhook_start(struct poller *p, int listen_fd, char *err,
    size_t errlen);

/* Stop accepting, finish the requests in flight and the deliveries
 * already queued (each skips its work once the poller is stopping), free.
 * Accepts NULL. */
void webhook_stop(struct webhook *w);

#endif
