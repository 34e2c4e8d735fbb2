/*
 * The config pieces every daemon shares, in the original Alexis layout:
 * listener, tokens and authentication_list tables, plus the post-load
 * resolution of tokens paths and of each authentication entry's credentials
 * into ready-made HTTP header lines. Nothing here echoes a secret.
 */
#include "alexis_limits.h"
#include "cfg_common.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "compat.h"
#include "file.h"
#include "path.h"
#include "str.h"
#include "ticketsys.h"
#include "xmem.h"

static int
check_protocol(const char *text, char *err, size_t errlen)
{
    if (str_eq_nocase(text, "http") || str_eq_nocase(text, "https"))
        return 0;
    snprintf(err, errlen, "expected http or https (https needs "
        "tls_cert_file and tls_key_file)");
    return -1;
}

/* Names are echoed in messages and logs: printable text only. */
static int
check_auth_name(const char *text, char *err, size_t errlen)
{
    if (!str_no_ctl(text, strlen(text))) {
        snprintf(err, errlen, "must not contain control characters");
        return -1;
    }
    return 0;
}

/* A JSM cloudId goes into the URL path: letters, digits and '-'. */
bool
cfg_common_text_plain(const char *text, const char *forbid)
{
    return *text != '\0' && str_no_ctl(text, strlen(text)) &&
        strpbrk(text, forbid) == NULL;
}

bool
cfg_common_text_word(const char *text, const char *extra, size_t max)
{
    const char *p;

    for (p = text; *p != '\0'; p++) {
        if (!isalnum((unsigned char)*p) && strchr(extra, *p) == NULL)
            return false;
    }
    return p != text && (size_t)(p - text) <= max;
}

static int
check_cloud_id(const char *text, char *err, size_t errlen)
{
    if (cfg_common_text_word(text, "-", 128))
        return 0;
    snprintf(err, errlen, "expected a cloud id (letters, digits and '-')");
    return -1;
}

/* The Basic user name: no ':' (it ends the user in email:token), no
 * control bytes. */
static int
check_email(const char *text, char *err, size_t errlen)
{
    if (cfg_common_text_plain(text, ":"))
        return 0;
    snprintf(err, errlen, "expected an e-mail address (no ':' or control "
        "characters)");
    return -1;
}

/* A JSM team id, sent as JSON data: printable, no quotes needed. */
static int
check_team_id(const char *text, char *err, size_t errlen)
{
    if (cfg_common_text_word(text, "-_", SIZE_MAX))
        return 0;
    snprintf(err, errlen, "expected a team id (letters, digits, '-', '_')");
    return -1;
}

const struct cfg_field cfg_common_listener_fields[] = {
    { .key = "hostname", .type = CFG_STR,
      .offset = offsetof(struct cfg_listener, hostname), .def = "0.0.0.0" },
    /* No default: each daemon presets its own port. */
    { .key = "port", .type = CFG_INT,
      .offset = offsetof(struct cfg_listener, port), .min = 0, .max = 65535 },
    { .key = "protocol", .type = CFG_STR, .check = check_protocol,
      .offset = offsetof(struct cfg_listener, protocol) },
    { .key = "tls_cert_file", .type = CFG_PATH,
      .offset = offsetof(struct cfg_listener, tls_cert_file) },
    { .key = "tls_key_file", .type = CFG_PATH,
      .offset = offsetof(struct cfg_listener, tls_key_file) },
    { .key = "request_timeout", .type = CFG_DURATION,
      .offset = offsetof(struct cfg_listener, request_timeout_ms),
      .min = HTTP_REQUEST_DEADLINE_MIN_MS, .max = HTTP_REQUEST_DEADLINE_MAX_MS,
      .def = XSTR(HTTP_REQUEST_DEADLINE_MS) "ms" },
    { .key = "max_connections_per_client", .type = CFG_INT,
      .offset = offsetof(struct cfg_listener, max_per_client),
      .min = 1, .max = HTTP_CONN_MAX_DEFAULT,
      .def = XSTR(HTTP_CONN_PER_IP_MAX) },
    { .key = "", .type = CFG_MARK,
      .offset = offsetof(struct cfg_listener, mark) },
    { .key = NULL },
};

