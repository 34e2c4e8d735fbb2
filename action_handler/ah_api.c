/*
 * HTTP handlers of the action handler (see api.h). POST /v1/action trusts
 * only rule.rule_name from the request: the rule that runs is the one of
 * that name in our own rules_dir, stored with the job as loaded from disk.
 */
#include "ah_api.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alexis_limits.h"
#include "auth.h"
#include "clock.h"
#include "guard_api.h"
#include "handler.h"
#include "jobs.h"
#include "jobs_defer.h"
#include "jobs_guard.h"
#include "jobs_json.h"
#include "jobs_query.h"
#include "json.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "ruledir.h"
#include "rules.h"
#include "runner.h"
#include "xmem.h"

#define JOBS_PREFIX "/v1/jobs/"

static void
reply_json(struct http_response *resp, int status, cJSON *doc)
{
    char *text = json_print(doc);

    http_server_reply(resp, status, text);
    free(text);
    cJSON_Delete(doc);
}

static void
handle_ping(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct action_handler *ah = ctx;
    char err[ALEXIS_ERR_MAX], jerr[ALEXIS_ERR_MAX];
    bool tok_ok;
    cJSON *doc, *stats;
    bool ok;

    tok_ok = auth_runtime_check(ah->conf.tokens.runtime, err,
        sizeof(err)) == 0;
    stats = jobs_json_stats(ah->jobs, jerr, sizeof(jerr));
    ok = tok_ok && stats != NULL;
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "status", ok ? "ok" : "unhealthy");
    /* Without a valid token: alive or not, nothing about the inside. */
    if (req->requestor == NULL) {
        cJSON_Delete(stats);
        reply_json(resp, ok ? 200 : 503, doc);
        return;
    }
    cJSON_AddBoolToObject(doc, "runtime_token_readable", tok_ok);
    if (!tok_ok)
        cJSON_AddStringToObject(doc, "error", err);
    cJSON_AddBoolToObject(doc, "development", ah->conf.development);
    if (stats != NULL)
        cJSON_AddItemToObject(doc, "jobs", stats);
    /* Writes failing is "failing" but not 503: a health check that
     * restarted us would lose the writes kept for the store's return. */
    if (stats == NULL || !jobs_defer_health(ah->jobs, jerr, sizeof(jerr))) {
        cJSON_AddStringToObject(doc, "db", "failing");
        cJSON_AddStringToObject(doc, "db_error", jerr);
    } else {
        cJSON_AddStringToObject(doc, "db", "ok");
    }
    reply_json(resp, ok ? 200 : 503, doc);
}

/* The rule to run: ours by name (borrowed from *rs, which the caller
 * releases); with allow_request_commands, the request's own rule when we
 * have none of that name (*owned, which the caller unrefs). NULL with the
 * HTTP status and reason. */
static const struct rule *
pick_rule(struct action_handler *ah, const cJSON *req_rule, const char *name,
    const struct alert *a, struct rule_set **rs, struct rule **owned,
    int *status, char *err, size_t errlen)
{
    const struct rule *mine;
    char *text;

    *status = 422;
    if ((*rs = ruledir_get(ah->rules, err, errlen)) == NULL) {
        *status = 503;
        return NULL;
    }
    if ((mine = ruledir_set_find(*rs, name)) != NULL) {
        if (mine->enabled)
            return mine;
        snprintf(err, errlen, "rule %s is disabled in rules_dir", name);
        return NULL;
    }
    if (!ah->conf.allow_request_commands) {
        snprintf(err, errlen, "unknown rule %s: no rule of that name in "
            "rules_dir", name);
        return NULL;
    }
    text = json_print(req_rule);
    *owned = rules_parse(text, strlen(text), "request rule", err, errlen);
    free(text);
    if (*owned != NULL)
        log_event(LOG_WARN, "request_commands_used",
            KV_STR(a->id_key, a->id), KV_STR("rule_name", name),
            KV_STR("msg", "running commands carried by the request "
            "(allow_request_commands is on)"));
    return *owned;
}

/* Refuse with status, msg and Retry-After, after logging action_refused
 * with reason and the count (key=n) that was over its limit. True. */
static bool
refuse(struct http_response *resp, const struct alert *a,
    const struct rule *r, int status, const char *reason, const char *key,
    uint64_t n, const char *msg)
{
    log_event(LOG_WARN, "action_refused", KV_STR(a->id_key, a->id),
        KV_STR("rule_name", r->name), KV_INT("status", status),
        KV_STR("reason", reason), KV_UINT(key, n));
    http_server_reply_error(resp, status, "%s", msg);
    resp->retry_after_s = AH_RETRY_AFTER_S;
    return true;
}

/*
 * Back-pressure before anything is stored (issue 11): past queue_max
 * queued jobs every client gets 503, and a client with client_max_jobs
 * unfinished jobs gets 429, both with Retry-After. The check precedes the
 * creating transaction, so concurrent requests may overshoot a limit by
 * at most the number of HTTP threads. True when it answered.
 */
