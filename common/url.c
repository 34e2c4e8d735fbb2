/*
 * Feed and item URLs from the operator's templates (see url.h). The
 * original poller handed its URL with raw spaces to Python requests, which
 * re-quoted it; here the query is encoded explicitly, parameter by
 * parameter, so '=', '!' and '>' inside a value can never be read as
 * structure by the API. Every result is bounded by POLLER_URL_MAX.
 */
#include "url.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"
#include "http_client.h"
#include "xmem.h"

/* Bytes RFC 3986 allows literally in a path besides unreserved ones. */
#define PATH_KEEP   "/:@!$&'()*+,;="
/* In a query key or value only '+' stays: the original sent it as is. */
#define QUERY_KEEP  "+"

static bool
unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool
is_escape(const char *s, size_t n, size_t i)
{
    return s[i] == '%' && i + 2 < n &&
        isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2]);
}

/* Percent-encode s keeping only unreserved bytes (A-Z a-z 0-9 - . _ ~),
 * the bytes in keep and existing %XX escapes literal, appending to dst of
 * size dstlen at *pos. -1 when it does not fit. */
static int
url_encode_into(char *dst, size_t dstlen, size_t *pos, const char *s,
    size_t n, const char *keep)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, p = *pos;
    unsigned char c;

    for (i = 0; i < n; i++) {
        c = (unsigned char)s[i];
        if (unreserved(c) || (c != '\0' && keep != NULL &&
            strchr(keep, c) != NULL) || is_escape(s, n, i)) {
            if (p + 1 >= dstlen)
                return -1;
            dst[p++] = (char)c;
            continue;
        }
        if (p + 3 >= dstlen)
            return -1;
        dst[p++] = '%';
        dst[p++] = hex[c >> 4];
        dst[p++] = hex[c & 0xf];
    }
    dst[p] = '\0';
    *pos = p;
    return 0;
}

/* Encode one query part "key=value" (or "key") into dst. */
static int
encode_param(char *dst, size_t dstlen, size_t *pos, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);

    if (eq == NULL)
        return url_encode_into(dst, dstlen, pos, s, n, QUERY_KEEP);
    if (url_encode_into(dst, dstlen, pos, s, (size_t)(eq - s),
        QUERY_KEEP) == -1 || *pos + 1 >= dstlen)
        return -1;
    dst[(*pos)++] = '=';
    return url_encode_into(dst, dstlen, pos, eq + 1,
        n - (size_t)(eq - s) - 1, QUERY_KEEP);
}

/* Encode a whole raw URL: the path keeps its structure, the query is
 * encoded per parameter. */
static char *
encode_url(const char *raw, char *err, size_t errlen)
{
    char *out = xmalloc(POLLER_URL_MAX);
    const char *q = strchr(raw, '?'), *p, *amp;
    size_t pos = 0, plen = q != NULL ? (size_t)(q - raw) : strlen(raw);

    if (url_encode_into(out, POLLER_URL_MAX, &pos, raw, plen,
        PATH_KEEP) == -1)
        goto toolong;
    for (p = q; p != NULL; p = amp) {
        if (pos + 1 >= POLLER_URL_MAX)
            goto toolong;
        out[pos++] = p == q ? '?' : '&';
        p++;
        amp = strchr(p, '&');
        if (encode_param(out, POLLER_URL_MAX, &pos, p,
            amp != NULL ? (size_t)(amp - p) : strlen(p)) == -1)
            goto toolong;
    }
    out[pos] = '\0';
    return out;
toolong:
    free(out);
    snprintf(err, errlen, "URL longer than %d bytes", POLLER_URL_MAX);
    return NULL;
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
        esc = http_escape(v->uniqueid);
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
    while (t < end && isspace((unsigned char)*t))
        t++;
    while (end > t && isspace((unsigned char)end[-1]))
        end--;
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
    esc = http_escape(value);
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
