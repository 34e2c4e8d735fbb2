/*
 * One feed, one pass: list its ids on the calling thread (every page
 * first, so the classifier marking items while we read cannot shift the
 * pages under us), then decide and deliver each item on the worker pool,
 * counting what happened. An empty feed pings the classifier instead (the
 * original's keep-alive). Logs poll_started / poll_finished and one line
 * per item, always with feed_name and the item's id (tinyId/problem_id).
 */
#include "poller.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "envelope.h"
#include "feed.h"
#include "fetcher.h"
#include "forward.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "str.h"
#include "ticketsys.h"
#include "xmem.h"

/* Shared by the workers of one feed's batch. */
struct poll_job {
    struct poller              *p;
    const struct poller_feed   *feed;
    const struct feed_ids      *ids;
    const char *const          *feed_hdrs;
    const char                 *cls_hdrs[2];
    uint64_t                    now_epoch_ms;
    const char                 *id_key;
    atomic_ulong                delivered, skipped, failed, untried;
    atomic_ulong                api_calls, classifier_calls;
};

const char *
poll_result_name(enum poll_result r)
{
    switch (r) {
    case POLL_PARTIAL:
        return "partial";
    case POLL_FAILED:
        return "failed";
    case POLL_INTERRUPTED:
        return "interrupted";
    case POLL_OK:
        break;
    }
    return "ok";
}

static void
ctx_init(struct feed_ctx *c, const struct poll_job *j, struct fetcher *f)
{
    memset(c, 0, sizeof(*c));
    c->feed = &j->feed->def;
    c->fetcher = f;
    c->hdrs = j->feed_hdrs;
    c->page_size = (size_t)j->p->conf.page_size;
    c->max_pages = (unsigned)j->p->conf.max_pages;
    c->now_epoch_ms = j->now_epoch_ms;
    c->stop = &j->p->stop;
}

/* POST one envelope and log the outcome. */
static void
deliver(struct poll_job *j, struct fetcher *f, const char *id,
    const char *env, uint64_t t0)
{
    unsigned long before = f->calls;
    char err[256];
    long status;
    int rc;

    if (j->p->conf.development) {
        /* Dry run: the envelope was built and is logged, not sent. */
        atomic_fetch_add(&j->skipped, 1);
        metrics_inc(METRIC_FORWARDS, "skipped", NULL);
        log_event(LOG_INFO, "item_forward_skipped",
            KV_STR("feed_name", j->feed->name), KV_STR(j->id_key, id),
            KV_STR("reason", "development mode: dry run"),
            KV_UINT("envelope_bytes", strlen(env)));
        return;
    }
    rc = forward_envelope(f, j->feed->classifier, j->cls_hdrs, env,
        strlen(env), &status, err, sizeof(err));
    atomic_fetch_add(&j->classifier_calls, f->calls - before);
    metrics_inc(METRIC_FORWARDS, rc == 0 ? "ok" : "failed", NULL);
    if (rc == 0) {
        atomic_fetch_add(&j->delivered, 1);
        log_event(LOG_INFO, "item_delivered",
            KV_STR("feed_name", j->feed->name), KV_STR(j->id_key, id),
            KV_INT("status", status),
            KV_UINT("app_elapsed_ms", now_ms() - t0));
        return;
    }
    atomic_fetch_add(&j->failed, 1);
    log_event(LOG_WARN, "item_failed", KV_STR("feed_name", j->feed->name),
        KV_STR(j->id_key, id), KV_STR("stage", "classifier"),
        KV_INT("status", status), KV_ERR(err),
        KV_UINT("app_elapsed_ms", now_ms() - t0));
}

/* A worker's part: one item, start to end. */
static void
run_item(void *arg, void *tls, size_t i)
{
    struct poll_job *j = arg;
    struct fetcher *f = tls;
    const char *id = j->ids->v[i];
    struct item_outcome o;
    struct feed_ctx c;
    unsigned long before = f->calls;
    uint64_t t0 = now_ms();

    if (atomic_load(&j->p->stop)) {
        atomic_fetch_add(&j->untried, 1);
        return;
    }
    ctx_init(&c, j, f);
    feed_item(&c, id, &o);
    atomic_fetch_add(&j->api_calls, f->calls - before);
    switch (o.result) {
    case ITEM_DELIVER:
        deliver(j, f, id, o.envelope, t0);
        break;
    case ITEM_SKIP:
        atomic_fetch_add(&j->skipped, 1);
        log_event(LOG_INFO, "item_skipped",
            KV_STR("feed_name", j->feed->name), KV_STR(j->id_key, id),
            KV_STR("reason", o.reason));
        break;
    case ITEM_FAIL:
        atomic_fetch_add(&j->failed, 1);
        log_event(LOG_WARN, "item_failed",
            KV_STR("feed_name", j->feed->name), KV_STR(j->id_key, id),
            KV_STR("stage", o.reason), KV_INT("status", o.status),
            KV_ERR(o.err), KV_UINT("app_elapsed_ms", now_ms() - t0));
        break;
    }
    free(o.envelope);
}

