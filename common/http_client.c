/*
 * HTTP client over one reused libcurl easy handle per struct http_client
 * (so connections stay alive between calls). Every request is bounded: a
 * connect and a total timeout, http/https only, no redirects, and a response
 * cap enforced while the body arrives. Rate-limit headers of OpsGenie and
 * Dynatrace become one retry_after_ms for the caller and for the retry loop.
 */
#include "http_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libssh2.h>

#include "alexis_limits.h"
#include "backoff.h"
#include "buf.h"
#include "clock.h"
#include "log.h"
#include "str.h"
#include "xmem.h"

struct http_client {
    CURL       *curl;
    long        connect_timeout_ms;
    long        total_timeout_ms;
    size_t      response_max;
    const char          *ca_file;
    const char *const   *ca_for;
    uint64_t    rng;                    /* xorshift state for jitter */
    char        errbuf[CURL_ERROR_SIZE];
};

/*
 * curl_global_init calls libssh2_init(0) (libcurl is built with SCP/SFTP
 * support), and libssh2 1.10's crypto init loads and registers OpenSSL's
 * built-in ENGINE modules: 1.5 MB of resident pages in every daemon,
 * including the three that never speak SSH. OpenSSL 3 initialises itself
 * on first use and no engine is ever used, so libssh2 is initialised first
 * without it; its later libssh2_init calls only count up.
 */
int
http_client_global_init(void)
{
    if (libssh2_init(LIBSSH2_INIT_NO_CRYPTO) != 0)
        return -1;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* State of one transfer, filled by the callbacks. */
struct xfer {
    struct buf  body;
    bool        too_large;
    long        retry_after_ms;         /* Retry-After */
    long        period_ms;              /* X-RateLimit-Period-In-Sec */
    long        reset_ms;               /* X-RateLimit-Reset */
    char        error_type[64];         /* X-Opsgenie-Errortype */
};

struct http_client *
http_client_new(const struct http_client_opts *opts)
{
    struct http_client *c;

    c = xcalloc(1, sizeof(*c));
    if ((c->curl = curl_easy_init()) == NULL) {
        free(c);
        return NULL;
    }
    c->connect_timeout_ms = HTTP_CONNECT_TIMEOUT_MS;
    c->total_timeout_ms = HTTP_TOTAL_TIMEOUT_MS;
    c->response_max = HTTP_RESPONSE_MAX;
    if (opts != NULL && opts->connect_timeout_ms > 0)
        c->connect_timeout_ms = opts->connect_timeout_ms;
    if (opts != NULL && opts->total_timeout_ms > 0)
        c->total_timeout_ms = opts->total_timeout_ms;
    if (opts != NULL && opts->response_max > 0)
        c->response_max = opts->response_max;
    if (opts != NULL) {
        c->ca_file = opts->ca_file;
        c->ca_for = opts->ca_for;
    }
    c->rng = clock_mono_us() ^ (uint64_t)(uintptr_t)c;
    if (c->rng == 0)
        c->rng = 1;
    return c;
}

void
http_client_free(struct http_client *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->curl);
    free(c);
}

void
http_client_result_free(struct http_result *res)
{
    if (res == NULL)
        return;
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
}

static size_t
on_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct xfer *x = arg;
    size_t n = size * nmemb;

    /* Returning less than n makes curl abort with CURLE_WRITE_ERROR. */
    if (buf_append(&x->body, data, n) == -1) {
        x->too_large = true;
        return 0;
    }
    return n;
}

static long
seconds_to_ms(uint64_t s)
{
    if (s > HTTP_RETRY_AFTER_MAX_S)
        s = HTTP_RETRY_AFTER_MAX_S;
    return (long)s * 1000L;
}

/* Retry-After: delay-seconds or an HTTP-date. -1 when unusable. */
static long
parse_retry_after(const char *v)
{
    const char *errstr;
    uint64_t s;
    time_t when;
    uint64_t now;

    if (str_to_u64(v, 0, UINT64_MAX, &s, &errstr) == 0)
        return seconds_to_ms(s);
    if ((when = curl_getdate(v, NULL)) == -1)
        return -1;
    now = clock_wall_ms() / 1000u;
    return seconds_to_ms((uint64_t)when > now ? (uint64_t)when - now : 0);
}

/* X-RateLimit-Reset (Dynatrace): a Unix timestamp in microseconds. */
static long
parse_reset_us(const char *v)
{
    const char *errstr;
    uint64_t at, now, ms;

    if (str_to_u64(v, 0, UINT64_MAX, &at, &errstr) == -1)
        return -1;
    if ((now = clock_wall_us()) == 0)
        return -1;
    ms = at > now ? (at - now) / 1000u : 0;
    if (ms > (uint64_t)HTTP_RETRY_AFTER_MAX_S * 1000u)
        ms = (uint64_t)HTTP_RETRY_AFTER_MAX_S * 1000u;
    return (long)ms;
}

static void
xfer_reset_headers(struct xfer *x)
{
    x->retry_after_ms = -1;
    x->period_ms = -1;
    x->reset_ms = -1;
    x->error_type[0] = '\0';
}

