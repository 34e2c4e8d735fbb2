/*
 * --check and the passphrase (see check.h).
 */
#include "check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alexis_limits.h"
#include "auth.h"
#include "file.h"
#include "handler.h"
#include "metrics_http.h"
#include "path.h"
#include "ruledir.h"

static bool
readable(const char *cfg, const char *what, const char *path)
{
    if (access(path, R_OK) == 0)
        return true;
    fprintf(stderr, "%s: error: %s %s: %s\n", cfg, what, path,
        strerror(errno));
    return false;
}

static int
check_tokens(const struct action_handler *ah)
{
    struct auth_clients *ac;
    char err[ALEXIS_ERR_MAX];
    int bad = 0;

    if ((ac = auth_clients_load(ah->conf.tokens.allowed_clients, err,
        sizeof(err))) == NULL) {
        fprintf(stderr, "%s\n", err);
        bad = 1;
    }
    auth_clients_free(ac);
    if (metrics_http_check(ah->conf.tokens.metrics_token, err,
        sizeof(err)) == -1) {
        fprintf(stderr, "%s\n", err);
        bad = 1;
    }
    if (auth_runtime_check(ah->conf.tokens.runtime, err, sizeof(err)) ==
        -1) {
        fprintf(stderr, "%s\n", err);
        bad = 1;
    }
    return bad;
}

static int
check_ssh(const struct action_handler *ah)
{
    const struct ah_conf *c = &ah->conf;
    const char *cfg = ah->config_path;
    int bad = 0;

    if (c->development)
        return 0;
    if (c->known_hosts == NULL) {
        fprintf(stderr, "%s: error: \"action_handler.known_hosts\": "
            "required to run commands (or set development: true)\n", cfg);
        bad = 1;
    } else if (!readable(cfg, "known_hosts", c->known_hosts)) {
        bad = 1;
    }
    if (c->ssh_key != NULL && !readable(cfg, "ssh_key", c->ssh_key))
        bad = 1;
    if (c->ssh_key_passphrase_file != NULL &&
        !readable(cfg, "ssh_key_passphrase_file", c->ssh_key_passphrase_file))
        bad = 1;
    return bad;
}

static int
check_rules(struct action_handler *ah, size_t *nrules)
{
    struct rule_set *rs;
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int bad = 0;

    if ((rs = ruledir_get(ah->rules, err, sizeof(err))) == NULL) {
        fprintf(stderr, "%s: error: %s\n", ah->config_path, err);
        return 1;
    }
    for (i = 0; i < ruledir_set_error_count(rs); i++) {
        fprintf(stderr, "%s\n", ruledir_set_error_at(rs, i)->message);
        bad = 1;
    }
    *nrules = ruledir_set_count(rs);
    ruledir_set_release(rs);
    return bad;
}

int
check_config(struct action_handler *ah)
{
    char *dir;
    size_t nrules = 0;
    int bad;

    bad = check_tokens(ah);
    bad |= check_ssh(ah);
    bad |= check_rules(ah, &nrules);
    /* PostgreSQL (job_store): no file of ours; its password must be
     * readable. The server itself is not contacted by --check. */
    if (ah->conf.job_store != NULL) {
        if (ah->conf.job_store_password_file != NULL &&
            access(ah->conf.job_store_password_file, R_OK) == -1) {
            fprintf(stderr, "%s: error: job_store_password_file %s: %s\n",
                ah->config_path, ah->conf.job_store_password_file,
                strerror(errno));
            bad = 1;
        }
        goto out;
    }
    dir = path_dirname(ah->conf.db_path);
    if (access(dir, W_OK) == -1) {
        fprintf(stderr, "%s: error: db_path directory %s: %s\n",
            ah->config_path, dir, strerror(errno));
        bad = 1;
    }
    free(dir);
out:
    if (!bad)
        printf("configuration OK (%zu rules)\n", nrules);
    return bad;
}

int
check_load_passphrase(struct action_handler *ah, char *err, size_t errlen)
{
    char *p;

    if (ah->conf.ssh_key_passphrase_file == NULL)
        return 0;
    if ((p = file_first_line(ah->conf.ssh_key_passphrase_file,
        SSH_PASSPHRASE_FILE_MAX, NULL, err, errlen)) == NULL)
        return -1;
    ah->passphrase = p;
    return 0;
}
