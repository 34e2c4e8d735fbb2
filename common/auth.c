/*
 * Token authentication for the HTTP APIs, reading the original Alexis token
 * files: the allowed-clients list a daemon checks callers against, and the
 * runtime token it presents to the next daemon. Tokens are compared in
 * constant time, wiped when freed, and never written into error messages.
 */
#include "auth.h"

#include <sys/stat.h>

#include <pthread.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "alexis_limits.h"
#include "file.h"
#include "json.h"
#include "log.h"
#include "str.h"
#include "xmem.h"

struct auth_client {
    char   *token;      /* wiped before free */
    size_t  len;
    char   *requestor;
    struct auth_grant grant;
    bool    read_all;   /* "read_all": true: sees every client's jobs */
};

struct auth_clients {
    char               *path;
    struct file_id      id;     /* what the set was loaded from */
    struct auth_client *clients;
    size_t              n;
    pthread_mutex_t     lock;   /* update + check in auth_clients_match */
    bool                failing; /* under lock: the last reload failed */
};

/* One token file being read: its text stays (wiped at the end) so an
 * error can say where in it. where names the token object checked
 * ("token_list[3]", "runtime token"); at[0..nat) leads to the object
 * holding its "token" member. */
struct tokfile {
    const char       *path;
    char             *text;
    size_t            len;
    cJSON            *doc;
    char              where[40];    /* "" until a token object is checked */
    struct json_step  at[2];
    size_t            nat;
    char             *err;
    size_t            errlen;
};

static int tok_fail(const struct tokfile *f, const char *k1, const char *k2,
    const char *fmt, ...) ATTR_PRINTF(4, 5);

/*
 * "<path>:<line>:<col>: error: <where>: <message>", the position that of
 * member k1 (then k2 inside it; either may be NULL) of the object at
 * f->at, as the other config errors read. Returns -1.
 */
static int
tok_fail(const struct tokfile *f, const char *k1, const char *k2,
    const char *fmt, ...)
{
    struct json_step steps[4];
    char msg[ALEXIS_ERR_MAX];
    size_t n = f->nat;
    int line, col;
    va_list ap;

    memcpy(steps, f->at, f->nat * sizeof(steps[0]));
    if (k1 != NULL)
        steps[n++] = (struct json_step){ .key = k1 };
    if (k1 != NULL && k2 != NULL)
        steps[n++] = (struct json_step){ .key = k2 };
    json_offset_to_linecol(f->text, json_locate(f->text, f->len, steps, n),
        &line, &col);
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    (void)snprintf(f->err, f->errlen, "%s:%d:%d: error: %s%s%s", f->path,
        line, col, f->where, f->where[0] != '\0' ? ": " : "", msg);
    return -1;
}

/* A file that could not be read: "<path>: error: <reason>" (as cfg_load
 * says it) from the "<path>: <reason>" that file_slurp or file_id_get
 * wrote into err. Returns -1. */
static int
file_fail(const char *path, char *err, size_t errlen)
{
    char reason[ALEXIS_ERR_PART_MAX];   /* quoted in a longer line */
    size_t plen = strlen(path);

    if (strncmp(err, path, plen) != 0 || strncmp(err + plen, ": ", 2) != 0)
        return -1;
    (void)snprintf(reason, sizeof(reason), "%s", err + plen + 2);
    (void)snprintf(err, errlen, "%s: error: %s", path, reason);
    return -1;
}

static void
tokfile_close(struct tokfile *f)
{
    json_delete_wiped(f->doc);
    f->doc = NULL;
    if (f->text != NULL) {
        explicit_bzero(f->text, f->len);
        free(f->text);
        f->text = NULL;
    }
}

/*
 * Read and parse a token file into f. The parse error that
 * json_parse_located writes quotes the input near the error, which may be
 * a token: keep only its "<path>:<line>:<col>: error: invalid JSON" part.
 */
static int
tokfile_open(struct tokfile *f, const char *path, char *err, size_t errlen)
{
    char jerr[ALEXIS_ERR_MAX];
    char *near;
    size_t plen;

    memset(f, 0, sizeof(*f));
    f->path = path;
    f->err = err;
    f->errlen = errlen;
    if ((f->text = file_slurp(path, TOKEN_FILE_MAX, &f->len, err,
        errlen)) == NULL)
        return file_fail(path, err, errlen);
    if ((f->doc = json_parse_located(f->text, f->len, path, jerr,
        sizeof(jerr))) == NULL) {
        plen = strlen(path);
        near = strlen(jerr) > plen ? strstr(jerr + plen, " near '") : NULL;
        if (near != NULL)
            *near = '\0';
        else
            snprintf(jerr, sizeof(jerr), "%s: error: invalid JSON", path);
        snprintf(err, errlen, "%s", jerr);
        explicit_bzero(jerr, sizeof(jerr));
        tokfile_close(f);
        return -1;
    }
    return 0;
}

