/*
 * The one seam between the ticket-system modules and the network: a small
 * struct of function pointers (GET, POST, and one unretried attempt of any
 * method) that every module calls. The poller fills it with a throttled,
 * retrying client (poller/fetcher_http.c); the classifier and the action
 * handler wrap their struct http_client with fetcher_client_init; unit
 * tests fill it with fakes. One fetcher per thread.
 */
#ifndef ALEXIS_FETCHER_H
#define ALEXIS_FETCHER_H

#include <stddef.h>

#include "compat.h"
#include "http_client.h"

struct fetcher {
    /* Both return 0 when a response arrived (any status) and -1 on a
     * transport error (res->err says which); res is released by the
     * caller with http_client_result_free either way. hdrs is a NULL-terminated
     * list of "Name: value" lines (may be NULL). They retry 429, 5xx and
     * transport errors as the implementation is configured to. */
    int           (*get)(struct fetcher *f, const char *url,
                         const char *const *hdrs, struct http_result *res);
    int           (*post)(struct fetcher *f, const char *url,
                          const char *const *hdrs, const char *body,
                          size_t len, struct http_result *res);
    /* One attempt, no retries, any method: for writes whose outcome must
     * be checked before they are repeated (ticket notes). May be NULL:
     * callers then use post. Same return convention. */
    int           (*send)(struct fetcher *f, const char *method,
                          const char *url, const char *const *hdrs,
                          const char *body, size_t len,
                          struct http_result *res);
    /* Wait ms before a retry the caller makes itself (after send). May be
     * NULL: sleep_ms. */
    void          (*wait)(struct fetcher *f, long ms);
    void           *ctx;
    unsigned long   calls;      /* HTTP attempts made, retries included */
};

/* One request over hc retried up to max_retries times (hooks may be
 * NULL), its attempts added to f->calls: the get and post of every
 * fetcher over an http_client. */
int fetcher_do_retry(struct fetcher *f, struct http_client *hc,
    const char *method, const char *url, const char *const *hdrs,
    const char *body, size_t len, int max_retries,
    const struct http_retry_hooks *hooks, struct http_result *res) ATTR_WUR;

/* A fetcher over an http_client the caller owns (embedded, no
 * allocation): get and post retry up to max_retries times with
 * http_client_do_retry's backoff; send is one http_client_do. */
struct fetcher_client {
    struct fetcher       f;
    struct http_client  *hc;
    int                  max_retries;
};

/* Fill fc to use hc. fc->f is the seam to pass on; it borrows hc. */
void fetcher_client_init(struct fetcher_client *fc, struct http_client *hc,
    int max_retries);

#endif
