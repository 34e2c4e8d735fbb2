/*
 * The poller's one seam to the network: a two-function struct fetcher (GET
 * and POST) that the feed and forward modules call. The real one wraps a
 * struct http_client with bounded retries (429, 5xx and transport errors).
 * Its GETs (the feed API) go through a shared struct throttle: paced to
 * the configured rate, and a 429 pauses every thread sharing it for as
 * long as the server's Retry-After / rate-limit headers ask (capped).
 * POSTs (the classifier) use http_client_do_retry. Unit tests fill the
 * struct with fakes. One fetcher per thread.
 */
#ifndef ALEXIS_POLLER_FETCHER_H
#define ALEXIS_POLLER_FETCHER_H

#include <stddef.h>

#include "compat.h"
#include "http_client.h"

struct fetcher {
    /* Both return 0 when a response arrived (any status) and -1 on a
     * transport error (res->err says which); res is released by the
     * caller with http_result_free either way. hdrs is a NULL-terminated
     * list of "Name: value" lines (may be NULL). */
    int           (*get)(struct fetcher *f, const char *url,
                         const char *const *hdrs, struct http_result *res);
    int           (*post)(struct fetcher *f, const char *url,
                          const char *const *hdrs, const char *body,
                          size_t len, struct http_result *res);
    void           *ctx;
    unsigned long   calls;      /* HTTP attempts made, retries included */
};

struct throttle;

struct fetcher_opts {
    struct throttle *throttle;  /* for GETs; may be NULL */
    long    connect_timeout_ms;
    long    total_timeout_ms;
    size_t  response_max;
    int     max_retries;
    const char          *ca_file;   /* http_client_opts.ca_file */
    const char *const   *ca_for;    /* http_client_opts.ca_for */
};

/* A fetcher over a new http_client. NULL when libcurl cannot make a
 * handle. Free with fetcher_http_free. */
struct fetcher *fetcher_http_new(const struct fetcher_opts *opts);
void fetcher_http_free(struct fetcher *f);

#endif
