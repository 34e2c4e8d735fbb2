/*
 * Tests of http_server and http_client against each other on 127.0.0.1
 * with ports chosen at run time: the server's error answers, token checks,
 * body limits, the client's caps and timeouts, and the retry loop. A small
 * scripted responder stands in where a test needs raw response headers.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "alexis_limits.h"
#include "auth.h"
#include "clock.h"
#include "file.h"
#include "http_client.h"
#include "http_server.h"
#include "log.h"
#include "xmem.h"

#define TEST_BODY_MAX       1024
#define TEST_BIG_BODY       4096
#define RAW_MAX             8192
#define IO_TIMEOUT_S        5
#define TOKEN               "secret-1"
#define LOG_READ_MAX        (16 * 1024 * 1024)

struct handler_ctx {
    atomic_int  flaky_calls;
};

struct fixture {
    char                 dir[64];
    char                 clients_path[128];
    struct auth_clients *clients;
    struct http_server  *srv;
    struct http_client  *cli;
    struct handler_ctx   hctx;
    char                 base[64];
};

static int log_fd = -1;
static char log_path[64];

/* Handlers. */

static void
h_echo(void *ctx, const struct http_request *req, struct http_response *resp)
{
    (void)ctx;
    http_server_response_set_id(resp, "tinyId", "5120");
    http_server_reply(resp, 200, req->body);
}

static void
h_hello(void *ctx, const struct http_request *req, struct http_response *resp)
{
    (void)ctx;
    (void)req;
    http_server_reply(resp, 200, "{\"hello\":\"world\"}");
}

static void
h_secure(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    char body[128];

    (void)ctx;
    if (req->requestor == NULL) {
        http_server_reply_error(resp, 500, "no requestor");
        return;
    }
    (void)snprintf(body, sizeof(body), "{\"requestor\":\"%s\"}",
        req->requestor);
    http_server_reply(resp, 200, body);
}

static void
h_bad(void *ctx, const struct http_request *req, struct http_response *resp)
{
    (void)ctx;
    (void)req;
    http_server_reply_error(resp, 400, "bad input: %s",
        "line one\nline two \"quoted\"");
}

static void
h_nothing(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    (void)ctx;
    (void)req;
    (void)resp;
}

static void
h_flaky(void *ctx, const struct http_request *req, struct http_response *resp)
{
    struct handler_ctx *hc = ctx;

    (void)req;
    if (atomic_fetch_add(&hc->flaky_calls, 1) < 2)
        http_server_reply_error(resp, 503, "try again");
    else
        http_server_reply(resp, 200, "{\"ok\":true}");
}

static void
h_notimpl(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    (void)ctx;
    (void)req;
    http_server_reply_error(resp, 501, "not implemented");
}

static void
h_big(void *ctx, const struct http_request *req, struct http_response *resp)
{
    char *body;

    (void)ctx;
    (void)req;
    body = xmalloc(TEST_BIG_BODY + 1);
    memset(body, ' ', TEST_BIG_BODY);
    memcpy(body, "{}", 2);
    body[TEST_BIG_BODY] = '\0';
    http_server_reply(resp, 200, body);
    free(body);
}

static const struct http_route routes[] = {
    { "POST", "/echo", false, false, h_echo, false },
    { "GET", "/hello", false, false, h_hello, false },
    { "PUT", "/hello", false, false, h_hello, false },
    { "GET", "/secure", false, true, h_secure, false },
    { "POST", "/bad", false, false, h_bad, false },
    { "GET", "/nothing", false, false, h_nothing, false },
    { "GET", "/flaky", false, false, h_flaky, false },
    { "GET", "/notimpl", false, false, h_notimpl, false },
    { "GET", "/big", false, false, h_big, false },
    { NULL, NULL, false, false, NULL, false },
};

/* Sockets. */

static void
set_io_timeout(int fd)
{
    struct timeval tv = { .tv_sec = IO_TIMEOUT_S, .tv_usec = 0 };

    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A socket bound to 127.0.0.1 on a port the kernel picks; listening when
 * listen_too. */
static int
loopback_socket(bool listen_too, int *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    if (listen_too)
        assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    *port = ntohs(sin.sin_port);
    return fd;
}

static int
connect_loopback(int port)
{
    struct sockaddr_in sin;
    int fd;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    set_io_timeout(fd);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)port);
    assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    return fd;
}

