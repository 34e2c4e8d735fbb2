/*
 * URLs (see url.h): percent-encoding and the http(s) check, both on
 * libcurl (curl_easy_escape, curl_url), and the feed and item URLs from
 * the operator's templates. The original poller handed its URL with raw
 * spaces to Python requests, which re-quoted it; here the query is encoded
 * explicitly, parameter by parameter, so '=', '!' and '>' inside a value
 * can never be read as structure by the API. Every result is bounded by
 * POLLER_URL_MAX.
 */
#include "url.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "alexis_limits.h"
#include "buf.h"
#include "log.h"
#include "str.h"
#include "xmem.h"

/* Bytes RFC 3986 allows literally in a path besides unreserved ones. */
#define PATH_KEEP   "/:@!$&'()*+,;="
/* In a query key or value only '+' stays: the original sent it as is. */
#define QUERY_KEEP  "+"

/* curl_easy_escape of s[0..n): every byte but A-Z a-z 0-9 - . _ ~ as %XX.
 * Free with curl_free. curl refuses inputs over 8 MB and fails on
 * out-of-memory; our inputs come from capped responses and configs, so
 * NULL is treated as out of memory, as xmalloc does. */
static char *
escape_n(const char *s, size_t n)
{
    char *e = NULL;

    if (n <= INT32_MAX)
        e = curl_easy_escape(NULL, s, (int)n);
    if (e == NULL) {
        log_event(LOG_ERROR, "out_of_memory", KV_UINT("bytes", n));
        abort();
    }
    return e;
}

char *
url_escape(const char *s)
{
    char *e = escape_n(s, strlen(s)), *out = xstrdup(e);

    curl_free(e);
    return out;
}

char *
url_item(const char *base, const char *prefix, const char *id,
    const char *what, const char *query, size_t max)
{
    char *esc = url_escape(id), *url = NULL;
    struct buf b;

    buf_init(&b, max);
    if (buf_appendf(&b, "%s%s/%s%s%s%s", base, prefix, esc,
        what != NULL ? "/" : "", what != NULL ? what : "",
        query != NULL ? query : "") == 0)
        url = buf_steal(&b);
    buf_free(&b);
    free(esc);
    return url;
}

static bool
is_escape(const char *s, size_t n, size_t i)
{
    return s[i] == '%' && i + 2 < n &&
        isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2]);
}

/* Bytes of s at i that stay literal: one of keep, or a whole %XX. */
static size_t
kept_at(const char *s, size_t n, size_t i, const char *keep)
{
    if (is_escape(s, n, i))
        return 3;
    return s[i] != '\0' && strchr(keep, s[i]) != NULL ? 1 : 0;
}

/* Append s[0..n) to b percent-encoded by curl, except that the bytes in
 * keep and existing %XX escapes stay literal. -1 when b is full. */
static int
escape_keeping(struct buf *b, const char *s, size_t n, const char *keep)
{
    size_t i = 0, j, k = 0;
    char *e;
    int rc;

    while (i < n) {
        for (j = i; j < n && (k = kept_at(s, n, j, keep)) == 0; j++)
            continue;
        if (j > i) {
            e = escape_n(s + i, j - i);
            rc = buf_appends(b, e);
            curl_free(e);
            if (rc == -1)
                return -1;
        }
        if (j < n && buf_append(b, s + j, k) == -1)
            return -1;
        i = j < n ? j + k : n;
    }
    return 0;
}

/* Encode one query part "key=value" (or "key"): both sides on their own. */
static int
encode_param(struct buf *b, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);

    if (eq == NULL)
        return escape_keeping(b, s, n, QUERY_KEEP);
    if (escape_keeping(b, s, (size_t)(eq - s), QUERY_KEEP) == -1 ||
        buf_append(b, "=", 1) == -1)
        return -1;
    return escape_keeping(b, eq + 1, n - (size_t)(eq - s) - 1, QUERY_KEEP);
}

/* Encode a whole raw URL: the path keeps its structure, the query is
 * encoded per parameter. */
static char *
encode_url(const char *raw, char *err, size_t errlen)
{
    struct buf b;
    const char *q = strchr(raw, '?'), *p, *amp;
    size_t plen = q != NULL ? (size_t)(q - raw) : strlen(raw);

    buf_init(&b, POLLER_URL_MAX - 1);
    if (escape_keeping(&b, raw, plen, PATH_KEEP) == -1)
        goto toolong;
    for (p = q; p != NULL; p = amp) {
        if (buf_append(&b, p == q ? "?" : "&", 1) == -1)
            goto toolong;
        p++;
        amp = strchr(p, '&');
        if (encode_param(&b, p,
            amp != NULL ? (size_t)(amp - p) : strlen(p)) == -1)
            goto toolong;
    }
    return buf_steal(&b);
toolong:
    buf_free(&b);
    snprintf(err, errlen, "URL longer than %d bytes", POLLER_URL_MAX);
    return NULL;
}

/* The authority of text (after "scheme://") ends in ':' (an empty port). */
static bool
empty_port(const char *auth)
{
    size_t n = strcspn(auth, "/?#");

    return n > 0 && auth[n - 1] == ':';
}

