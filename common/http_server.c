/*
 * HTTP server over libmicrohttpd. The header pass of each request decides
 * early (404, 405, 401, 413, 415) so that nothing is read for a request we
 * refuse; accepted bodies are copied into a capped buffer and handed to the
 * route's handler once complete. Every request ends in one request_finished
 * log line written from MHD's completion callback.
 */
#include "http_server.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "alexis_limits.h"
#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "file.h"
#include "http_conns.h"
#include "log.h"
#include "str.h"
#include "xmem.h"

#define HTTP_ALLOW_MAX          128     /* text of an Allow header */
#define HTTP_STOP_POLL_MS       10      /* drain poll interval on stop */
#define JSON_MEDIA_TYPE         "application/json"
/* TLS 1.2 and 1.3 only, GnuTLS's NORMAL choice of ciphers within them. */
#define HTTP_TLS_PRIORITIES     "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct route {
    char            *method;
    char            *path;
    size_t           path_len;
    bool             prefix;
    bool             auth;
    bool             auth_optional;
    http_handler_fn  fn;
};

struct http_server {
    struct MHD_Daemon       *daemon;
    struct route            *routes;
    size_t                   nroutes;
    void                    *ctx;
    size_t                   body_max;
    unsigned                 timeout_s;
    int                      port;
    struct auth_clients     *clients;
    atomic_uint              inflight;      /* requests not yet completed */
    struct http_conns       *conns;
    char                    *tls_cert;      /* PEM text, while serving */
    char                    *tls_key;       /* secret: wiped on stop */
    size_t                   tls_key_len;
};

/* One request, from its header pass to MHD's completion callback. */
struct req_state {
    const struct route  *route;
    char                *method;
    char                *path;
    char                *requestor;
    struct auth_grant   *grant;     /* the client's rights (§13) */
    bool                 read_all;
    struct buf           body;
    uint64_t             received;  /* body bytes seen, kept or not */
    bool                 too_large;
    int                  status;    /* 0 until a response is queued */
    uint64_t             start_us;
    uint64_t             elapsed_us;
    char                 id_key[32];
    char                 id_value[128];
};

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    ATTR_PRINTF(2, 0);
static enum MHD_Result queue_error(struct http_server *srv,
    struct MHD_Connection *mc, struct req_state *st, int status,
    const char *allow, const char *fmt, ...) ATTR_PRINTF(6, 7);

static const char *
lookup(struct MHD_Connection *mc, enum MHD_ValueKind kind, const char *name)
{
    return MHD_lookup_connection_value(mc, kind, name);
}

/* The guard's record of mc's connection (set by on_connection). */
static struct http_conn_track *
track_of(struct MHD_Connection *mc)
{
    const union MHD_ConnectionInfo *ci;

    ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci != NULL ? ci->socket_context : NULL;
}

static bool
route_matches_path(const struct route *r, const char *path)
{
    if (r->prefix)
        return strncmp(path, r->path, r->path_len) == 0;
    return strcmp(path, r->path) == 0;
}

/* The first route whose path and method match, or NULL. */
static const struct route *
route_find(const struct http_server *srv, const char *path,
    const char *method)
{
    size_t i;

    for (i = 0; i < srv->nroutes; i++) {
        if (route_matches_path(&srv->routes[i], path) &&
            strcmp(srv->routes[i].method, method) == 0)
            return &srv->routes[i];
    }
    return NULL;
}

/* Write the distinct methods of routes matching path as an Allow value.
 * Returns how many there are (0: the path is unknown). */
static size_t
route_allow(const struct http_server *srv, const char *path, char *allow,
    size_t allowlen)
{
    struct buf b;
    size_t i, j, n = 0;
    bool seen;

    buf_init(&b, allowlen - 1);
    for (i = 0; i < srv->nroutes; i++) {
        if (!route_matches_path(&srv->routes[i], path))
            continue;
        seen = false;
        for (j = 0; j < i && !seen; j++) {
            seen = route_matches_path(&srv->routes[j], path) &&
                strcmp(srv->routes[j].method, srv->routes[i].method) == 0;
        }
        if (seen)
            continue;
        /* A full Allow buffer only shortens the list; the 405 stands. */
        if (buf_appendf(&b, "%s%s", n > 0 ? ", " : "",
            srv->routes[i].method) == 0)
            n++;
    }
    (void)strlcpy(allow, b.data != NULL ? b.data : "", allowlen);
    buf_free(&b);
    return n;
}