static int
write_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        if ((w = write(fd, p, n)) <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read until EOF, "until" (when given) or a full buffer. */
static size_t
read_some(int fd, char *out, size_t outlen, const char *until)
{
    size_t len = 0;
    ssize_t r;

    while (len + 1 < outlen) {
        if ((r = read(fd, out + len, outlen - 1 - len)) <= 0)
            break;
        len += (size_t)r;
        out[len] = '\0';
        if (until != NULL && strstr(out, until) != NULL)
            break;
    }
    out[len] = '\0';
    return len;
}

/* Send a raw request (it should ask for Connection: close) and read the
 * whole answer. */
static void
raw_exchange(int port, const char *request, char *out, size_t outlen)
{
    int fd = connect_loopback(port);

    assert_int_equal(write_all(fd, request, strlen(request)), 0);
    (void)read_some(fd, out, outlen, NULL);
    (void)close(fd);
}

/* A scripted responder: answers the n-th connection with responses[n] and
 * closes it. */
struct script {
    int          fd;
    int          port;
    const char  *responses[4];
    size_t       n;
    pthread_t    tid;
};

static void *
script_main(void *arg)
{
    struct script *s = arg;
    char req[RAW_MAX];
    size_t i;
    int cfd;

    for (i = 0; i < s->n; i++) {
        if ((cfd = accept(s->fd, NULL, NULL)) == -1)
            break;
        set_io_timeout(cfd);
        (void)read_some(cfd, req, sizeof(req), "\r\n\r\n");
        (void)write_all(cfd, s->responses[i], strlen(s->responses[i]));
        (void)close(cfd);
    }
    return NULL;
}

static void
script_start(struct script *s)
{
    s->fd = loopback_socket(true, &s->port);
    assert_int_equal(pthread_create(&s->tid, NULL, script_main, s), 0);
}

static void
script_stop(struct script *s)
{
    /* Wakes a blocked accept(2) on Linux if the client gave up early. */
    (void)shutdown(s->fd, SHUT_RDWR);
    (void)pthread_join(s->tid, NULL);
    (void)close(s->fd);
}

static void
url_for(char *url, size_t len, int port, const char *path)
{
    (void)snprintf(url, len, "http://127.0.0.1:%d%s", port, path);
}

/* Fixture. */

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static struct http_server *
start_server(struct auth_clients *clients, struct handler_ctx *hctx)
{
    struct http_server_opts opts;
    struct http_server *srv;
    char err[ALEXIS_ERR_MAX];

    memset(&opts, 0, sizeof(opts));
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.body_max = TEST_BODY_MAX;
    opts.threads = 2;
    opts.timeout_s = 5;
    opts.clients = clients;
    srv = http_server_start(&opts, routes, hctx, err, sizeof(err));
    if (srv == NULL)
        fail_msg("http_server_start: %s", err);
    assert_true(http_server_port(srv) > 0);
    return srv;
}

static int
group_setup(void **state)
{
    struct fixture *fx;
    char err[ALEXIS_ERR_MAX];

    fx = xcalloc(1, sizeof(*fx));
    (void)snprintf(fx->dir, sizeof(fx->dir), "/tmp/alexis-test-http-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    (void)snprintf(fx->clients_path, sizeof(fx->clients_path),
        "%s/allowed_clients.json", fx->dir);
    write_file(fx->clients_path,
        "{\"token_list\":[{\"token\":{\"type\":\"personal\","
        "\"requestor\":\"poller\",\"description\":\"x\","
        "\"id\":\"" TOKEN "\"}}]}");
    fx->clients = auth_clients_load(fx->clients_path, err, sizeof(err));
    if (fx->clients == NULL) {
        print_error("auth_clients_load: %s\n", err);
        return -1;
    }
    fx->srv = start_server(fx->clients, &fx->hctx);
    (void)snprintf(fx->base, sizeof(fx->base), "http://127.0.0.1:%d",
        http_server_port(fx->srv));
    if ((fx->cli = http_client_new(NULL)) == NULL)
        return -1;
    *state = fx;
    return 0;
}

static int
group_teardown(void **state)
{
    struct fixture *fx = *state;

    http_client_free(fx->cli);
    http_server_stop(fx->srv);
    auth_clients_free(fx->clients);
    (void)unlink(fx->clients_path);
    (void)rmdir(fx->dir);
    free(fx);
    return 0;
}

/* Server answers, table-driven. */

struct server_case {
    const char  *name;
    const char  *method;
    const char  *path;          /* may carry a query */
    const char  *headers[3];
    const char  *body;          /* NULL: no body, unless fill */
    size_t       fill;          /* > 0: a body of this many bytes */
    long         status;
    const char  *want;          /* exact body, or NULL */
    const char  *absent;        /* must not occur in the body, or NULL */
};

#define ERR_BODY(reason, status) \
    "{\"error\":\"" reason "\",\"status\":" #status "}"

static const struct server_case server_cases[] = {
    { "echo", "POST", "/echo", { NULL }, "{\"a\":1}", 0, 200,
      "{\"a\":1}", NULL },
    { "echo charset", "POST", "/echo",
      { "Content-Type: application/json; charset=utf-8", NULL },
      "{\"b\":2}", 0, 200, "{\"b\":2}", NULL },
    { "echo chunked", "POST", "/echo",
      { "Transfer-Encoding: chunked", NULL }, "{\"c\":3}", 0, 200,
      "{\"c\":3}", NULL },
    { "echo empty", "POST", "/echo", { NULL }, NULL, 0, 200, "", NULL },
    { "get", "GET", "/hello", { NULL }, NULL, 0, 200,
      "{\"hello\":\"world\"}", NULL },
    { "unknown path", "GET", "/nope", { NULL }, NULL, 0, 404,
      ERR_BODY("no such endpoint", 404), NULL },
    { "wrong method", "DELETE", "/echo", { NULL }, NULL, 0, 405,
      ERR_BODY("method not allowed", 405), NULL },
    { "no token", "GET", "/secure", { NULL }, NULL, 0, 401,
      ERR_BODY("missing or invalid token", 401), NULL },
    { "bad bearer", "GET", "/secure",
      { "Authorization: Bearer wrong-token-x", NULL }, NULL, 0, 401,
      ERR_BODY("missing or invalid token", 401), "wrong-token-x" },
    { "bad query token", "GET", "/secure?token=wrong-token-y", { NULL },
      NULL, 0, 401, ERR_BODY("missing or invalid token", 401),
      "wrong-token-y" },
    { "bearer", "GET", "/secure", { "Authorization: Bearer " TOKEN, NULL },
      NULL, 0, 200, "{\"requestor\":\"poller\"}", NULL },
    { "bearer any case", "GET", "/secure",
      { "Authorization: bearer " TOKEN, NULL }, NULL, 0, 200,
      "{\"requestor\":\"poller\"}", NULL },
    { "query token", "GET", "/secure?token=" TOKEN, { NULL }, NULL, 0, 200,
      "{\"requestor\":\"poller\"}", NULL },
    { "too large by length", "POST", "/echo", { NULL }, NULL,
      2 * TEST_BODY_MAX, 413, ERR_BODY("body larger than 1024 bytes", 413),
      NULL },
    { "too large chunked", "POST", "/echo",
      { "Transfer-Encoding: chunked", NULL }, NULL, TEST_BODY_MAX + 500,
      413, ERR_BODY("body larger than 1024 bytes", 413), NULL },
    { "at the limit", "POST", "/echo", { NULL }, NULL, TEST_BODY_MAX, 200,
      NULL, NULL },
    { "not json", "POST", "/echo", { "Content-Type: text/plain", NULL },
      "hello", 0, 415,
      ERR_BODY("Content-Type must be application/json", 415), NULL },
    { "not json, no body", "GET", "/hello",
      { "Content-Type: text/plain", NULL }, NULL, 0, 200, NULL, NULL },
    { "handler error", "POST", "/bad", { NULL }, "{}", 0, 400,
      ERR_BODY("bad input: line one line two \\\"quoted\\\"", 400), NULL },
    { "handler silent", "GET", "/nothing", { NULL }, NULL, 0, 500, NULL,
      NULL },
};

static void
run_server_case(struct fixture *fx, const struct server_case *tc)
{
    struct http_result res;
    char url[256], *fill = NULL;
    const char *body = tc->body;
    size_t body_len = body != NULL ? strlen(body) : 0;
    int rc;

    if (tc->fill > 0) {
        fill = xmalloc(tc->fill);
        memset(fill, ' ', tc->fill);
        memcpy(fill, "{}", 2);
        body = fill;
        body_len = tc->fill;
    }
    (void)snprintf(url, sizeof(url), "%s%s", fx->base, tc->path);
    rc = http_client_do(fx->cli, tc->method, url, tc->headers, body,
        body_len, &res);
    if (rc != 0)
        fail_msg("%s: transport error: %s", tc->name, res.err);
    if (res.status != tc->status) {
        fail_msg("%s: status %ld, want %ld (body %s)", tc->name, res.status,
            tc->status, res.body);
    }
    if (tc->want != NULL && strcmp(res.body, tc->want) != 0)
        fail_msg("%s: body '%s', want '%s'", tc->name, res.body, tc->want);
    if (tc->absent != NULL && strstr(res.body, tc->absent) != NULL)
        fail_msg("%s: body echoes '%s'", tc->name, tc->absent);
    if (tc->status >= 400 && strstr(res.body, "\"status\":") == NULL)
        fail_msg("%s: error body without status: %s", tc->name, res.body);
    http_client_result_free(&res);
    free(fill);
}

static void
test_server_answers(void **state)
{
    size_t i;

    for (i = 0; i < NELEM(server_cases); i++)
        run_server_case(*state, &server_cases[i]);
}

static void
test_server_405_allow(void **state)
{
    struct fixture *fx = *state;
    char out[RAW_MAX];

    raw_exchange(http_server_port(fx->srv),
        "DELETE /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 405"));
    assert_non_null(strstr(out, "\r\nAllow: GET, PUT\r\n"));
    assert_non_null(strstr(out, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(out, ERR_BODY("method not allowed", 405)));
}

/* The header pass answers 413 before a byte of the body is sent. */
static void
test_server_413_early(void **state)
{
    struct fixture *fx = *state;
    char out[RAW_MAX];

    raw_exchange(http_server_port(fx->srv),
        "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 100000000\r\n\r\n", out, sizeof(out));
    assert_non_null(strstr(out, "HTTP/1.1 413"));
}

static void
test_server_bad_host(void **state)
{
    struct http_server_opts opts;
    char err[ALEXIS_ERR_MAX] = "";

    (void)state;
    memset(&opts, 0, sizeof(opts));
    opts.host = "not an address";
    assert_null(http_server_start(&opts, routes, NULL, err, sizeof(err)));
    assert_true(err[0] != '\0');
    opts.host = "127.0.0.1";
    opts.port = 70000;
    assert_null(http_server_start(&opts, routes, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "out of range"));
}

static void
test_server_ipv6(void **state)
{
    struct http_server_opts opts;
    struct http_server *srv;
    struct http_client *cli;
    struct http_result res;
    char err[ALEXIS_ERR_MAX], url[128];

    (void)state;
    memset(&opts, 0, sizeof(opts));
    opts.host = "::1";
    if ((srv = http_server_start(&opts, routes, NULL, err, sizeof(err))) ==
        NULL)
        skip();     /* no IPv6 loopback in this sandbox */
    cli = http_client_new(NULL);
    assert_non_null(cli);
    (void)snprintf(url, sizeof(url), "http://[::1]:%d/hello",
        http_server_port(srv));
    assert_int_equal(http_client_do(cli, "GET", url, NULL, NULL, 0, &res), 0);
    assert_int_equal(res.status, 200);
    http_client_result_free(&res);
    http_client_free(cli);
    http_server_stop(srv);
}

/* Client limits. */

static void
test_client_response_max(void **state)
{
    struct fixture *fx = *state;
    struct http_client_opts o = { .response_max = 16 };
    struct http_client *cli;
    struct http_result res;
    char url[128];

    cli = http_client_new(&o);
    assert_non_null(cli);
    (void)snprintf(url, sizeof(url), "%s/big", fx->base);
    assert_int_equal(http_client_do(cli, "GET", url, NULL, NULL, 0, &res),
        -1);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.err, "response larger than 16 bytes");
    http_client_result_free(&res);
    http_client_free(cli);
}

