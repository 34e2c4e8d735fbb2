/*
 * alexis-poller: reads open alerts (OpsGenie) and problems (Dynatrace)
 * every loop_interval and posts each one not yet handled to the
 * classifier; with a listener, also on a webhook from the ticket system.
 * This file is the table of contents: arguments, logging,
 * configuration (--check validates and exits), start, run passes, stop on
 * SIGTERM/SIGINT (taken by a signal thread with sigwait), shutdown.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "alexis_limits.h"
#include "auth.h"
#include "daemon.h"
#include "json.h"
#include "log.h"
#include "metrics_http.h"
#include "poller.h"
#include "webhook.h"

/* The signal thread's state: which signals, and whether main finished on
 * its own (then the wake-up signal main sends is not a shutdown). */
struct sigctx {
    struct poller  *p;
    sigset_t        set;
    atomic_bool     done;
};

static const char usage[] =
    "usage: alexis-poller [--config FILE] [--check] [--once] [--user NAME]\n"
    "  --config FILE  configuration (default " DAEMON_DEFAULT_CONFIG ")\n"
    "  --check        validate the configuration, the token file and\n"
    "                 the feeds' authentication, then exit 0/1\n"
    "  --once         one pass, then exit (as single_execution: true)\n"
    "  --user NAME    started as root: run as NAME\n";

/* --check: the configuration loaded (so every feed's authentication and
 * classifier resolved); now the runtime token file. */
static int
check(struct poller *p)
{
    char err[ALEXIS_ERR_MAX];

    if (auth_runtime_check(p->conf.tokens.runtime, err, sizeof(err)) == -1) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (poller_conf_listens(&p->conf) &&
        metrics_http_check(p->conf.tokens.metrics_token, err,
        sizeof(err)) == -1) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    printf("configuration OK (%zu feeds)\n", p->conf.nfeeds);
    return 0;
}

static void *
signal_main(void *arg)
{
    struct sigctx *s = arg;
    int sig = 0;

    while (sigwait(&s->set, &sig) != 0)
        continue;
    if (!atomic_load(&s->done)) {
        log_event(LOG_INFO, "shutdown_started", KV_INT("signal", sig));
        poller_stop(s->p);
    }
    return NULL;
}

static int
run(struct poller *p, int listen_fd)
{
    struct sigctx s;
    pthread_t st;
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int rc;

    /* Every thread inherits this mask; only the signal thread takes
     * SIGTERM/SIGINT, so no handler code runs at all. */
    memset(&s, 0, sizeof(s));
    s.p = p;
    atomic_init(&s.done, false);
    daemon_signals_block(&s.set);
    if (poller_init(p, err, sizeof(err)) == -1)
        log_fatal("startup_failed", KV_ERR(err));
    if (listen_fd != -1 && (p->webhook = webhook_start(p, listen_fd, err,
        sizeof(err))) == NULL)
        log_fatal("startup_failed", KV_ERR(err));
    if ((rc = pthread_create(&st, NULL, signal_main, &s)) != 0)
        log_fatal("startup_failed", KV_STR("error", strerror(rc)));
    log_event(LOG_INFO, "poller_started", KV_UINT("feeds", p->conf.nfeeds),
        KV_INT("concurrency", p->conf.concurrency),
        KV_UINT("loop_interval_ms", p->conf.loop_interval_ms),
        KV_BOOL("single_execution", p->conf.single_execution),
        KV_BOOL("development", p->conf.development));
    for (i = 0; i < p->conf.nfeeds; i++)
        log_event(LOG_INFO, "feed_configured",
            KV_STR("feed_name", p->conf.feeds[i].name),
            KV_STR("api", poller_conf_feed_api(&p->conf.feeds[i])),
            KV_STR("base_url", p->conf.feeds[i].base_url),
            KV_STR("classifier", p->conf.feeds[i].classifier));
    rc = poller_run(p);
    atomic_store(&s.done, true);
    /* Wake the signal thread out of sigwait (SIGTERM is blocked in every
     * thread, so nothing is terminated). */
    pthread_kill(st, SIGTERM);  /* NOLINT(bugprone-bad-signal-to-kill-thread) */
    pthread_join(st, NULL);
    webhook_stop(p->webhook);
    p->webhook = NULL;
    poller_cleanup(p);
    return rc;
}

int
main(int argc, char **argv)
{
    struct poller p;
    struct cfg_errors errs;
    struct daemon_opts o;
    int rc, fd = -1;

    daemon_parse_args(argc, argv, usage, true, &o);
    memset(&p, 0, sizeof(p));
    memset(&errs, 0, sizeof(errs));
    p.config_path = o.config;
    daemon_init("poller", o.check);

    if (poller_conf_load(o.config, &p.conf, &errs) == -1) {
        cfg_error_print(&errs, stderr);
        poller_conf_free(&p.conf);
        curl_global_cleanup();
        return 1;
    }
    if (p.conf.debug)
        log_set_level(LOG_DEBUG);
    if (o.once)
        p.conf.single_execution = true;
    if (o.check) {
        rc = check(&p);
    } else {
        /* Bind the listener (if any), then drop root before anything
         * else. */
        if (poller_conf_listens(&p.conf))
            fd = daemon_listen(p.conf.listener.hostname,
                (int)p.conf.listener.port, o.user);
        else
            daemon_drop_privileges(o.user);
        log_event(LOG_INFO, "config_loaded", KV_STR("config", o.config),
            KV_UINT("authentications", p.conf.nauth));
        rc = run(&p, fd);
        log_event(LOG_INFO, "shutdown_finished", KV_INT("exit", rc));
    }
    poller_conf_free(&p.conf);
    curl_global_cleanup();
    return rc;
}
