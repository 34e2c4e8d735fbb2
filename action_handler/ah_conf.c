/*
 * Field tables of the action handler's configuration (see conf.h).
 * Defaults and bounds live here, next to their keys; the ceilings come from
 * alexis_limits.h.
 */
#include "ah_conf.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "alexis_limits.h"
#include "cfg_common.h"
#include "compat.h"
#include "jobs_store.h"
#include "path.h"
#include "window.h"
#include "xmem.h"

#define AC_OFF(f) offsetof(struct ah_conf, f)
/* AH_BODY_MAX_DEFAULT as the default's text (it is an expression). */
#define AH_BODY_MAX_DEFAULT_TEXT    "1310784"
_Static_assert(AH_BODY_MAX_DEFAULT == 1310784,
    "AH_BODY_MAX_DEFAULT_TEXT must match AH_BODY_MAX_DEFAULT");

#define PATTERN_FLAGS (PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF)

/* Validate one entity_allow pattern while loading, so a bad one is
 * reported at its own line and column. */
static int
check_pattern(const char *text, char *err, size_t errlen)
{
    PCRE2_UCHAR msg[256];
    PCRE2_SIZE off;
    pcre2_code *re;
    int code;

    if (*text == '\0' || strlen(text) > RULE_REGEX_MAX) {
        snprintf(err, errlen, "empty or longer than %d bytes",
            RULE_REGEX_MAX);
        return -1;
    }
    if ((re = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED,
        PATTERN_FLAGS, &code, &off, NULL)) == NULL) {
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, errlen, "bad regex at offset %zu: %s", (size_t)off,
            (const char *)msg);
        return -1;
    }
    pcre2_code_free(re);
    return 0;
}

static const struct cfg_field pattern_fields[] = {
    { .key = "", .type = CFG_STR, .offset = offsetof(struct ah_pattern,
      text), .check = check_pattern },
    { .key = NULL },
};

static int
check_window(const char *text, char *err, size_t errlen)
{
    const char *errstr;
    uint64_t ms;

    if (window_parse(text, GUARD_WINDOW_MAX_MS, &ms, &errstr) == -1) {
        snprintf(err, errlen, "expected a window like \"1m\", \"30s\" or "
            "\"1h\" (%s)", errstr);
        return -1;
    }
    return 0;
}

static const struct cfg_field storm_fields[] = {
    { .key = "window", .type = CFG_STR, .offset = offsetof(struct ah_storm,
      window), .check = check_window, .flags = CFG_REQUIRED },
    { .key = "max_jobs", .type = CFG_INT, .offset = offsetof(struct ah_storm,
      max_jobs), .min = 1, .max = GUARD_STORM_MAX_JOBS,
      .flags = CFG_REQUIRED },
    { .key = NULL },
};