static void
test_client_connect_refused(void **state)
{
    struct http_client *cli;
    struct http_result res;
    char url[128];
    uint64_t t0;
    int fd, port;

    (void)state;
    fd = loopback_socket(false, &port);
    (void)close(fd);
    url_for(url, sizeof(url), port, "/");
    cli = http_client_new(NULL);
    assert_non_null(cli);
    t0 = clock_mono_ms();
    assert_int_equal(http_client_do(cli, "GET", url, NULL, NULL, 0, &res),
        -1);
    assert_true(clock_mono_ms() - t0 < 1000);
    assert_int_equal(res.status, 0);
    assert_true(res.err[0] != '\0');
    http_client_result_free(&res);
    http_client_free(cli);
}

static void
test_client_total_timeout(void **state)
{
    struct http_client_opts o = { .total_timeout_ms = 300 };
    struct http_client *cli;
    struct http_result res;
    char url[128];
    uint64_t t0, dt;
    int fd, port;

    (void)state;
    fd = loopback_socket(true, &port);  /* listens, never answers */
    url_for(url, sizeof(url), port, "/");
    cli = http_client_new(&o);
    assert_non_null(cli);
    t0 = clock_mono_ms();
    assert_int_equal(http_client_do(cli, "GET", url, NULL, NULL, 0, &res),
        -1);
    dt = clock_mono_ms() - t0;
    assert_true(dt >= 250 && dt < 3000);
    assert_int_equal(res.status, 0);
    assert_non_null(strstr(res.err, "timed out"));
    http_client_result_free(&res);
    http_client_free(cli);
    (void)close(fd);
}

