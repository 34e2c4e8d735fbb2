/*
 * The real fetcher (see fetcher.h). GETs retry 429, 5xx (not 501) and
 * transport errors up to max_retries times: a 429 closes the shared
 * throttle's gate for the server's Retry-After (capped at
 * HTTP_RETRY_CAP_MS), or for an exponential backoff when it sent none, so
 * all workers back off together; other failures back off on this thread
 * only. Backoffs grow from HTTP_RETRY_BASE_MS with jitter. Every attempt
 * is counted for poll_finished.
 */
#include "fetcher.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alexis_limits.h"
#include "str.h"
#include "throttle.h"
#include "xmem.h"

struct fetcher_http {
    struct fetcher       f;     /* first: the seam callers see */
    struct http_client  *client;
    struct throttle     *throttle;
    int                  max_retries;
    uint64_t             rng;   /* xorshift state for jitter */
};

static bool
retryable(int rc, long status)
{
    return rc == -1 || status == 429 ||
        (status >= 500 && status <= 599 && status != 501);
}

/* BASE * 2^attempt, capped, "equal jitter" (half fixed, half random). */
static long
backoff_ms(struct fetcher_http *h, int attempt)
{
    long d = HTTP_RETRY_BASE_MS, half;
    int i;

    for (i = 0; i < attempt && d < HTTP_RETRY_CAP_MS; i++)
        d *= 2;
    if (d > HTTP_RETRY_CAP_MS)
        d = HTTP_RETRY_CAP_MS;
    h->rng ^= h->rng << 13;
    h->rng ^= h->rng >> 7;
    h->rng ^= h->rng << 17;
    half = d / 2;
    return half + (long)(h->rng % (uint64_t)(half + 1));
}

/* Before retry number attempt+1 of a failed GET. */
static void
pause_after(struct fetcher_http *h, int attempt, int rc,
    const struct http_result *res)
{
    long wait;

    if (rc == 0 && res->status == 429) {
        /* A Retry-After is obeyed. OpsGenie sends only its window
         * (X-RateLimit-Period-In-Sec: 60), which says nothing about when
         * the bucket has room again: back off briefly and grow. */
        wait = res->retry_after_explicit ? res->retry_after_ms :
            backoff_ms(h, attempt);
        if (wait > HTTP_RETRY_CAP_MS)
            wait = HTTP_RETRY_CAP_MS;
        if (h->throttle != NULL) {
            throttle_block(h->throttle, wait);
            return;
        }
        sleep_ms(wait);
        return;
    }
    sleep_ms(backoff_ms(h, attempt));
}

static int
http_get(struct fetcher *f, const char *url, const char *const *hdrs,
    struct http_result *res)
{
    struct fetcher_http *h = f->ctx;
    int attempt, rc = -1;

    for (attempt = 0;; attempt++) {
        if (h->throttle != NULL && !throttle_take(h->throttle)) {
            memset(res, 0, sizeof(*res));
            snprintf(res->err, sizeof(res->err), "shutting down");
            return -1;
        }
        rc = http_client_do(h->client, "GET", url, hdrs, NULL, 0, res);
        f->calls++;
        if (attempt >= h->max_retries || !retryable(rc, res->status))
            return rc;
        pause_after(h, attempt, rc, res);
        http_result_free(res);
    }
}

static int
http_post(struct fetcher *f, const char *url, const char *const *hdrs,
    const char *body, size_t len, struct http_result *res)
{
    struct fetcher_http *h = f->ctx;
    int attempts = 0, rc;

    rc = http_client_do_retry(h->client, "POST", url, hdrs, body, len,
        h->max_retries, &attempts, res);
    f->calls += (unsigned long)attempts;
    return rc;
}

struct fetcher *
fetcher_http_new(const struct fetcher_opts *opts)
{
    struct http_client_opts co = {
        .connect_timeout_ms = opts->connect_timeout_ms,
        .total_timeout_ms = opts->total_timeout_ms,
        .response_max = opts->response_max,
    };
    struct fetcher_http *h;

    h = xcalloc(1, sizeof(*h));
    if ((h->client = http_client_new(&co)) == NULL) {
        free(h);
        return NULL;
    }
    h->throttle = opts->throttle;
    h->max_retries = opts->max_retries;
    h->rng = now_us() ^ (uint64_t)(uintptr_t)h;
    if (h->rng == 0)
        h->rng = 1;
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
