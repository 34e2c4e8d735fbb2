/*
 * One feed, one pass: list its ids on the calling thread (every page
 * first, so the classifier marking items while we read cannot shift the
 * pages under us), then decide and deliver each item on the worker pool,
 * counting what happened. An empty feed pings the classifier instead (the
 * original's keep-alive). Logs poll_started / poll_finished and one line
 * per item, always with feed_name and the item's id (tinyId/problem_id).
 */
#include "poll.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alexis_limits.h"
#include "clock.h"
#include "envelope.h"
#include "feed.h"
#include "fetcher.h"
#include "forward.h"
#include "log.h"
#include "metrics.h"
#include "recent.h"
#include "ticketsys.h"
#include "workq.h"
#include "xmem.h"

/* Shared by the workers of one feed's batch. */
struct poll_job {
    const struct poll_env      *env;
    const struct poller_feed   *feed;
    const struct feed_ids      *ids;
    const char *const          *feed_hdrs;
    const char                 *cls_hdrs[2];
    uint64_t                    now_epoch_ms;
    struct item_counts          counts;
    atomic_ulong                untried;
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

const char *
poll_trigger_name(enum item_trigger t)
{
    return t == ITEM_BY_WEBHOOK ? "webhook" : "poll";
}

static void
ctx_init(struct feed_ctx *c, const struct item_req *r)
{
    memset(c, 0, sizeof(*c));
    c->feed = &r->feed->def;
    c->fetcher = r->fetcher;
    c->hdrs = r->feed_hdrs;
    c->page_size = (size_t)r->env->conf->page_size;
    c->max_pages = (unsigned)r->env->conf->max_pages;
    c->now_epoch_ms = r->now_epoch_ms;
    c->stop = r->env->stop;
}

static void
count(const struct item_req *r, enum item_result res)
{
    if (r->counts == NULL)
        return;
    if (res == ITEM_DELIVER)
        atomic_fetch_add(&r->counts->delivered, 1);
    else if (res == ITEM_SKIP)
        atomic_fetch_add(&r->counts->skipped, 1);
    else
        atomic_fetch_add(&r->counts->failed, 1);
}

static void
log_skip(const struct item_req *r, const char *id, const char *reason)
{
    log_event(LOG_INFO, "item_skipped", KV_STR("feed_name", r->feed->name),
        KV_STR(r->feed->sys->list_key, id), KV_STR("reason", reason),
        KV_STR("trigger", poll_trigger_name(r->trigger)));
}

static void
log_fail(const struct item_req *r, const char *id, const char *stage,
    long status, const char *err, uint64_t t0)
{
    log_event(LOG_WARN, "item_failed", KV_STR("feed_name", r->feed->name),
        KV_STR(r->feed->sys->list_key, id), KV_STR("stage", stage),
        KV_INT("status", status), KV_ERR(err),
        KV_STR("trigger", poll_trigger_name(r->trigger)),
        KV_UINT("app_elapsed_ms", clock_mono_ms() - t0));
}

/* POST one envelope and log the outcome; ITEM_DELIVER or ITEM_FAIL. */
static enum item_result
deliver(const struct item_req *r, const char *id, const char *env,
    uint64_t t0)
{
    struct fetcher *f = r->fetcher;
    unsigned long before = f->calls;
    char err[ALEXIS_ERR_MAX];
    long status;
    int rc;

    if (r->env->conf->development) {
        /* Dry run: the envelope was built and is logged, not sent. */
        metrics_inc(METRIC_FORWARDS, "skipped", NULL);
        log_event(LOG_INFO, "item_forward_skipped",
            KV_STR("feed_name", r->feed->name),
            KV_STR(r->feed->sys->list_key, id),
            KV_STR("reason", "development mode: dry run"),
            KV_STR("trigger", poll_trigger_name(r->trigger)),
            KV_UINT("envelope_bytes", strlen(env)));
        return ITEM_SKIP;
    }
    rc = forward_envelope(f, r->feed->classifier, r->cls_hdrs, env,
        strlen(env), &status, err, sizeof(err));
    if (r->counts != NULL)
        atomic_fetch_add(&r->counts->classifier_calls, f->calls - before);
    metrics_inc(METRIC_FORWARDS, rc == 0 ? "ok" : "failed", NULL);
    if (rc == -1) {
        log_fail(r, id, "classifier", status, err, t0);
        return ITEM_FAIL;
    }
    log_event(LOG_INFO, "item_delivered", KV_STR("feed_name", r->feed->name),
        KV_STR(r->feed->sys->list_key, id), KV_INT("status", status),
        KV_STR("trigger", poll_trigger_name(r->trigger)),
        KV_UINT("app_elapsed_ms", clock_mono_ms() - t0));
    return ITEM_DELIVER;
}

/* An id from a webhook goes through the filter the listing applies to
 * polled ids. ITEM_DELIVER when it passes. */
static enum item_result
filter(const struct item_req *r, const struct feed_ctx *c, const char *id,
    uint64_t t0)
{
    char err[ALEXIS_ERR_MAX];
    bool listed;
    long status;

    if (feed_listed(c, id, &listed, &status, err, sizeof(err)) == -1) {
        log_fail(r, id, "list", status, err, t0);
        return ITEM_FAIL;
    }
    if (!listed) {
        log_skip(r, id, "not_in_feed");
        return ITEM_SKIP;
    }
    return ITEM_DELIVER;
}

/* Fetch, decide, deliver (the claim is held). */
static enum item_result
item_run(const struct item_req *r, const char *id, uint64_t t0)
{
    struct item_outcome o;
    struct feed_ctx c;
    unsigned long before = r->fetcher->calls;
    enum item_result res;

    ctx_init(&c, r);
    feed_item(&c, id, &o);
    res = o.result;
    if (res == ITEM_DELIVER && r->trigger == ITEM_BY_WEBHOOK)
        res = filter(r, &c, id, t0);
    if (r->counts != NULL)
        atomic_fetch_add(&r->counts->api_calls, r->fetcher->calls - before);
    switch (res) {
    case ITEM_DELIVER:
        res = deliver(r, id, o.envelope, t0);
        break;
    case ITEM_SKIP:
        /* A webhook's id that the API answers 404 for was never known. */
        if (o.result == ITEM_SKIP)
            log_skip(r, id, r->trigger == ITEM_BY_WEBHOOK &&
                strcmp(o.reason, "gone") == 0 ? "unknown_id" : o.reason);
        break;
    case ITEM_FAIL:
        if (o.result == ITEM_FAIL)
            log_fail(r, id, o.reason, o.status, o.err, t0);
        break;
    }
    free(o.envelope);
    return res;
}

enum item_result
poll_item(const struct item_req *r, const char *id)
{
    struct recent *rec = r->env->recent;
    size_t feed = (size_t)(r->feed - r->env->conf->feeds);
    enum recent_claim claim;
    enum item_result res;
    uint64_t t0 = clock_mono_ms();

    if (rec != NULL && (claim = recent_claim(rec, feed, id, t0)) !=
        RECENT_NEW) {
        log_skip(r, id, recent_claim_name(claim));
        count(r, ITEM_SKIP);
        return ITEM_SKIP;
    }
    res = item_run(r, id, t0);
    if (rec != NULL && res == ITEM_DELIVER)
        recent_done(rec, feed, id, clock_mono_ms());
    else if (rec != NULL)
        recent_release(rec, feed, id);
    count(r, res);
    return res;
}

/* A worker's part of a poll: one item, start to end. */
static void
run_item(void *arg, void *tls, size_t i)
{
    struct poll_job *j = arg;
    struct item_req r;

    if (atomic_load(j->env->stop)) {
        atomic_fetch_add(&j->untried, 1);
        return;
    }
    memset(&r, 0, sizeof(r));
    r.env = j->env;
    r.feed = j->feed;
    r.fetcher = tls;
    r.feed_hdrs = j->feed_hdrs;
    r.cls_hdrs = j->cls_hdrs;
    r.now_epoch_ms = j->now_epoch_ms;
    r.trigger = ITEM_BY_POLL;
    r.counts = &j->counts;
    (void)poll_item(&r, j->ids->v[i]);
}

const char **
poll_feed_headers(const struct poller_feed *f)
{
    const char **h;
    size_t i, n = f->auth != NULL ? f->auth->nheader_lines : 0;

    h = xcalloc(n + 1, sizeof(*h));
    for (i = 0; i < n; i++)
        h[i] = f->auth->header_lines[i];
    return h;
}

static void
ping(const struct poll_env *e, const struct poller_feed *f)
{
    char err[ALEXIS_ERR_MAX];
    long status;

    status = forward_ping(e->fetcher, f->classifier, err, sizeof(err));
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
    struct item_req q;
    unsigned long before = j->env->fetcher->calls;
    char err[ALEXIS_ERR_MAX];
    int rc;

    memset(&q, 0, sizeof(q));
    q.env = j->env;
    q.feed = j->feed;
    q.fetcher = j->env->fetcher;
    q.feed_hdrs = j->feed_hdrs;
    q.now_epoch_ms = j->now_epoch_ms;
    ctx_init(&c, &q);
    rc = feed_list(&c, ids, r, err, sizeof(err));
    atomic_fetch_add(&j->counts.api_calls, j->env->fetcher->calls - before);
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
    if (atomic_load(j->env->stop) && atomic_load(&j->untried) > 0)
        return POLL_INTERRUPTED;
    return atomic_load(&j->counts.failed) > 0 ? POLL_PARTIAL : POLL_OK;
}

enum poll_result
poll_feed(const struct poll_env *e, const struct poller_feed *f,
    const char *bearer_line)
{
    struct poll_job j;
    struct feed_ids ids;
    struct feed_list_result r;
    enum poll_result res;
    uint64_t t0 = clock_mono_ms();
    const char **fh = poll_feed_headers(f);
    int listed;

    memset(&j, 0, sizeof(j));
    memset(&ids, 0, sizeof(ids));
    memset(&r, 0, sizeof(r));
    j.env = e;
    j.feed = f;
    j.ids = &ids;
    j.feed_hdrs = fh;
    j.cls_hdrs[0] = bearer_line;
    j.now_epoch_ms = clock_wall_ms();
    log_event(LOG_INFO, "poll_started", KV_STR("feed_name", f->name),
        KV_STR("feed_type", f->type), KV_STR("api", poller_conf_feed_api(f)));
    listed = list(&j, &ids, &r);
    if (listed == 0 && ids.n == 0 && !atomic_load(e->stop))
        ping(e, f);
    else if (listed == 0)
        workq_run(e->pool, ids.n, run_item, &j);
    res = outcome(&j, listed);
    metrics_add(METRIC_ALERTS_RECEIVED, f->name, NULL, ids.n);
    metrics_inc(METRIC_POLLS, f->name, poll_result_name(res));
    log_event(res == POLL_OK ? LOG_INFO : LOG_WARN, "poll_finished",
        KV_STR("feed_name", f->name), KV_STR("result", poll_result_name(res)),
        KV_UINT("items", ids.n), KV_UINT("delivered", j.counts.delivered),
        KV_UINT("skipped", j.counts.skipped),
        KV_UINT("failed", j.counts.failed),
        KV_UINT("untried", j.untried), KV_UINT("invalid", r.invalid),
        KV_UINT("pages", r.pages), KV_UINT("api_calls", j.counts.api_calls),
        KV_UINT("classifier_calls", j.counts.classifier_calls),
        KV_UINT("app_elapsed_ms", clock_mono_ms() - t0));
    free(fh);
    feed_ids_free(&ids);
    return res;
}
