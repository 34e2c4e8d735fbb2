/*
 * Who may call the simulated JSM operations API: credentials given on the
 * command line as "EMAIL:TOKEN[:SCOPE,...]" (HTTP Basic email:api_token),
 * each with its scopes, and the decision for one call: bad credentials,
 * a missing read/write scope (401 "scope does not match", as JSM answers)
 * or a missing delete scope (403, as JSM answers an API token removing a
 * tag). Pure decision code: nothing here logs or touches HTTP.
 */
#ifndef ALEXIS_SIM_JSM_AUTH_H
#define ALEXIS_SIM_JSM_AUTH_H

#include <stddef.h>

#include "compat.h"

/* Scope bits; the names are Atlassian's. */
#define JSM_SCOPE_READ      0x1u    /* read:ops-alert:jira-service-management */
#define JSM_SCOPE_WRITE     0x2u    /* write:ops-alert:jira-service-management */
#define JSM_SCOPE_DELETE    0x4u    /* delete:ops-alert:jira-service-management */
#define JSM_SCOPE_ALL       (JSM_SCOPE_READ | JSM_SCOPE_WRITE | \
    JSM_SCOPE_DELETE)

struct jsm_cred {
    char       *email;
    char       *token;
    unsigned    scopes;
};

enum jsm_auth_rc {
    JSM_AUTH_OK = 0,
    JSM_AUTH_BAD_CREDENTIALS,   /* 401 */
    JSM_AUTH_SCOPE_MISMATCH,    /* 401 "scope does not match" */
    JSM_AUTH_FORBIDDEN,         /* 403: the delete scope is missing */
};

/* Parse "EMAIL:TOKEN[:SCOPE,...]" into c (strings owned; free with
 * jsm_auth_cred_free). Without scopes the credential has all three. -1
 * with one sentence in err (which never quotes the token). */
int jsm_auth_cred_parse(const char *spec, struct jsm_cred *c, char *err,
    size_t errlen) ATTR_WUR;
/* Wipe the token, free the strings. Accepts a zeroed struct. */
void jsm_auth_cred_free(struct jsm_cred *c);

/* The scopes a call needs by its method: GET read; POST read and write
 * (JSM's write scope needs read too); DELETE the delete scope. */
unsigned jsm_auth_needed(const char *method);

/* Judge one call: email and token as presented (NULL when the request
 * had no Basic credentials), against every credential (the token is
 * compared in constant time). */
enum jsm_auth_rc jsm_auth_check(const struct jsm_cred *creds, size_t n,
    const char *email, const char *token, unsigned needed);

#endif
