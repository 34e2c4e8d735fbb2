/*
 * Entity resolution and validation (see entities.h).
 */
#include "entities.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <arpa/inet.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "ah_conf.h"
#include "alert.h"
#include "alexis_limits.h"
#include "json.h"
#include "rules.h"
#include "str.h"
#include "xmem.h"

/* About how many bytes of an entity an error message quotes. */
#define QUOTE_MAX           80

static void
list_add(struct entity_list *l, const char *text)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].text, text) == 0)
            return;
    }
    l->items = xreallocarray(l->items, l->n + 1, sizeof(*l->items));
    memset(&l->items[l->n], 0, sizeof(l->items[0]));
    l->items[l->n].text = xstrdup(text);
    l->items[l->n].port = ENTITY_PORT_DEFAULT;
    l->n++;
}

static void
path_text(const struct rule *r, char *buf, size_t len)
{
    size_t i, o = 0;

    buf[0] = '\0';
    for (i = 0; i < r->nkeyvalue && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "." : "",
            r->entity_keyvalue[i]);
}

static int
from_value(const struct rule *r, const cJSON *v, struct entity_list *out,
    char *err, size_t errlen)
{
    const cJSON *it;
    char path[256];

    path_text(r, path, sizeof(path));
    if (cJSON_IsString(v)) {
        list_add(out, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        if (cJSON_GetArraySize(v) > RULE_ENTITIES_MAX) {
            snprintf(err, errlen, "entity_keyvalue %s holds more than %d "
                "entities", path, RULE_ENTITIES_MAX);
            return -1;
        }
        cJSON_ArrayForEach(it, v) {
            if (!cJSON_IsString(it)) {
                snprintf(err, errlen, "entity_keyvalue %s: array items "
                    "must be strings", path);
                return -1;
            }
            list_add(out, it->valuestring);
        }
    } else {
        snprintf(err, errlen, "entity_keyvalue %s is neither a string nor "
            "an array of strings", path);
        return -1;
    }
    if (out->n == 0) {
        snprintf(err, errlen, "entity_keyvalue %s is empty", path);
        return -1;
    }
    return 0;
}

int
entities_resolve(const struct rule *r, const cJSON *doc,
    struct entity_list *out, char *err, size_t errlen)
{
    const cJSON *v;
    char path[256];
    size_t i;

    if (r->entity_type == RULE_ENTITY_EXPLICIT) {
        for (i = 0; i < r->nentities; i++)
            list_add(out, r->entities[i]);
        if (out->n == 0) {
            snprintf(err, errlen, "rule %s lists no entities", r->name);
            return -1;
        }
        return 0;
    }
    v = alert_path_list(doc, (const char *const *)r->entity_keyvalue,
        r->nkeyvalue);
    if (v == NULL) {
        path_text(r, path, sizeof(path));
        snprintf(err, errlen, "entity_keyvalue path %s not found in the "
            "alert", path);
        return -1;
    }
    return from_value(r, v, out, err, errlen);
}

/* RFC 1123 host name: dot-separated labels of letters, digits and '-',
 * 1-63 bytes, not starting or ending with '-'; at most 253 bytes. The last
 * label must not be all digits (that would be a malformed IPv4). */
static bool
valid_hostname(const char *s)
{
    size_t len = strlen(s), lab = 0;
    bool digits = true;
    size_t i;

    if (len == 0 || len > DNS_NAME_MAX)
        return false;
    for (i = 0; i <= len; i++) {
        char c = s[i];

        if (c == '.' || c == '\0') {
            if (lab == 0 || s[i - 1] == '-')
                return false;
            if (c == '\0')
                return !digits;
            lab = 0;
            digits = true;
            continue;
        }
        if (!isalnum((unsigned char)c) && c != '-')
            return false;
        if (c == '-' && lab == 0)
            return false;
        if (!isdigit((unsigned char)c))
            digits = false;
        if (++lab > DNS_LABEL_MAX)
            return false;
    }
    return false;
}

static int
parse_port(const char *s, int *port)
{
    const char *errstr;
    uint64_t v;

    if (str_to_u64(s, 1, 65535, &v, &errstr) == -1)
        return -1;
    *port = (int)v;
    return 0;
}

/* Split text into host and port text. Returns -1 on a bad shape. */
static int
split_host_port(const char *text, char *host, size_t hostlen, int *port)
{
    const char *colon, *close;
    unsigned char v6[16];
    size_t n;

    *port = ENTITY_PORT_DEFAULT;
    if (text[0] == '[') {
        if ((close = strchr(text, ']')) == NULL)
            return -1;
        n = (size_t)(close - text - 1);
        if (close[1] == ':') {
            if (parse_port(close + 2, port) == -1)
                return -1;
        } else if (close[1] != '\0') {
            return -1;
        }
    } else if ((colon = strchr(text, ':')) != NULL &&
        strchr(colon + 1, ':') == NULL) {
        n = (size_t)(colon - text);
        if (parse_port(colon + 1, port) == -1)
            return -1;
    } else {
        n = strlen(text);
    }
    if (n == 0 || n >= hostlen)
        return -1;
    memcpy(host, text[0] == '[' ? text + 1 : text, n);
    host[n] = '\0';
    if (text[0] == '[')
        return inet_pton(AF_INET6, host, v6) == 1 ? 0 : -1;
    return 0;
}

int
entities_parse(const char *text, char *host, size_t hostlen, int *port,
    char *err, size_t errlen)
{
    unsigned char addr[16];
    struct in_addr v4;
    char q[QUOTE_MAX + 8];

    if (json_has_nul(text)) {
        snprintf(err, errlen, "entity \"%s\" contains a NUL character",
            str_quote(q, sizeof(q), text));
        host[0] = '\0';
        return -1;
    }
    if (strlen(text) > AH_ENTITY_MAX ||
        split_host_port(text, host, hostlen, port) == -1)
        goto bad;
    if (strchr(host, ':') != NULL) {
        if (inet_pton(AF_INET6, host, addr) == 1)
            return 0;
        goto bad;
    }
    if (inet_pton(AF_INET, host, addr) == 1)
        return 0;
    /* A name that inet_aton reads as an address ("127.0.0.0x1",
     * "0x7f.1", "2130706433"): the resolver would connect to that address
     * although it is spelt as no canonical address is. Only inet_pton's
     * dotted-decimal form names an IPv4 address. */
    if (valid_hostname(host) && inet_aton(host, &v4) == 0)
        return 0;
bad:
    snprintf(err, errlen, "entity \"%s\" is not a valid host name, IPv4 or "
        "IPv6 address (with an optional :port)", str_quote(q, sizeof(q), text));
    host[0] = '\0';
    return -1;
}

static bool
allowed(const struct ah_pattern *pats, size_t npats, const char *host)
{
    pcre2_match_data *md;
    size_t i;
    int rc;

    if (npats == 0)
        return true;
    for (i = 0; i < npats; i++) {
        md = pcre2_match_data_create_from_pattern(pats[i].re, NULL);
        if (md == NULL)
            return false;
        rc = pcre2_match(pats[i].re, (PCRE2_SPTR)host, strlen(host), 0, 0,
            md, NULL);
        pcre2_match_data_free(md);
        if (rc >= 0)
            return true;
    }
    return false;
}

int
entities_check(struct entity_list *l, const struct ah_pattern *pats,
    size_t npats, char *err, size_t errlen)
{
    struct entity *e;
    size_t i;

    for (i = 0; i < l->n; i++) {
        e = &l->items[i];
        if (entities_parse(e->text, e->host, sizeof(e->host), &e->port, err,
            errlen) == -1)
            return -1;
        if (!allowed(pats, npats, e->host)) {
            snprintf(err, errlen, "entity %s is not allowed by "
                "entity_allow", e->host);
            return -1;
        }
    }
    return 0;
}

void
entities_free(struct entity_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->items[i].text);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
