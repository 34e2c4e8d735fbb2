/*
 * alexis-sink: a loopback HTTP sink for benchmarks, built on http_server.
 * Every method and path gets the same canned answer (by default an
 * OpsGenie-like 202); GET /_sink/count tells how many requests it served.
 * The bound port goes to --port-file once the server listens.
 *
 * With --relay URL it is the classifier benchmark's second reference: before
 * answering, each request POSTs its body to URL twice, one after the
 * other, with libcurl (the classifier's forward and ticket mark with no
 * parsing, matching or logging). That is the least work any classifier
 * obeying the protocol can do per alert.
 *
 * --floor-log N adds what DESIGN asks of every classifier on top: the
 * body parsed as JSON (cJSON) and N log lines about it, one write(2)
 * each (DESIGN §8; the classifier writes six per matched alert). That is
 * the third reference, the design's floor.
 *
 *   alexis-sink --host 127.0.0.1 --port 0 --port-file FILE
 *               [--status 202] [--body JSON] [--threads N] [--relay URL]
 *               [--floor-log N]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alexis_limits.h"
#include "http_client.h"
#include "http_server.h"
#include "log.h"
#include "str.h"

#define SINK_BODY_DEFAULT \
    "{\"result\":\"Request will be processed\",\"took\":0.001," \
    "\"requestId\":\"sink\"}"
#define SINK_THREADS_MAX    256
#define SINK_CONN_MAX       1024

struct sink {
    const char      *host;
    int              port;
    const char      *port_file;
    int              status;
    const char      *body;
    unsigned         threads;
    const char      *relay;     /* URL, or NULL */
    unsigned         floor_lines;   /* --floor-log: parse, log N lines */
    atomic_ullong    requests;
    atomic_ullong    relay_failed;
};

/* One libcurl handle per server thread, for its connections to persist. */
static pthread_key_t relay_key;

static void
relay_client_free(void *hc)
{
    http_client_free(hc);
}

/* POST the body to the relay URL twice; the second only if the first got
 * a 2xx, as the classifier marks only what was forwarded. */
static bool
relay(struct sink *s, const struct http_request *req)
{
    struct http_client *hc = pthread_getspecific(relay_key);
    struct http_result res;
    bool ok = true;
    int i;

    if (hc == NULL) {
        if ((hc = http_client_new(NULL)) == NULL)
            return false;
        (void)pthread_setspecific(relay_key, hc);
    }
    for (i = 0; i < 2 && ok; i++) {
        ok = http_client_do(hc, "POST", s->relay, NULL, req->body,
            req->body_len, &res) == 0 && res.status >= 200 &&
            res.status <= 299;
        http_client_result_free(&res);
    }
    return ok;
}

/*
 * What DESIGN asks of any classifier beyond the relay, and nothing of the
 * classifier's own: parse the body with cJSON and write floor_lines log
 * lines about it (through the daemons' logger, which is DESIGN's format),
 * each by its own write(2) and about as long as the classifier's.
 */
static int
floor_work(const struct sink *s, const struct http_request *req)
{
    const cJSON *id;
    cJSON *doc;
    unsigned i;

    if ((doc = cJSON_ParseWithLength(req->body, req->body_len)) == NULL)
        return -1;
    id = cJSON_GetObjectItemCaseSensitive(doc, "tinyId");
    for (i = 0; i < s->floor_lines; i++)
        log_event(LOG_INFO, "floor_line", KV_STR("tinyId",
            cJSON_IsString(id) ? id->valuestring : "-"),
            KV_UINT("line", i), KV_STR("feed_name", "OpsGenie_payments_open"),
            KV_STR("rule_name", "ledger_gc_restart"),
            KV_STR("action_handler", "http://127.0.0.1:42923/v1"),
            KV_UINT("app_elapsed_ms", 1));
    cJSON_Delete(doc);
    return 0;
}

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void
sink_answer(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct sink *s = ctx;

    atomic_fetch_add(&s->requests, 1);
    if (s->floor_lines > 0 && floor_work(s, req) == -1) {
        http_server_reply_error(resp, 400, "body is not JSON");
        return;
    }
    if (s->relay != NULL && !relay(s, req)) {
        atomic_fetch_add(&s->relay_failed, 1);
        http_server_reply_error(resp, 502, "relay to %s failed", s->relay);
        return;
    }
    http_server_reply(resp, s->status, s->body);
}

static void
sink_count(void *ctx, const struct http_request *req,
    struct http_response *resp)
{
    struct sink *s = ctx;
    char body[64];

    (void)req;
    (void)snprintf(body, sizeof(body), "{\"requests\":%llu,"
        "\"relay_failed\":%llu}",
        (unsigned long long)atomic_load(&s->requests),
        (unsigned long long)atomic_load(&s->relay_failed));
    http_server_reply(resp, 200, body);
}

static const struct http_route sink_routes[] = {
    { "GET", "/_sink/count", false, false, sink_count, false },
    { "GET", "/", true, false, sink_answer, false },
    { "POST", "/", true, false, sink_answer, false },
    { "PUT", "/", true, false, sink_answer, false },
    { "DELETE", "/", true, false, sink_answer, false },
    { NULL, NULL, false, false, NULL, false },
};