static void
take_header(struct xfer *x, const char *name, const char *value)
{
    const char *errstr;
    uint64_t s;

    if (str_eq_nocase(name, "Retry-After")) {
        x->retry_after_ms = parse_retry_after(value);
    } else if (str_eq_nocase(name, "X-RateLimit-Period-In-Sec")) {
        if (str_to_u64(value, 0, UINT64_MAX, &s, &errstr) == 0)
            x->period_ms = seconds_to_ms(s);
    } else if (str_eq_nocase(name, "X-RateLimit-Reset")) {
        x->reset_ms = parse_reset_us(value);
    } else if (str_eq_nocase(name, "X-Opsgenie-Errortype")) {
        (void)strlcpy(x->error_type, value, sizeof(x->error_type));
    }
}

static size_t
on_header(char *data, size_t size, size_t nitems, void *arg)
{
    struct xfer *x = arg;
    char line[HTTP_HEADER_LINE_MAX], *value;
    size_t n = size * nitems, len;

    if (n >= sizeof(line))
        return n;
    memcpy(line, data, n);
    line[n] = '\0';
    len = n;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
        line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = '\0';
    /* A status line starts a new header block (e.g. after a 1xx). */
    if (strncmp(line, "HTTP/", 5) == 0) {
        xfer_reset_headers(x);
        return n;
    }
    if ((value = strchr(line, ':')) == NULL)
        return n;
    *value++ = '\0';
    while (*value == ' ' || *value == '\t')
        value++;
    take_header(x, line, value);
    return n;
}

static bool
has_header(const char *const *headers, const char *name)
{
    size_t len = strlen(name);

    for (; headers != NULL && *headers != NULL; headers++) {
        if (strncasecmp(*headers, name, len) == 0 && (*headers)[len] == ':')
            return true;
    }
    return false;
}

static int
add_header(struct curl_slist **list, const char *line)
{
    struct curl_slist *l;

    if ((l = curl_slist_append(*list, line)) == NULL)
        return -1;
    *list = l;
    return 0;
}

/* Our defaults unless the caller set the same header, then the caller's. An
 * empty "Expect:" stops curl's 100-continue wait on larger bodies. */
static int
build_headers(const char *const *headers, bool json_body,
    struct curl_slist **list)
{
    if (!has_header(headers, "Accept") &&
        add_header(list, "Accept: application/json") == -1)
        return -1;
    if (json_body && !has_header(headers, "Content-Type") &&
        add_header(list, "Content-Type: application/json") == -1)
        return -1;
    if (!has_header(headers, "Expect") && add_header(list, "Expect:") == -1)
        return -1;
    for (; headers != NULL && *headers != NULL; headers++) {
        if (add_header(list, *headers) == -1)
            return -1;
    }
    return 0;
}

static int
setup_method(CURL *h, const char *method, const char *body, size_t body_len)
{
    /* Send "Content-Length: 0" rather than no length at all. */
    if (body == NULL && (strcmp(method, "POST") == 0 ||
        strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0)) {
        body = "";
        body_len = 0;
    }
    if (body != NULL) {
        if (curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
            (curl_off_t)body_len) != CURLE_OK ||
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body) != CURLE_OK)
            return -1;
        if (strcmp(method, "POST") == 0)
            return 0;
    } else if (strcmp(method, "GET") == 0) {
        return curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) == CURLE_OK ? 0 : -1;
    } else if (strcmp(method, "HEAD") == 0) {
        return curl_easy_setopt(h, CURLOPT_NOBODY, 1L) == CURLE_OK ? 0 : -1;
    }
    return curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK ?
        0 : -1;
}

/* The CA bundle for url: ours for the URLs it is meant for, else NULL
 * (libcurl's default, the system store). */
static const char *
ca_for_url(const struct http_client *c, const char *url)
{
    const char *const *p;

    if (c->ca_file == NULL || strncasecmp(url, "https://", 8) != 0)
        return NULL;
    if (c->ca_for == NULL)
        return c->ca_file;
    for (p = c->ca_for; *p != NULL; p++) {
        if (strncmp(url, *p, strlen(*p)) == 0)
            return c->ca_file;
    }
    return NULL;
}

static int
setup_handle(struct http_client *c, const char *url,
    struct curl_slist *hdrs, struct xfer *x)
{
    CURL *h = c->curl;
    const char *ca = ca_for_url(c, url);

    /* Reset forgets options but keeps live connections and caches. */
    curl_easy_reset(h);
    if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") !=
        CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
        c->connect_timeout_ms) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->total_timeout_ms) !=
        CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
        (curl_off_t)c->response_max) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_WRITEDATA, x) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_HEADERDATA, x) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_USERAGENT, "alexis") != CURLE_OK)
        return -1;
    if (ca != NULL && curl_easy_setopt(h, CURLOPT_CAINFO, ca) != CURLE_OK)
        return -1;
    return 0;
}

