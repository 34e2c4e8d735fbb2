/*
 * HTTP server over libmicrohttpd with named limits (body size, connection
 * count, timeouts) and the error answers of DESIGN §6:
 *   404 unknown path, 405 known path wrong method (with Allow), 413 body
 *   over the limit, 415 a body whose Content-Type is set and is not JSON,
 *   401 missing/bad token on routes that require one (body never echoes the
 *   token), 400 for a request with both Transfer-Encoding and
 *   Content-Length or with differing Content-Lengths, 501 for a transfer
 *   coding other than chunked.
 * Error bodies are {"error":"<one-line reason>","status":N}. Requests that
 * MHD refuses while parsing, before any hook of ours (header block or
 * request line over the memory limit, a bad request line or version, a
 * malformed Content-Length or chunk), get MHD's own small HTML answer;
 * docs/SECURITY.md "HTTP parsing" lists them.
 *
 * Slow clients: at most max_per_ip connections per client address (more
 * are closed at once, without an answer), a deadline for each whole
 * request, and over conn_max the longest-waiting connection is evicted for
 * a new one (http_conns.h), so /v1/ping answers during a slowloris.
 *
 * TLS: with tls_cert_file and tls_key_file (PEM) the server speaks only
 * HTTPS, through libmicrohttpd's GnuTLS. A plain-HTTP request to it gets
 * no answer: the TLS handshake fails and the connection is closed (the
 * client sees an empty reply), logged as http_server_error.
 *
 * The server logs request_finished for every request (method, path, status,
 * requestor, app_elapsed_ms, plus the id a handler set) so handlers log only
 * what they decide. Handlers run on MHD's thread pool and must not block
 * for long: long work goes to a worker queue.
 */
#ifndef ALEXIS_HTTP_SERVER_H
#define ALEXIS_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "alexis_limits.h"
#include "compat.h"

struct auth_clients;
struct auth_grant;
struct http_server;
struct http_conn;  /* opaque: MHD's connection */

struct http_request {
    const char          *method;
    const char          *path;      /* without the query string */
    const char          *body;      /* NUL-terminated; "" when none */
    size_t               body_len;
    const char          *requestor; /* authenticated client, or NULL */
    const struct auth_grant *grant; /* its rights (auth.h), or NULL */
    bool                 read_all;  /* its token says "read_all": true */
    struct http_conn    *conn;
};

struct http_response {
    int     status;     /* default 500 if the handler sets nothing */
    char   *body;       /* owned by the response; freed by the server */
    /* Content-Type of body; NULL means JSON. Static storage. */
    const char *content_type;
    /* Retry-After seconds for a 429/503; 0: no such header. */
    unsigned    retry_after_s;
    /* Extra fields for request_finished (e.g. "tinyId"/"5120"). */
    char    id_key[32];
    char    id_value[128];
};

typedef void (*http_handler_fn)(void *ctx, const struct http_request *req,
    struct http_response *resp);

struct http_route {
    const char      *method;        /* "GET", "POST", ... ; NULL ends */
    const char      *path;          /* exact, or a prefix when prefix */
    bool             prefix;
    bool             auth;          /* require a token from clients */
    http_handler_fn  fn;
    /* Check a token when one is presented (requestor set when valid) but
     * answer without one too; a bad token counts as none. */
    bool             auth_optional;
};

struct http_server_opts {
    const char              *host;          /* "0.0.0.0", "127.0.0.1", "::" */
    int                      port;          /* 0 = ephemeral (tests) */
    size_t                   body_max;      /* HTTP_BODY_MAX_DEFAULT when 0 */
    unsigned                 conn_max;      /* HTTP_CONN_MAX_DEFAULT when 0 */
    unsigned                 timeout_s;     /* HTTP_CONN_TIMEOUT_S when 0 */
    unsigned                 threads;       /* HTTP_SERVER_THREADS when 0 */
    unsigned                 max_per_ip;    /* HTTP_CONN_PER_IP_MAX when 0 */
    /* Whole-request deadline; HTTP_REQUEST_DEADLINE_MS when 0. */
    unsigned long long       request_deadline_ms;
    /* PEM files; both or neither. Read at start (after the privilege
     * drop, so the daemon's user must be able to read them). */
    const char              *tls_cert_file;
    const char              *tls_key_file;
    struct auth_clients     *clients;       /* for auth routes; may be NULL */
    /* A socket from http_server_listen to serve on, when has_listen_fd;
     * then host and port are not used. The server owns it from then on. */
    bool                     has_listen_fd;
    int                      listen_fd;
};

/* Bind and listen on host:port now (before dropping root); the socket is
 * non-blocking and close-on-exec. -1 with err on failure. */
int http_server_listen(const char *host, int port, char *err, size_t errlen);

/* Bind and start serving routes (terminated by a route with method NULL;
 * tried in order, the first whose path and method match wins). ctx is
 * passed to every handler. NULL with err on failure (bind, bad host, an
 * unreadable or invalid certificate or key, no TLS in libmicrohttpd). */
struct http_server *http_server_start(const struct http_server_opts *opts,
    const struct http_route *routes, void *ctx, char *err, size_t errlen);

/* The bound TCP port (useful when opts.port was 0). */
int http_server_port(const struct http_server *srv);

/* Stop accepting, finish in-flight requests (waiting at most timeout_s),
 * free. Accepts NULL. */
void http_server_stop(struct http_server *srv);

/* Request header (case-insensitive) or query argument; NULL when absent. */
const char *http_server_request_header(const struct http_request *req,
    const char *name);
const char *http_server_request_query(const struct http_request *req,
    const char *name);

/* Set a JSON answer; body is copied. */
void http_server_reply(struct http_response *resp, int status,
    const char *json);
/* Set an error answer {"error":reason,"status":status}; reason is one line
 * (newlines are replaced) and JSON-escaped. */
void http_server_reply_error(struct http_response *resp, int status,
    const char *fmt, ...) ATTR_PRINTF(3, 4);
/* Record the alert id key/value that request_finished will carry. */
void http_server_response_set_id(struct http_response *resp, const char *key,
    const char *value);

#endif