static int
usage(void)
{
    (void)fprintf(stderr, "usage: alexis-sink --host ADDR --port N "
        "--port-file FILE [--status N] [--body JSON] [--threads N] "
        "[--relay URL] [--floor-log N]\n");
    return -1;
}

static int
number_arg(const char *name, const char *v, uint64_t min, uint64_t max,
    uint64_t *out)
{
    const char *errstr;

    if (str_to_u64(v, min, max, out, &errstr) == -1) {
        (void)fprintf(stderr, "alexis-sink: --%s: %s\n", name, errstr);
        return -1;
    }
    return 0;
}

static int
parse_args(struct sink *s, int argc, char **argv)
{
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'h' },
        { "port", required_argument, NULL, 'p' },
        { "port-file", required_argument, NULL, 'f' },
        { "status", required_argument, NULL, 's' },
        { "body", required_argument, NULL, 'b' },
        { "threads", required_argument, NULL, 't' },
        { "relay", required_argument, NULL, 'r' },
        { "floor-log", required_argument, NULL, 'l' },
        { NULL, 0, NULL, 0 },
    };
    cJSON *doc;
    uint64_t n;
    int ch;

    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            s->host = optarg;
            break;
        case 'p':
            if (number_arg("port", optarg, 0, 65535, &n) == -1)
                return -1;
            s->port = (int)n;
            break;
        case 'f':
            s->port_file = optarg;
            break;
        case 's':
            if (number_arg("status", optarg, 100, 599, &n) == -1)
                return -1;
            s->status = (int)n;
            break;
        case 'b':
            s->body = optarg;
            break;
        case 't':
            if (number_arg("threads", optarg, 1, SINK_THREADS_MAX, &n) == -1)
                return -1;
            s->threads = (unsigned)n;
            break;
        case 'r':
            s->relay = optarg;
            break;
        case 'l':
            if (number_arg("floor-log", optarg, 0, 16, &n) == -1)
                return -1;
            s->floor_lines = (unsigned)n;
            break;
        default:
            return usage();
        }
    }
    if (optind != argc || s->host == NULL || s->port_file == NULL)
        return usage();
    if ((doc = cJSON_Parse(s->body)) == NULL) {
        (void)fprintf(stderr, "alexis-sink: --body is not JSON\n");
        return -1;
    }
    cJSON_Delete(doc);
    return 0;
}

/* Write the port to a temporary file and rename it, so a reader never
 * sees a partial number. */
static int
write_port_file(const char *path, int port)
{
    char tmp[PATH_MAX];
    FILE *f = NULL;
    int rc = -1;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        goto out;
    }
    if ((f = fopen(tmp, "w")) == NULL)
        goto out;
    if (fprintf(f, "%d\n", port) < 0)
        goto out;
    if (fclose(f) != 0) {
        f = NULL;
        goto out;
    }
    f = NULL;
    if (rename(tmp, path) == -1)
        goto out;
    rc = 0;
out:
    if (f != NULL)
        (void)fclose(f);
    return rc;
}

/* Install the flag-setting handler and block SIGINT/SIGTERM; the server
 * threads started afterwards inherit the mask, and main waits for the
 * signals in sigsuspend with the old mask, so none is lost between the
 * flag check and the wait. */
static void
block_signals(sigset_t *old)
{
    struct sigaction sa;
    sigset_t block;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    (void)sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    (void)sigemptyset(&block);
    (void)sigaddset(&block, SIGINT);
    (void)sigaddset(&block, SIGTERM);
    (void)pthread_sigmask(SIG_BLOCK, &block, old);
}

int
main(int argc, char **argv)
{
    struct sink s = { .status = 202, .body = SINK_BODY_DEFAULT };
    struct http_server_opts opts = { 0 };
    struct http_server *srv;
    sigset_t old;
    char err[ALEXIS_ERR_MAX];

    if (parse_args(&s, argc, argv) == -1)
        return 2;
    /* Per-request lines (info) would skew benchmarks: warnings only,
     * unless they are what --floor-log measures. */
    log_init("sink", s.floor_lines > 0 ? LOG_INFO : LOG_WARN, STDERR_FILENO);
    atomic_init(&s.requests, 0);
    atomic_init(&s.relay_failed, 0);
    if (s.relay != NULL && http_client_global_init() != 0)
        log_fatal("startup_failed", KV_STR("error", "curl_global_init"));
    if (pthread_key_create(&relay_key, relay_client_free) != 0)
        log_fatal("startup_failed", KV_STR("error", "pthread_key_create"));
    block_signals(&old);

    opts.host = s.host;
    opts.port = s.port;
    opts.threads = s.threads;
    opts.conn_max = SINK_CONN_MAX;
    if ((srv = http_server_start(&opts, sink_routes, &s, err,
        sizeof(err))) == NULL)
        log_fatal("sink_start_failed", KV_ERR(err));
    if (write_port_file(s.port_file, http_server_port(srv)) == -1)
        log_fatal("port_file_failed", KV_STR("path", s.port_file),
            KV_ERRNO(errno));
    log_event(LOG_INFO, "sink_listening", KV_INT("port",
        http_server_port(srv)));

    while (!stop_requested)
        (void)sigsuspend(&old);
    http_server_stop(srv);
    log_event(LOG_INFO, "sink_stopped", KV_UINT("requests",
        atomic_load(&s.requests)));
    return 0;
}