/* The feed's credential lines as the NULL-terminated list curl wants. */
static const char **
feed_headers(const struct poller_feed *f)
{
    const char **h;
    size_t i, n = f->auth != NULL ? f->auth->nheader_lines : 0;

    h = xcalloc(n + 1, sizeof(*h));
    for (i = 0; i < n; i++)
        h[i] = f->auth->header_lines[i];
    return h;
}

static void
ping(struct poller *p, const struct poller_feed *f)
{
    char err[256];
    long status;

    status = forward_ping(p->fetcher, f->classifier, err, sizeof(err));
    if (status >= 200 && status <= 299)
        log_event(LOG_INFO, "classifier_pinged",
            KV_STR("feed_name", f->name), KV_INT("status", status));
    else
        log_event(LOG_WARN, "classifier_ping_failed",
            KV_STR("feed_name", f->name), KV_INT("status", status),
            KV_ERR(err));
}

/* List the feed; -1 after logging poll_failed. */
static int
list(struct poll_job *j, struct feed_ids *ids, struct feed_list_result *r)
{
    struct feed_ctx c;
    unsigned long before = j->p->fetcher->calls;
    char err[256];
    int rc;

    ctx_init(&c, j, j->p->fetcher);
    rc = feed_list(&c, ids, r, err, sizeof(err));
    atomic_fetch_add(&j->api_calls, j->p->fetcher->calls - before);
    if (rc == -1) {
        log_event(LOG_ERROR, "poll_failed",
            KV_STR("feed_name", j->feed->name), KV_STR("stage", "list"),
            KV_INT("status", r->status), KV_ERR(err),
            KV_UINT("pages", r->pages));
        return -1;
    }
    if (r->truncated != NULL)
        log_event(LOG_WARN, "feed_truncated",
            KV_STR("feed_name", j->feed->name),
            KV_STR("reason", r->truncated), KV_UINT("items", ids->n),
            KV_UINT("pages", r->pages));
    return 0;
}

static enum poll_result
outcome(struct poll_job *j, int listed)
{
    if (listed == -1)
        return POLL_FAILED;
    if (atomic_load(&j->p->stop) && atomic_load(&j->untried) > 0)
        return POLL_INTERRUPTED;
    return atomic_load(&j->failed) > 0 ? POLL_PARTIAL : POLL_OK;
}

enum poll_result
poll_feed(struct poller *p, const struct poller_feed *f,
    const char *bearer_line)
{
    struct poll_job j;
    struct feed_ids ids;
    struct feed_list_result r;
    enum poll_result res;
    uint64_t t0 = now_ms();
    const char **fh = feed_headers(f);
    int listed;

    memset(&j, 0, sizeof(j));
    memset(&ids, 0, sizeof(ids));
    memset(&r, 0, sizeof(r));
    j.p = p;
    j.feed = f;
    j.ids = &ids;
    j.feed_hdrs = fh;
    j.cls_hdrs[0] = bearer_line;
    j.now_epoch_ms = now_wall_ms();
    j.id_key = f->sys->list_key;
    log_event(LOG_INFO, "poll_started", KV_STR("feed_name", f->name),
        KV_STR("feed_type", f->type), KV_STR("api", poller_feed_api(f)));
    listed = list(&j, &ids, &r);
    if (listed == 0 && ids.n == 0 && !atomic_load(&p->stop))
        ping(p, f);
    else if (listed == 0)
        pool_run(p->pool, ids.n, run_item, &j);
    res = outcome(&j, listed);
    metrics_add(METRIC_ALERTS_RECEIVED, f->name, NULL, ids.n);
    metrics_inc(METRIC_POLLS, f->name, poll_result_name(res));
    log_event(res == POLL_OK ? LOG_INFO : LOG_WARN, "poll_finished",
        KV_STR("feed_name", f->name), KV_STR("result", poll_result_name(res)),
        KV_UINT("items", ids.n), KV_UINT("delivered", j.delivered),
        KV_UINT("skipped", j.skipped), KV_UINT("failed", j.failed),
        KV_UINT("untried", j.untried), KV_UINT("invalid", r.invalid),
        KV_UINT("pages", r.pages), KV_UINT("api_calls", j.api_calls),
        KV_UINT("classifier_calls", j.classifier_calls),
        KV_UINT("app_elapsed_ms", now_ms() - t0));
    free(fh);
    feed_ids_free(&ids);
    return res;
}
