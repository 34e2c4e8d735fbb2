/*
 * Token authentication, original Alexis file formats:
 *   allowed clients: {"token_list":[{"token":{"type","requestor",
 *                     "description","id"}}, ...]}
 *   runtime token:   {"token":{"type","requestor","description","id"}}
 * A request presents its token as "Authorization: Bearer <id>" or
 * "?token=<id>" (the original's form). Comparison is constant-time over the
 * full length of every candidate; the requestor's name, never the token,
 * goes to logs. Errors about a file read as every config error does:
 * "<path>:<line>:<col>: error: <message>" (the position of the offending
 * member), or "<path>: error: <reason>" for a file that cannot be read;
 * --check prints them as they are.
 */
#ifndef ALEXIS_AUTH_H
#define ALEXIS_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

struct auth_clients;

/* What a client may do beyond calling (DESIGN §13), from its token object:
 * "rules": [names, or prefixes ending in '*'] it may run (absent: every
 * rule) and "approve": true to approve or reject jobs. */
struct auth_grant {
    bool    limited;        /* a "rules" list was given */
    char  **rules;
    size_t  nrules;
    bool    approve;
};

/* Load an allowed-clients file. The set remembers the file's identity
 * (inode, size, mtime) so auth_clients_refresh can reload it cheaply.
 * NULL with one sentence in err (never containing a token). */
struct auth_clients *auth_clients_load(const char *path, char *err,
    size_t errlen);
void auth_clients_free(struct auth_clients *ac);

/* Reload the file if stat(2) says it changed. On a failed reload the old set
 * is kept and -1 is returned with err filled. Not thread-safe, and with
 * auth_clients_check a caller's own pair: threads use auth_clients_match. */
int auth_clients_refresh(struct auth_clients *ac, char *err, size_t errlen)
    ATTR_WUR;

/* What auth_clients_match copies out for a matching token. */
struct auth_match {
    char               *requestor;  /* the client's name (owned) */
    struct auth_grant  *grant;      /* its rights (owned: auth_grant_free) */
    bool                read_all;   /* may read every client's jobs */
};

/*
 * The thread-safe way in, for every request: reload the set if its file
 * changed, then check presented. The stat(2) is made before the set's own
 * lock is taken, so no thread waits on another's system call; a failed
 * reload keeps the old set and is logged (auth_refresh_failed) once per
 * failing streak. True on a match, with m (when not NULL) filled.
 */
bool auth_clients_match(struct auth_clients *ac, const char *presented,
    struct auth_match *m);

/* The requestor name of the client whose token equals presented, or NULL.
 * Constant time with respect to the tokens' contents. Borrowed until the
 * next refresh or free. */
const char *auth_clients_check(const struct auth_clients *ac,
    const char *presented);

/* A copy of the grant of the client auth_clients_check returned requestor
 * for (the pointer it returned, before the next refresh); a grant allowing
 * every rule and no approval when none matches. Caller frees with
 * auth_grant_free (accepts NULL). */
struct auth_grant *auth_clients_grant(const struct auth_clients *ac,
    const char *requestor);
void auth_grant_free(struct auth_grant *g);

/* Whether g (NULL: unrestricted) lets its client run the rule. */
bool auth_grant_allows_rule(const struct auth_grant *g, const char *rule);
/* Whether the client auth_clients_check returned requestor for (that
 * pointer, before the next refresh) has "read_all": true in its token
 * object: it may read every client's jobs, not only its own. */
bool auth_clients_read_all(const struct auth_clients *ac,
    const char *requestor);

/* Read the runtime token id from a runtime token file (caller frees and
 * should wipe with explicit_bzero). NULL with err on failure. */
char *auth_runtime_load(const char *path, char *err, size_t errlen);

/* Whether the runtime token file is readable and valid (the token is read,
 * then wiped at once). 0, or -1 with err. */
int auth_runtime_check(const char *path, char *err, size_t errlen) ATTR_WUR;

/* The token presented by a request: the value after "Bearer " (any case)
 * in authorization, else query_token, else NULL. Borrowed from inputs. */
const char *auth_presented(const char *authorization, const char *query_token);

/* Constant-time equality of two NUL-terminated strings: time depends only on
 * the length of expected. */
int auth_timingsafe_streq(const char *expected, const char *presented);

#endif
