/*
 * The action handler's configuration: the original alexis.conf.yaml layout
 * (top-level authentication_list and an action_handler: section; the other
 * daemons' sections are accepted and ignored) plus the new keys of issue 3
 * with defaults. After loading, entity_allow patterns are compiled (PCRE2)
 * so a bad pattern is a config error with its location.
 */
#ifndef ALEXIS_AH_CONF_H
#define ALEXIS_AH_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "cfg_common.h"

struct ah_pattern {
    char   *text;   /* as written */
    void   *re;     /* pcre2_code_8 *, compiled by ah_conf_load */
};

/* storm_breaker: {window: "1m", max_jobs: 20} (DESIGN §13). */
struct ah_storm {
    char                   *window;         /* as written; NULL: off */
    long long               max_jobs;
    uint64_t                window_ms;      /* window_parse of window */
};

struct ah_conf {
    struct cfg_auth        *auth;
    size_t                  nauth;
    struct cfg_listener     listener;
    char                   *ssh_key;
    char                   *ssh_user;
    char                   *ssh_key_passphrase_file;
    char                   *known_hosts;
    char                   *rules_dir;
    char                   *db_path;
    /* job_store: a path, sqlite:///path or postgresql://… (DESIGN §14);
     * after loading, the SQLite path is in db_path and job_store is NULL
     * unless it names a PostgreSQL server. */
    char                   *job_store;
    char                   *job_store_password_file;
    uint64_t                job_retention_ms;
    uint64_t                job_lease_ms;
    bool                    development;    /* dry run */
    bool                    debug;
    struct cfg_tokens       tokens;
    long long               workers;
    long long               report_workers;
    long long               parallel;
    uint64_t                connect_timeout_ms;
    uint64_t                command_timeout_ms;
    long long               output_max;
    uint64_t                idempotency_window_ms;
    struct ah_pattern      *entity_allow;
    size_t                  nentity_allow;
    bool                    allow_request_commands;
    long long               max_entities;   /* per job */
    long long               queue_max;      /* queued jobs */
    long long               client_max_jobs; /* unfinished, per client */
    long long               max_body_bytes;
    struct ah_storm         storm;
    char                   *investigation_queue;    /* skips go here */
};

/* Load and validate path into conf (zeroed by the caller). Every error goes
 * to errs. Returns 0 or -1; release with ah_conf_free either way. */
int ah_conf_load(const char *path, struct ah_conf *conf,
    struct cfg_errors *errs) ATTR_WUR;
void ah_conf_free(struct ah_conf *conf);

#endif
