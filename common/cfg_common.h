/*
 * Pieces shared by every daemon's config (the original layout): the
 * listener, token and ticket-system credential tables with their checks,
 * and the text checks the daemons' own tables use.
 */
#ifndef ALEXIS_CFG_COMMON_H
#define ALEXIS_CFG_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "compat.h"

/* Whether text is non-empty, has no control bytes and none of the bytes
 * in forbid (for values that go into a header or a quoted query). */
bool cfg_text_plain(const char *text, const char *forbid);

/* Whether text is 1..max bytes of letters, digits and the bytes in extra
 * (for values that go into a URL path or JSON as they are). */
bool cfg_text_word(const char *text, const char *extra, size_t max);

/* listener: {hostname, port, protocol, tls_cert_file, tls_key_file,
 * request_timeout, max_connections_per_client}. protocol 'https' (the
 * original's key) means the same as a certificate: HTTPS only. */
struct cfg_listener {
    char       *hostname;
    long long   port;
    char       *protocol;           /* "http", "https" or NULL */
    char       *tls_cert_file;      /* PEM; with tls_key_file: HTTPS */
    char       *tls_key_file;
    uint64_t    request_timeout_ms; /* whole-request deadline */
    long long   max_per_client;     /* connections per client address */
    struct cfg_mark mark;
};
extern const struct cfg_field cfg_listener_fields[];

/* After cfg_load: protocol https needs both TLS files, a certificate
 * needs its key (and the other way round), and protocol http contradicts
 * them. Errors name section ("classifier.listener") at the listener's
 * line. Returns 0 or -1. */
int cfg_listener_check(const struct cfg_listener *l, const char *path,
    const char *section, struct cfg_errors *errs);

/* tokens: {directory, allowed_clients, runtime, metrics_token}. After
 * cfg_tokens_resolve, the files are paths inside directory. metrics_token
 * (optional, the allowed_clients format) guards GET /metrics. */
struct cfg_tokens {
    char   *directory;
    char   *allowed_clients;
    char   *runtime;
    char   *metrics_token;
};
extern const struct cfg_field cfg_tokens_fields[];
void cfg_tokens_resolve(struct cfg_tokens *t);

/* authentication_list[] entry. headers is the original JSON-string form
 * ('{"Authorization":"GenieKey ..."}', single quotes tolerated);
 * api_key_file a file holding only the key (a Docker secret). A jsm entry
 * (DESIGN §11) has cloud_id, email and api_token_file instead (HTTP Basic
 * email:token), and may map team names to JSM team ids (teams). */
struct cfg_auth {
    char   *name;
    char   *type;           /* a ticket system's feed type (ticketsys.h) */
    char   *description;
    char   *base_url;       /* default: the module's (OpsGenie, JSM) */
    char   *headers;        /* secret */
    char   *api_key_file;
    char   *cloud_id;       /* jsm */
    char   *email;          /* jsm */
    char   *api_token_file; /* jsm */
    struct cfg_strmap teams;    /* jsm: team name -> team id */
    /* Resolved by cfg_auth_resolve: complete header lines
     * ("Authorization: GenieKey ...") for libcurl. Secret. */
    char  **header_lines;
    size_t  nheader_lines;
    struct cfg_mark mark;   /* CFG_MARK: where the entry is */
};
extern const struct cfg_field cfg_auth_fields[];

/* Validate and resolve every entry: type known, name unique, exactly one of
 * headers/api_key_file, headers a JSON object of strings, key file
 * readable; fills header_lines and the OpsGenie base_url default. Errors
 * never include secret values. Returns 0 or -1. */
int cfg_auth_resolve(struct cfg_auth *list, size_t n, const char *path,
    struct cfg_errors *errs) ATTR_WUR;

/* Read a file holding only a secret (an API key, a webhook secret; a
 * Docker secret): the whole file, surrounding white space trimmed, at most
 * max bytes, no control bytes. Caller wipes (explicit_bzero) and frees.
 * NULL with "<path>: <reason>" in err, never quoting the secret. */
char *cfg_secret_file_read(const char *path, size_t max, char *err,
    size_t errlen);

/* Release header_lines (wiping them). */
void cfg_auth_cleanup(struct cfg_auth *list, size_t n);

/* The entry whose credentials a daemon may use for a ticket of feed_type at
 * base_url (DESIGN §5): base_url NULL -> the first entry of that type;
 * otherwise the entry of that type whose base_url equals it (ignoring one
 * trailing '/'). NULL when none: the caller refuses and sends nothing. */
const struct cfg_auth *cfg_auth_find(const struct cfg_auth *list, size_t n,
    const char *feed_type, const char *base_url);

#endif
