/*
 * The guardrails at the action handler's HTTP edge (DESIGN §13): the job
 * guard built for POST /v1/action from the rule, the alert and the config;
 * the verdict logged; and POST /v1/jobs/<id>/approve, /reject, /cancel.
 *   approve: pending_approval -> queued      (client with "approve": true)
 *   reject:  pending_approval -> rejected    (client with "approve": true)
 *   cancel:  queued | pending_approval -> cancelled (a client that may run
 *            the job's rule)
 * Answers: 200 {"job","state"}; 403 naming the rule; 404 unknown job;
 * 409 with the job's state when it is in the wrong one.
 */
#ifndef ALEXIS_AH_GUARD_API_H
#define ALEXIS_AH_GUARD_API_H

#include <cjson/cJSON.h>

#include "entities.h"
#include "http_server.h"
#include "jobs.h"

struct action_handler;
struct alert;
struct rule;

/* A job's guardrails with the storage they borrow. */
struct guard_req {
    struct job_guard        g;
    struct entity_list      ents;
    const char            **names;      /* g.entities */
};

/* The guardrails of rule r for the alert doc, entities resolved (a
 * resolution error leaves g.resolved false, and the job fails at run time
 * as before). Release with guard_api_release. */
void guard_api_build(const struct action_handler *ah, const struct rule *r,
    const cJSON *doc, struct guard_req *gr);
void guard_api_release(struct guard_req *gr);

/* Log a new job's verdict: job_queued, job_pending_approval, job_skipped
 * or job_refused, with reason and detail. */
void guard_api_log(const struct alert *a, const char *job,
    const char *rule_name, const char *requestor,
    const struct job_verdict *v);

/* POST /v1/jobs/<id>/<verb>. */
void guard_api_control(void *ctx, const struct http_request *req,
    struct http_response *resp);

#endif
