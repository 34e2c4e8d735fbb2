/*
 * Guardrails at the HTTP edge (see guard_api.h).
 */
#include "guard_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "alert.h"
#include "auth.h"
#include "handler.h"
#include "jobs_guard.h"
#include "json.h"
#include "log.h"
#include "metrics.h"
#include "rules.h"
#include "runner.h"
#include "xmem.h"

#define JOBS_PREFIX "/v1/jobs/"

void
guard_api_build(const struct action_handler *ah, const struct rule *r,
    const cJSON *doc, struct guard_req *gr)
{
    struct job_guard *g = &gr->g;
    struct entity_list *ents = &gr->ents;
    char err[ALEXIS_ERR_MAX];
    size_t i;

    memset(gr, 0, sizeof(*gr));
    g->mode = (int)r->guard.mode;
    g->max_entities = r->guard.max_entities;
    g->cooldown_window_ms = r->guard.cooldown_window_ms;
    g->cooldown_max_runs = r->guard.cooldown_max_runs;
    g->storm_window_ms = ah->conf.storm.window_ms;
    g->storm_max_jobs = (uint32_t)ah->conf.storm.max_jobs;
    if (entities_resolve(r, doc, ents, err, sizeof(err)) == -1)
        return;
    gr->names = xcalloc(ents->n == 0 ? 1 : ents->n, sizeof(*gr->names));
    for (i = 0; i < ents->n; i++)
        gr->names[i] = ents->items[i].text;
    g->entities = gr->names;
    g->nentities = ents->n;
    g->resolved = true;
}

void
guard_api_release(struct guard_req *gr)
{
    free(gr->names);
    gr->names = NULL;
    gr->g.entities = NULL;
    entities_free(&gr->ents);
}

void
guard_api_log(const struct alert *a, const char *job, const char *rule_name,
    const char *requestor, const struct job_verdict *v)
{
    char event[48];
    bool quiet = strcmp(v->state, "queued") == 0;

    snprintf(event, sizeof(event), "job_%s", v->state);
    log_event(quiet || strcmp(v->state, "pending_approval") == 0 ?
        LOG_INFO : LOG_WARN, event, KV_STR("job", job),
        KV_STR(a->id_key, a->id), KV_STR("rule_name", rule_name),
        KV_STR("feed_type", a->feed_type),
        KV_STR("requestor", requestor != NULL ? requestor : ""),
        KV_STR("reason", v->reason), KV_STR("detail", v->detail));
    if (strcmp(v->state, "skipped") == 0 || strcmp(v->state, "refused") == 0)
        metrics_guardrail_skip(v->reason);
}

static void
reply_state(struct http_response *resp, int status, const char *id,
    const char *state, const char *error)
{
    cJSON *o = cJSON_CreateObject();
    char *text;

    if (error != NULL) {
        cJSON_AddStringToObject(o, "error", error);
        cJSON_AddNumberToObject(o, "status", status);
    }
    cJSON_AddStringToObject(o, "job", id);
    cJSON_AddStringToObject(o, "state", state);
    text = json_print(o);
    http_server_reply(resp, status, text);
    free(text);
    cJSON_Delete(o);
}

struct verb {
    const char         *name;
    const char         *to;
    const char *const  *from;
    bool                needs_approve;
};

static const char *const from_pending[] = { "pending_approval", NULL };
static const char *const from_waiting[] = { "queued", "pending_approval",
    NULL };

static const struct verb verbs[] = {
    { "approve", "queued", from_pending, true },
    { "reject", "rejected", from_pending, true },
    { "cancel", "cancelled", from_waiting, false },
};

/* Split "<id>/<verb>" after the prefix. NULL when it is not one. */
static const struct verb *
parse_path(const char *rest, char id[JOB_ID_LEN])
{
    const char *slash = strchr(rest, '/');
    size_t i;

    if (slash == NULL || (size_t)(slash - rest) != JOB_ID_LEN - 1)
        return NULL;
    memcpy(id, rest, JOB_ID_LEN - 1);
    id[JOB_ID_LEN - 1] = '\0';
    if (!jobs_id_valid(id))
        return NULL;
    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (strcmp(slash + 1, verbs[i].name) == 0)
            return &verbs[i];
    }
    return NULL;
}

/* 403 when the client may not act on this rule; 0 when it may. */
static int
refuse(const struct verb *vb, const struct http_request *req,
    const char *rule, struct http_response *resp)
{
    const char *who = req->requestor != NULL ? req->requestor : "?";

    if (vb->needs_approve && (req->grant == NULL || !req->grant->approve)) {
        http_server_reply_error(resp, 403, "client %s may not %s jobs "
            "(rule %s): its token has no \"approve\": true", who, vb->name,
            rule);
        return -1;
    }
    if (!auth_grant_allows_rule(req->grant, rule)) {
        http_server_reply_error(resp, 403, "client %s may not %s jobs of "
            "rule %s", who, vb->name, rule);
        return -1;
    }
    return 0;
}

void
guard_api_control(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct action_handler *ah = ctx;
    const struct verb *vb;
    char id[JOB_ID_LEN], cur[JOB_STATE_MAX], err[ALEXIS_ERR_MAX], msg[256];
    struct job job;
    const char *rule;
    int rc;

    if ((vb = parse_path(req->path + strlen(JOBS_PREFIX), id)) == NULL) {
        http_server_reply_error(resp, 404, "no such job or action (POST "
            "/v1/jobs/<id>/approve, /reject or /cancel)");
        return;
    }
    if ((rc = jobs_guard_load(ah->jobs, id, &job, err, sizeof(err))) <= 0) {
        if (rc == 0)
            http_server_reply_error(resp, 404, "no such job");
        else
            http_server_reply_error(resp, 503, "%s", err);
        return;
    }
    rule = job.rule_name;
    if (refuse(vb, req, rule, resp) == -1)
        goto out;
    if ((rc = jobs_guard_transition(ah->jobs, id, vb->from, vb->to, NULL,
        req->requestor, cur, err, sizeof(err))) == -1) {
        http_server_reply_error(resp, 503, "%s", err);
        goto out;
    }
    if (rc == 0 && cur[0] == '\0') {
        http_server_reply_error(resp, 404, "no such job");
        goto out;
    }
    if (rc == 0) {
        snprintf(msg, sizeof(msg), "job %s is %s: only a %s job can be "
            "%s", id, cur, vb->from[1] != NULL ? "queued or pending_approval"
            : "pending_approval", vb->name == verbs[0].name ? "approved" :
            vb->name == verbs[1].name ? "rejected" : "cancelled");
        reply_state(resp, 409, id, cur, msg);
        goto out;
    }
    log_event(LOG_INFO, vb == &verbs[0] ? "job_approved" : vb == &verbs[1] ?
        "job_rejected" : "job_cancelled", KV_STR("job", id),
        KV_STR(job.id_key, job.alert_id), KV_STR("rule_name", rule),
        KV_STR("feed_type", job.feed_type), KV_STR("requestor",
        req->requestor != NULL ? req->requestor : ""), KV_STR("reason",
        vb == &verbs[0] ? "approved" : vb == &verbs[1] ? "rejected" :
        "cancelled"));
    runner_wake(ah->runner);
    reply_state(resp, 200, id, cur, NULL);
out:
    jobs_job_free(&job);
}
