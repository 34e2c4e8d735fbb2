/*
 * alexis-sim: a stateful stand-in for the OpsGenie Alert API v2, the JSM
 * operations alert API and the Dynatrace problems API v1/v2, for tests,
 * benchmarks and the local demo. This file is
 * the table of contents: arguments, logging, seed, listen, wait for
 * SIGTERM/SIGINT, shut down. The logic lives in the alexis_sim library.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "admin.h"
#include "alexis_limits.h"
#include "daemon.h"
#include "http_client.h"
#include "json.h"
#include "log.h"
#include "sim.h"
#include "sim_dispatch.h"
#include "str.h"

/* The sample configurations' keys, so they work against the simulator. */
#define SAMPLE_GENIE_KEY "11111111-2222-4333-8444-555555555555"
#define SAMPLE_DT_TOKEN "dt0c01.SAMPLEPUBLICPART0000000.SAMPLESECRETPART" \
    "0000000000000000000000000000000000000000000000000"
/* JSM: a sample site and user whose API token has read and write but no
 * delete scope, as Atlassian API tokens have (api/jsm-ops.md). */
#define SAMPLE_JSM_CLOUD_ID "5e1f0c2a-9b7d-4c3e-8a6f-0d2b4c6e8a10"
#define SAMPLE_JSM_USER "alexis@example.com:ATATT3xFfGF0SAMPLEJSMTOKEN" \
    "000000000000000000000000:read:ops-alert:jira-service-management," \
    "write:ops-alert:jira-service-management"

struct args {
    const char         *host;
    int                 port;
    bool                allow_remote;
    bool                check;
    enum log_level      level;
    const char         *rates[8];
    size_t              nrates;
    struct sim_opts     sim;
};

static void
usage(void)
{
    fprintf(stderr, "usage: alexis-sim [--host ADDR] [--port N] "
        "[--seed FILE] [--genie-key K]... [--dt-token T[:SCOPE,...]]...\n"
        "  [--jsm-user EMAIL:TOKEN[:SCOPE,...]]... [--jsm-cloud-id ID] "
        "[--jsm-notes-202]\n"
        "  [--apply-delay-ms N] [--max-alerts N] [--max-problems N] "
        "[--max-notes N]\n  [--max-comments N] [--rate-limit "
        "DOMAIN=RATE[/BURST]]...\n"
        "  [--allow-remote] [--log-level debug|info|warn] [--check]\n");
    exit(2);
}

static uint64_t
num_arg(const char *name, const char *v, uint64_t min, uint64_t max)
{
    const char *errstr;
    uint64_t n;

    if (str_to_u64(v, min, max, &n, &errstr) == -1) {
        fprintf(stderr, "alexis-sim: --%s %s: %s\n", name, v, errstr);
        exit(2);
    }
    return n;
}

static void
parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        { "host", 1, NULL, 'h' }, { "port", 1, NULL, 'p' },
        { "seed", 1, NULL, 's' }, { "genie-key", 1, NULL, 'g' },
        { "dt-token", 1, NULL, 't' }, { "apply-delay-ms", 1, NULL, 'd' },
        { "max-alerts", 1, NULL, 'A' }, { "max-problems", 1, NULL, 'P' },
        { "max-notes", 1, NULL, 'N' }, { "max-comments", 1, NULL, 'C' },
        { "rate-limit", 1, NULL, 'r' }, { "allow-remote", 0, NULL, 'R' },
        { "check", 0, NULL, 'c' },
        { "log-level", 1, NULL, 'l' }, { "jsm-user", 1, NULL, 'u' },
        { "jsm-cloud-id", 1, NULL, 'j' }, { "jsm-notes-202", 0, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    struct store_opts *so = &a->sim.store;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'h': a->host = optarg; break;
        case 'p': a->port = (int)num_arg("port", optarg, 0, 65535); break;
        case 's': a->sim.seed_path = optarg; break;
        case 'g':
            if (a->sim.ngenie_keys >= SIM_KEYS_MAX ||
                strlen(optarg) > SIM_KEY_LEN_MAX)
                usage();
            a->sim.genie_keys[a->sim.ngenie_keys++] = optarg;
            break;
        case 't':
            if (a->sim.ndt_tokens >= SIM_KEYS_MAX ||
                strlen(optarg) > SIM_KEY_LEN_MAX)
                usage();
            a->sim.dt_tokens[a->sim.ndt_tokens++] = optarg;
            break;
        case 'u':
            if (a->sim.njsm_users >= SIM_KEYS_MAX)
                usage();
            a->sim.jsm_users[a->sim.njsm_users++] = optarg;
            break;
        case 'j':
            if (optarg[0] == '\0' || strlen(optarg) > SIM_JSM_CLOUD_ID_MAX ||
                strchr(optarg, '/') != NULL)
                usage();
            a->sim.jsm_cloud_id = optarg;
            break;
        case 'n': a->sim.jsm_notes_202 = true; break;
        case 'd':
            so->apply_delay_ms = (unsigned)num_arg("apply-delay-ms", optarg,
                0, SIM_APPLY_DELAY_MAX_MS);
            break;
        case 'A': so->alerts_max = num_arg("max-alerts", optarg, 1,
            SIM_OBJECTS_MAX_CEILING); break;
        case 'P': so->problems_max = num_arg("max-problems", optarg, 1,
            SIM_OBJECTS_MAX_CEILING); break;
        case 'N': so->notes_max = num_arg("max-notes", optarg, 1,
            SIM_ANNOTATIONS_MAX_CEILING); break;
        case 'C': so->comments_max = num_arg("max-comments", optarg, 1,
            SIM_ANNOTATIONS_MAX_CEILING); break;
        case 'r':
            if (a->nrates >= NELEM(a->rates))
                usage();
            a->rates[a->nrates++] = optarg;
            break;
        case 'R': a->allow_remote = true; break;
        case 'c': a->check = true; break;
        case 'l':
            a->level = strcmp(optarg, "debug") == 0 ? LOG_DEBUG :
                strcmp(optarg, "warn") == 0 ? LOG_WARN : LOG_INFO;
            break;
        default: usage();
        }
    }
    if (optind != argc)
        usage();
}