int
cfg_common_listener_check(const struct cfg_listener *l, const char *path,
    const char *section, struct cfg_errors *errs)
{
    bool cert = l->tls_cert_file != NULL, key = l->tls_key_file != NULL;
    bool https = l->protocol != NULL && str_eq_nocase(l->protocol, "https");
    bool http = l->protocol != NULL && str_eq_nocase(l->protocol, "http");
    const struct cfg_mark *m = l->mark.line > 0 ? &l->mark : NULL;

    if (cert != key) {
        cfg_error_add(errs, path, m, "\"%s\": %s is set without %s",
            section, cert ? "tls_cert_file" : "tls_key_file",
            cert ? "tls_key_file" : "tls_cert_file");
        return -1;
    }
    if (https && !cert) {
        cfg_error_add(errs, path, m, "\"%s\": protocol https needs "
            "tls_cert_file and tls_key_file", section);
        return -1;
    }
    if (http && cert) {
        cfg_error_add(errs, path, m, "\"%s\": protocol http, but "
            "tls_cert_file is set (HTTPS); say https or drop the files",
            section);
        return -1;
    }
    return 0;
}

const struct cfg_field cfg_common_tokens_fields[] = {
    { .key = "directory", .type = CFG_PATH,
      .offset = offsetof(struct cfg_tokens, directory), .def = "tokens" },
    { .key = "allowed_clients", .type = CFG_STR,
      .offset = offsetof(struct cfg_tokens, allowed_clients) },
    { .key = "runtime", .type = CFG_STR,
      .offset = offsetof(struct cfg_tokens, runtime) },
    { .key = "metrics_token", .type = CFG_STR,
      .offset = offsetof(struct cfg_tokens, metrics_token) },
    { .key = NULL },
};

const struct cfg_field cfg_common_auth_fields[] = {
    { .key = "name", .type = CFG_STR, .check = check_auth_name,
      .offset = offsetof(struct cfg_auth, name), .flags = CFG_REQUIRED },
    { .key = "type", .type = CFG_STR, .check = ticketsys_check_type,
      .offset = offsetof(struct cfg_auth, type), .flags = CFG_REQUIRED },
    { .key = "description", .type = CFG_STR,
      .offset = offsetof(struct cfg_auth, description) },
    { .key = "base_url", .type = CFG_URL,
      .offset = offsetof(struct cfg_auth, base_url) },
    { .key = "headers", .type = CFG_SECRET,
      .offset = offsetof(struct cfg_auth, headers) },
    { .key = "api_key_file", .type = CFG_PATH,
      .offset = offsetof(struct cfg_auth, api_key_file) },
    { .key = "cloud_id", .type = CFG_STR, .check = check_cloud_id,
      .offset = offsetof(struct cfg_auth, cloud_id) },
    { .key = "email", .type = CFG_STR, .check = check_email,
      .offset = offsetof(struct cfg_auth, email) },
    { .key = "api_token_file", .type = CFG_PATH,
      .offset = offsetof(struct cfg_auth, api_token_file) },
    { .key = "teams", .type = CFG_STRMAP, .check = check_team_id,
      .offset = offsetof(struct cfg_auth, teams) },
    { .key = "", .type = CFG_MARK, .offset = offsetof(struct cfg_auth, mark) },
    { .key = NULL },
};

static void
tokens_join(const char *dir, char **name)
{
    char *joined;

    if (*name == NULL)
        return;
    joined = path_join(dir, *name);
    free(*name);
    *name = joined;
}

void
cfg_common_tokens_resolve(struct cfg_tokens *t)
{
    if (t->directory == NULL)
        return;
    tokens_join(t->directory, &t->allowed_clients);
    tokens_join(t->directory, &t->runtime);
    tokens_join(t->directory, &t->metrics_token);
}

/* Append the header line "name: prefix value". */
static void
add_line(struct cfg_auth *a, const char *name, const char *prefix,
    const char *value)
{
    size_t len = strlen(name) + strlen(prefix) + strlen(value) + 3;
    char *line = xmalloc(len);

    snprintf(line, len, "%s: %s%s", name, prefix, value);
    a->header_lines = xreallocarray(a->header_lines, a->nheader_lines + 1,
        sizeof(*a->header_lines));
    a->header_lines[a->nheader_lines++] = line;
}

