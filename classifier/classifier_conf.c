/*
 * Field tables of the classifier's configuration (see conf.h). Defaults and
 * bounds live here, next to the keys they belong to; the ceilings come from
 * alexis_limits.h.
 */
#include "classifier_conf.h"

#include <stddef.h>
#include <string.h>

#include "alexis_limits.h"
#include "cfg_common.h"
#include "compat.h"
#include "url.h"

#define CC_OFF(f) offsetof(struct classifier_conf, f)

const struct cfg_field classifier_conf_fields[] = {
    { .key = "listener", .type = CFG_SECTION, .offset = CC_OFF(listener),
      .sub = cfg_common_listener_fields },
    { .key = "action_handler_destinations", .type = CFG_STRMAP,
      .offset = CC_OFF(destinations), .flags = CFG_REQUIRED,
      .check = url_check },
    { .key = "default_remediation_queue", .type = CFG_STR,
      .offset = CC_OFF(remediation_queue), .flags = CFG_REQUIRED },
    { .key = "default_investigation_queue", .type = CFG_STR,
      .offset = CC_OFF(investigation_queue), .flags = CFG_REQUIRED },
    { .key = "rules_dir", .type = CFG_PATH, .offset = CC_OFF(rules_dir),
      .def = "rules" },
    { .key = "ca_file", .type = CFG_PATH, .offset = CC_OFF(ca_file) },
    { .key = "development", .type = CFG_BOOL, .offset = CC_OFF(development),
      .def = "false" },
    { .key = "debug", .type = CFG_BOOL, .offset = CC_OFF(debug),
      .def = "false" },
    { .key = "tokens", .type = CFG_SECTION, .offset = CC_OFF(tokens),
      .sub = cfg_common_tokens_fields, .flags = CFG_REQUIRED },
    { .key = "workers", .type = CFG_INT, .offset = CC_OFF(workers),
      .min = 1, .max = CLASSIFIER_WORKERS_MAX,
      .def = XSTR(CLASSIFIER_WORKERS_DEFAULT) },
    { .key = "queue_size", .type = CFG_INT, .offset = CC_OFF(queue_size),
      .min = 1, .max = CLASSIFIER_QUEUE_MAX,
      .def = XSTR(CLASSIFIER_QUEUE_DEFAULT) },
    { .key = "max_body_bytes", .type = CFG_INT,
      .offset = CC_OFF(max_body_bytes), .min = HTTP_BODY_MAX_MIN,
      .max = HTTP_BODY_MAX_CEILING, .def = "1048576" },
    { .key = NULL },
};

static const struct cfg_field root_fields[] = {
    { .key = "version", .type = CFG_IGNORE },
    { .key = "authentication_list", .type = CFG_LIST, .offset = CC_OFF(auth),
      .sub = cfg_common_auth_fields, .elem_size = sizeof(struct cfg_auth),
      .count_offset = CC_OFF(nauth) },
    { .key = "classifier", .type = CFG_SECTION, .offset = 0,
      .sub = classifier_conf_fields, .flags = CFG_REQUIRED },
    { .key = "poller", .type = CFG_IGNORE },
    { .key = "action_handler", .type = CFG_IGNORE },
    { .key = NULL },
};

int
classifier_conf_load(const char *path, struct classifier_conf *conf,
    struct cfg_errors *errs)
{
    /* The original's default port; fields without a default keep this. */
    conf->listener.port = 8083;
    return classifier_conf_finish(conf, path,
        cfg_load(path, root_fields, conf, errs), errs);
}

int
classifier_conf_finish(struct classifier_conf *conf, const char *path,
    int rc, struct cfg_errors *errs)
{
    if (cfg_common_auth_resolve(conf->auth, conf->nauth, path, errs) == -1)
        rc = -1;
    /* Only meaningful once the file parsed: after a syntax error every
     * field is unset and these would bury the real message. */
    if (rc == 0 && conf->tokens.allowed_clients == NULL)
        cfg_error_add(errs, path, NULL,
            "\"classifier.tokens.allowed_clients\": required");
    if (rc == 0 && conf->tokens.runtime == NULL)
        cfg_error_add(errs, path, NULL,
            "\"classifier.tokens.runtime\": required");
    if (rc == 0)
        (void)cfg_common_listener_check(&conf->listener, path,
            "classifier.listener", errs);
    cfg_common_tokens_resolve(&conf->tokens);
    return errs->n == 0 && rc == 0 ? 0 : -1;
}

void
classifier_conf_free(struct classifier_conf *conf)
{
    cfg_auth_cleanup(conf->auth, conf->nauth);
    cfg_free(root_fields, conf);
}