/* Rate-limit and error-type headers, table-driven. */

struct header_case {
    const char  *name;
    int          status;
    const char  *header;        /* NULL: X-RateLimit-Reset, now + 3 s */
    long         min_ms;
    long         max_ms;
    const char  *error_type;
};

static const struct header_case header_cases[] = {
    { "retry-after", 503, "Retry-After: 2", 2000, 2000, "" },
    { "retry-after huge", 429, "Retry-After: 99999999", 86400000, 86400000,
      "" },
    { "retry-after date past", 503,
      "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT", 0, 0, "" },
    { "period on 429", 429, "X-RateLimit-Period-In-Sec: 7", 7000, 7000, "" },
    { "period on 200", 200, "X-RateLimit-Period-In-Sec: 7", -1, -1, "" },
    { "dynatrace reset", 429, NULL, 1000, 3000, "" },
    { "opsgenie type", 422, "X-Opsgenie-Errortype: RateLimitExceeded", -1, -1,
      "RateLimitExceeded" },
    { "nothing", 200, "X-Other: 1", -1, -1, "" },
};

static void
run_header_case(struct http_client *cli, const struct header_case *tc)
{
    struct script s;
    struct http_result res;
    struct timespec ts;
    char resp[512], hdr[128], url[128];

    hdr[0] = '\0';
    if (tc->header == NULL) {
        assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
        (void)snprintf(hdr, sizeof(hdr), "X-RateLimit-Reset: %llu",
            (unsigned long long)(ts.tv_sec + 3) * 1000000ULL);
    }
    (void)snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\n%s\r\n"
        "Content-Length: 2\r\nConnection: close\r\n\r\n{}", tc->status,
        tc->header != NULL ? tc->header : hdr);
    memset(&s, 0, sizeof(s));
    s.responses[0] = resp;
    s.n = 1;
    script_start(&s);
    url_for(url, sizeof(url), s.port, "/");
    if (http_client_do(cli, "GET", url, NULL, NULL, 0, &res) != 0)
        fail_msg("%s: %s", tc->name, res.err);
    script_stop(&s);
    assert_int_equal(res.status, tc->status);
    if (res.retry_after_ms < tc->min_ms || res.retry_after_ms > tc->max_ms) {
        fail_msg("%s: retry_after_ms %ld not in [%ld, %ld]", tc->name,
            res.retry_after_ms, tc->min_ms, tc->max_ms);
    }
    assert_string_equal(res.error_type, tc->error_type);
    http_client_result_free(&res);
}