/* True when a Content-Type value names JSON; parameters may follow. */
static bool
is_json_type(const char *v)
{
    size_t n = strlen(JSON_MEDIA_TYPE);

    while (*v == ' ' || *v == '\t')
        v++;
    if (strncasecmp(v, JSON_MEDIA_TYPE, n) != 0)
        return false;
    v += n;
    return *v == '\0' || *v == ';' || *v == ' ' || *v == '\t';
}

static int
add_retry_after(struct MHD_Response *r, unsigned s)
{
    char v[16];

    (void)snprintf(v, sizeof(v), "%u", s);
    return MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v) ==
        MHD_YES ? 0 : -1;
}

/* Hand resp to MHD with status, Content-Type and an optional Allow. The
 * body is taken from resp. */
static enum MHD_Result
queue_response(struct http_server *srv, struct MHD_Connection *mc,
    struct req_state *st, struct http_response *resp, const char *allow)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    size_t len;

    if (resp->status < 100 || resp->status > 599)
        http_server_reply_error(resp, 500, "handler set no valid answer");
    len = resp->body != NULL ? strlen(resp->body) : 0;
    if (len == 0) {
        free(resp->body);
        resp->body = NULL;
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        r = MHD_create_response_from_buffer(len, resp->body,
            MHD_RESPMEM_MUST_FREE);
        if (r != NULL)
            resp->body = NULL;
    }
    st->status = resp->status;
    st->elapsed_us = clock_mono_us() - st->start_us;
    (void)strlcpy(st->id_key, resp->id_key, sizeof(st->id_key));
    (void)strlcpy(st->id_value, resp->id_value, sizeof(st->id_value));
    free(resp->body);
    resp->body = NULL;
    if (r == NULL)
        return MHD_NO;
    http_conns_answering(srv->conns, track_of(mc));
    if ((len > 0 && MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
        resp->content_type != NULL ? resp->content_type :
        JSON_MEDIA_TYPE) != MHD_YES) || (allow != NULL &&
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow) != MHD_YES))
        ret = MHD_NO;
    else if (resp->retry_after_s > 0 && add_retry_after(r,
        resp->retry_after_s) == -1)
        ret = MHD_NO;
    else
        ret = MHD_queue_response(mc, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
queue_error(struct http_server *srv, struct MHD_Connection *mc,
    struct req_state *st, int status, const char *allow, const char *fmt,
    ...)
{
    struct http_response resp;
    char reason[HTTP_REASON_MAX];
    va_list ap;

    memset(&resp, 0, sizeof(resp));
    va_start(ap, fmt);
    (void)vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    http_server_reply_error(&resp, status, "%s", reason);
    return queue_response(srv, mc, st, &resp, allow);
}

/* Check the presented token; on success the requestor's name, grant and
 * read_all go into st. */
static int
authenticate(struct http_server *srv, struct MHD_Connection *mc,
    struct req_state *st)
{
    struct auth_match m;
    const char *token;

    token = auth_presented(lookup(mc, MHD_HEADER_KIND,
        MHD_HTTP_HEADER_AUTHORIZATION), lookup(mc, MHD_GET_ARGUMENT_KIND,
        "token"));
    if (token == NULL || srv->clients == NULL ||
        !auth_clients_match(srv->clients, token, &m))
        return -1;
    st->requestor = m.requestor;
    st->grant = m.grant;
    st->read_all = m.read_all;
    return 0;
}

/* Iterator state of framing_error: the Content-Length values seen. */
struct clen_scan {
    const char  *first;
    unsigned     n;
    bool         differ;
};

static enum MHD_Result
scan_clen(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
    struct clen_scan *c = cls;

    (void)kind;
    if (key == NULL || value == NULL ||
        strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
        return MHD_YES;
    if (c->n++ == 0)
        c->first = value;
    else if (strcmp(c->first, value) != 0)
        c->differ = true;
    return MHD_YES;
}

/*
 * Framing MHD lets through but that can make two parsers disagree about
 * where the body ends (request smuggling behind a proxy): both
 * Transfer-Encoding and Content-Length, differing Content-Lengths (MHD
 * reads the first), or a transfer coding MHD cannot decode (it would read
 * to the end of the connection). The status, or 0 when the framing is
 * sound; reason gets the sentence. A malformed Content-Length never gets
 * here: MHD answers it while parsing (docs/SECURITY.md).
 */
static int
framing_error(struct MHD_Connection *mc, const char **reason)
{
    struct clen_scan c = { NULL, 0, false };
    const char *te;

    (void)MHD_get_connection_values(mc, MHD_HEADER_KIND, scan_clen, &c);
    te = lookup(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (te != NULL && c.n > 0) {
        *reason = "both Transfer-Encoding and Content-Length";
        return 400;
    }
    if (c.differ) {
        *reason = "differing Content-Length headers";
        return 400;
    }
    if (te != NULL && !str_eq_nocase(te, "chunked")) {
        *reason = "only the chunked Transfer-Encoding is supported";
        return 501;
    }
    return 0;
}

/* The header pass: answer at once when the request cannot succeed, so its
 * body is never read. */
static enum MHD_Result
screen_request(struct http_server *srv, struct MHD_Connection *mc,
    struct req_state *st)
{
    char allow[HTTP_ALLOW_MAX];
    const char *v, *errstr, *reason = NULL;
    uint64_t clen = 0;
    bool has_body;
    int status;

    if ((status = framing_error(mc, &reason)) != 0)
        return queue_error(srv, mc, st, status, NULL, "%s", reason);
    st->route = route_find(srv, st->path, st->method);
    if (st->route == NULL) {
        if (route_allow(srv, st->path, allow, sizeof(allow)) == 0)
            return queue_error(srv, mc, st, 404, NULL, "no such endpoint");
        return queue_error(srv, mc, st, 405, allow, "method not allowed");
    }
    if (st->route->auth && authenticate(srv, mc, st) == -1)
        return queue_error(srv, mc, st, 401, NULL,
            "missing or invalid token");
    /* Optional: a valid token shows more; none or a bad one, less. */
    if (st->route->auth_optional)
        (void)authenticate(srv, mc, st);
    v = lookup(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (v != NULL && str_to_u64(v, 0, UINT64_MAX, &clen, &errstr) == -1)
        return queue_error(srv, mc, st, 400, NULL, "Content-Length is %s",
            errstr);
    if (clen > srv->body_max) {
        return queue_error(srv, mc, st, 413, NULL,
            "body larger than %zu bytes", srv->body_max);
    }
    /* The announced length in one allocation rather than a realloc per
     * doubling (checked against body_max just above). */
    if (clen > 0)
        (void)!buf_reserve(&st->body, (size_t)clen);
    has_body = clen > 0 ||
        lookup(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
    v = lookup(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (has_body && v != NULL && !is_json_type(v)) {
        return queue_error(srv, mc, st, 415, NULL,
            "Content-Type must be " JSON_MEDIA_TYPE);
    }
    return MHD_YES;
}

/* Body bytes: keep them up to body_max. A chunked body that outgrows the
 * cap is read and dropped so that it can still get its 413 (MHD 0.9 cannot
 * answer in the middle of an upload), but only up to twice the cap; past
 * that the connection is closed without an answer. */
static enum MHD_Result
take_upload(struct http_server *srv, struct req_state *st, const char *data,
    size_t *size)
{
    size_t n = *size;

    *size = 0;
    st->received += n;
    if (!st->too_large && buf_append(&st->body, data, n) == -1) {
        st->too_large = true;
        buf_free(&st->body);
    }
    if (st->too_large && st->received > 2 * (uint64_t)srv->body_max) {
        st->status = 413;
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result
dispatch(struct http_server *srv, struct MHD_Connection *mc,
    struct req_state *st)
{
    struct http_request req;
    struct http_response resp;

    if (st->too_large) {
        return queue_error(srv, mc, st, 413, NULL, "body larger than %zu bytes",
            srv->body_max);
    }
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = st->method;
    req.path = st->path;
    req.body = st->body.data != NULL ? st->body.data : "";
    req.body_len = st->body.len;
    req.requestor = st->requestor;
    req.grant = st->grant;
    req.read_all = st->read_all;
    req.conn = (struct http_conn *)mc;
    st->route->fn(srv->ctx, &req, &resp);
    return queue_response(srv, mc, st, &resp, NULL);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct req_state *st = *con_cls;

    (void)version;
    if (st == NULL) {
        st = xcalloc(1, sizeof(*st));
        st->start_us = clock_mono_us();
        st->method = xstrdup(method);
        st->path = xstrdup(url);
        buf_init(&st->body, srv->body_max);
        *con_cls = st;
        atomic_fetch_add(&srv->inflight, 1);
        return screen_request(srv, mc, st);
    }
    if (*upload_data_size != 0)
        return take_upload(srv, st, upload_data, upload_data_size);
    return dispatch(srv, mc, st);
}

static const char *
termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return "completed";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        return "error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client_abort";
    default:
        return "unknown";
    }
}

/* Never the query string (it may hold ?token=) and never a header. */
static void
log_finished(const struct req_state *st, enum MHD_RequestTerminationCode toe)
{
    struct kv kvs[8];
    size_t n = 0;

    if (!log_enabled(LOG_INFO))
        return;
    kvs[n++] = KV_STR("method", st->method);
    kvs[n++] = KV_STR("path", st->path);
    kvs[n++] = KV_INT("status", st->status);
    if (st->requestor != NULL)
        kvs[n++] = KV_STR("requestor", st->requestor);
    kvs[n++] = KV_UINT("app_elapsed_ms", st->elapsed_us / 1000);
    if (st->id_key[0] != '\0')
        kvs[n++] = KV_STR(st->id_key, st->id_value);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        kvs[n++] = KV_STR("termination", termination_name(toe));
    kvs[n] = KV_END;
    log_emit(LOG_INFO, "request_finished", kvs);
}

static void
on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct req_state *st = *con_cls;

    http_conns_done(srv->conns, track_of(mc));
    if (st == NULL)
        return;
    log_finished(st, toe);
    buf_free(&st->body);
    free(st->requestor);
    auth_grant_free(st->grant);
    free(st->method);
    free(st->path);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

/* MHD's connection start and end: the guard tracks every socket. */
static void
on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
    struct http_server *srv = cls;
    const union MHD_ConnectionInfo *ci;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci != NULL ?
            http_conns_opened(srv->conns, ci->connect_fd) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        http_conns_closed(srv->conns, *socket_context);
        *socket_context = NULL;
    }
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[ALEXIS_ERR_MAX];  /* one MHD error message */
    size_t len;

    const struct http_server *srv = cls;

    if (!log_enabled(LOG_WARN))
        return;
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        msg[--len] = '\0';
    /* GnuTLS's words for a client that does not speak TLS (plain HTTP
     * to an HTTPS port gets no reply at all): say so in the event. */
    if (srv->tls_cert != NULL && strstr(msg, "handshake") != NULL)
        log_event(LOG_WARN, "tls_handshake_failed", KV_STR("msg", msg),
            KV_STR("hint", "a plain-HTTP client on this HTTPS port gets "
            "no reply"));
    else
        log_event(LOG_WARN, "http_server_error", KV_STR("msg", msg));
}

static int
resolve(const char *host, int port, struct sockaddr_storage *ss, char *err,
    size_t errlen)
{
    struct addrinfo hints, *ai = NULL;
    char service[16];
    int gai, rc = -1;

    if (host == NULL || *host == '\0') {
        (void)snprintf(err, errlen, "no listen address given");
        goto out;
    }
    if (port < 0 || port > 65535) {
        (void)snprintf(err, errlen, "port %d out of range 0-65535", port);
        goto out;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    (void)snprintf(service, sizeof(service), "%d", port);
    if ((gai = getaddrinfo(host, service, &hints, &ai)) != 0) {
        (void)snprintf(err, errlen, "%s: %s", host, gai_strerror(gai));
        goto out;
    }
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        ai->ai_addrlen > sizeof(*ss)) {
        (void)snprintf(err, errlen, "%s: not an IPv4 or IPv6 address", host);
        goto out;
    }
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    rc = 0;
out:
    if (ai != NULL)
        freeaddrinfo(ai);
    return rc;
}

int
http_server_listen(const char *host, int port, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    const struct sockaddr_in6 *sin6;
    socklen_t len;
    int fd, flags, one = 1, v6only;

    if (resolve(host, port, &ss, err, errlen) == -1)
        return -1;
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
        goto fail;
    /* A restart may bind while old connections linger in TIME_WAIT; a
     * second daemon on the same port still fails (no SO_REUSEPORT). */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
        goto fail;
    len = sizeof(struct sockaddr_in);
    if (ss.ss_family == AF_INET6) {
        /* "::" means every address, IPv4 included. */
        sin6 = (const struct sockaddr_in6 *)&ss;
        v6only = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ? 0 : 1;
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
            sizeof(v6only)) == -1)
            goto fail;
        len = sizeof(struct sockaddr_in6);
    }
    if (bind(fd, (const struct sockaddr *)&ss, len) == -1 ||
        listen(fd, SOMAXCONN) == -1 ||
        (flags = fcntl(fd, F_GETFL)) == -1 ||
        fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
        goto fail;
    return fd;
fail:
    (void)snprintf(err, errlen, "cannot listen on %s port %d: %s", host,
        port, strerror(errno));
    if (fd != -1)
        (void)close(fd);
    return -1;
}

static void
copy_routes(struct http_server *srv, const struct http_route *routes)
{
    size_t i, n = 0;

    while (routes[n].method != NULL)
        n++;
    srv->routes = xcalloc(n + 1, sizeof(*srv->routes));
    srv->nroutes = n;
    for (i = 0; i < n; i++) {
        srv->routes[i].method = xstrdup(routes[i].method);
        srv->routes[i].path = xstrdup(routes[i].path);
        srv->routes[i].path_len = strlen(routes[i].path);
        srv->routes[i].prefix = routes[i].prefix;
        srv->routes[i].auth = routes[i].auth;
        srv->routes[i].auth_optional = routes[i].auth_optional;
        srv->routes[i].fn = routes[i].fn;
    }
}

static int
check_routes(const struct http_route *routes, char *err, size_t errlen)
{
    size_t i;

    if (routes == NULL) {
        (void)snprintf(err, errlen, "no routes given");
        return -1;
    }
    for (i = 0; routes[i].method != NULL; i++) {
        if (routes[i].path == NULL || routes[i].path[0] != '/' ||
            routes[i].fn == NULL) {
            (void)snprintf(err, errlen, "route %zu: needs a path starting "
                "with '/' and a handler", i);
            return -1;
        }
    }
    return 0;
}

/* Read the PEM certificate and key for MHD (which wants them in memory).
 * A key file that is there but not a key is found by MHD at start. */
static int
load_tls(struct http_server *srv, const struct http_server_opts *opts,
    char *err, size_t errlen)
{
    size_t len = 0;

    if ((opts->tls_cert_file == NULL) != (opts->tls_key_file == NULL)) {
        (void)snprintf(err, errlen, "TLS needs both a certificate and a "
            "key file");
        return -1;
    }
    if (opts->tls_cert_file == NULL)
        return 0;
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        (void)snprintf(err, errlen, "this libmicrohttpd was built without "
            "TLS (GnuTLS); cannot serve HTTPS");
        return -1;
    }
    if ((srv->tls_cert = file_slurp(opts->tls_cert_file, HTTP_TLS_PEM_MAX,
        &len, err, errlen)) == NULL)
        return -1;
    if ((srv->tls_key = file_slurp(opts->tls_key_file, HTTP_TLS_PEM_MAX,
        &srv->tls_key_len, err, errlen)) == NULL)
        return -1;
    return 0;
}

static unsigned
daemon_flags(const struct http_server *srv, const struct sockaddr_storage *ss)
{
    const struct sockaddr_in6 *sin6;
    unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_ITC;

    if (srv->tls_cert != NULL)
        flags |= MHD_USE_TLS;

    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL_INTERNAL_THREAD;
    else
        flags |= MHD_USE_AUTO_INTERNAL_THREAD;
    if (ss->ss_family == AF_INET6) {
        /* "::" means every address, IPv4 included. */
        sin6 = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
            flags |= MHD_USE_DUAL_STACK;
        else
            flags |= MHD_USE_IPv6;
    }
    return flags;
}

static int
start_daemon(struct http_server *srv, const struct http_server_opts *opts,
    const struct sockaddr_storage *ss, char *err, size_t errlen)
{
    const union MHD_DaemonInfo *info;
    struct MHD_OptionItem pool[] = {
        { MHD_OPTION_THREAD_POOL_SIZE, 0, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    struct MHD_OptionItem where[] = {
        { MHD_OPTION_END, 0, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    struct MHD_OptionItem tls[] = {
        { MHD_OPTION_END, 0, NULL },
        { MHD_OPTION_END, 0, NULL },
        { MHD_OPTION_END, 0, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    unsigned threads, conn_max, per_ip;

    threads = opts->threads != 0 ? opts->threads : HTTP_SERVER_THREADS;
    conn_max = opts->conn_max != 0 ? opts->conn_max : HTTP_CONN_MAX_DEFAULT;
    per_ip = opts->max_per_ip != 0 ? opts->max_per_ip : HTTP_CONN_PER_IP_MAX;
    if (conn_max < threads) {
        (void)snprintf(err, errlen, "connection limit %u is below the %u "
            "server threads", conn_max, threads);
        return -1;
    }
    /* MHD warns about a pool of one thread: leave the option out then. */
    if (threads > 1)
        pool[0].value = (intptr_t)threads;
    else
        pool[0].option = MHD_OPTION_END;
    /* Either the socket bound before, or MHD binds the address itself. */
    if (opts->has_listen_fd) {
        where[0].option = MHD_OPTION_LISTEN_SOCKET;
        where[0].value = (intptr_t)opts->listen_fd;
    } else {
        where[0].option = MHD_OPTION_SOCK_ADDR;
        where[0].ptr_value = (void *)(uintptr_t)ss;
    }
    if (srv->tls_cert != NULL) {
        tls[0].option = MHD_OPTION_HTTPS_MEM_CERT;
        tls[0].ptr_value = srv->tls_cert;
        tls[1].option = MHD_OPTION_HTTPS_MEM_KEY;
        tls[1].ptr_value = srv->tls_key;
        tls[2].option = MHD_OPTION_HTTPS_PRIORITIES;
        tls[2].ptr_value = (void *)(uintptr_t)HTTP_TLS_PRIORITIES;
    }
    /* MHD's limit leaves headroom above ours: the guard evicts for the
     * connections in it (http_conns.h). */
    srv->daemon = MHD_start_daemon(daemon_flags(srv, ss), 0, NULL, NULL,
        on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_ARRAY, where,
        MHD_OPTION_ARRAY, pool,
        MHD_OPTION_ARRAY, tls,
        MHD_OPTION_CONNECTION_LIMIT, conn_max + HTTP_CONN_HEADROOM,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, srv->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY_MAX,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_END);
    if (srv->daemon == NULL) {
        (void)snprintf(err, errlen, "cannot serve on %s port %d%s (see "
            "http_server_error)", opts->host, opts->port,
            srv->tls_cert != NULL ? " with that certificate and key" : "");
        return -1;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info != NULL ? (int)info->port : opts->port;
    return 0;
}

struct http_server *
http_server_start(const struct http_server_opts *opts,
    const struct http_route *routes, void *ctx, char *err, size_t errlen)
{
    struct http_server *srv = NULL;
    struct sockaddr_storage ss;

    if (check_routes(routes, err, errlen) == -1)
        return NULL;
    if (opts->body_max > HTTP_BODY_MAX_CEILING) {
        (void)snprintf(err, errlen, "body limit %zu is above the ceiling %d",
            opts->body_max, HTTP_BODY_MAX_CEILING);
        return NULL;
    }
    if (opts->has_listen_fd) {
        socklen_t len = sizeof(ss);

        memset(&ss, 0, sizeof(ss));
        if (getsockname(opts->listen_fd, (struct sockaddr *)&ss, &len) ==
            -1) {
            (void)snprintf(err, errlen, "listening socket: %s",
                strerror(errno));
            return NULL;
        }
    } else if (resolve(opts->host, opts->port, &ss, err, errlen) == -1) {
        return NULL;
    }
    srv = xcalloc(1, sizeof(*srv));
    atomic_init(&srv->inflight, 0);
    copy_routes(srv, routes);
    srv->ctx = ctx;
    srv->clients = opts->clients;
    srv->body_max = opts->body_max != 0 ? opts->body_max :
        HTTP_BODY_MAX_DEFAULT;
    srv->timeout_s = opts->timeout_s != 0 ? opts->timeout_s :
        HTTP_CONN_TIMEOUT_S;
    if (load_tls(srv, opts, err, errlen) == -1 ||
        (srv->conns = http_conns_new(opts->conn_max != 0 ? opts->conn_max :
        HTTP_CONN_MAX_DEFAULT, opts->request_deadline_ms != 0 ?
        opts->request_deadline_ms : HTTP_REQUEST_DEADLINE_MS,
        (uint64_t)srv->timeout_s * 1000, err, errlen)) == NULL ||
        start_daemon(srv, opts, &ss, err, errlen) == -1) {
        http_server_stop(srv);
        return NULL;
    }
    return srv;
}

int
http_server_port(const struct http_server *srv)
{
    return srv->port;
}

void
http_server_stop(struct http_server *srv)
{
    MHD_socket lfd = MHD_INVALID_SOCKET;
    uint64_t deadline;
    size_t i;

    if (srv == NULL)
        return;
    if (srv->daemon != NULL) {
        /* Stop accepting, then give requests already in progress up to one
         * connection timeout to finish; idle keep-alive connections do not
         * count as requests. */
        lfd = MHD_quiesce_daemon(srv->daemon);
        deadline = clock_mono_ms() + (uint64_t)srv->timeout_s * 1000;
        while (atomic_load(&srv->inflight) > 0 && clock_mono_ms() < deadline)
            clock_sleep_ms(HTTP_STOP_POLL_MS);
        MHD_stop_daemon(srv->daemon);
        if (lfd != MHD_INVALID_SOCKET)
            (void)close(lfd);
    }
    http_conns_free(srv->conns);
    if (srv->tls_key != NULL)
        explicit_bzero(srv->tls_key, srv->tls_key_len);
    free(srv->tls_key);
    free(srv->tls_cert);
    for (i = 0; i < srv->nroutes; i++) {
        free(srv->routes[i].method);
        free(srv->routes[i].path);
    }
    free(srv->routes);
    free(srv);
}

const char *
http_server_request_header(const struct http_request *req, const char *name)
{
    return lookup((struct MHD_Connection *)req->conn, MHD_HEADER_KIND, name);
}

const char *
http_server_request_query(const struct http_request *req, const char *name)
{
    return lookup((struct MHD_Connection *)req->conn, MHD_GET_ARGUMENT_KIND,
        name);
}

void
http_server_reply(struct http_response *resp, int status, const char *json)
{
    free(resp->body);
    resp->status = status;
    resp->body = json != NULL ? xstrdup(json) : NULL;
}

void
http_server_reply_error(struct http_response *resp, int status, const char *fmt,
    ...)
{
    char reason[HTTP_REASON_MAX];
    cJSON *obj = NULL;
    char *text = NULL;
    va_list ap;
    size_t i;

    va_start(ap, fmt);
    (void)vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    for (i = 0; reason[i] != '\0'; i++) {
        if (reason[i] == '\n' || reason[i] == '\r')
            reason[i] = ' ';
    }
    free(resp->body);
    resp->body = NULL;
    resp->content_type = NULL;
    resp->status = status;
    /* cJSON does the escaping; a failure here is out of memory. */
    if ((obj = cJSON_CreateObject()) == NULL ||
        cJSON_AddStringToObject(obj, "error", reason) == NULL ||
        cJSON_AddNumberToObject(obj, "status", status) == NULL ||
        (text = cJSON_PrintUnformatted(obj)) == NULL) {
        resp->body = xstrdup("{\"error\":\"out of memory\",\"status\":500}");
        resp->status = 500;
        goto out;
    }
    resp->body = xstrdup(text);
out:
    if (text != NULL)
        cJSON_free(text);
    cJSON_Delete(obj);
}

void
http_server_response_set_id(struct http_response *resp, const char *key,
    const char *value)
{
    /* These only feed request_finished; a cut value is still useful. */
    (void)strlcpy(resp->id_key, key, sizeof(resp->id_key));
    (void)strlcpy(resp->id_value, value, sizeof(resp->id_value));
}