/*
 * The "id" of the {"type","requestor","description","id"} object tok (the
 * "token" member of the object at f->at), checked: a non-empty string of
 * at most TOKEN_LEN_MAX bytes with no space or control byte (such a token
 * could not be presented in a header).
 */
static const char *
token_id(const cJSON *tok, const struct tokfile *f)
{
    const char *id;
    size_t len;

    if (!cJSON_IsObject(tok)) {
        tok_fail(f, "token", NULL, "\"token\" must be an object");
        return NULL;
    }
    if ((id = json_str(tok, "id")) == NULL) {
        tok_fail(f, "token", "id", "\"id\" must be a string");
        return NULL;
    }
    len = strnlen(id, TOKEN_LEN_MAX + 1);
    if (len == 0 || len > TOKEN_LEN_MAX) {
        tok_fail(f, "token", "id", "\"id\" must be 1 to %d bytes long",
            TOKEN_LEN_MAX);
        return NULL;
    }
    if (!str_no_ctl(id, len) || memchr(id, ' ', len) != NULL) {
        tok_fail(f, "token", "id", "\"id\" must not contain spaces "
            "or control characters");
        return NULL;
    }
    return id;
}

static void
grant_clear(struct auth_grant *g)
{
    size_t i;

    for (i = 0; i < g->nrules; i++)
        free(g->rules[i]);
    free(g->rules);
    memset(g, 0, sizeof(*g));
}

