/*
 * GET /metrics for every daemon: the page of metrics.h, open to anyone
 * unless the daemon's tokens.metrics_token names a file of allowed
 * clients (the allowed_clients format); then the scraper presents one of
 * its tokens (Authorization: Bearer, or ?token=) like any other client.
 */
#ifndef ALEXIS_METRICS_HTTP_H
#define ALEXIS_METRICS_HTTP_H

#include <stddef.h>

struct http_request;
struct http_response;
struct metrics_http;

/* token_file NULL: no token needed. Otherwise the file is loaded now (and
 * re-read when it changes). NULL with err when it cannot be loaded. */
struct metrics_http *metrics_http_new(const char *token_file, char *err,
    size_t errlen);
void metrics_http_free(struct metrics_http *mh);

/* For --check: 0 when token_file is NULL or loads, else -1 with err. */
int metrics_http_check(const char *token_file, char *err, size_t errlen);

/* Answer a GET /metrics: 401 without an accepted token when one is
 * needed, else 200 with the page in text format 0.0.4. Thread-safe. */
void metrics_http_reply(struct metrics_http *mh,
    const struct http_request *req, struct http_response *resp);

#endif