/* A header name: non-empty, no ':', space or line break. A value (or a
 * key): no line break; control bytes only where names are concerned. */
static bool
header_text_ok(const char *s, const char *end, bool is_name)
{
    size_t n = (size_t)(end - s);

    if (is_name)
        return n > 0 && str_no_ctl(s, n) && memchr(s, ' ', n) == NULL &&
            memchr(s, ':', n) == NULL;
    return memchr(s, '\r', n) == NULL && memchr(s, '\n', n) == NULL;
}

/* cJSON frees without wiping; the strings here are credentials. */
static void
json_wipe_delete(cJSON *root)
{
    cJSON *it;

    for (it = root != NULL ? root->child : NULL; it != NULL; it = it->next) {
        if (it->string != NULL)
            explicit_bzero(it->string, strlen(it->string));
        if (cJSON_IsString(it) && it->valuestring != NULL)
            explicit_bzero(it->valuestring, strlen(it->valuestring));
    }
    cJSON_Delete(root);
}

/* headers: a JSON object of string values. The original accepted single
 * quotes ({'Authorization':'GenieKey ...'}), so they become double quotes
 * first, as the original did. */
static int
auth_headers(struct cfg_auth *a, char *err, size_t errlen)
{
    char *copy = xstrdup(a->headers), *q;
    cJSON *root = NULL, *it;
    size_t i = 1;
    int rc = -1;

    for (q = copy; *q != '\0'; q++) {
        if (*q == '\'')
            *q = '"';
    }
    root = cJSON_Parse(copy);
    if (!cJSON_IsObject(root) || root->child == NULL) {
        snprintf(err, errlen, "headers must be a non-empty JSON object");
        goto out;
    }
    for (it = root->child; it != NULL; it = it->next, i++) {
        if (!cJSON_IsString(it) || it->valuestring == NULL) {
            snprintf(err, errlen, "header %zu must have a string value", i);
            goto out;
        }
        if (!header_text_ok(it->string, it->string + strlen(it->string),
            true) || !header_text_ok(it->valuestring, it->valuestring +
            strlen(it->valuestring), false)) {
            snprintf(err, errlen, "header %zu has an empty or invalid name "
                "or a line break", i);
            goto out;
        }
        add_line(a, it->string, "", it->valuestring);
    }
    rc = 0;
out:
    json_wipe_delete(root);
    explicit_bzero(copy, strlen(copy));
    free(copy);
    return rc;
}

/* Add "Authorization: <scheme><b64(user:secret)>" (HTTP Basic), wiping
 * the plain and encoded copies. */
static void
add_basic(struct cfg_auth *a, const char *user, const char *secret)
{
    size_t plain_len = strlen(user) + 1 + strlen(secret);
    size_t b64_len = 4 * ((plain_len + 2) / 3) + 1;
    char *plain = xmalloc(plain_len + 1);
    unsigned char *b64 = xmalloc(b64_len);

    (void)snprintf(plain, plain_len + 1, "%s:%s", user, secret);
    (void)EVP_EncodeBlock(b64, (const unsigned char *)plain, (int)plain_len);
    add_line(a, "Authorization", "Basic ", (const char *)b64);
    explicit_bzero(plain, plain_len);
    explicit_bzero(b64, b64_len);
    free(plain);
    free(b64);
}

char *
cfg_common_secret_file_read(const char *path, size_t max, char *err,
    size_t errlen)
{
    const char *key, *end;
    char *text, *out = NULL;
    size_t len = 0;

    if ((text = file_slurp(path, max, &len, err, errlen)) == NULL)
        return NULL;
    key = text;
    end = text + len;
    str_trim(&key, &end);
    if (key == end || !str_no_ctl(key, (size_t)(end - key))) {
        snprintf(err, errlen, "%s: %s", path, key == end ?
            "the key file is empty" : "the key contains control bytes");
        goto out;
    }
    out = xmalloc((size_t)(end - key) + 1);
    memcpy(out, key, (size_t)(end - key));
    out[end - key] = '\0';
out:
    explicit_bzero(text, len);
    free(text);
    return out;
}

