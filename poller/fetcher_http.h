/*
 * The poller's fetcher (the seam is common/fetcher.h): a struct fetcher
 * over its own struct http_client with bounded retries (429, 5xx and
 * transport errors).
 * Its GETs (the feed API) go through a shared struct throttle: paced to
 * the configured rate, and a 429 pauses every thread sharing it for as
 * long as the server's Retry-After / rate-limit headers ask (capped).
 * POSTs (the classifier) use http_client_do_retry. One fetcher per
 * thread.
 */
#ifndef ALEXIS_POLLER_FETCHER_HTTP_H
#define ALEXIS_POLLER_FETCHER_HTTP_H

#include <stddef.h>

#include "compat.h"
#include "fetcher.h"
#include "http_client.h"

struct throttle;

struct fetcher_opts {
    struct throttle *throttle;  /* for GETs; may be NULL */
    long    connect_timeout_ms;
    long    total_timeout_ms;
    size_t  response_max;
    int     max_retries;
};

/* A fetcher over a new http_client. NULL when libcurl cannot make a
 * handle. Free with fetcher_http_free. */
struct fetcher *fetcher_http_new(const struct fetcher_opts *opts);
void fetcher_http_free(struct fetcher *f);

#endif
