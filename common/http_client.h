/*
 * HTTP client over libcurl: connect and total timeouts, a response size cap
 * enforced in the write callback, only http/https, no signals, kept-alive
 * connections per client. One struct http_client per thread (not
 * thread-safe). Call http_client_global_init once in main before threads.
 */
#ifndef ALEXIS_HTTP_CLIENT_H
#define ALEXIS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alexis_limits.h"
#include "compat.h"

struct http_client;

struct http_client_opts {
    long    connect_timeout_ms;   /* HTTP_CONNECT_TIMEOUT_MS when 0 */
    long    total_timeout_ms;     /* HTTP_TOTAL_TIMEOUT_MS when 0 */
    size_t  response_max;         /* HTTP_RESPONSE_MAX when 0 */
    /* PEM CA bundle (CURLOPT_CAINFO) for https URLs that start with one
     * of ca_for (a NULL-terminated list of base URLs, e.g. the next
     * daemon's), or for every https URL when ca_for is NULL. Other URLs
     * are verified against the system's CAs. Verification of the peer
     * and its host name is never turned off. Both are borrowed and must
     * outlive the client. */
    const char          *ca_file;
    const char *const   *ca_for;
};

struct http_result {
    long    status;         /* HTTP status, 0 when no response */
    char   *body;           /* NUL-terminated response body (owned) */
    size_t  body_len;
    long    retry_after_ms; /* from Retry-After (seconds) or rate-limit
                             * headers (X-RateLimit-Period-In-Sec on a 429,
                             * X-RateLimit-Reset); -1 when none */
    int     retry_after_explicit; /* 1 when retry_after_ms came from a
                                   * Retry-After header (not a period) */
    char    error_type[64]; /* X-Opsgenie-Errortype, "" when none */
    char    err[ALEXIS_ERR_PART_MAX];  /* transport error when status == 0 */
};

/*
 * Once in main, before any thread: libcurl's global state. Keeps libcurl's
 * libssh2 from initialising OpenSSL's ENGINE modules (see the .c). Returns
 * 0, or -1 when libcurl cannot start.
 */
int http_client_global_init(void);

struct http_client *http_client_new(const struct http_client_opts *opts);
void http_client_free(struct http_client *c);

/* Perform one request. headers: NULL-terminated array of "Name: value"
 * lines (may be NULL); a JSON body gets Content-Type: application/json.
 * Returns 0 when a response arrived (any status), -1 on a transport error,
 * timeout or a response over the cap (res->err says which). res must be
 * released with http_client_result_free either way. */
int http_client_do(struct http_client *c, const char *method,
    const char *url, const char *const *headers, const char *body,
    size_t body_len, struct http_result *res) ATTR_WUR;

/* Like http_client_do, but retries transport errors, 429 and 5xx (except
 * 501) up to max_retries times with exponential backoff and jitter from
 * HTTP_RETRY_BASE_MS capped at HTTP_RETRY_CAP_MS. An explicit Retry-After
 * is obeyed (capped); a rate-limit window header alone (OpsGenie's
 * X-RateLimit-Period-In-Sec: 60) says nothing about when there is room
 * again, so the backoff applies. *attempts (optional) receives the number
 * of attempts made. */
int http_client_do_retry(struct http_client *c, const char *method,
    const char *url, const char *const *headers, const char *body,
    size_t body_len, int max_retries, int *attempts,
    struct http_result *res) ATTR_WUR;

/* Hooks that let callers share rate-limit state between threads (the
 * poller's throttle). Either may be NULL. */
struct http_retry_hooks {
    /* Before every attempt: false stops with -1 ("stopped"). */
    bool    (*before_attempt)(void *arg);
    /* Instead of sleeping ms before a retry; rate_limited is true after a
     * 429 (so the wait may be shared by every thread). */
    void    (*wait)(void *arg, long ms, bool rate_limited);
    void     *arg;
};

/* http_client_do_retry with hooks (NULL: none). */
int http_client_do_retry_ex(struct http_client *c, const char *method,
    const char *url, const char *const *headers, const char *body,
    size_t body_len, int max_retries, const struct http_retry_hooks *hooks,
    int *attempts, struct http_result *res) ATTR_WUR;

void http_client_result_free(struct http_result *res);

/* The wait before retry number attempt+1 (attempt counts from 0), as
 * http_client_do_retry waits: retry_after_ms when it is >= 0, else
 * backoff_ms from HTTP_RETRY_BASE_MS (half fixed, half random from the
 * xorshift state *rng, seeded when 0); both capped at HTTP_RETRY_CAP_MS. */
long http_client_backoff_ms(uint64_t *rng, int attempt, long retry_after_ms);

/* Whether an answer with status may be retried: 429 and 5xx but 501. */
bool http_client_status_retryable(long status);

#endif
