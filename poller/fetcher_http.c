/*
 * The poller's fetcher (see fetcher_http.h), over http_client_do_retry_ex: GETs
 * retry 429, 5xx (not 501) and transport errors up to max_retries times;
 * the shared throttle paces every attempt, and a 429 closes its gate for
 * the wait (the server's Retry-After, or the backoff) so all workers back
 * off together. Every attempt is counted for poll_finished.
 */
#include "fetcher_http.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alexis_limits.h"
#include "clock.h"
#include "throttle.h"
#include "xmem.h"

struct fetcher_http {
    struct fetcher       f;     /* first: the seam callers see */
    struct http_client  *client;
    struct throttle     *throttle;
    int                  max_retries;
};

static bool
throttle_before(void *arg)
{
    return throttle_take(arg);
}

/* A 429 closes the shared gate so every worker waits; other failures back
 * off on this thread only. */
static void
throttle_wait(void *arg, long ms, bool rate_limited)
{
    if (rate_limited)
        throttle_block(arg, ms);
    else
        clock_sleep_ms(ms);
}

static int
http_get(struct fetcher *f, const char *url, const char *const *hdrs,
    struct http_result *res)
{
    struct fetcher_http *h = f->ctx;
    struct http_retry_hooks hooks = {
        .before_attempt = throttle_before,
        .wait = throttle_wait,
        .arg = h->throttle,
    };
    int rc;

    rc = fetcher_do_retry(f, h->client, "GET", url, hdrs, NULL, 0,
        h->max_retries, h->throttle != NULL ? &hooks : NULL, res);
    if (rc == -1 && h->throttle != NULL && strcmp(res->err, "stopped") == 0)
        snprintf(res->err, sizeof(res->err), "shutting down");
    return rc;
}

static int
http_post(struct fetcher *f, const char *url, const char *const *hdrs,
    const char *body, size_t len, struct http_result *res)
{
    struct fetcher_http *h = f->ctx;

    return fetcher_do_retry(f, h->client, "POST", url, hdrs, body, len,
        h->max_retries, NULL, res);
}

struct fetcher *
fetcher_http_new(const struct fetcher_opts *opts)
{
    struct http_client_opts co = {
        .connect_timeout_ms = opts->connect_timeout_ms,
        .total_timeout_ms = opts->total_timeout_ms,
        .response_max = opts->response_max,
        .ca_file = opts->ca_file,
        .ca_for = opts->ca_for,
    };
    struct fetcher_http *h;

    h = xcalloc(1, sizeof(*h));
    if ((h->client = http_client_new(&co)) == NULL) {
        free(h);
        return NULL;
    }
    h->throttle = opts->throttle;
    h->max_retries = opts->max_retries;
    h->f.get = http_get;
    h->f.post = http_post;
    h->f.ctx = h;
    return &h->f;
}

void
fetcher_http_free(struct fetcher *f)
{
    struct fetcher_http *h;

    if (f == NULL)
        return;
    h = f->ctx;
    http_client_free(h->client);
    free(h);
}
