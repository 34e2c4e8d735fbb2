/*
 * alexis-action-handler: receives remediation requests (from the
 * classifier or an engineer), stores each as a job in SQLite before
 * answering, runs the rule's tasks on the entities over SSH and writes the
 * result back to the ticket. This file is the table of contents:
 * arguments, logging, configuration (--check validates and exits), job
 * store recovery, start, wait for a signal, shutdown.
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ah_api.h"
#include "alexis_limits.h"
#include "auth.h"
#include "check.h"
#include "daemon.h"
#include "handler.h"
#include "http_server.h"
#include "jobs.h"
#include "jobs_store.h"
#include "json.h"
#include "log.h"
#include "metrics_http.h"
#include "ruledir.h"
#include "rules.h"
#include "runner.h"
#include "ssh.h"

#define RESTART_REASON  "the action handler stopped while the job ran; " \
    "not re-run (commands may have run: check the hosts)"

#define AH_MALLOC_ARENAS    2

static const char usage[] =
    "usage: alexis-action-handler [--config FILE] [--check] [--user NAME]\n"
    "  --config FILE  configuration (default " DAEMON_DEFAULT_CONFIG ")\n"
    "  --check        validate the configuration, token files, SSH key,\n"
    "                 known_hosts and every rule, then exit 0/1\n"
    "  --user NAME    started as root: bind, then run as NAME\n";

static void
log_interrupted(void *arg, const struct job *j)
{
    (void)arg;
    log_event(LOG_WARN, "job_interrupted", KV_STR("job", j->id),
        KV_STR(j->id_key, j->alert_id), KV_STR("rule_name", j->rule_name),
        KV_STR("reason", RESTART_REASON));
}

static void
open_store(struct action_handler *ah)
{
    struct jobs_store_opts so = {
        .store = ah->conf.job_store != NULL ? ah->conf.job_store :
            ah->conf.db_path,
        .password_file = ah->conf.job_store_password_file,
        .lease_ms = ah->conf.job_lease_ms,
    };
    char err[ALEXIS_ERR_MAX], *shown;
    size_t n;

    if ((ah->jobs = jobs_store_open(&so, err, sizeof(err))) == NULL)
        log_fatal("startup_failed", KV_ERR(err));
    if (jobs_recover(ah->jobs, RESTART_REASON, log_interrupted, NULL, &n,
        err, sizeof(err)) == -1)
        log_fatal("startup_failed", KV_ERR(err));
    shown = jobs_store_display(so.store);
    log_event(LOG_INFO, "job_store_opened", KV_STR("db_path", shown),
        KV_STR("backend", jobs_store_is_pg(so.store) ? "postgresql" :
        "sqlite"), KV_UINT("interrupted", n));
    free(shown);
}

static void
log_listening(const struct action_handler *ah, const char *host)
{
    log_event(LOG_INFO, "listening", KV_STR("host", host),
        KV_INT("port", http_server_port(ah->server)),
        KV_BOOL("tls", ah->conf.listener.tls_cert_file != NULL),
        KV_STR("rules_dir", ah->conf.rules_dir),
        KV_INT("workers", ah->conf.workers),
        KV_INT("parallel", ah->conf.parallel),
        KV_BOOL("development", ah->conf.development));
    if (ah->conf.allow_request_commands)
        log_event(LOG_WARN, "request_commands_allowed", KV_STR("msg",
            "allow_request_commands is on: a request naming a rule we do "
            "not have runs the commands it carries"));
    if (!ah->conf.development && ah->conf.known_hosts == NULL)
        log_event(LOG_ERROR, "known_hosts_missing", KV_STR("msg",
            "known_hosts is not configured: every job will fail"));
}

static int
serve(struct action_handler *ah, const char *user)
{
    struct http_server_opts o = {
        .host = ah->conf.listener.hostname,
        .port = (int)ah->conf.listener.port,
        .body_max = (size_t)ah->conf.max_body_bytes,
        .max_per_ip = (unsigned)ah->conf.listener.max_per_client,
        .request_deadline_ms = ah->conf.listener.request_timeout_ms,
        .tls_cert_file = ah->conf.listener.tls_cert_file,
        .tls_key_file = ah->conf.listener.tls_key_file,
        .has_listen_fd = true,
    };
    char err[ALEXIS_ERR_MAX];
    sigset_t set;

    /* Nothing more as root: the job store, token files, key and passphrase
     * are opened as the user that will open them again later. */
    o.listen_fd = daemon_listen(o.host, o.port, user);
    if ((ah->clients = auth_clients_load(ah->conf.tokens.allowed_clients,
        err, sizeof(err))) == NULL ||
        check_load_passphrase(ah, err, sizeof(err)) == -1)
        log_fatal("startup_failed", KV_ERR(err));
    o.clients = ah->clients;
    if ((ah->metrics = metrics_http_new(ah->conf.tokens.metrics_token, err,
        sizeof(err))) == NULL)
        log_fatal("startup_failed", KV_ERR(err));
    log_event(LOG_INFO, "config_loaded", KV_STR("config", ah->config_path),
        KV_UINT("authentications", ah->conf.nauth));

    /* Threads inherit this mask; main alone takes the signals. */
    daemon_signals_block(&set);

    open_store(ah);
    if ((ah->runner = runner_start(&ah->conf, ah->jobs, ah->passphrase,
        ssh_exec, err, sizeof(err))) == NULL)
        log_fatal("startup_failed", KV_ERR(err));
    if ((ah->server = http_server_start(&o, ah_api_routes, ah, err,
        sizeof(err))) == NULL)
        log_fatal("startup_failed", KV_ERR(err));
    log_listening(ah, o.host);
    daemon_signals_wait(&set);
    http_server_stop(ah->server);
    runner_stop(ah->runner);
    return 0;
}

