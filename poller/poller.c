/*
 * The poller's loop (see poller.h): passes spaced loop_interval apart
 * from start to start, the runtime token re-read at every pass (so a
 * rotated token is picked up, as in the original), and a wait between
 * passes that poller_stop cuts short.
 */
#include "poller.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alexis_limits.h"
#include "auth.h"
#include "clock.h"
#include "fetcher_http.h"
#include "forward.h"
#include "leader.h"
#include "log.h"
#include "recent.h"
#include "workq.h"
#include "xmem.h"

static struct fetcher *
fetcher_for(struct poller *p, struct throttle *pace)
{
    struct fetcher_opts o = {
        .throttle = pace,
        .connect_timeout_ms = (long)p->conf.connect_timeout_ms,
        .total_timeout_ms = (long)p->conf.request_timeout_ms,
        .response_max = (size_t)p->conf.max_response_bytes,
        .max_retries = (int)p->conf.max_retries,
        .ca_file = p->conf.ca_file,
        .ca_for = p->dest_urls,
    };

    return fetcher_http_new(&o);
}

struct fetcher *
poller_item_fetcher_new(struct poller *p)
{
    return fetcher_for(p, &p->item_pace);
}

static void *
worker_fetcher_new(void *ctx)
{
    return poller_item_fetcher_new(ctx);
}

static void
worker_fetcher_free(void *tls)
{
    fetcher_http_free(tls);
}

static const struct workq_ops worker_ops = {
    .tls_new = worker_fetcher_new,
    .tls_free = worker_fetcher_free,
};

int
poller_init(struct poller *p, char *err, size_t errlen)
{
    pthread_condattr_t ca;
    size_t i;

    atomic_init(&p->stop, false);
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->wake, &ca);
    pthread_condattr_destroy(&ca);
    throttle_init(&p->list_pace, p->conf.list_rate_limit, &p->stop);
    throttle_init(&p->item_pace, p->conf.item_rate_limit, &p->stop);
    p->dest_urls = xcalloc(p->conf.destinations.n + 1,
        sizeof(*p->dest_urls));
    for (i = 0; i < p->conf.destinations.n; i++)
        p->dest_urls[i] = p->conf.destinations.items[i].value;
    if ((p->fetcher = fetcher_for(p, &p->list_pace)) == NULL) {
        snprintf(err, errlen, "cannot create an HTTP client");
        return -1;
    }
    if ((p->pool = workq_new((unsigned)p->conf.concurrency, 0, &worker_ops,
        p, err, errlen)) == NULL)
        return -1;
    if ((p->leader = leader_new(p->conf.leader_store,
        p->conf.leader_store_password_file, p->conf.nfeeds, err,
        errlen)) == NULL)
        return -1;
    /* Only webhooks can bring an id twice within a pass or two; without a
     * listener the poller forwards as it always did. */
    if (poller_conf_listens(&p->conf))
        p->recent = recent_new(RECENT_MAX, p->conf.dedup_window_ms);
    p->env.conf = &p->conf;
    p->env.pool = p->pool;
    p->env.fetcher = p->fetcher;
    p->env.recent = p->recent;
    p->env.stop = &p->stop;
    return 0;
}

void
poller_cleanup(struct poller *p)
{
    memset(&p->env, 0, sizeof(p->env));
    workq_free(p->pool);
    p->pool = NULL;
    leader_free(p->leader);
    p->leader = NULL;
    recent_free(p->recent);
    p->recent = NULL;
    fetcher_http_free(p->fetcher);
    p->fetcher = NULL;
    free(p->dest_urls);
    p->dest_urls = NULL;
    throttle_cleanup(&p->item_pace);
    throttle_cleanup(&p->list_pace);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}

void
poller_stop(struct poller *p)
{
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

unsigned
poller_pass(struct poller *p)
{
    char err[ALEXIS_ERR_MAX], *token, *bearer;
    unsigned bad = 0;
    size_t i;
    uint64_t t0 = clock_mono_ms();

    p->passes++;
    if ((token = auth_runtime_load(p->conf.tokens.runtime, err,
        sizeof(err))) == NULL) {
        /* Without our token the classifier would refuse every item. */
        log_event(LOG_ERROR, "token_unreadable",
            KV_STR("path", p->conf.tokens.runtime), KV_ERR(err));
        bad = (unsigned)p->conf.nfeeds;
        goto out;
    }
    bearer = forward_auth_header(token);
    explicit_bzero(token, strlen(token));
    free(token);
    for (i = 0; i < p->conf.nfeeds; i++) {
        if (atomic_load(&p->stop)) {
            bad += (unsigned)(p->conf.nfeeds - i);
            break;
        }
        /* A standby replica skips the feed; it tries to lead again on
         * the next pass. */
        if (!leader_is_active(p->leader, i, p->conf.feeds[i].name))
            continue;
        if (poll_feed(&p->env, &p->conf.feeds[i], bearer) != POLL_OK)
            bad++;
    }
    forward_auth_free(bearer);
out:
    log_event(bad == 0 ? LOG_INFO : LOG_WARN, "pass_finished",
        KV_UINT("pass", p->passes), KV_UINT("feeds", p->conf.nfeeds),
        KV_UINT("feeds_not_ok", bad), KV_UINT("app_elapsed_ms",
        clock_mono_ms() - t0));
    return bad;
}

/* Sleep until the monotonic time deadline_ms or poller_stop. */
static void
wait_until(struct poller *p, uint64_t deadline_ms)
{
    struct timespec ts;

    clock_timespec(deadline_ms, &ts);
    pthread_mutex_lock(&p->lock);
    while (!atomic_load(&p->stop) && clock_mono_ms() < deadline_ms) {
        if (pthread_cond_timedwait(&p->wake, &p->lock, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&p->lock);
}

int
poller_run(struct poller *p)
{
    uint64_t start, next;
    unsigned bad;

    for (;;) {
        start = clock_mono_ms();
        bad = poller_pass(p);
        if (atomic_load(&p->stop))
            return 0;
        if (p->conf.single_execution)
            return bad == 0 ? 0 : 1;
        next = start + p->conf.loop_interval_ms;
        if (clock_mono_ms() >= next) {
            log_event(LOG_WARN, "pass_overran",
                KV_UINT("loop_interval_ms", p->conf.loop_interval_ms),
                KV_UINT("app_elapsed_ms", clock_mono_ms() - start));
            continue;
        }
        wait_until(p, next);
        if (atomic_load(&p->stop))
            return 0;
    }
}
