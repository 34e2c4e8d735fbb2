/*
 * Pieces shared by every daemon's config (the original layout): the
 * listener, token and ticket-system credential tables with their checks,
 * and the text checks the daemons' own tables use. The credential entry
 * itself and its lookup are in cfg_auth.h (the ticket code reads them
 * below the ticket-system modules); its table and checks, which ask the
 * modules (ticketsys.h), are here.
 */
#ifndef ALEXIS_CFG_COMMON_H
#define ALEXIS_CFG_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "cfg_auth.h"
#include "compat.h"

/* Whether text is non-empty, has no control bytes and none of the bytes
 * in forbid (for values that go into a header or a quoted query). */
bool cfg_common_text_plain(const char *text, const char *forbid);

/* Whether text is 1..max bytes of letters, digits and the bytes in extra
 * (for values that go into a URL path or JSON as they are). */
bool cfg_common_text_word(const char *text, const char *extra, size_t max);

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
extern const struct cfg_field cfg_common_listener_fields[];

/* After cfg_load: protocol https needs both TLS files, a certificate
 * needs its key (and the other way round), and protocol http contradicts
 * them. Errors name section ("classifier.listener") at the listener's
 * line. Returns 0 or -1. */
int cfg_common_listener_check(const struct cfg_listener *l, const char *path,
    const char *section, struct cfg_errors *errs);

/* tokens: {directory, allowed_clients, runtime, metrics_token}. After
 * cfg_common_tokens_resolve, the files are paths inside directory.
 * metrics_token (optional, the allowed_clients format) guards GET /metrics. */
struct cfg_tokens {
    char   *directory;
    char   *allowed_clients;
    char   *runtime;
    char   *metrics_token;
};
extern const struct cfg_field cfg_common_tokens_fields[];
void cfg_common_tokens_resolve(struct cfg_tokens *t);

extern const struct cfg_field cfg_common_auth_fields[];

/* Validate and resolve every entry: type known, name unique, exactly one of
 * headers/api_key_file, headers a JSON object of strings, key file
 * readable; fills header_lines and the OpsGenie base_url default. Errors
 * never include secret values. Returns 0 or -1. */
int cfg_common_auth_resolve(struct cfg_auth *list, size_t n, const char *path,
    struct cfg_errors *errs) ATTR_WUR;

/* Read a file holding only a secret (an API key, a webhook secret; a
 * Docker secret): the whole file, surrounding white space trimmed, at most
 * max bytes, no control bytes. Caller wipes (explicit_bzero) and frees.
 * NULL with "<path>: <reason>" in err, never quoting the secret. */
char *cfg_common_secret_file_read(const char *path, size_t max, char *err,
    size_t errlen);

#endif
