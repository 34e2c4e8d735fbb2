/*
 * HTTP handlers of the classifier (see api.h) and its runtime token cache.
 */
#include "classifier_api.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alexis_limits.h"
#include "auth.h"
#include "classifier.h"
#include "classifier_token.h"
#include "classify.h"
#include "clock.h"
#include "file.h"
#include "http_client.h"
#include "http_server.h"
#include "json.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "path.h"
#include "retire.h"
#include "ruledir.h"
#include "str.h"
#include "workq.h"
#include "xmem.h"

/* Ask each action handler's /ping; short timeout so health checks stay
 * quick even when a handler is down. */
static cJSON *
ping_handlers(const struct classifier *c)
{
    struct http_client_opts o = {
        .connect_timeout_ms = CLASSIFIER_PING_TIMEOUT_MS,
        .total_timeout_ms = CLASSIFIER_PING_TIMEOUT_MS,
        .response_max = 64 * 1024,
        .ca_file = c->conf.ca_file,
        .ca_for = c->dest_urls,
    };
    const struct cfg_strmap *m = &c->conf.destinations;
    struct http_client *hc;
    struct http_result res;
    cJSON *all, *one;
    char *url;
    size_t i;

    all = cJSON_CreateObject();
    hc = http_client_new(&o);
    for (i = 0; i < m->n; i++) {
        url = path_join(m->items[i].value, "ping");
        memset(&res, 0, sizeof(res));
        one = cJSON_AddObjectToObject(all, m->items[i].key);
        cJSON_AddStringToObject(one, "url", m->items[i].value);
        if (http_client_do(hc, "GET", url, NULL, NULL, 0, &res) == 0) {
            cJSON_AddBoolToObject(one, "up", res.status == 200);
            cJSON_AddNumberToObject(one, "status", (double)res.status);
        } else {
            cJSON_AddBoolToObject(one, "up", 0);
            cJSON_AddStringToObject(one, "error", res.err);
        }
        http_client_result_free(&res);
        free(url);
    }
    http_client_free(hc);
    return all;
}

cJSON *
classifier_api_handler_health(struct classifier *c)
{
    struct handler_health *h = &c->health;
    cJSON *report;
    char *text;

    pthread_mutex_lock(&h->lock);
    if (h->busy || (h->report != NULL &&
        clock_mono_ms() - h->at_ms < CLASSIFIER_PING_CACHE_MS)) {
        report = h->report != NULL ? cJSON_Parse(h->report) : NULL;
        pthread_mutex_unlock(&h->lock);
        return report != NULL ? report : cJSON_CreateObject();
    }
    h->busy = true;
    pthread_mutex_unlock(&h->lock);

    report = ping_handlers(c);
    text = json_print(report);
    pthread_mutex_lock(&h->lock);
    free(h->report);
    h->report = text;
    h->at_ms = clock_mono_ms();
    h->busy = false;
    pthread_mutex_unlock(&h->lock);
    return report;
}

static void
handle_ping(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct classifier *c = ctx;
    char tok[TOKEN_LEN_MAX + 1], err[ALEXIS_ERR_MAX];
    cJSON *doc, *q;
    char *text;
    bool ok;

    ok = classifier_token(c, tok, sizeof(tok), err, sizeof(err)) == 0;
    explicit_bzero(tok, sizeof(tok));
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "status", ok ? "ok" : "unhealthy");
    /* Without a valid token: alive or not, nothing about the inside. */
    if (req->requestor == NULL)
        goto out;
    cJSON_AddBoolToObject(doc, "runtime_token_readable", ok);
    if (!ok)
        cJSON_AddStringToObject(doc, "error", err);
    q = cJSON_AddObjectToObject(doc, "queue");
    cJSON_AddNumberToObject(q, "depth", (double)workq_depth(c->queue));
    cJSON_AddNumberToObject(q, "capacity",
        (double)workq_capacity(c->queue));
    cJSON_AddItemToObject(doc, "action_handlers",
        classifier_api_handler_health(c));
out:
    text = json_print(doc);
    http_server_reply(resp, ok ? 200 : 503, text);
    free(text);
    cJSON_Delete(doc);
}

static bool
query_true(const struct http_request *req, const char *name)
{
    const char *v = http_server_request_query(req, name);

    return v != NULL && (str_eq_nocase(v, "true") || strcmp(v, "1") == 0);
}

