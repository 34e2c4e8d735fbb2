/*
 * The fetcher seam over a caller's http_client (see fetcher.h).
 */
#include "fetcher.h"

#include <string.h>

int
fetcher_do_retry(struct fetcher *f, struct http_client *hc,
    const char *method, const char *url, const char *const *hdrs,
    const char *body, size_t len, int max_retries,
    const struct http_retry_hooks *hooks, struct http_result *res)
{
    int attempts = 0, rc;

    rc = http_client_do_retry_ex(hc, method, url, hdrs, body, len,
        max_retries, hooks, &attempts, res);
    f->calls += (unsigned long)attempts;
    return rc;
}

static int
client_get(struct fetcher *f, const char *url, const char *const *hdrs,
    struct http_result *res)
{
    struct fetcher_client *fc = f->ctx;

    return fetcher_do_retry(f, fc->hc, "GET", url, hdrs, NULL, 0,
        fc->max_retries, NULL, res);
}

static int
client_post(struct fetcher *f, const char *url, const char *const *hdrs,
    const char *body, size_t len, struct http_result *res)
{
    struct fetcher_client *fc = f->ctx;

    return fetcher_do_retry(f, fc->hc, "POST", url, hdrs, body, len,
        fc->max_retries, NULL, res);
}

static int
client_send(struct fetcher *f, const char *method, const char *url,
    const char *const *hdrs, const char *body, size_t len,
    struct http_result *res)
{
    struct fetcher_client *fc = f->ctx;

    f->calls++;
    return http_client_do(fc->hc, method, url, hdrs, body, len, res);
}

void
fetcher_client_init(struct fetcher_client *fc, struct http_client *hc,
    int max_retries)
{
    memset(fc, 0, sizeof(*fc));
    fc->hc = hc;
    fc->max_retries = max_retries;
    fc->f.get = client_get;
    fc->f.post = client_post;
    fc->f.send = client_send;
    fc->f.ctx = fc;
}
