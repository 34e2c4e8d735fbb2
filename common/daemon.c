/*
 * Shared daemon start-up (see daemon.h).
 */
#include "daemon.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "json.h"
#include "log.h"

void
daemon_parse_args(int argc, char **argv, const char *usage,
    bool allow_once, struct daemon_opts *o)
{
    int i;

    o->config = DAEMON_DEFAULT_CONFIG;
    o->check = false;
    o->once = false;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            o->config = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            o->check = true;
        } else if (allow_once && strcmp(argv[i], "--once") == 0) {
            o->once = true;
        } else if (strcmp(argv[i], "--help") == 0 ||
            strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            exit(0);
        } else {
            fputs(usage, stderr);
            exit(2);
        }
    }
}

void
daemon_init(const char *app, bool check)
{
    int fd = STDERR_FILENO;

    if (check && (fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
        fd = STDERR_FILENO;
    log_init(app, LOG_INFO, fd);
    json_init();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        log_fatal("startup_failed", KV_STR("error", "curl_global_init"));
}

void
daemon_signals_block(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int
daemon_signals_wait(const sigset_t *set)
{
    int sig = 0;

    while (sigwait(set, &sig) != 0)
        continue;
    log_event(LOG_INFO, "shutdown_started", KV_INT("signal", sig));
    return sig;
}