/* A "rules" entry: a rule name, or a prefix of one ending in '*'. */
static bool
rule_pattern_ok(const char *s)
{
    size_t n = strlen(s), body = n > 0 && s[n - 1] == '*' ? n - 1 : n;

    return n >= 1 && n <= RULE_NAME_MAX + 1 && strspn(s,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789_.-") == body;
}

/* The token object's optional "rules" and "approve" (DESIGN §13). */
static int
grant_read(const cJSON *tok, struct auth_grant *g, const struct tokfile *f)
{
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(tok, "rules");
    const cJSON *approve = cJSON_GetObjectItemCaseSensitive(tok, "approve");
    const cJSON *it;
    size_t n;

    memset(g, 0, sizeof(*g));
    if (approve != NULL && !cJSON_IsBool(approve)) {
        return tok_fail(f, "token", "approve",
            "\"approve\" must be true or false");
    }
    g->approve = cJSON_IsTrue(approve);
    if (rules == NULL)
        return 0;
    n = cJSON_IsArray(rules) ? (size_t)cJSON_GetArraySize(rules) : 0;
    if (!cJSON_IsArray(rules) || n > GUARD_RULE_PATTERNS_MAX)
        goto bad;
    cJSON_ArrayForEach(it, rules) {
        if (!cJSON_IsString(it) || !rule_pattern_ok(it->valuestring))
            goto bad;
    }
    g->limited = true;
    g->rules = xcalloc(n == 0 ? 1 : n, sizeof(*g->rules));
    cJSON_ArrayForEach(it, rules)
        g->rules[g->nrules++] = xstrdup(it->valuestring);
    return 0;
bad:
    return tok_fail(f, "token", "rules", "\"rules\" must be an array of "
        "at most %d rule names (a name may end in '*')",
        GUARD_RULE_PATTERNS_MAX);
}

static void
clients_clear(struct auth_client *clients, size_t n)
{
    size_t i;

    if (clients == NULL)
        return;
    for (i = 0; i < n; i++) {
        if (clients[i].token != NULL) {
            explicit_bzero(clients[i].token, clients[i].len);
            free(clients[i].token);
        }
        free(clients[i].requestor);
        grant_clear(&clients[i].grant);
    }
    free(clients);
}

/* Check token_list[idx] and copy it into done[idx]; done[0..idx) are the
 * entries already accepted. Nothing is copied on error. */
static int
add_client(const cJSON *entry, size_t idx, struct auth_client *done,
    struct tokfile *f)
{
    const cJSON *tok, *ra;
    const char *id, *who;
    size_t j;

    snprintf(f->where, sizeof(f->where), "token_list[%zu]", idx);
    f->at[0] = (struct json_step){ .key = "token_list" };
    f->at[1] = (struct json_step){ .index = idx };
    f->nat = 2;
    if (!cJSON_IsObject(entry))
        return tok_fail(f, NULL, NULL, "must be an object");
    tok = cJSON_GetObjectItemCaseSensitive(entry, "token");
    if ((id = token_id(tok, f)) == NULL)
        return -1;
    who = json_str(tok, "requestor");
    if (who == NULL || *who == '\0')
        return tok_fail(f, "token", "requestor",
            "\"requestor\" must be a non-empty string");
    /* Two clients with one token would make the requestor ambiguous. */
    for (j = 0; j < idx; j++) {
        if (strcmp(done[j].token, id) == 0)
            return tok_fail(f, "token", "id",
                "same token id as token_list[%zu]", j);
    }
    if (grant_read(tok, &done[idx].grant, f) == -1)
        return -1;
    ra = cJSON_GetObjectItemCaseSensitive(tok, "read_all");
    if (ra != NULL && !cJSON_IsBool(ra))
        return tok_fail(f, "token", "read_all",
            "\"read_all\" must be true or false");
    done[idx].read_all = cJSON_IsTrue(ra);
    done[idx].len = strlen(id);
    done[idx].token = xstrdup(id);
    done[idx].requestor = xstrdup(who);
    return 0;
}

/* Parse an allowed-clients file into a fresh array. */
static int
clients_read(const char *path, struct auth_client **out, size_t *nout,
    char *err, size_t errlen)
{
    struct auth_client *clients = NULL;
    const cJSON *list, *entry;
    struct tokfile f;
    size_t n = 0, count;
    int rc = -1;

    if (tokfile_open(&f, path, err, errlen) == -1)
        return -1;
    list = cJSON_GetObjectItemCaseSensitive(f.doc, "token_list");
    if (!cJSON_IsArray(list)) {
        tok_fail(&f, "token_list", NULL, "\"token_list\" must be an array");
        goto out;
    }
    count = (size_t)cJSON_GetArraySize(list);
    if (count > TOKEN_MAX_CLIENTS) {
        tok_fail(&f, "token_list", NULL,
            "more than %d clients in \"token_list\"", TOKEN_MAX_CLIENTS);
        goto out;
    }
    clients = xcalloc(count, sizeof(*clients));
    cJSON_ArrayForEach(entry, list) {
        if (add_client(entry, n, clients, &f) == -1)
            goto out;
        n++;
    }
    *out = clients;
    *nout = n;
    clients = NULL;
    rc = 0;
out:
    clients_clear(clients, n);
    tokfile_close(&f);
    return rc;
}

struct auth_clients *
auth_clients_load(const char *path, char *err, size_t errlen)
{
    struct auth_clients *ac;

    ac = xcalloc(1, sizeof(*ac));
    ac->path = xstrdup(path);
    if (pthread_mutex_init(&ac->lock, NULL) != 0)
        abort();
    /* Identity first: if the file changes while we read it, the next
     * refresh sees a new identity and reads it again. */
    if ((file_id_get(path, &ac->id, err, errlen) == -1 &&
        file_fail(path, err, errlen) == -1) ||
        clients_read(path, &ac->clients, &ac->n, err, errlen) == -1) {
        auth_clients_free(ac);
        return NULL;
    }
    return ac;
}

void
auth_clients_free(struct auth_clients *ac)
{
    if (ac == NULL)
        return;
    clients_clear(ac->clients, ac->n);
    (void)pthread_mutex_destroy(&ac->lock);
    free(ac->path);
    free(ac);
}

/* The file's identity now; thread-safe (the path never changes). */
static int
clients_stat(const struct auth_clients *ac, struct file_id *id, char *err,
    size_t errlen)
{
    if (file_id_get(ac->path, id, err, errlen) == -1)
        return file_fail(ac->path, err, errlen);
    return 0;
}

/* Reload when id differs from what the set was read from. */
static int
clients_update(struct auth_clients *ac, const struct file_id *id, char *err,
    size_t errlen)
{
    struct auth_client *clients = NULL;
    size_t n = 0;

    if (file_id_same(id, &ac->id))
        return 0;
    if (clients_read(ac->path, &clients, &n, err, errlen) == -1)
        return -1;
    clients_clear(ac->clients, ac->n);
    ac->clients = clients;
    ac->n = n;
    ac->id = *id;
    return 0;
}

int
auth_clients_refresh(struct auth_clients *ac, char *err, size_t errlen)
{
    struct file_id id;

    if (clients_stat(ac, &id, err, errlen) == -1)
        return -1;
    return clients_update(ac, &id, err, errlen);
}

bool
auth_clients_match(struct auth_clients *ac, const char *presented,
    struct auth_match *m)
{
    char err[ALEXIS_ERR_MAX];
    struct file_id id;
    const char *who;
    int stat_rc;

    stat_rc = clients_stat(ac, &id, err, sizeof(err));
    if (pthread_mutex_lock(&ac->lock) != 0)
        return false;
    if (stat_rc == -1 || clients_update(ac, &id, err, sizeof(err)) == -1) {
        if (!ac->failing)
            log_event(LOG_WARN, "auth_refresh_failed", KV_ERR(err));
        ac->failing = true;
    } else {
        ac->failing = false;
    }
    if ((who = auth_clients_check(ac, presented)) != NULL && m != NULL) {
        m->requestor = xstrdup(who);
        m->grant = auth_clients_grant(ac, who);
        m->read_all = auth_clients_read_all(ac, who);
    }
    (void)pthread_mutex_unlock(&ac->lock);
    return who != NULL;
}

int
auth_timingsafe_streq(const char *expected, const char *presented)
{
    const unsigned char *e = (const unsigned char *)expected;
    const unsigned char *p = (const unsigned char *)presented;
    unsigned int diff = 0;
    size_t i, j = 0;

    if (expected == NULL || presented == NULL || *expected == '\0')
        return 0;
    /* One pass over expected. j stops advancing at presented's NUL, so a
     * shorter string keeps comparing against 0 and a longer one leaves a
     * non-NUL byte at j; neither branches on the data. */
    for (i = 0; e[i] != '\0'; i++) {
        diff |= (unsigned int)(e[i] ^ p[j]);
        j += (size_t)(p[j] != 0);
    }
    diff |= p[j];
    return diff == 0;
}

const char *
auth_clients_check(const struct auth_clients *ac, const char *presented)
{
    size_t i, hit = 0, found = 0, take;

    if (ac == NULL || presented == NULL || *presented == '\0' ||
        strnlen(presented, TOKEN_LEN_MAX + 1) > TOKEN_LEN_MAX)
        return NULL;
    /* Compare against every candidate, and select the match without a
     * data-dependent branch, so timing does not tell which one matched. */
    for (i = 0; i < ac->n; i++) {
        take = (size_t)auth_timingsafe_streq(ac->clients[i].token,
            presented) & (found ^ 1);
        hit |= i & ((size_t)0 - take);
        found |= take;
    }
    return found ? ac->clients[hit].requestor : NULL;
}

char *
auth_runtime_load(const char *path, char *err, size_t errlen)
{
    struct tokfile f;
    const char *id;
    char *tok = NULL;

    if (tokfile_open(&f, path, err, errlen) == -1)
        return NULL;
    snprintf(f.where, sizeof(f.where), "runtime token");
    if ((id = token_id(cJSON_GetObjectItemCaseSensitive(f.doc, "token"),
        &f)) != NULL)
        tok = xstrdup(id);
    tokfile_close(&f);
    return tok;
}

const char *
auth_presented(const char *authorization, const char *query_token)
{
    static const char scheme[] = "bearer";
    const char *p;

    if (authorization != NULL &&
        strncasecmp(authorization, scheme, sizeof(scheme) - 1) == 0) {
        p = authorization + sizeof(scheme) - 1;
        if (*p == ' ' || *p == '\t') {
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p != '\0')
                return p;
        }
    }
    if (query_token != NULL && *query_token != '\0')
        return query_token;
    return NULL;
}