static bool
over_limits(struct action_handler *ah, const struct http_request *req,
    const struct alert *a, const struct rule *r, struct http_response *resp)
{
    uint64_t queued, mine;
    char err[ALEXIS_ERR_MAX], msg[ALEXIS_ERR_MAX];

    if (jobs_count_unfinished(ah->jobs, req->requestor, &queued, &mine, err,
        sizeof(err)) == -1) {
        log_event(LOG_ERROR, "job_store_failed", KV_STR(a->id_key, a->id),
            KV_STR("rule_name", r->name), KV_ERR(err));
        http_server_reply_error(resp, 503, "the job could not be stored (%s); "
            "retry", err);
        resp->retry_after_s = AH_RETRY_AFTER_S;
        return true;
    }
    if (queued >= (uint64_t)ah->conf.queue_max) {
        snprintf(msg, sizeof(msg), "the job queue is full (%llu queued, "
            "queue_max %lld); retry later", (unsigned long long)queued,
            ah->conf.queue_max);
        return refuse(resp, a, r, 503, "queue_full", "queued", queued, msg);
    }
    if (mine >= (uint64_t)ah->conf.client_max_jobs) {
        snprintf(msg, sizeof(msg), "%llu of your jobs are not finished "
            "(client_max_jobs %lld); retry later", (unsigned long long)mine,
            ah->conf.client_max_jobs);
        return refuse(resp, a, r, 429, "client_limit", "unfinished", mine,
            msg);
    }
    return false;
}

/* Store the job under its guardrails; answer 202 (whatever state they
 * gave it), or 200 for a duplicate. */
static void
queue_job(struct action_handler *ah, const struct http_request *req,
    struct alert *a, const struct rule *r, struct http_response *resp)
{
    struct job_new jn;
    struct guard_req gr;
    struct job_verdict v;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX], *envelope;
    bool dup;
    cJSON *ans;

    if (over_limits(ah, req, a, r, resp))
        return;
    envelope = json_print(a->doc);
    memset(&jn, 0, sizeof(jn));
    jn.feed_type = a->feed_type;
    jn.unique_value = a->unique_value;
    jn.rule_name = r->name;
    jn.id_key = a->id_key;
    jn.alert_id = a->id;
    jn.envelope = envelope;
    jn.rule_json = r->json;
    jn.window_ms = ah->conf.idempotency_window_ms;
    jn.requestor = req->requestor;
    guard_api_build(ah, r, a->doc, &gr);
    if (jobs_guard_create(ah->jobs, &jn, &gr.g, id, &dup, &v, err,
        sizeof(err)) == -1) {
        guard_api_release(&gr);
        log_event(LOG_ERROR, "job_store_failed", KV_STR(a->id_key, a->id),
            KV_STR("rule_name", r->name), KV_ERR(err));
        http_server_reply_error(resp, 503, "the job could not be stored (%s); "
            "retry", err);
        free(envelope);
        return;
    }
    free(envelope);
    guard_api_release(&gr);
    if (dup)
        log_event(LOG_INFO, "job_duplicate", KV_STR("job", id),
            KV_STR(a->id_key, a->id), KV_STR("rule_name", r->name),
            KV_STR("feed_type", a->feed_type));
    else
        guard_api_log(a, id, r->name, req->requestor, &v);
    metrics_inc(METRIC_JOBS, r->name, dup ? "duplicate" : v.state);
    if (!dup)
        runner_wake(ah->runner);
    ans = cJSON_CreateObject();
    cJSON_AddStringToObject(ans, "received", a->unique_value);
    cJSON_AddStringToObject(ans, "job", id);
    if (dup) {
        cJSON_AddBoolToObject(ans, "duplicate", 1);
    } else {
        cJSON_AddStringToObject(ans, "state", v.state);
        if (v.reason[0] != '\0')
            cJSON_AddStringToObject(ans, "reason", v.reason);
    }
    reply_json(resp, dup ? 200 : 202, ans);
}

/* rule.rule_name of the request, detached from the envelope into *rule.
 * NULL with a reason when absent. */
static const char *
take_rule(struct alert *a, cJSON **rule, char *err, size_t errlen)
{
    const char *name;

    *rule = cJSON_DetachItemFromObjectCaseSensitive(a->doc, "rule");
    if (!cJSON_IsObject(*rule)) {
        snprintf(err, errlen, "missing field rule (an object)");
        return NULL;
    }
    if ((name = json_str(*rule, "rule_name")) == NULL || *name == '\0') {
        snprintf(err, errlen, "missing field rule.rule_name");
        return NULL;
    }
    if (json_has_nul(name)) {
        snprintf(err, errlen, "rule.rule_name contains a NUL character");
        return NULL;
    }
    if (strlen(name) > RULE_NAME_MAX) {
        snprintf(err, errlen, "rule.rule_name longer than %d bytes",
            RULE_NAME_MAX);
        return NULL;
    }
    return name;
}