static const struct cfg_field ah_fields[] = {
    { .key = "listener", .type = CFG_SECTION, .offset = AC_OFF(listener),
      .sub = cfg_common_listener_fields },
    { .key = "ssh_key", .type = CFG_PATH, .offset = AC_OFF(ssh_key) },
    { .key = "ssh_user", .type = CFG_STR, .offset = AC_OFF(ssh_user) },
    { .key = "ssh_key_passphrase_file", .type = CFG_PATH,
      .offset = AC_OFF(ssh_key_passphrase_file) },
    { .key = "known_hosts", .type = CFG_PATH, .offset = AC_OFF(known_hosts) },
    { .key = "rules_dir", .type = CFG_PATH, .offset = AC_OFF(rules_dir),
      .def = "rules" },
    { .key = "db_path", .type = CFG_PATH, .offset = AC_OFF(db_path),
      .def = "action_handler.db" },
    { .key = "job_store", .type = CFG_STR, .offset = AC_OFF(job_store),
      .check = jobs_store_check },
    { .key = "job_store_password_file", .type = CFG_PATH,
      .offset = AC_OFF(job_store_password_file) },
    { .key = "job_retention", .type = CFG_DURATION,
      .offset = AC_OFF(job_retention_ms), .min = AH_RETENTION_MIN_MS,
      .max = AH_RETENTION_MAX_MS, .def = AH_RETENTION_DEFAULT },
    { .key = "job_lease", .type = CFG_DURATION,
      .offset = AC_OFF(job_lease_ms), .min = AH_LEASE_MIN_MS,
      .max = AH_LEASE_MAX_MS, .def = AH_LEASE_DEFAULT },
    { .key = "development", .type = CFG_BOOL, .offset = AC_OFF(development),
      .def = "false" },
    { .key = "debug", .type = CFG_BOOL, .offset = AC_OFF(debug),
      .def = "false" },
    { .key = "tokens", .type = CFG_SECTION, .offset = AC_OFF(tokens),
      .sub = cfg_common_tokens_fields, .flags = CFG_REQUIRED },
    { .key = "workers", .type = CFG_INT, .offset = AC_OFF(workers),
      .min = 1, .max = AH_WORKERS_MAX, .def = XSTR(AH_WORKERS_DEFAULT) },
    { .key = "report_workers", .type = CFG_INT,
      .offset = AC_OFF(report_workers), .min = 1, .max = AH_WORKERS_MAX,
      .def = XSTR(AH_REPORT_WORKERS_DEFAULT) },
    { .key = "parallel", .type = CFG_INT, .offset = AC_OFF(parallel),
      .min = 1, .max = AH_PARALLEL_MAX, .def = XSTR(AH_PARALLEL_DEFAULT) },
    { .key = "connect_timeout", .type = CFG_DURATION,
      .offset = AC_OFF(connect_timeout_ms), .min = SSH_TIMEOUT_MS_MIN,
      .max = SSH_CONNECT_TIMEOUT_MS_MAX, .def = "10s" },
    { .key = "command_timeout", .type = CFG_DURATION,
      .offset = AC_OFF(command_timeout_ms), .min = SSH_TIMEOUT_MS_MIN,
      .max = SSH_TIMEOUT_MS_MAX, .def = "60s" },
    { .key = "output_max", .type = CFG_INT, .offset = AC_OFF(output_max),
      .min = SSH_OUTPUT_MAX_MIN, .max = SSH_OUTPUT_MAX_CEILING,
      .def = "65536" },
    { .key = "idempotency_window", .type = CFG_DURATION,
      .offset = AC_OFF(idempotency_window_ms), .min = 0,
      .max = AH_IDEMPOTENCY_MAX_MS, .def = "1h" },
    { .key = "entity_allow", .type = CFG_LIST, .offset = AC_OFF(entity_allow),
      .sub = pattern_fields, .elem_size = sizeof(struct ah_pattern),
      .count_offset = AC_OFF(nentity_allow), .max = AH_ENTITY_ALLOW_MAX },
    { .key = "max_entities", .type = CFG_INT, .offset = AC_OFF(max_entities),
      .min = 1, .max = RULE_ENTITIES_MAX,
      .def = XSTR(AH_MAX_ENTITIES_DEFAULT) },
    { .key = "queue_max", .type = CFG_INT, .offset = AC_OFF(queue_max),
      .min = 1, .max = AH_QUEUE_MAX_CEILING,
      .def = XSTR(AH_QUEUE_MAX_DEFAULT) },
    { .key = "client_max_jobs", .type = CFG_INT,
      .offset = AC_OFF(client_max_jobs), .min = 1,
      .max = AH_QUEUE_MAX_CEILING, .def = XSTR(AH_CLIENT_JOBS_DEFAULT) },
    { .key = "allow_request_commands", .type = CFG_BOOL,
      .offset = AC_OFF(allow_request_commands), .def = "false" },
    { .key = "max_body_bytes", .type = CFG_INT,
      .offset = AC_OFF(max_body_bytes), .min = HTTP_BODY_MAX_MIN,
      .max = HTTP_BODY_MAX_CEILING, .def = AH_BODY_MAX_DEFAULT_TEXT },
    { .key = "storm_breaker", .type = CFG_SECTION, .offset = AC_OFF(storm),
      .sub = storm_fields },
    { .key = "investigation_queue", .type = CFG_STR,
      .offset = AC_OFF(investigation_queue),
      .def = "queue_needsinvestigation" },
    { .key = NULL },
};

