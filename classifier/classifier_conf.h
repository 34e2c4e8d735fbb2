/*
 * The classifier's configuration: the original alexis.conf.yaml layout
 * (top-level authentication_list and a classifier: section; the other
 * daemons' sections are accepted and ignored) plus bounded tuning keys.
 */
#ifndef ALEXIS_CLASSIFIER_CONF_H
#define ALEXIS_CLASSIFIER_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "cfg_common.h"

struct classifier_conf {
    struct cfg_auth        *auth;
    size_t                  nauth;
    struct cfg_listener     listener;
    struct cfg_strmap       destinations;   /* os_type -> base URL (.../v1) */
    char                   *remediation_queue;
    char                   *investigation_queue;
    char                   *rules_dir;
    /* (new) PEM CA bundle that signs the action handlers' certificates;
     * used for https destinations only (ticket APIs keep the system's). */
    char                   *ca_file;
    bool                    development;    /* accepted; no effect here */
    bool                    debug;          /* log level debug */
    struct cfg_tokens       tokens;
    long long               workers;
    long long               queue_size;
    long long               max_body_bytes;
};

/* Load and validate path into conf (zeroed by the caller). Every error goes
 * to errs. On success the token paths are resolved and the authentication
 * entries' header lines built. Returns 0 or -1; release with
 * classifier_conf_free either way. */
int classifier_conf_load(const char *path, struct classifier_conf *conf,
    struct cfg_errors *errs) ATTR_WUR;
void classifier_conf_free(struct classifier_conf *conf);

/* The fields of the classifier: section, and what classifier_conf_load
 * does once cfg_load returned rc: API key files read, authentication
 * resolved, token paths checked and resolved. For loaders of the same
 * section from elsewhere (the config fuzz target). */
extern const struct cfg_field classifier_conf_fields[];
int classifier_conf_finish(struct classifier_conf *conf, const char *path,
    int rc, struct cfg_errors *errs) ATTR_WUR;

#endif