int
url_check(const char *text, char *err, size_t errlen)
{
    CURLU *u = curl_url();
    const char *auth = NULL;
    char *port = NULL;
    bool ok;

    if (u == NULL) {
        log_event(LOG_ERROR, "out_of_memory", KV_UINT("bytes", 0));
        abort();
    }
    /* curl also takes "http:/h" and "http:///h": ask for the two slashes
     * and a non-empty authority here. */
    if (strncasecmp(text, "http://", 7) == 0)
        auth = text + 7;
    else if (strncasecmp(text, "https://", 8) == 0)
        auth = text + 8;
    ok = auth != NULL && *auth != '/' && !empty_port(auth) &&
        curl_url_set(u, CURLUPART_URL, text, 0) == CURLUE_OK;
    /* curl takes port 0; a request to it cannot work. */
    if (ok && curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
        ok = strcmp(port, "0") != 0;
    curl_free(port);
    curl_url_cleanup(u);
    if (ok)
        return 0;
    snprintf(err, errlen, "expected an http:// or https:// URL with a host");
    return -1;
}

/* Append the value of the placeholder at *t (advancing it), or the '$'
 * itself when no placeholder starts there. */
static int
put_var(struct buf *b, const char **t, const struct url_vars *v,
    char *err, size_t errlen)
{
    char num[24], *esc;
    size_t blen;
    int rc;

    if (strncmp(*t, "$base_url", 9) == 0) {
        if (v->base_url == NULL) {
            snprintf(err, errlen, "$base_url has no value");
            return -1;
        }
        blen = strlen(v->base_url);
        if (blen > 0 && v->base_url[blen - 1] == '/')
            blen--;
        *t += 9;
        return buf_append(b, v->base_url, blen);
    }
    if (strncmp(*t, "$lookback", 9) == 0) {
        if (v->lookback == 0) {
            snprintf(err, errlen, "$lookback has no value (set lookback)");
            return -1;
        }
        snprintf(num, sizeof(num), "%" PRIu64, v->lookback);
        *t += 9;
        return buf_appends(b, num);
    }
    if (strncmp(*t, "$uniqueid", 9) == 0 || strncmp(*t, "$tinyid", 7) == 0) {
        if (v->uniqueid == NULL) {
            snprintf(err, errlen, "%s has no value here",
                (*t)[1] == 'u' ? "$uniqueid" : "$tinyid");
            return -1;
        }
        *t += (*t)[1] == 'u' ? 9 : 7;
        esc = url_escape(v->uniqueid);
        rc = buf_appends(b, esc);
        free(esc);
        return rc;
    }
    (*t)++;
    return buf_append(b, "$", 1);
}

char *
url_expand(const char *tmpl, const struct url_vars *vars, char *err,
    size_t errlen)
{
    struct buf b;
    const char *t = tmpl, *end = tmpl + strlen(tmpl);
    char c, *raw = NULL, *out = NULL;

    buf_init(&b, POLLER_URL_MAX);
    err[0] = '\0';
    str_trim(&t, &end);
    while (t < end) {
        c = *t;
        if (c == '$') {
            if (put_var(&b, &t, vars, err, errlen) == -1)
                goto fail;
            continue;
        }
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (buf_append(&b, &c, 1) == -1)
            goto fail;
        t++;
    }
    raw = buf_steal(&b);
    out = encode_url(raw, err, errlen);
    free(raw);
    return out;
fail:
    if (err[0] == '\0')
        snprintf(err, errlen, "URL longer than %d bytes", POLLER_URL_MAX);
    buf_free(&b);
    return NULL;
}

static bool
param_is(const char *p, size_t n, const char *key)
{
    size_t k = strlen(key);

    return n >= k && memcmp(p, key, k) == 0 && (n == k || p[k] == '=');
}

static bool
in_list(const char *p, size_t n, const char *const *keys)
{
    for (; keys != NULL && *keys != NULL; keys++) {
        if (param_is(p, n, *keys))
            return true;
    }
    return false;
}

/* Copy url keeping the listed parameters (keep_listed) or the others.
 * -1 when b's limit was reached. */
static int
filter_query(struct buf *b, const char *url, const char *const *keys,
    bool keep_listed)
{
    const char *q = strchr(url, '?'), *p, *amp;
    size_t n;
    bool first = true;

    if (buf_append(b, url, q != NULL ? (size_t)(q - url) : strlen(url)) == -1)
        return -1;
    for (p = q; p != NULL; p = amp) {
        p++;
        amp = strchr(p, '&');
        n = amp != NULL ? (size_t)(amp - p) : strlen(p);
        if (n == 0 || in_list(p, n, keys) != keep_listed)
            continue;
        if (buf_append(b, first ? "?" : "&", 1) == -1 ||
            buf_append(b, p, n) == -1)
            return -1;
        first = false;
    }
    return 0;
}

char *
url_set_param(const char *url, const char *key, const char *value)
{
    const char *const keys[] = { key, NULL };
    struct buf b;
    char *esc;
    int rc;

    buf_init(&b, POLLER_URL_MAX);
    esc = url_escape(value);
    rc = filter_query(&b, url, keys, false);
    if (rc == 0)
        rc = buf_appendf(&b, "%c%s=%s", b.data != NULL &&
            strchr(b.data, '?') != NULL ? '&' : '?', key, esc);
    free(esc);
    if (rc == -1) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

char *
url_keep_params(const char *url, const char *const *keep)
{
    struct buf b;

    buf_init(&b, POLLER_URL_MAX);
    if (filter_query(&b, url, keep, true) == -1) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

int
url_get_param(const char *url, const char *key, char *out, size_t outlen)
{
    const char *q = strchr(url, '?'), *p, *amp;
    size_t n, k = strlen(key);

    for (p = q; p != NULL; p = amp) {
        p++;
        amp = strchr(p, '&');
        n = amp != NULL ? (size_t)(amp - p) : strlen(p);
        if (!param_is(p, n, key))
            continue;
        if (n <= k)
            return -1;
        n -= k + 1;
        if (n >= outlen)
            return -1;
        memcpy(out, p + k + 1, n);
        out[n] = '\0';
        return 0;
    }
    return -1;
}