/* The wait a server asked for: Retry-After wins; OpsGenie's period counts
 * on a 429 only; Dynatrace's reset time otherwise. */
static long
pick_retry_after(const struct xfer *x, long status)
{
    if (x->retry_after_ms >= 0)
        return x->retry_after_ms;
    if (status == 429 && x->period_ms >= 0)
        return x->period_ms;
    return x->reset_ms;
}

/* One request. *retryable tells whether a failure may be retried (a
 * response over the cap will not shrink on a second try). */
static int
perform(struct http_client *c, const char *method, const char *url,
    const char *const *headers, const char *body, size_t body_len,
    struct http_result *res, bool *retryable)
{
    struct curl_slist *hdrs = NULL;
    struct xfer x;
    CURLcode cc;
    long status = 0;
    int rc = -1;

    memset(res, 0, sizeof(*res));
    res->retry_after_ms = -1;
    memset(&x, 0, sizeof(x));
    buf_init(&x.body, c->response_max);
    xfer_reset_headers(&x);
    c->errbuf[0] = '\0';
    *retryable = false;
    if (build_headers(headers, body != NULL, &hdrs) == -1 ||
        setup_handle(c, url, hdrs, &x) == -1 ||
        setup_method(c->curl, method, body, body_len) == -1) {
        (void)snprintf(res->err, sizeof(res->err),
            "cannot set up the request (out of memory or bad option)");
        goto out;
    }
    if ((cc = curl_easy_perform(c->curl)) != CURLE_OK) {
        if (x.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
            (void)snprintf(res->err, sizeof(res->err),
                "response larger than %zu bytes", c->response_max);
        } else {
            (void)snprintf(res->err, sizeof(res->err), "%s",
                c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(cc));
            *retryable = true;
        }
        goto out;
    }
    if (curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status) !=
        CURLE_OK || status == 0) {
        (void)snprintf(res->err, sizeof(res->err), "no HTTP status");
        *retryable = true;
        goto out;
    }
    res->status = status;
    res->body_len = x.body.len;
    res->body = buf_steal(&x.body);
    res->retry_after_ms = pick_retry_after(&x, status);
    res->retry_after_explicit = x.retry_after_ms >= 0;
    (void)strlcpy(res->error_type, x.error_type, sizeof(res->error_type));
    rc = 0;
out:
    /* The handle keeps pointers to hdrs, x and body until the next reset;
     * drop them now so nothing dangles. */
    curl_easy_reset(c->curl);
    curl_slist_free_all(hdrs);
    buf_free(&x.body);
    return rc;
}

int
http_client_do(struct http_client *c, const char *method, const char *url,
    const char *const *headers, const char *body, size_t body_len,
    struct http_result *res)
{
    bool retryable;

    return perform(c, method, url, headers, body, body_len, res, &retryable);
}

long
http_client_backoff_ms(uint64_t *rng, int attempt, long retry_after_ms)
{
    if (retry_after_ms >= 0)
        return retry_after_ms < HTTP_RETRY_CAP_MS ? retry_after_ms :
            HTTP_RETRY_CAP_MS;
    return backoff_ms(rng, attempt, HTTP_RETRY_BASE_MS, HTTP_RETRY_CAP_MS);
}

bool
http_client_status_retryable(long status)
{
    return status == 429 || (status >= 500 && status <= 599 && status != 501);
}

static bool
should_retry(int rc, bool retryable, long status)
{
    if (rc == -1)
        return retryable;
    return http_client_status_retryable(status);
}

int
http_client_do_retry(struct http_client *c, const char *method,
    const char *url, const char *const *headers, const char *body,
    size_t body_len, int max_retries, int *attempts,
    struct http_result *res)
{
    return http_client_do_retry_ex(c, method, url, headers, body, body_len,
        max_retries, NULL, attempts, res);
}

int
http_client_do_retry_ex(struct http_client *c, const char *method,
    const char *url, const char *const *headers, const char *body,
    size_t body_len, int max_retries, const struct http_retry_hooks *hooks,
    int *attempts, struct http_result *res)
{
    bool retryable, limited;
    int n = 0, rc = -1;
    long delay;

    for (;;) {
        if (hooks != NULL && hooks->before_attempt != NULL &&
            !hooks->before_attempt(hooks->arg)) {
            /* The previous attempt's body, if any, is already freed. */
            memset(res, 0, sizeof(*res));
            snprintf(res->err, sizeof(res->err), "stopped");
            rc = -1;
            break;
        }
        rc = perform(c, method, url, headers, body, body_len, res,
            &retryable);
        n++;
        if (n > max_retries || !should_retry(rc, retryable, res->status))
            break;
        limited = rc == 0 && res->status == 429;
        delay = http_client_backoff_ms(&c->rng, n - 1,
            res->retry_after_explicit ? res->retry_after_ms : -1);
        http_client_result_free(res);
        if (hooks != NULL && hooks->wait != NULL)
            hooks->wait(hooks->arg, delay, limited);
        else
            clock_sleep_ms(delay);
    }
    if (attempts != NULL)
        *attempts = n;
    return rc;
}