static void
dry_run(struct classifier *c, struct alert *a,
    struct http_response *resp)
{
    char err[ALEXIS_ERR_MAX], *text;
    cJSON *rep;

    if ((rep = classify_dry_run(c, a, err, sizeof(err))) == NULL) {
        log_event(LOG_ERROR, "dry_run_failed", KV_STR(a->id_key, a->id),
            KV_ERR(err));
        http_server_reply_error(resp, 503, "%s", err);
        return;
    }
    text = json_print(rep);
    http_server_reply(resp, 200, text);
    free(text);
    cJSON_Delete(rep);
}

/*
 * A top-level "rule" is what the forward adds (DESIGN §6). One sent to us
 * would come first in the forward, and the action handler takes the first:
 * the alert would choose what runs. Drop every one.
 */
static bool
drop_rule(cJSON *doc)
{
    cJSON *r;
    bool any = false;

    while ((r = cJSON_DetachItemFromObjectCaseSensitive(doc, "rule")) !=
        NULL) {
        cJSON_Delete(r);
        any = true;
    }
    return any;
}

/*
 * Keep the body to forward it as received instead of printing the parsed
 * document again (a third of a worker's time on a 3 KB alert). It parsed
 * as an object, so it ends in '}' and maybe whitespace.
 */
static void
keep_raw(struct classify_job *job, const char *body, size_t len)
{
    while (len > 0 && body[len - 1] != '}')
        len--;
    if (len == 0)
        return;
    job->raw = xmalloc(len + 1);
    memcpy(job->raw, body, len);
    job->raw[len] = '\0';
    job->raw_len = len;
}

static void
handle_classify(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct classifier *c = ctx;
    struct classify_job *job;
    struct alert *a;
    char err[ALEXIS_ERR_MAX], *text;
    struct retire_home *home = retire_home_mine(c->retired);
    cJSON *doc, *ans;
    bool dropped_rule;

    /* What the workers finished of this thread's alerts is freed here,
     * and its memory reused by the parse below. */
    retire_drain(home);
    if ((doc = json_parse_marking_nul(req->body, req->body_len,
        "request body", err, sizeof(err))) == NULL) {
        http_server_reply_error(resp, 400, "%s", err);
        return;
    }
    dropped_rule = drop_rule(doc);
    a = xcalloc(1, sizeof(*a));
    if (alert_from_json(a, doc, err, sizeof(err)) == -1) {
        http_server_reply_error(resp, 400, "%s", err);
        alert_cleanup(a);
        free(a);
        return;
    }
    http_server_response_set_id(resp, a->id_key, a->id);
    if (dropped_rule)
        log_event(LOG_WARN, "envelope_field_dropped", KV_STR(a->id_key, a->id),
            KV_STR("field", "rule"), KV_STR("reason", "reserved for the "
            "rule the classifier matched"));
    if (query_true(req, "dry_run")) {
        dry_run(c, a, resp);
        alert_cleanup(a);
        free(a);
        return;
    }
    ans = cJSON_CreateObject();
    cJSON_AddStringToObject(ans, "received", a->unique_value);
    text = json_print(ans);
    cJSON_Delete(ans);
    job = xcalloc(1, sizeof(*job));
    job->alert = a;
    if (!a->had_feed_headers && !dropped_rule)
        keep_raw(job, req->body, req->body_len);
    job->received_us = clock_mono_us();
    job->home = home;
    job->done = retire_job;
    /* Counted before the push: once queued, a worker may free the job
     * (and a) at any moment. */
    metrics_inc(METRIC_ALERTS_RECEIVED, a->feed_name, NULL);
    if (workq_push(c->queue, job) == -1) {
        log_event(LOG_WARN, "classification_rejected",
            KV_STR(a->id_key, a->id), KV_STR("reason", "queue full"));
        http_server_reply_error(resp, 503, "classification queue full (%zu "
            "waiting); retry later", workq_capacity(c->queue));
        classify_job_free(job);
        free(text);
        return;
    }
    http_server_reply(resp, 202, text);
    free(text);
}

static void
handle_metrics(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct classifier *c = ctx;

    metrics_http_reply(c->metrics, req, resp);
}

const struct http_route classifier_api_routes[] = {
    { .method = "GET", .path = "/v1/ping", .fn = handle_ping,
      .auth_optional = true },
    { .method = "GET", .path = "/metrics", .fn = handle_metrics },
    { .method = "POST", .path = "/v1/classifier", .auth = true,
      .fn = handle_classify },
    { .method = NULL },
};
