/*
 * libmicrohttpd glue for alexis-sim: accumulate the body under a bound,
 * hand a complete request to the dispatcher, send its answer with any
 * headers, or drop the connection when the dispatcher asks for it.
 */
#include "sim_http.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "buf.h"
#include "json.h"
#include "simutil.h"
#include "xmem.h"

struct sim_http {
    struct MHD_Daemon  *d;
    sim_http_fn         fn;
    void               *ctx;
    int                 port;
};

struct conn_state {
    struct buf  body;
    bool        too_big;
};

static bool
peer_info(struct MHD_Connection *c, char *buf, size_t len)
{
    const union MHD_ConnectionInfo *ci;
    const struct sockaddr *sa;
    const struct sockaddr_in6 *s6;
    const unsigned char *b;

    buf[0] = '\0';
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || (sa = ci->client_addr) == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)
            (const void *)sa;

        inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)len);
        return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family != AF_INET6)
        return false;
    s6 = (const struct sockaddr_in6 *)(const void *)sa;
    inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
    b = s6->sin6_addr.s6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
        return true;
    return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && b[12] == 127;
}

static enum MHD_Result
send_answer(struct MHD_Connection *c, struct sim_resp *resp)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    size_t len = resp->body == NULL ? 0 : strlen(resp->body);
    size_t i;

    r = MHD_create_response_from_buffer(len, resp->body,
        resp->body == NULL ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (r == NULL)
        return MHD_NO;
    resp->body = NULL;
    if (len > 0)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
            "application/json");
    for (i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->headers[i].name,
            resp->headers[i].value);
    ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
    struct sim_http *srv = cls;
    struct conn_state *cs = *con_cls;
    struct sim_resp resp;
    struct sim_req req;
    enum MHD_Result ret;

    (void)version;
    if (cs == NULL) {
        cs = xcalloc(1, sizeof(*cs));
        buf_init(&cs->body, strncmp(url, "/_admin/", 8) == 0 ?
            SIM_ADMIN_BODY_MAX : SIM_BODY_MAX);
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!cs->too_big && buf_append(&cs->body, upload, *upload_size) ==
            -1) {
            cs->too_big = true;
            buf_free(&cs->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = method;
    req.path = url;
    req.body = cs->body.data == NULL ? "" : cs->body.data;
    req.body_len = cs->body.len;
    req.too_big = cs->too_big;
    req.loopback = peer_info(c, req.peer, sizeof(req.peer));
    req.conn = c;
    resp.status = 500;
    srv->fn(srv->ctx, &req, &resp);
    if (resp.drop) {
        free(resp.body);
        return MHD_NO;
    }
    ret = send_answer(c, &resp);
    free(resp.body);
    return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
    struct conn_state *cs = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (cs == NULL)
        return;
    buf_free(&cs->body);
    free(cs);
    *con_cls = NULL;
}

struct sim_http *
sim_http_start(const char *host, int port, sim_http_fn fn, void *ctx,
    char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)&ss;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    const union MHD_DaemonInfo *di;
    struct sim_http *srv;

    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, errlen, "%s: not an IPv4 or IPv6 address", host);
        return NULL;
    }
    srv = xcalloc(1, sizeof(*srv));
    srv->fn = fn;
    srv->ctx = ctx;
    srv->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
        on_request, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)SIM_CONN_MAX,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SIM_CONN_TIMEOUT_S,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_END);
    if (srv->d == NULL) {
        snprintf(err, errlen, "cannot listen on %s port %d (address in use "
            "or not local)", host, port);
        free(srv);
        return NULL;
    }
    di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di != NULL ? di->port : port;
    return srv;
}

int
sim_http_port(const struct sim_http *srv)
{
    return srv->port;
}

void
sim_http_stop(struct sim_http *srv)
{
    if (srv == NULL)
        return;
    MHD_stop_daemon(srv->d);
    free(srv);
}

const char *
sim_http_req_header(const struct sim_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
sim_http_req_host(const struct sim_req *req)
{
    const char *host = sim_http_req_header(req, "Host");

    return host != NULL ? host : "127.0.0.1";
}

const char *
sim_http_req_query(const struct sim_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
        name);
}

int
sim_http_req_basic_auth(const struct sim_req *req, char **user, char **pass)
{
    char *u, *p = NULL;

    *user = *pass = NULL;
    u = MHD_basic_auth_get_username_password(req->conn, &p);
    if (u != NULL && p != NULL) {
        *user = xstrdup(u);
        *pass = xstrdup(p);
    }
    if (p != NULL) {
        explicit_bzero(p, strlen(p));
        MHD_free(p);
    }
    if (u != NULL)
        MHD_free(u);
    return *user == NULL ? -1 : 0;
}

struct collect {
    const char         *name;
    const char        **out;
    size_t              max;
    size_t              n;
    const char *const  *allowed;
};

static enum MHD_Result
collect_values(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
    struct collect *col = cls;

    (void)kind;
    if (strcmp(key, col->name) == 0 && value != NULL && col->n < col->max)
        col->out[col->n++] = value;
    return MHD_YES;
}

size_t
sim_http_req_query_all(const struct sim_req *req, const char *name,
    const char **out, size_t max)
{
    struct collect col = { .name = name, .out = out, .max = max };

    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
        collect_values, &col);
    return col.n;
}

static enum MHD_Result
count_others(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
    struct collect *col = cls;
    size_t i;

    (void)kind;
    (void)value;
    for (i = 0; col->allowed[i] != NULL; i++) {
        if (strcmp(col->allowed[i], key) == 0)
            return MHD_YES;
    }
    col->n++;
    return MHD_YES;
}

size_t
sim_http_req_query_others(const struct sim_req *req, const char *const *allowed)
{
    struct collect col = { .allowed = allowed };

    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
        count_others, &col);
    return col.n;
}

void
sim_http_resp_json(struct sim_resp *resp, int status, cJSON *tree)
{
    free(resp->body);
    resp->body = tree == NULL ? NULL : json_print(tree);
    resp->status = status;
    cJSON_Delete(tree);
}

void
sim_http_resp_header(struct sim_resp *resp, const char *name, const char *fmt,
    ...)
{
    struct sim_header *h;
    va_list ap;

    if (resp->nheaders >= SIM_RESP_HEADERS_MAX)
        return;
    h = &resp->headers[resp->nheaders++];
    snprintf(h->name, sizeof(h->name), "%s", name);
    va_start(ap, fmt);
    vsnprintf(h->value, sizeof(h->value), fmt, ap);
    va_end(ap);
}