/* api_key_file (or a jsm entry's api_token_file): the whole file,
 * whitespace-trimmed, is the key. */
static int
auth_key_file(struct cfg_auth *a, const char *path, char *err, size_t errlen)
{
    const struct ticketsys *sys = ticketsys_find(a->type);
    char *key;

    if ((key = cfg_common_secret_file_read(path, AUTH_KEY_FILE_MAX, err,
        errlen)) == NULL)
        return -1;
    if (sys->basic_auth)
        add_basic(a, a->email, key);
    else
        add_line(a, "Authorization", sys->key_scheme, key);
    explicit_bzero(key, strlen(key));
    free(key);
    return 0;
}

/* Whether cfg_load accepted the entry's name and type. If not, it has
 * reported why, and resolving would only repeat it (or echo a bad name). */
static bool
auth_loaded_ok(const struct cfg_auth *a)
{
    char err[ALEXIS_ERR_MAX];

    return a->name != NULL && a->type != NULL &&
        check_auth_name(a->name, err, sizeof(err)) == 0 &&
        ticketsys_check_type(a->type, err, sizeof(err)) == 0 &&
        (a->cloud_id == NULL ||
        check_cloud_id(a->cloud_id, err, sizeof(err)) == 0) &&
        (a->email == NULL || check_email(a->email, err, sizeof(err)) == 0);
}

/* Resolve one entry; on failure err holds one sentence. */
/* A jsm entry: cloud_id, email and api_token_file, no key. */
static int
auth_basic_ok(const struct cfg_auth *a, char *err, size_t errlen)
{
    if (a->headers != NULL || a->api_key_file != NULL) {
        snprintf(err, errlen, "a %s entry takes email and api_token_file, "
            "not headers or api_key_file", a->type);
        return -1;
    }
    if (a->cloud_id == NULL || a->email == NULL || a->api_token_file == NULL) {
        snprintf(err, errlen, "a %s entry needs cloud_id, email and "
            "api_token_file", a->type);
        return -1;
    }
    return 0;
}

static int
auth_resolve_one(struct cfg_auth *a, char *err, size_t errlen)
{
    const struct ticketsys *sys;
    char *p;

    for (p = a->type; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    sys = ticketsys_find(a->type);
    if (sys->basic_auth) {
        if (auth_basic_ok(a, err, errlen) == -1)
            return -1;
    } else if (a->cloud_id != NULL || a->email != NULL ||
        a->api_token_file != NULL || a->teams.n > 0) {
        snprintf(err, errlen, "cloud_id, email, api_token_file and teams "
            "are for jsm entries");
        return -1;
    } else if ((a->headers == NULL) == (a->api_key_file == NULL)) {
        snprintf(err, errlen, "set exactly one of headers and api_key_file");
        return -1;
    }
    if (a->base_url == NULL && sys->default_base_url != NULL)
        a->base_url = xstrdup(sys->default_base_url);
    if (a->headers != NULL)
        return auth_headers(a, err, errlen);
    return auth_key_file(a, sys->basic_auth ? a->api_token_file :
        a->api_key_file, err, errlen);
}

int
cfg_common_auth_resolve(struct cfg_auth *list, size_t n, const char *path,
    struct cfg_errors *errs)
{
    char err[ALEXIS_ERR_MAX];
    size_t i, j;
    int rc = 0;

    cfg_auth_cleanup(list, n);
    for (i = 0; i < n; i++) {
        if (!auth_loaded_ok(&list[i])) {
            rc = -1;
            continue;
        }
        for (j = 0; j < i; j++) {
            if (list[j].name != NULL &&
                strcmp(list[j].name, list[i].name) == 0)
                break;
        }
        if (j < i) {
            cfg_error_add(errs, path, &list[i].mark,
                "authentication \"%s\": duplicate name (first at line %d)",
                list[i].name, list[j].mark.line);
            rc = -1;
        } else if (auth_resolve_one(&list[i], err, sizeof(err)) == -1) {
            cfg_auth_cleanup(&list[i], 1);
            cfg_error_add(errs, path, &list[i].mark,
                "authentication \"%s\": %s", list[i].name, err);
            rc = -1;
        }
    }
    return rc;
}
