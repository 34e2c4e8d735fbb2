/*
 * The poller's HTTP intake (see webhook.h): the handlers, run on MHD's
 * threads and quick (no network call), and the worker queue that fetches
 * and forwards after the 202.
 */
#include "webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "auth.h"
#include "clock.h"
#include "fetcher_http.h"
#include "forward.h"
#include "http_server.h"
#include "json.h"
#include "log.h"
#include "metrics_http.h"
#include "poll.h"
#include "poller.h"
#include "ticketsys.h"
#include "webhook_event.h"
#include "workq.h"
#include "xmem.h"

#define WEBHOOK_PREFIX      "/v1/webhook/"
#define WEBHOOK_HEADER      "X-Alexis-Webhook-Secret"

struct webhook {
    struct poller       *p;
    struct http_server  *srv;
    struct workq        *q;
    struct metrics_http *metrics;
};

/* One accepted delivery, waiting for a worker. */
struct delivery {
    const struct poller_feed   *feed;
    char                        id[POLLER_ID_MAX + 1];
};

/* The feed named by the rest of the path, if it takes webhooks. */
static const struct poller_feed *
find_feed(const struct poller *p, const char *name)
{
    size_t i;

    for (i = 0; i < p->conf.nfeeds; i++) {
        if (strcmp(p->conf.feeds[i].name, name) == 0)
            return p->conf.feeds[i].webhook_secret != NULL ?
                &p->conf.feeds[i] : NULL;
    }
    return NULL;
}

/* The secret the request presents: our header, else a Bearer token. */
static bool
secret_ok(const struct http_request *req, const struct poller_feed *f)
{
    const char *got = http_server_request_header(req, WEBHOOK_HEADER);

    if (got == NULL)
        got = auth_presented(http_server_request_header(req, "Authorization"),
            NULL);
    return got != NULL && auth_timingsafe_streq(f->webhook_secret, got) == 1;
}

static void
reply_received(struct http_response *resp, const char *id,
    const char *ignored)
{
    cJSON *o = cJSON_CreateObject();
    char *text;

    cJSON_AddStringToObject(o, "received", id);
    if (ignored != NULL)
        cJSON_AddStringToObject(o, "ignored", ignored);
    text = json_print(o);
    cJSON_Delete(o);
    http_server_reply(resp, 202, text);
    free(text);
}

/* Queue the delivery; false when the queue is full or stopping. */
static bool
enqueue(struct webhook *w, const struct poller_feed *f, const char *id)
{
    struct delivery *d = xcalloc(1, sizeof(*d));

    d->feed = f;
    snprintf(d->id, sizeof(d->id), "%s", id);
    if (workq_push(w->q, d) == 0)
        return true;
    free(d);
    return false;
}

/* Decide what the delivery triggers, once it is authenticated. */
static void
accept_event(struct webhook *w, const struct poller_feed *f,
    const struct http_request *req, struct http_response *resp)
{
    struct webhook_event ev;
    const char *key = f->sys->list_key;
    char err[HTTP_REASON_MAX], id[POLLER_ID_MAX + 1];
    cJSON *doc;
    int rc;

    if ((doc = json_parse_located(req->body, req->body_len, "request body",
        err, sizeof(err))) == NULL) {
        http_server_reply_error(resp, 400, "%s", err);
        return;
    }
    rc = webhook_event_read(doc, &ev, err, sizeof(err));
    /* The id is where the feed's ticket system puts it. */
    if (rc == 0)
        rc = f->sys->webhook_id(doc, id, sizeof(id), err, sizeof(err));
    cJSON_Delete(doc);
    if (rc == -1) {
        log_event(LOG_WARN, "webhook_refused", KV_STR("feed_name", f->name),
            KV_STR("reason", "no_id"), KV_ERR(err));
        http_server_reply_error(resp, 400, "%s", err);
        return;
    }
    http_server_response_set_id(resp, key, id);
    log_event(LOG_INFO, "webhook_received", KV_STR("feed_name", f->name),
        KV_STR(key, id), KV_STR("webhook_event", ev.event),
        KV_BOOL("forward", ev.forward));
    if (!ev.forward) {
        reply_received(resp, id, ev.event);
        return;
    }
    if (!enqueue(w, f, id)) {
        http_server_reply_error(resp, 503,
            "too many webhook deliveries waiting");
        return;
    }
    reply_received(resp, id, NULL);
}

static void
handle_webhook(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct webhook *w = ctx;
    const struct poller_feed *f;

    /* An unknown feed and one without a secret look the same. */
    if ((f = find_feed(w->p, req->path + strlen(WEBHOOK_PREFIX))) == NULL) {
        http_server_reply_error(resp, 404, "no webhook endpoint at this path");
        return;
    }
    if (!secret_ok(req, f)) {
        log_event(LOG_WARN, "webhook_refused", KV_STR("feed_name", f->name),
            KV_STR("reason", "bad_secret"));
        http_server_reply_error(resp, 401, "missing or bad webhook secret");
        return;
    }
    accept_event(w, f, req, resp);
}

