/*
 * Outgoing webhooks of alexis-sim, as the real ticket systems send them:
 * when an alert is created (through the OpsGenie or the JSM API: one
 * store), OpsGenie's alert-action payload {"action":"Create","alert":
 * {"alertId","tinyId",…},…}, which JSM sends too; when a problem is
 * created, a Dynatrace custom problem notification {"PID","ProblemID",
 * "State",…}. Each goes to the target set for its source through the admin
 * API (POST /_admin/webhooks {"source","url","secret","header"}), with the
 * secret in the configured header. Sending is asynchronous: the store's
 * create path only queues a rendered payload (bounded; over the bound it
 * is dropped and counted) and one sender thread POSTs them in order, so
 * the simulated APIs stay fast. Thread-safe.
 */
#ifndef ALEXIS_SIM_WEBHOOK_OUT_H
#define ALEXIS_SIM_WEBHOOK_OUT_H

#include <cjson/cJSON.h>

#include "compat.h"

struct og_alert;
struct dt_problem;
struct sim_req;
struct sim_resp;
struct webhook_out;

/* Start the sender thread. NULL with err when it cannot start. The caller
 * has called curl_global_init. */
struct webhook_out *webhook_out_new(char *err, size_t errlen);
/* Stop the sender (payloads still queued are dropped), free. Accepts
 * NULL. */
void webhook_out_free(struct webhook_out *w);

/* The store's create hooks (store_opts.on_og_create / on_dt_create):
 * render the payload and queue it when a target is set for the source.
 * Called with the store's lock held; never blocks on the network. */
void webhook_out_og_created(void *w, const struct og_alert *a);
void webhook_out_dt_created(void *w, const struct dt_problem *p);

/* Queue body (copied) for the target of source ("opsgenie", "jsm",
 * "dynatrace"); nothing when none is set. */
void webhook_out_send(struct webhook_out *w, const char *source,
    const char *body);

/* /_admin/webhooks: POST sets one source's target, GET lists the targets
 * (never the secrets) with sent/failed/dropped counts, DELETE clears
 * them. */
void webhook_out_admin(struct webhook_out *w, const struct sim_req *req,
    struct sim_resp *resp);

#endif