static void
defaults(struct args *a)
{
    memset(a, 0, sizeof(*a));
    a->host = "127.0.0.1";
    a->port = 8090;
    a->level = LOG_INFO;
    a->sim.store.alerts_max = SIM_ALERTS_MAX_DEFAULT;
    a->sim.store.problems_max = SIM_PROBLEMS_MAX_DEFAULT;
    a->sim.store.notes_max = SIM_NOTES_MAX_DEFAULT;
    a->sim.store.comments_max = SIM_COMMENTS_MAX_DEFAULT;
    a->sim.store.apply_delay_ms = SIM_APPLY_DELAY_DEFAULT_MS;
    a->sim.jsm_cloud_id = SAMPLE_JSM_CLOUD_ID;
}

static bool
is_loopback(const char *host)
{
    unsigned char v4[4], v6[16];
    static const unsigned char lo6[16] = { [15] = 1 };

    if (inet_pton(AF_INET, host, v4) == 1)
        return v4[0] == 127;
    return inet_pton(AF_INET6, host, v6) == 1 &&
        memcmp(v6, lo6, sizeof(v6)) == 0;
}

int
main(int argc, char **argv)
{
    struct sim_http *srv;
    struct sim *sim;
    struct args a;
    size_t i, na = 0, np = 0;
    sigset_t set;
    char err[ALEXIS_ERR_MAX];

    defaults(&a);
    parse_args(argc, argv, &a);
    log_init("sim", a.level, 2);
    json_init();
    if (http_client_global_init() != 0)
        log_fatal("start_failed", KV_STR("error", "curl_global_init"));
    if (a.sim.ngenie_keys == 0)
        a.sim.genie_keys[a.sim.ngenie_keys++] = SAMPLE_GENIE_KEY;
    if (a.sim.ndt_tokens == 0)
        a.sim.dt_tokens[a.sim.ndt_tokens++] = SAMPLE_DT_TOKEN;
    if (a.sim.njsm_users == 0)
        a.sim.jsm_users[a.sim.njsm_users++] = SAMPLE_JSM_USER;
    if (!is_loopback(a.host) && !a.allow_remote)
        log_fatal("config_invalid", KV_STR("host", a.host),
            KV_STR("msg", "refusing a non-loopback address without "
            "--allow-remote"));
    /* Signals are blocked in every thread; main takes them (sigwait). */
    daemon_signals_block(&set);
    if ((sim = sim_new(&a.sim, err, sizeof(err))) == NULL)
        log_fatal("start_failed", KV_ERR(err));
    for (i = 0; i < a.nrates; i++) {
        if (faults_parse_rate(sim->faults, a.rates[i], err,
            sizeof(err)) == -1)
            log_fatal("config_invalid", KV_ERR(err));
    }
    if (a.sim.seed_path != NULL) {
        if (admin_seed_load(sim, a.sim.seed_path, &na, &np, err,
            sizeof(err)) == -1)
            log_fatal("seed_failed", KV_ERR(err));
        log_event(LOG_INFO, "seed_loaded", KV_STR("path", a.sim.seed_path),
            KV_UINT("alerts", na), KV_UINT("problems", np));
    }
    if (a.check) {
        printf("configuration OK\n");
        sim_free(sim);
        return 0;
    }
    if ((srv = sim_http_start(a.host, a.port, sim_dispatch, sim, err,
        sizeof(err))) == NULL)
        log_fatal("listen_failed", KV_ERR(err));
    log_event(LOG_INFO, "listening", KV_STR("host", a.host),
        KV_INT("port", sim_http_port(srv)),
        KV_UINT("genie_keys", a.sim.ngenie_keys),
        KV_UINT("dt_tokens", a.sim.ndt_tokens),
        KV_UINT("jsm_users", a.sim.njsm_users),
        KV_UINT("apply_delay_ms", a.sim.store.apply_delay_ms));
    daemon_signals_wait(&set);
    atomic_store(&sim->stopping, true);
    sim_http_stop(srv);
    sim_free(sim);
    log_event(LOG_INFO, "stopped", KV_STR("reason", "signal"));
    return 0;
}
