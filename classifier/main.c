/*
 * alexis-classifier: receives alerts from the poller (or an engineer),
 * matches them against the JSON rules on disk and forwards each match to an
 * action handler, marking the ticket. This file is the table of contents:
 * arguments, logging, configuration (--check validates and exits), start,
 * wait for a signal, shutdown.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "alexis_limits.h"
#include "auth.h"
#include "classifier.h"
#include "classifier_api.h"
#include "classifier_token.h"
#include "classify.h"
#include "daemon.h"
#include "http_server.h"
#include "json.h"
#include "log.h"
#include "metrics_http.h"
#include "retire.h"
#include "ruledir.h"
#include "rules.h"
#include "workers.h"
#include "xmem.h"

static const char usage[] =
    "usage: alexis-classifier [--config FILE] [--check] [--user NAME]\n"
    "  --config FILE  configuration (default " DAEMON_DEFAULT_CONFIG ")\n"
    "  --check        validate the configuration and every rule, then "
    "exit 0/1\n"
    "  --user NAME    started as root: bind, then run as NAME\n";

/* The destination URLs as the list http_client_opts.ca_for wants. */
static const char **
dest_urls(const struct classifier_conf *conf)
{
    const char **v = xcalloc(conf->destinations.n + 1, sizeof(*v));
    size_t i;

    for (i = 0; i < conf->destinations.n; i++)
        v[i] = conf->destinations.items[i].value;
    return v;
}

/* --check: the configuration, the token files and every rule file. */
static int
check(struct classifier *c)
{
    struct rule_set *rs;
    struct auth_clients *ac;
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int bad = 0;

    if ((ac = auth_clients_load(c->conf.tokens.allowed_clients, err,
        sizeof(err))) == NULL) {
        fprintf(stderr, "%s\n", err);
        bad = 1;
    }
    auth_clients_free(ac);
    if (metrics_http_check(c->conf.tokens.metrics_token, err,
        sizeof(err)) == -1) {
        fprintf(stderr, "%s\n", err);
        bad = 1;
    }
    if (auth_runtime_check(c->conf.tokens.runtime, err, sizeof(err)) == -1) {
        fprintf(stderr, "%s\n", err);
        bad = 1;
    }
    if ((rs = ruledir_get(c->rules, err, sizeof(err))) == NULL) {
        fprintf(stderr, "%s: error: %s\n", c->config_path, err);
        return 1;
    }
    for (i = 0; i < ruledir_set_error_count(rs); i++) {
        fprintf(stderr, "%s\n", ruledir_set_error_at(rs, i)->message);
        bad = 1;
    }
    if (!bad)
        printf("configuration OK (%zu rules)\n", ruledir_set_count(rs));
    ruledir_set_release(rs);
    return bad;
}

static int
serve(struct classifier *c, const char *user)
{
    struct http_server_opts o = {
        .host = c->conf.listener.hostname,
        .port = (int)c->conf.listener.port,
        .body_max = (size_t)c->conf.max_body_bytes,
        .max_per_ip = (unsigned)c->conf.listener.max_per_client,
        .request_deadline_ms = c->conf.listener.request_timeout_ms,
        .tls_cert_file = c->conf.listener.tls_cert_file,
        .tls_key_file = c->conf.listener.tls_key_file,
        .has_listen_fd = true,
        .threads = CLASSIFIER_SERVER_THREADS,
    };
    struct rule_set *rs;
    char err[ALEXIS_ERR_MAX];
    sigset_t set;

    /* Nothing more as root: every file below is read as the user that
     * will read it again later. */
    o.listen_fd = daemon_listen(o.host, o.port, user);
    if ((c->clients = auth_clients_load(c->conf.tokens.allowed_clients,
        err, sizeof(err))) == NULL)
        log_fatal("startup_failed", KV_ERR(err));
    o.clients = c->clients;
    if ((c->metrics = metrics_http_new(c->conf.tokens.metrics_token, err,
        sizeof(err))) == NULL)
        log_fatal("startup_failed", KV_ERR(err));
    log_event(LOG_INFO, "config_loaded", KV_STR("config", c->config_path),
        KV_UINT("authentications", c->conf.nauth));

    /* Threads inherit this mask; main alone takes the signals. */
    daemon_signals_block(&set);

    /* Load the rules once now so problems show in the log at start-up
     * (ruledir logs them, an unreadable directory included). */
    rs = ruledir_get(c->rules, err, sizeof(err));
    ruledir_set_release(rs);
    if (workers_start(c, err, sizeof(err)) == -1)
        log_fatal("startup_failed", KV_ERR(err));
    if ((c->server = http_server_start(&o, classifier_api_routes, c, err,
        sizeof(err))) == NULL)
        log_fatal("startup_failed", KV_ERR(err));
    log_event(LOG_INFO, "listening", KV_STR("host", o.host),
        KV_INT("port", http_server_port(c->server)),
        KV_BOOL("tls", o.tls_cert_file != NULL),
        KV_STR("rules_dir", c->conf.rules_dir),
        KV_INT("workers", c->conf.workers),
        KV_BOOL("development", c->conf.development));
    daemon_signals_wait(&set);
    http_server_stop(c->server);
    workers_stop(c);
    retire_drain_all(c->retired);
    return 0;
}

int
main(int argc, char **argv)
{
    struct classifier c;
    struct cfg_errors errs;
    struct daemon_opts o;
    int rc;

    daemon_parse_args(argc, argv, usage, false, &o);
    memset(&c, 0, sizeof(c));
    memset(&errs, 0, sizeof(errs));
    c.config_path = o.config;
    pthread_mutex_init(&c.token.lock, NULL);
    pthread_mutex_init(&c.health.lock, NULL);
    daemon_init("classifier", o.check);

    if (classifier_conf_load(o.config, &c.conf, &errs) == -1) {
        cfg_error_print(&errs, stderr);
        classifier_conf_free(&c.conf);
        return 1;
    }
    if (c.conf.debug)
        log_set_level(LOG_DEBUG);
    c.rules = ruledir_new(c.conf.rules_dir);
    c.retired = xcalloc(1, sizeof(*c.retired));
    c.dest_urls = dest_urls(&c.conf);
    if (o.check) {
        rc = check(&c);
    } else {
        rc = serve(&c, o.user);
        log_event(LOG_INFO, "shutdown_finished", KV_INT("exit", rc));
    }
    ruledir_free(c.rules);
    auth_clients_free(c.clients);
    metrics_http_free(c.metrics);
    classifier_token_cleanup(&c);
    free(c.health.report);
    free(c.dest_urls);
    free(c.retired);
    classifier_conf_free(&c.conf);
    curl_global_cleanup();
    return rc;
}
