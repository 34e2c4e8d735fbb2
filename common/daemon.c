/*
 * Shared daemon start-up (see daemon.h).
 */
#define _GNU_SOURCE     /* setresuid and friends (glibc: GNU only) */
#include "daemon.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alexis_limits.h"
#include "config.h"

#include "http_client.h"
#include "http_server.h"
#include "json.h"
#include "log.h"
#include "metrics.h"

void
daemon_parse_args(int argc, char **argv, const char *usage,
    bool allow_once, struct daemon_opts *o)
{
    int i;

    o->config = DAEMON_DEFAULT_CONFIG;
    o->check = false;
    o->once = false;
    o->user = NULL;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            o->config = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            o->check = true;
        } else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
            o->user = argv[++i];
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
    if (http_client_global_init() != 0)
        log_fatal("startup_failed", KV_STR("error", "curl_global_init"));
    metrics_init(strcmp(app, "poller") == 0 ? METRICS_POLLER :
        strcmp(app, "classifier") == 0 ? METRICS_CLASSIFIER :
        strcmp(app, "action_handler") == 0 ? METRICS_ACTION_HANDLER :
        METRICS_ALL, ALEXIS_VERSION);
}

/* Every real, effective and saved id is the one we asked for. */
static bool
ids_are(uid_t uid, gid_t gid)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;

    return getresuid(&ru, &eu, &su) == 0 && ru == uid && eu == uid &&
        su == uid && getresgid(&rg, &eg, &sg) == 0 && rg == gid &&
        eg == gid && sg == gid;
}

void
daemon_drop_privileges(const char *user)
{
    struct passwd *pw;
    uid_t uid;
    gid_t gid;

    if (user == NULL) {
        if (geteuid() == 0)
            log_event(LOG_WARN, "running_as_root", KV_STR("msg", "started "
                "as root without --user: every file this daemon reads or "
                "writes is open to it; run it as its own account"));
        return;
    }
    errno = 0;
    if ((pw = getpwnam(user)) == NULL)
        log_fatal("privilege_drop_failed", KV_STR("user", user),
            KV_STR("error", errno != 0 ? "user lookup failed" :
            "no such user"));
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (geteuid() != 0) {
        if (!ids_are(uid, gid))
            log_fatal("privilege_drop_failed", KV_STR("user", user),
                KV_STR("error", "not running as root, and not as that "
                "user"));
        return;
    }
    if (uid == 0)
        log_fatal("privilege_drop_failed", KV_STR("user", user),
            KV_STR("error", "the user is root"));
    if (setgroups(1, &gid) == -1)
        log_fatal("privilege_drop_failed", KV_STR("user", user),
            KV_STR("step", "setgroups"), KV_ERRNO(errno));
    if (setresgid(gid, gid, gid) == -1)
        log_fatal("privilege_drop_failed", KV_STR("user", user),
            KV_STR("step", "setresgid"), KV_ERRNO(errno));
    if (setresuid(uid, uid, uid) == -1)
        log_fatal("privilege_drop_failed", KV_STR("user", user),
            KV_STR("step", "setresuid"), KV_ERRNO(errno));
    if (!ids_are(uid, gid) || setuid(0) != -1)
        log_fatal("privilege_drop_failed", KV_STR("user", user),
            KV_STR("error", "ids did not change, or root came back"));
    log_event(LOG_INFO, "privileges_dropped", KV_STR("user", user),
        KV_UINT("uid", uid), KV_UINT("gid", gid));
}

int
daemon_listen(const char *host, int port, const char *user)
{
    char err[ALEXIS_ERR_MAX];
    int fd;

    if ((fd = http_server_listen(host, port, err, sizeof(err))) == -1)
        log_fatal("startup_failed", KV_ERR(err));
    daemon_drop_privileges(user);
    return fd;
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
