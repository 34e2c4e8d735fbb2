/*
 * What every daemon's main does the same way: the common command line
 * (--config FILE, --check, --user NAME, --help, and --once where it
 * applies), library start-up, dropping root, and signals taken
 * synchronously (SIGINT/SIGTERM blocked in every thread and collected with
 * sigwait, so no handler code runs).
 */
#ifndef ALEXIS_DAEMON_H
#define ALEXIS_DAEMON_H

#include <signal.h>
#include <stdbool.h>

#include "compat.h"

#define DAEMON_DEFAULT_CONFIG   "conf/alexis.conf.yaml"

struct daemon_opts {
    const char *config;     /* DAEMON_DEFAULT_CONFIG unless --config */
    bool        check;      /* --check: validate and exit 0/1 */
    bool        once;       /* --once (only when allow_once) */
    const char *user;       /* --user NAME: the account to run as */
};

/* Parse argv. usage is the whole help text; it is printed to stdout with
 * exit 0 for --help/-h, to stderr with exit 2 for anything unknown. */
void daemon_parse_args(int argc, char **argv, const char *usage,
    bool allow_once, struct daemon_opts *o);

/* Start logging (to stderr; to /dev/null in --check mode, whose report is
 * plain text), cJSON's allocator, libcurl and the metrics of app
 * (metrics_init). Fatal on failure. Call once,
 * before any thread starts. */
void daemon_init(const char *app, bool check);

/*
 * Run unprivileged. Call after binding the listening socket and before
 * starting any thread or opening anything else. With user set and running
 * as root: setgroups (the user's primary group only), setresgid,
 * setresuid, then read every id back and make sure root cannot be
 * regained; any failure is fatal. With user set and not root: fatal unless
 * already running as that user. Without user, running as root logs a
 * warning.
 */
void daemon_drop_privileges(const char *user);

/* The order a server daemon starts in: bind host:port (maybe a privileged
 * port), then daemon_drop_privileges(user). Returns the listening socket
 * for http_server_opts.listen_fd; fatal on failure. */
int daemon_listen(const char *host, int port, const char *user);

/* Block SIGINT and SIGTERM in the calling thread and every thread created
 * after it, and ignore SIGPIPE. set receives the blocked set. */
void daemon_signals_block(sigset_t *set);

/* Wait for SIGINT or SIGTERM, log shutdown_started, return the signal. */
int daemon_signals_wait(const sigset_t *set);

#endif