static void
test_client_headers(void **state)
{
    struct fixture *fx = *state;
    size_t i;

    for (i = 0; i < NELEM(header_cases); i++)
        run_header_case(fx->cli, &header_cases[i]);
}

/* Retries, table-driven. A NULL path means a port nobody listens on. */

struct retry_case {
    const char  *name;
    const char  *path;
    size_t       response_max;  /* 0: default */
    int          max_retries;
    int          rc;
    long         status;
    int          attempts;
};

static const struct retry_case retry_cases[] = {
    { "5xx then 200", "/flaky", 0, HTTP_RETRY_MAX, 0, 200, 3 },
    { "gives up", "/flaky", 0, 1, 0, 503, 2 },
    { "501 not retried", "/notimpl", 0, HTTP_RETRY_MAX, 0, 501, 1 },
    { "oversize not retried", "/big", 16, HTTP_RETRY_MAX, -1, 0, 1 },
    { "transport error", NULL, 0, 2, -1, 0, 3 },
};

static void
run_retry_case(struct fixture *fx, const struct retry_case *tc)
{
    struct http_client_opts o = { .response_max = tc->response_max };
    struct http_client *cli;
    struct http_result res;
    char url[128];
    int attempts = 0, fd, port, rc;

    atomic_store(&fx->hctx.flaky_calls, 0);
    if (tc->path != NULL) {
        url_for(url, sizeof(url), http_server_port(fx->srv), tc->path);
    } else {
        fd = loopback_socket(false, &port);
        (void)close(fd);
        url_for(url, sizeof(url), port, "/");
    }
    cli = http_client_new(&o);
    assert_non_null(cli);
    rc = http_client_do_retry(cli, "GET", url, NULL, NULL, 0,
        tc->max_retries, &attempts, &res);
    if (rc != tc->rc || res.status != tc->status ||
        attempts != tc->attempts) {
        fail_msg("%s: rc %d status %ld attempts %d, want %d %ld %d (%s)",
            tc->name, rc, res.status, attempts, tc->rc, tc->status,
            tc->attempts, res.err);
    }
    http_client_result_free(&res);
    http_client_free(cli);
}