static void
handle_action(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct action_handler *ah = ctx;
    struct alert a;
    struct rule_set *rs = NULL;
    struct rule *owned = NULL;
    const struct rule *r;
    cJSON *doc, *req_rule = NULL;
    const char *name;
    char err[ALEXIS_ERR_MAX];
    int status;

    memset(&a, 0, sizeof(a));
    if ((doc = json_parse_marking_nul(req->body, req->body_len,
        "request body", err, sizeof(err))) == NULL) {
        http_server_reply_error(resp, 400, "%s", err);
        return;
    }
    if (alert_from_json(&a, doc, err, sizeof(err)) == -1 ||
        (name = take_rule(&a, &req_rule, err, sizeof(err))) == NULL) {
        http_server_reply_error(resp, 400, "%s", err);
        goto out;
    }
    http_server_response_set_id(resp, a.id_key, a.id);
    if (!auth_grant_allows_rule(req->grant, name)) {
        log_event(LOG_WARN, "action_refused", KV_STR(a.id_key, a.id),
            KV_STR("rule_name", name), KV_INT("status", 403),
            KV_STR("requestor", req->requestor),
            KV_STR("reason", "client_not_allowed"));
        http_server_reply_error(resp, 403, "client %s may not run rule %s",
            req->requestor, name);
        goto out;
    }
    if ((r = pick_rule(ah, req_rule, name, &a, &rs, &owned, &status, err,
        sizeof(err))) == NULL) {
        log_event(LOG_WARN, "action_refused", KV_STR(a.id_key, a.id),
            KV_STR("rule_name", name), KV_INT("status", status),
            KV_STR("reason", err));
        metrics_inc(METRIC_JOBS, name, "refused");
        http_server_reply_error(resp, status, "%s", err);
        goto out;
    }
    queue_job(ah, req, &a, r, resp);
out:
    rules_unref(owned);
    ruledir_set_release(rs);
    cJSON_Delete(req_rule);
    alert_cleanup(&a);
}

/* Whether a job's JSON names requestor as its client. */
static bool
owned_by(const cJSON *job, const char *requestor)
{
    const cJSON *who = cJSON_GetObjectItemCaseSensitive(job, "requestor");

    return requestor != NULL && cJSON_IsString(who) &&
        strcmp(who->valuestring, requestor) == 0;
}

/* Drop the jobs of other clients from a list. Both stores already filter
 * by requestor; this is the second line, so a store that did not would
 * show a client without read_all nothing rather than everything. */
static void
keep_own(cJSON *doc, const char *requestor)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "jobs"), *it, *next;

    for (it = arr != NULL ? arr->child : NULL; it != NULL; it = next) {
        next = it->next;
        if (!owned_by(it, requestor))
            cJSON_Delete(cJSON_DetachItemViaPointer(arr, it));
    }
}

static void
handle_job(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct action_handler *ah = ctx;
    const char *id = req->path + strlen(JOBS_PREFIX);
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;

    if (!jobs_id_valid(id)) {
        http_server_reply_error(resp, 404, "no such job");
        return;
    }
    if ((doc = jobs_json_get(ah->jobs, id, err, sizeof(err))) == NULL) {
        if (err[0] != '\0')
            http_server_reply_error(resp, 503, "%s", err);
        else
            http_server_reply_error(resp, 404, "no such job");
        return;
    }
    /* Another client's job (or one without a requestor) is "no such
     * job", so ids are not confirmed (issue 11). */
    if (!req->read_all && !owned_by(doc, req->requestor)) {
        cJSON_Delete(doc);
        http_server_reply_error(resp, 404, "no such job");
        return;
    }
    reply_json(resp, 200, doc);
}

static const char *
query_arg(const void *arg, const char *name)
{
    return http_server_request_query(arg, name);
}

static void
handle_jobs(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct action_handler *ah = ctx;
    struct jobs_query q;
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;

    if (jobs_query_parse(&q, query_arg, req, (int64_t)clock_wall_ms(), err,
        sizeof(err)) == -1) {
        http_server_reply_error(resp, 400, "%s", err);
        return;
    }
    if (!req->read_all)
        q.requestor = req->requestor != NULL ? req->requestor : "";
    if ((doc = jobs_json_query(ah->jobs, &q, err, sizeof(err))) == NULL) {
        http_server_reply_error(resp, 503, "%s", err);
        return;
    }
    if (!req->read_all)
        keep_own(doc, req->requestor);
    reply_json(resp, 200, doc);
}

static void
handle_metrics(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct action_handler *ah = ctx;

    metrics_http_reply(ah->metrics, req, resp);
}

const struct http_route ah_api_routes[] = {
    { .method = "GET", .path = "/v1/ping", .fn = handle_ping,
      .auth_optional = true },
    { .method = "GET", .path = "/metrics", .fn = handle_metrics },
    { .method = "POST", .path = "/v1/action", .auth = true,
      .fn = handle_action },
    { .method = "GET", .path = "/v1/jobs", .auth = true,
      .fn = handle_jobs },
    { .method = "GET", .path = JOBS_PREFIX, .prefix = true, .auth = true,
      .fn = handle_job },
    { .method = "POST", .path = JOBS_PREFIX, .prefix = true, .auth = true,
      .fn = guard_api_control },
    { .method = NULL },
};