static void
cleanup(struct action_handler *ah)
{
    jobs_close(ah->jobs);
    ruledir_free(ah->rules);
    auth_clients_free(ah->clients);
    metrics_http_free(ah->metrics);
    if (ah->passphrase != NULL) {
        explicit_bzero(ah->passphrase, strlen(ah->passphrase));
        free(ah->passphrase);
    }
    ah_conf_free(&ah->conf);
}

int
main(int argc, char **argv)
{
    struct action_handler ah;
    struct cfg_errors errs;
    struct daemon_opts o;
    int rc;

    /* Jobs wait on SSH, not on malloc: two arenas instead of one per
     * busy thread (each keeps its pages; bench/rss_bench.py). */
    (void)mallopt(M_ARENA_MAX, AH_MALLOC_ARENAS);
    daemon_parse_args(argc, argv, usage, false, &o);
    memset(&ah, 0, sizeof(ah));
    memset(&errs, 0, sizeof(errs));
    ah.config_path = o.config;
    daemon_init("action_handler", o.check);
    if (ssh_global_init() == -1)
        log_fatal("startup_failed", KV_STR("error", "ssh_global_init"));

    if (ah_conf_load(o.config, &ah.conf, &errs) == -1) {
        cfg_error_print(&errs, stderr);
        cleanup(&ah);
        return 1;
    }
    if (ah.conf.debug)
        log_set_level(LOG_DEBUG);
    /* Rules come here to be run, never to match an alert: their regexes
     * are checked, not JIT-compiled (4 parses per job, and the JIT's
     * code pages and memory). */
    rules_set_jit(false);
    ah.rules = ruledir_new(ah.conf.rules_dir);
    if (o.check) {
        rc = check_config(&ah);
    } else {
        rc = serve(&ah, o.user);
        log_event(LOG_INFO, "shutdown_finished", KV_INT("exit", rc));
    }
    cleanup(&ah);
    ssh_global_cleanup();
    curl_global_cleanup();
    return rc;
}