static void
test_retry(void **state)
{
    size_t i;

    for (i = 0; i < NELEM(retry_cases); i++)
        run_retry_case(*state, &retry_cases[i]);
}

/* A 429 carrying Retry-After, then 200: the wait is the server's, capped at
 * HTTP_RETRY_CAP_MS. */
static void
retry_after_case(struct http_client *cli, const char *retry_after,
    uint64_t min_ms, uint64_t max_ms)
{
    struct script s;
    struct http_result res;
    char first[256], url[128];
    uint64_t t0, dt;
    int attempts = 0;

    (void)snprintf(first, sizeof(first), "HTTP/1.1 429 Too Many\r\n"
        "Retry-After: %s\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        retry_after);
    memset(&s, 0, sizeof(s));
    s.responses[0] = first;
    s.responses[1] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
        "Connection: close\r\n\r\n{}";
    s.n = 2;
    script_start(&s);
    url_for(url, sizeof(url), s.port, "/");
    t0 = clock_mono_ms();
    assert_int_equal(http_client_do_retry(cli, "GET", url, NULL, NULL, 0,
        HTTP_RETRY_MAX, &attempts, &res), 0);
    dt = clock_mono_ms() - t0;
    script_stop(&s);
    assert_int_equal(res.status, 200);
    assert_int_equal(attempts, 2);
    if (dt < min_ms || dt > max_ms)
        fail_msg("waited %llu ms, want [%llu, %llu]", (unsigned long long)dt,
            (unsigned long long)min_ms, (unsigned long long)max_ms);
    http_client_result_free(&res);
}

static void
test_retry_after_honoured(void **state)
{
    struct fixture *fx = *state;

    retry_after_case(fx->cli, "1", 1000, HTTP_RETRY_CAP_MS);
}

static void
test_retry_after_capped(void **state)
{
    struct fixture *fx = *state;

    retry_after_case(fx->cli, "3600", HTTP_RETRY_CAP_MS,
        HTTP_RETRY_CAP_MS + 2000);
}

static long
get_secure(int port)
{
    const char *bearer[] = { "Authorization: Bearer " TOKEN, NULL };
    struct http_client *cli;
    struct http_result res;
    char url[128];
    long status;

    cli = http_client_new(NULL);
    assert_non_null(cli);
    url_for(url, sizeof(url), port, "/secure");
    assert_int_equal(http_client_do(cli, "GET", url, bearer, NULL, 0, &res),
        0);
    status = res.status;
    http_client_result_free(&res);
    http_client_free(cli);
    return status;
}

static size_t
count_in(const char *hay, const char *needle)
{
    size_t n = 0;

    while ((hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += strlen(needle);
    }
    return n;
}

/* After a server stops, its request_finished lines are written: they carry
 * path and requestor, never the token or the query string. */
static void
test_server_log(void **state)
{
    struct fixture *fx = *state;
    struct http_server *srv;
    struct http_client *cli;
    struct http_result res;
    char url[128], *log = NULL, err[ALEXIS_ERR_MAX];
    int port;

    srv = start_server(fx->clients, &fx->hctx);
    port = http_server_port(srv);
    cli = http_client_new(NULL);
    assert_non_null(cli);
    url_for(url, sizeof(url), port, "/secure?token=" TOKEN);
    assert_int_equal(http_client_do(cli, "GET", url, NULL, NULL, 0, &res), 0);
    assert_int_equal(res.status, 200);
    http_client_result_free(&res);
    assert_int_equal(get_secure(port), 200);
    url_for(url, sizeof(url), port, "/echo");
    assert_int_equal(http_client_do(cli, "POST", url, NULL, "{}", 2, &res),
        0);
    http_client_result_free(&res);
    http_client_free(cli);
    http_server_stop(srv);

    log = file_slurp(log_path, LOG_READ_MAX, NULL, err, sizeof(err));
    if (log == NULL)
        fail_msg("%s", err);
    assert_non_null(strstr(log, "event=request_finished"));
    assert_non_null(strstr(log, "path=/secure"));
    assert_non_null(strstr(log, "requestor=poller"));
    assert_non_null(strstr(log, "tinyId=5120"));
    assert_non_null(strstr(log, "app_elapsed_ms="));
    assert_null(strstr(log, TOKEN));
    assert_null(strstr(log, "?token"));
    assert_null(strstr(log, "Bearer"));
    free(log);
}

/* A clients file that turns bad keeps the old set in use and is reported
 * once, not once per request. */
static void
test_auth_refresh_failure(void **state)
{
    struct fixture *fx = *state;
    struct auth_clients *clients;
    struct http_server *srv;
    char path[128], err[ALEXIS_ERR_MAX], *log;
    int port;

    (void)snprintf(path, sizeof(path), "%s/clients2.json", fx->dir);
    write_file(path, "{\"token_list\":[{\"token\":{\"type\":\"personal\","
        "\"requestor\":\"poller\",\"description\":\"x\","
        "\"id\":\"" TOKEN "\"}}]}");
    clients = auth_clients_load(path, err, sizeof(err));
    if (clients == NULL)
        fail_msg("auth_clients_load: %s", err);
    srv = start_server(clients, &fx->hctx);
    port = http_server_port(srv);
    assert_int_equal(get_secure(port), 200);
    write_file(path, "{ this is not JSON");
    assert_int_equal(get_secure(port), 200);
    assert_int_equal(get_secure(port), 200);
    http_server_stop(srv);
    auth_clients_free(clients);
    (void)unlink(path);

    log = file_slurp(log_path, LOG_READ_MAX, NULL, err, sizeof(err));
    if (log == NULL)
        fail_msg("%s", err);
    assert_int_equal(count_in(log, "event=auth_refresh_failed"), 1);
    free(log);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_answers),
        cmocka_unit_test(test_server_405_allow),
        cmocka_unit_test(test_server_413_early),
        cmocka_unit_test(test_server_bad_host),
        cmocka_unit_test(test_server_ipv6),
        cmocka_unit_test(test_client_response_max),
        cmocka_unit_test(test_client_connect_refused),
        cmocka_unit_test(test_client_total_timeout),
        cmocka_unit_test(test_client_headers),
        cmocka_unit_test(test_retry),
        cmocka_unit_test(test_retry_after_honoured),
        cmocka_unit_test(test_retry_after_capped),
        cmocka_unit_test(test_server_log),
        cmocka_unit_test(test_auth_refresh_failure),
    };
    int rc;

    (void)snprintf(log_path, sizeof(log_path),
        "/tmp/alexis-test-http-log-XXXXXX");
    if ((log_fd = mkstemp(log_path)) == -1)
        return 1;
    log_init("test_http", LOG_DEBUG, log_fd);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    curl_global_cleanup();
    (void)close(log_fd);
    (void)unlink(log_path);
    return rc;
}