static void
handle_ping(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct webhook *w = ctx;
    char err[ALEXIS_ERR_MAX];

    (void)req;
    if (auth_runtime_check(w->p->conf.tokens.runtime, err,
        sizeof(err)) == -1) {
        http_server_reply_error(resp, 503, "runtime token unreadable");
        return;
    }
    http_server_reply(resp, 200, "{\"status\":\"ok\"}");
}

static void
handle_metrics(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct webhook *w = ctx;

    metrics_http_reply(w->metrics, req, resp);
}

static const struct http_route routes[] = {
    { .method = "GET", .path = "/v1/ping", .fn = handle_ping },
    { .method = "GET", .path = "/metrics", .fn = handle_metrics },
    { .method = "POST", .path = WEBHOOK_PREFIX, .prefix = true,
      .fn = handle_webhook },
    { .method = NULL },
};

/* ---- The workers: fetch and forward after the 202. ---- */

static void *
worker_tls_new(void *ctx)
{
    struct webhook *w = ctx;

    return poller_item_fetcher_new(w->p);
}

static void
worker_tls_free(void *tls)
{
    fetcher_http_free(tls);
}

static void
worker_run(void *ctx, void *tls, void *item)
{
    struct webhook *w = ctx;
    struct delivery *d = item;
    struct item_req r;
    const char **fh = NULL;
    char err[ALEXIS_ERR_MAX], *token = NULL, *bearer = NULL;
    const char *cls[2] = { NULL, NULL };

    if (atomic_load(&w->p->stop)) {
        log_event(LOG_INFO, "item_skipped", KV_STR("feed_name", d->feed->name),
            KV_STR(d->feed->sys->list_key, d->id),
            KV_STR("reason", "shutting_down"), KV_STR("trigger", "webhook"));
        goto out;
    }
    /* Re-read at every delivery, as at every pass: a rotated token is
     * picked up. */
    if ((token = auth_runtime_load(w->p->conf.tokens.runtime, err,
        sizeof(err))) == NULL) {
        log_event(LOG_ERROR, "token_unreadable",
            KV_STR("path", w->p->conf.tokens.runtime), KV_ERR(err));
        goto out;
    }
    bearer = forward_auth_header(token);
    explicit_bzero(token, strlen(token));
    free(token);
    cls[0] = bearer;
    fh = poll_feed_headers(d->feed);
    memset(&r, 0, sizeof(r));
    r.env = &w->p->env;
    r.feed = d->feed;
    r.fetcher = tls;
    r.feed_hdrs = fh;
    r.cls_hdrs = cls;
    r.now_epoch_ms = clock_wall_ms();
    r.trigger = ITEM_BY_WEBHOOK;
    (void)poll_item(&r, d->id);
out:
    free(fh);
    if (bearer != NULL)
        forward_auth_free(bearer);
    free(d);
}

static void
worker_drop(void *ctx, void *item)
{
    (void)ctx;
    free(item);
}

static const struct workq_ops worker_ops = {
    .tls_new = worker_tls_new,
    .tls_free = worker_tls_free,
    .run = worker_run,
    .drop = worker_drop,
};

struct webhook *
webhook_start(struct poller *p, int listen_fd, char *err, size_t errlen)
{
    struct http_server_opts o = {
        .body_max = WEBHOOK_BODY_MAX,
        .has_listen_fd = true,
        .listen_fd = listen_fd,
    };
    struct webhook *w = xcalloc(1, sizeof(*w));
    size_t i, n = 0;

    w->p = p;
    if ((w->metrics = metrics_http_new(p->conf.tokens.metrics_token, err,
        errlen)) == NULL)
        goto fail;
    if ((w->q = workq_new(WEBHOOK_WORKERS, WEBHOOK_QUEUE_MAX, &worker_ops, w,
        err, errlen)) == NULL)
        goto fail;
    if ((w->srv = http_server_start(&o, routes, w, err, errlen)) == NULL)
        goto fail;
    for (i = 0; i < p->conf.nfeeds; i++)
        n += p->conf.feeds[i].webhook_secret != NULL;
    log_event(LOG_INFO, "listening", KV_STR("host", p->conf.listener.hostname),
        KV_INT("port", http_server_port(w->srv)), KV_UINT("webhook_feeds", n));
    return w;
fail:
    webhook_stop(w);
    return NULL;
}

void
webhook_stop(struct webhook *w)
{
    if (w == NULL)
        return;
    http_server_stop(w->srv);
    workq_free(w->q);
    metrics_http_free(w->metrics);
    free(w);
}