static const struct cfg_field root_fields[] = {
    { .key = "version", .type = CFG_IGNORE },
    { .key = "authentication_list", .type = CFG_LIST, .offset = AC_OFF(auth),
      .sub = cfg_common_auth_fields, .elem_size = sizeof(struct cfg_auth),
      .count_offset = AC_OFF(nauth) },
    { .key = "action_handler", .type = CFG_SECTION, .offset = 0,
      .sub = ah_fields, .flags = CFG_REQUIRED },
    { .key = "poller", .type = CFG_IGNORE },
    { .key = "classifier", .type = CFG_IGNORE },
    { .key = NULL },
};

/* Compile every entity_allow pattern anchored at both ends: an entity must
 * match a pattern as a whole, never a part of it. */
static void
compile_patterns(struct ah_conf *conf)
{
    PCRE2_SIZE off;
    size_t i;
    int code;

    /* check_pattern already reported bad patterns at their location while
     * loading; a pattern that does not compile here is one of those. */
    for (i = 0; i < conf->nentity_allow; i++) {
        struct ah_pattern *p = &conf->entity_allow[i];

        if (p->text != NULL)
            p->re = pcre2_compile((PCRE2_SPTR)p->text,
                PCRE2_ZERO_TERMINATED, PATTERN_FLAGS, &code, &off, NULL);
    }
}

/* job_store naming SQLite replaces db_path (relative to the config
 * file's directory, as every path); PostgreSQL stays in job_store. */
static void
resolve_store(struct ah_conf *conf, const char *path)
{
    char *dir;

    if (conf->job_store == NULL || jobs_store_is_pg(conf->job_store))
        return;
    dir = path_dirname(path);
    free(conf->db_path);
    conf->db_path = path_join(dir, jobs_store_sqlite_path(conf->job_store));
    free(dir);
    free(conf->job_store);
    conf->job_store = NULL;
}

int
ah_conf_load(const char *path, struct ah_conf *conf, struct cfg_errors *errs)
{
    const char *errstr;
    int rc;

    /* The original's default port; fields without a default keep this. */
    conf->listener.port = 8084;
    rc = cfg_load(path, root_fields, conf, errs);
    if (cfg_common_auth_resolve(conf->auth, conf->nauth, path, errs) == -1)
        rc = -1;
    if (conf->tokens.allowed_clients == NULL)
        cfg_error_add(errs, path, NULL,
            "\"action_handler.tokens.allowed_clients\": required");
    if (conf->tokens.runtime == NULL)
        cfg_error_add(errs, path, NULL,
            "\"action_handler.tokens.runtime\": required");
    if (!conf->development && conf->ssh_user == NULL)
        cfg_error_add(errs, path, NULL,
            "\"action_handler.ssh_user\": required unless development "
            "is true");
    if (!conf->development && conf->ssh_key == NULL)
        cfg_error_add(errs, path, NULL,
            "\"action_handler.ssh_key\": required unless development "
            "is true");
    if (rc == 0)
        (void)cfg_common_listener_check(&conf->listener, path,
            "action_handler.listener", errs);
    cfg_common_tokens_resolve(&conf->tokens);
    resolve_store(conf, path);
    compile_patterns(conf);
    if (conf->storm.window != NULL && window_parse(conf->storm.window,
        GUARD_WINDOW_MAX_MS, &conf->storm.window_ms, &errstr) == -1)
        conf->storm.window_ms = 0;  /* reported by check_window */
    return errs->n == 0 && rc == 0 ? 0 : -1;
}

void
ah_conf_free(struct ah_conf *conf)
{
    size_t i;

    for (i = 0; i < conf->nentity_allow; i++) {
        pcre2_code_free(conf->entity_allow[i].re);
        conf->entity_allow[i].re = NULL;
    }
    cfg_auth_cleanup(conf->auth, conf->nauth);
    cfg_free(root_fields, conf);
}