int
auth_runtime_check(const char *path, char *err, size_t errlen)
{
    char *tok;

    if ((tok = auth_runtime_load(path, err, errlen)) == NULL)
        return -1;
    explicit_bzero(tok, strlen(tok));
    free(tok);
    return 0;
}

struct auth_grant *
auth_clients_grant(const struct auth_clients *ac, const char *requestor)
{
    const struct auth_grant *src = NULL;
    struct auth_grant *g;
    size_t i;

    for (i = 0; ac != NULL && i < ac->n; i++) {
        if (ac->clients[i].requestor == requestor) {
            src = &ac->clients[i].grant;
            break;
        }
    }
    g = xcalloc(1, sizeof(*g));
    if (src == NULL)
        return g;
    g->approve = src->approve;
    g->limited = src->limited;
    g->rules = xcalloc(src->nrules == 0 ? 1 : src->nrules, sizeof(*g->rules));
    for (i = 0; i < src->nrules; i++)
        g->rules[g->nrules++] = xstrdup(src->rules[i]);
    return g;
}

void
auth_grant_free(struct auth_grant *g)
{
    if (g == NULL)
        return;
    grant_clear(g);
    free(g);
}

bool
auth_grant_allows_rule(const struct auth_grant *g, const char *rule)
{
    size_t i, len;

    if (g == NULL || !g->limited)
        return true;
    for (i = 0; i < g->nrules; i++) {
        len = strlen(g->rules[i]);
        if (g->rules[i][len - 1] == '*') {
            if (strncmp(g->rules[i], rule, len - 1) == 0)
                return true;
        } else if (strcmp(g->rules[i], rule) == 0) {
            return true;
        }
    }
    return false;
}

bool
auth_clients_read_all(const struct auth_clients *ac, const char *requestor)
{
    size_t i;

    for (i = 0; ac != NULL && i < ac->n; i++) {
        if (ac->clients[i].requestor == requestor)
            return ac->clients[i].read_all;
    }
    return false;
}
