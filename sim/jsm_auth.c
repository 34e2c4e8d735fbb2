/*
 * Credentials and scope decisions of the simulated JSM operations API.
 */
#include "jsm_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "sim_limits.h"
#include "xmem.h"

static const struct {
    const char *name;
    unsigned    bit;
} scope_names[] = {
    { "read:ops-alert:jira-service-management",     JSM_SCOPE_READ },
    { "write:ops-alert:jira-service-management",    JSM_SCOPE_WRITE },
    { "delete:ops-alert:jira-service-management",   JSM_SCOPE_DELETE },
};

static int
parse_scopes(const char *list, unsigned *out, char *err, size_t errlen)
{
    const char *p = list, *comma;
    size_t i, n;

    *out = 0;
    for (;;) {
        comma = strchr(p, ',');
        n = comma == NULL ? strlen(p) : (size_t)(comma - p);
        for (i = 0; i < NELEM(scope_names); i++) {
            if (strlen(scope_names[i].name) == n &&
                strncmp(scope_names[i].name, p, n) == 0)
                break;
        }
        if (i == NELEM(scope_names)) {
            snprintf(err, errlen, "unknown JSM scope \"%.*s\" (want "
                "read:, write: or delete:ops-alert:jira-service-management)",
                (int)(n > 64 ? 64 : n), p);
            return -1;
        }
        *out |= scope_names[i].bit;
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

int
jsm_auth_cred_parse(const char *spec, struct jsm_cred *c, char *err,
    size_t errlen)
{
    const char *colon, *tok, *end;

    memset(c, 0, sizeof(*c));
    if (strlen(spec) > SIM_KEY_LEN_MAX) {
        snprintf(err, errlen, "a JSM credential is longer than %d bytes",
            SIM_KEY_LEN_MAX);
        return -1;
    }
    colon = strchr(spec, ':');
    if (colon == NULL || colon == spec || colon[1] == '\0' ||
        colon[1] == ':') {
        snprintf(err, errlen, "a JSM credential is EMAIL:TOKEN[:SCOPE,...]");
        return -1;
    }
    tok = colon + 1;
    end = strchr(tok, ':');
    c->scopes = JSM_SCOPE_ALL;
    if (end != NULL && parse_scopes(end + 1, &c->scopes, err, errlen) == -1)
        return -1;
    c->email = xstrndup(spec, (size_t)(colon - spec));
    c->token = end == NULL ? xstrdup(tok) : xstrndup(tok,
        (size_t)(end - tok));
    return 0;
}

void
jsm_auth_cred_free(struct jsm_cred *c)
{
    if (c->token != NULL)
        explicit_bzero(c->token, strlen(c->token));
    free(c->token);
    free(c->email);
    memset(c, 0, sizeof(*c));
}

unsigned
jsm_auth_needed(const char *method)
{
    if (strcmp(method, "GET") == 0)
        return JSM_SCOPE_READ;
    if (strcmp(method, "DELETE") == 0)
        return JSM_SCOPE_DELETE;
    return JSM_SCOPE_READ | JSM_SCOPE_WRITE;
}

enum jsm_auth_rc
jsm_auth_check(const struct jsm_cred *creds, size_t n, const char *email,
    const char *token, unsigned needed)
{
    const struct jsm_cred *found = NULL;
    size_t i;

    if (email == NULL || token == NULL)
        return JSM_AUTH_BAD_CREDENTIALS;
    /* Every token is compared, so timing does not tell which matched. */
    for (i = 0; i < n; i++) {
        if (auth_timingsafe_streq(creds[i].token, token) != 0 &&
            strcmp(creds[i].email, email) == 0)
            found = &creds[i];
    }
    if (found == NULL)
        return JSM_AUTH_BAD_CREDENTIALS;
    if ((found->scopes & needed) == needed)
        return JSM_AUTH_OK;
    if ((needed & JSM_SCOPE_DELETE) != 0)
        return JSM_AUTH_FORBIDDEN;
    return JSM_AUTH_SCOPE_MISMATCH;
}
