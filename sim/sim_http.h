/*
 * The HTTP front of alexis-sim over libmicrohttpd. It exists beside
 * common/http_server.h because a simulator needs what a daemon must not
 * offer: arbitrary response headers (X-RateLimit-*, X-Opsgenie-Errortype,
 * Retry-After), error bodies in each simulated API's own shape, and
 * dropping a connection without answering (fault injection). One thread
 * per connection, so an injected latency delays only its own request.
 */
#ifndef ALEXIS_SIM_SIM_HTTP_H
#define ALEXIS_SIM_SIM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "compat.h"
#include "sim_limits.h"

struct sim_http;

struct sim_req {
    const char  *method;
    const char  *path;          /* percent-decoded, without the query */
    const char  *body;          /* NUL-terminated; "" when none */
    size_t       body_len;
    bool         too_big;       /* body exceeded its limit (dropped) */
    bool         loopback;      /* the peer is on 127.0.0.0/8 or ::1 */
    char         peer[64];      /* peer address text */
    void        *conn;          /* MHD connection (opaque) */
};

struct sim_header {
    char         name[48];
    char         value[512];
};

struct sim_resp {
    int                 status;
    char               *body;   /* owned (malloc); NULL: empty body */
    struct sim_header   headers[SIM_RESP_HEADERS_MAX];
    size_t              nheaders;
    bool                drop;   /* close the connection, answer nothing */
};

typedef void (*sim_http_fn)(void *ctx, const struct sim_req *req,
    struct sim_resp *resp);

/* Bind host:port (port 0: ephemeral; IPv4 or IPv6 literal) and serve,
 * calling fn for every complete request. NULL with err on failure. */
struct sim_http *sim_http_start(const char *host, int port, sim_http_fn fn,
    void *ctx, char *err, size_t errlen);
/* The bound port. */
int sim_http_port(const struct sim_http *srv);
/* Stop accepting, wait for in-flight requests, free. Accepts NULL. */
void sim_http_stop(struct sim_http *srv);

/* Request header (case-insensitive) or first query argument; NULL when
 * absent. Borrowed for the duration of the handler. */
const char *sim_http_req_header(const struct sim_req *req, const char *name);
const char *sim_http_req_query(const struct sim_req *req, const char *name);
/* The host (and port) the client addressed, for absolute links in an
 * answer: its Host header, or "127.0.0.1" without one. */
const char *sim_http_req_host(const struct sim_req *req);
/* Every value of a repeated query argument (tag=a&tag=b), up to max. */
size_t sim_http_req_query_all(const struct sim_req *req, const char *name,
    const char **out, size_t max);
/* The user and password of an HTTP Basic Authorization header, decoded by
 * libmicrohttpd, as copies the caller frees (wiping the password). -1 when
 * the request has none. */
int sim_http_req_basic_auth(const struct sim_req *req, char **user,
    char **pass);
/* Number of query arguments whose name is not in allowed (NULL-ended). */
size_t sim_http_req_query_others(const struct sim_req *req,
    const char *const *allowed);

/* Set status and a JSON body from tree (consumed; NULL: empty body). */
void sim_http_resp_json(struct sim_resp *resp, int status, cJSON *tree);
/* Add a response header; silently ignored past SIM_RESP_HEADERS_MAX. */
void sim_http_resp_header(struct sim_resp *resp, const char *name,
    const char *fmt, ...) ATTR_PRINTF(3, 4);

#endif
