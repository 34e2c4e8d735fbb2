/*
 * Configuration: YAML (libyaml) into typed C structs described by field
 * tables with bounds and defaults (the Redis standardConfig idea).
 *
 * A daemon declares a root table naming every top-level key it accepts: its
 * own section (CFG_SECTION), the shared authentication_list (CFG_LIST) and
 * the other daemons' sections and original-only keys as CFG_IGNORE, so the
 * original Alexis alexis.conf.yaml files load unchanged. Unknown keys are
 * errors with a "did you mean" suggestion. All errors of a file are
 * collected in one pass (up to CFG_MAX_ERRORS) as
 *     path:line:col: error: message
 * with 1-based line and column.
 *
 * Scalars are accepted quoted or bare ('8083' and 8083 are the same int,
 * 'true' and true the same bool), as the original files quote freely.
 */
#ifndef ALEXIS_CFG_H
#define ALEXIS_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alexis_limits.h"
#include "compat.h"

enum cfg_type {
    CFG_STR,        /* char *                                            */
    CFG_INT,        /* long long, within [min, max]                      */
    CFG_BOOL,       /* bool: true/false/yes/no/on/off/1/0, quoted or not */
    CFG_DURATION,   /* uint64_t ms: 30, '30', 30s, 500ms, 5m, 2h; [min,max] ms */
    CFG_PATH,       /* char *, made absolute against the config file's dir */
    CFG_URL,        /* char *, must start http:// or https://; trailing '/' dropped */
    CFG_STRMAP,     /* struct cfg_strmap: a map of scalar -> scalar      */
    CFG_SECTION,    /* nested struct at offset, described by sub         */
    CFG_LIST,       /* array of elem_size structs described by sub;
                     * pointer at offset, size_t count at count_offset.
                     * When sub[0] is a scalar field with key "", the
                     * items are scalars stored into that field.         */
    CFG_SECRET,     /* char *, a scalar whose value is never echoed in errors */
    CFG_IGNORE,     /* accepted and not interpreted (original-only keys)  */
    CFG_MARK,       /* struct cfg_mark at offset: set to the location of the
                     * enclosing mapping. Use key "" (never matched). */
};

#define CFG_REQUIRED    0x1u

struct cfg_field {
    const char              *key;       /* NULL ends the table */
    enum cfg_type            type;
    size_t                   offset;    /* into the struct being filled */
    long long                min, max;  /* CFG_INT, CFG_DURATION (ms); CFG_LIST: max items (0 = CFG_LIST_MAX) */
    const char              *def;       /* default as YAML scalar text, or NULL */
    unsigned                 flags;
    const struct cfg_field  *sub;       /* CFG_SECTION, CFG_LIST */
    size_t                   elem_size; /* CFG_LIST */
    size_t                   count_offset; /* CFG_LIST */
    /* Optional extra check of a scalar's text (each value of a
     * CFG_STRMAP): returns -1 with one sentence in err, reported at the
     * value's location. */
    int                    (*check)(const char *text, char *err,
                                    size_t errlen);
};

/* Where a value came from, for errors a daemon finds after loading. */
struct cfg_mark {
    int line, col;  /* 1-based; 0 when the value was a default */
};

struct cfg_strmap_entry {
    char            *key;
    char            *value;
    struct cfg_mark  mark;
};

struct cfg_strmap {
    struct cfg_strmap_entry *items;
    size_t                   n;
};

struct cfg_errors {
    char    msgs[CFG_MAX_ERRORS][CFG_ERROR_MAX];
    size_t  n;
    size_t  dropped;    /* errors past CFG_MAX_ERRORS */
};

/* Parse the YAML file at path and fill out (a struct described by root)
 * from it: defaults first, then values, then required checks. Every error
 * is added to errs. Returns 0 when errs is still empty, else -1; out may be
 * partly filled either way and must be released with cfg_free. Fields
 * without a default keep whatever the caller put in out before cfg_load
 * (callers zero out and may preset values; preset strings must be heap
 * copies, as loading a value or cfg_free frees them). */
int cfg_load(const char *path, const struct cfg_field *root, void *out,
    struct cfg_errors *errs) ATTR_WUR;

/* Same from a string; path names it in errors and anchors relative paths. */
int cfg_load_string(const char *text, size_t len, const char *path,
    const struct cfg_field *root, void *out, struct cfg_errors *errs) ATTR_WUR;

/* Free every string, map and list the table owns inside out (recursively),
 * leaving out zeroed. */
void cfg_free(const struct cfg_field *root, void *out);

/* Add an error for a semantic check done after loading. mark may be NULL
 * (then "path: error: ..."). */
void cfg_error_add(struct cfg_errors *errs, const char *path,
    const struct cfg_mark *mark, const char *fmt, ...) ATTR_PRINTF(4, 5);

/* Print every error, one per line, then "N more errors" if some were
 * dropped. */
void cfg_errors_print(const struct cfg_errors *errs, FILE *fp);

/* The value for key in map, or NULL. */
const char *cfg_strmap_get(const struct cfg_strmap *map, const char *key);

/* Whether text is non-empty, has no control bytes and none of the bytes
 * in forbid (for values that go into a header or a quoted query). */
bool cfg_text_plain(const char *text, const char *forbid);

/* Whether text is 1..max bytes of letters, digits and the bytes in extra
 * (for values that go into a URL path or JSON as they are). */
bool cfg_text_word(const char *text, const char *extra, size_t max);

/* ---- Pieces shared by every daemon's config (original layout). ---- */

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
