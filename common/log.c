/*
 * Structured key=value logging. Every event becomes one logfmt line that is
 * formatted on the caller's stack and handed to the kernel with a single
 * write(2) (see write_line), so lines from MHD and worker threads never
 * interleave. Escaping, redaction of secret keys and the LOG_LINE_MAX cap
 * all live here and nowhere else (DESIGN §8).
 */
#include "log.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "alexis_limits.h"
#include "clock.h"
#include "hex.h"
#include "log_lock.h"
#include "utf8.h"

#define LOG_APP_MAX     64
#define LOG_NUM_MAX     128     /* rendered number, bool or errno text */
#define LOG_UNIT_MAX    8       /* longest escaped form of one unit */

static const char truncated_tail[] = " truncated=1\n";
#define TAIL_LEN        (sizeof(truncated_tail) - 1)

/* The logger is the one global the style guide allows. app and fd are set
 * by log_init before threads start; the level may change at any time. */
static char log_app[LOG_APP_MAX] = "alexis";
static int log_fd = 2;
static atomic_int log_min = LOG_INFO;

/* With their lengths: a key of another length is not compared at all (the
 * logger checks every key of every line). */
struct secret {
    const char *s;
    size_t      len;
};
#define SECRET(s)   { s, sizeof(s) - 1 }

static const struct secret secret_keys[] = {
    SECRET("token"), SECRET("authorization"), SECRET("api_key"),
    SECRET("password"), SECRET("passphrase"), SECRET("headers"),
    SECRET("feed_headers"), SECRET("private_key"),
};

static const struct secret secret_suffixes[] = {
    SECRET("_token"), SECRET("_key_data"),
};

void
log_init(const char *app, enum log_level min, int fd)
{
    if (app != NULL)
        (void)strlcpy(log_app, app, sizeof(log_app));
    log_fd = fd;
    atomic_store_explicit(&log_min, (int)min, memory_order_relaxed);
}

void
log_set_level(enum log_level min)
{
    atomic_store_explicit(&log_min, (int)min, memory_order_relaxed);
}

bool
log_enabled(enum log_level level)
{
    return (int)level >= atomic_load_explicit(&log_min,
        memory_order_relaxed);
}

const char *
log_level_name(enum log_level level)
{
    switch (level) {
    case LOG_DEBUG:
        return "debug";
    case LOG_INFO:
        return "info";
    case LOG_WARN:
        return "warn";
    case LOG_ERROR:
        return "error";
    }
    return "unknown";
}

bool
log_key_is_secret(const char *key)
{
    size_t i, klen;

    if (key == NULL)
        return false;
    klen = strlen(key);
    for (i = 0; i < NELEM(secret_keys); i++) {
        if (klen == secret_keys[i].len &&
            strcasecmp(key, secret_keys[i].s) == 0)
            return true;
    }
    for (i = 0; i < NELEM(secret_suffixes); i++) {
        if (klen >= secret_suffixes[i].len &&
            strcasecmp(key + klen - secret_suffixes[i].len,
            secret_suffixes[i].s) == 0)
            return true;
    }
    return false;
}

/*
 * The code point of the complete 2- or 3-byte UTF-8 sequence at p, or -1.
 * Only these lengths matter to is_line_breaker; longer and broken
 * sequences pass through as they are.
 */
static long
utf8_cp(const unsigned char *p)
{
    if (p[0] >= 0xc2 && p[0] <= 0xdf && (p[1] & 0xc0) == 0x80)
        return ((long)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    if (p[0] >= 0xe0 && p[0] <= 0xef && (p[1] & 0xc0) == 0x80 &&
        (p[2] & 0xc0) == 0x80)
        return ((long)(p[0] & 0x0f) << 12) | ((long)(p[1] & 0x3f) << 6) |
            (p[2] & 0x3f);
    return -1;
}

/* Code points that would let a value forge a log line or hide part of one
 * (utf8_misleads), so they are escaped like \n. cp -1: none. */
static bool
is_line_breaker(long cp)
{
    return cp >= 0 && utf8_misleads((uint32_t)cp);
}

static bool
needs_quotes(const unsigned char *p)
{
    if (*p == '\0')
        return true;
    for (; *p != '\0'; p++) {
        if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '=' ||
            *p == '\\' || (*p >= 0xc2 && is_line_breaker(utf8_cp(p))))
            return true;
    }
    return false;
}

/* Write the escape \uXXXX of cp (below 0x10000) to out (room for 7);
 * returns 6. */
static size_t
escape_u(long cp, char *out)
{
    const unsigned char be[2] = { (unsigned char)(cp >> 8),
        (unsigned char)cp };

    out[0] = '\\';
    out[1] = 'u';
    (void)hex_encode(be, sizeof(be), out + 2, 5);
    return 6;
}

/*
 * The next indivisible unit of p: one ASCII byte (escaped when quoted) or
 * a whole UTF-8 sequence, so that a cut never lands inside either. Bytes
 * that are not valid UTF-8 lead bytes are passed through one at a time.
 * Writes the output form to out and returns its length; *used gets the
 * number of input bytes consumed.
 */
static size_t
next_unit(const unsigned char *p, bool quoted, char *out, size_t *used)
{
    size_t want, n;

    *used = 1;
    if (*p >= 0x80) {
        if (*p >= 0xc0 && *p <= 0xdf)
            want = 2;
        else if (*p >= 0xe0 && *p <= 0xef)
            want = 3;
        else if (*p >= 0xf0 && *p <= 0xf7)
            want = 4;
        else
            want = 1;
        for (n = 1; n < want && (p[n] & 0xc0) == 0x80; n++)
            continue;
        /* Only a quoted value can hold one (needs_quotes). */
        if (quoted && n == want && is_line_breaker(utf8_cp(p))) {
            *used = n;
            return escape_u(utf8_cp(p), out);
        }
        memcpy(out, p, n);
        *used = n;
        return n;
    }
    if (!quoted) {
        out[0] = (char)*p;
        return 1;
    }
    out[0] = '\\';
    switch (*p) {
    case '"':
    case '\\':
        out[1] = (char)*p;
        return 2;
    case '\n':
        out[1] = 'n';
        return 2;
    case '\r':
        out[1] = 'r';
        return 2;
    case '\t':
        out[1] = 't';
        return 2;
    default:
        break;
    }
    if (*p < 0x20 || *p == 0x7f)
        return escape_u(*p, out);
    out[0] = (char)*p;
    return 1;
}

/* How many bytes from p next_unit would copy unchanged: all of an
 * unquoted value; printable ASCII but '"' and '\\' in a quoted one. */
static size_t
plain_span(const unsigned char *p, bool quoted)
{
    const unsigned char *q = p;

    if (!quoted)
        return strlen((const char *)p);
    while (*q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\')
        q++;
    return (size_t)(q - p);
}

size_t
log_escape_value(char *dst, size_t dstlen, const char *value)
{
    const unsigned char *p;
    char unit[LOG_UNIT_MAX];
    size_t pos = 0, limit, n, used;
    bool quoted, cut = false;

    if (dstlen == 0)
        return (size_t)-1;
    if (value == NULL)
        value = "";
    p = (const unsigned char *)value;
    quoted = needs_quotes(p);
    limit = dstlen - 1;
    if (quoted) {
        /* Room for both quotes, or nothing at all. */
        if (limit < 2) {
            dst[0] = '\0';
            return (size_t)-1;
        }
        dst[pos++] = '"';
        limit--;
    }
    /* Bytes that go out as they are, copied at once when they all fit. */
    n = plain_span(p, quoted);
    if (n <= limit - pos) {
        memcpy(dst + pos, p, n);
        pos += n;
        p += n;
    }
    while (*p != '\0') {
        n = next_unit(p, quoted, unit, &used);
        if (n > limit - pos) {
            cut = true;
            break;
        }
        memcpy(dst + pos, unit, n);
        pos += n;
        p += used;
    }
    if (quoted)
        dst[pos++] = '"';
    dst[pos] = '\0';
    return cut ? (size_t)-1 : pos;
}

/* Render a non-string value as text; strings are returned as they are. */
static const char *
value_text(const struct kv *kv, char *tmp, size_t tmplen)
{
    switch (kv->type) {
    case KV_T_STR:
        return kv->v.s;
    case KV_T_INT:
        (void)snprintf(tmp, tmplen, "%lld", kv->v.i);
        return tmp;
    case KV_T_UINT:
        (void)snprintf(tmp, tmplen, "%llu", kv->v.u);
        return tmp;
    case KV_T_BOOL:
        return kv->v.b ? "true" : "false";
    case KV_T_ERRNO:
        /* XSI strerror_r: thread-safe, unlike strerror(3). */
        if (strerror_r(kv->v.e, tmp, tmplen) != 0)
            (void)snprintf(tmp, tmplen, "unknown error %d", kv->v.e);
        return tmp;
    }
    return "";
}

/*
 * Append " key=value" (no leading space for the first field) to buf at
 * *pos, writing no byte at or past limit. Keys are our own identifiers; any
 * byte outside [A-Za-z0-9_.-] is replaced so the line stays parseable.
 * With partial false, a field that does not fit leaves *pos unchanged and
 * returns -1. With partial true, a well-formed prefix of the value is kept
 * when at least one unit of it fits.
 */
static int
put_field(char *buf, size_t *pos, size_t limit, const struct kv *kv,
    bool partial)
{
    char tmp[LOG_NUM_MAX];
    const char *val, *k;
    size_t p = *pos, n;

    if (p > 0) {
        if (p >= limit)
            return -1;
        buf[p++] = ' ';
    }
    for (k = kv->key; *k != '\0'; k++) {
        if (p >= limit)
            return -1;
        if ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
            (*k >= '0' && *k <= '9') || *k == '_' || *k == '.' ||
            *k == '-')
            buf[p++] = *k;
        else
            buf[p++] = '_';
    }
    if (p >= limit)
        return -1;
    buf[p++] = '=';
    if (log_key_is_secret(kv->key))
        val = "[redacted]";
    else
        val = value_text(kv, tmp, sizeof(tmp));
    /* log_escape_value NUL-terminates, so it may use one byte past limit;
     * the caller's buffer always has that byte. */
    n = log_escape_value(buf + p, limit - p + 1, val);
    if (n == (size_t)-1) {
        n = strlen(buf + p);
        if (!partial || n == 0 || strcmp(buf + p, "\"\"") == 0)
            return -1;
        *pos = p + n;
        return -1;
    }
    *pos = p + n;
    return 0;
}

/* The i-th field of the line: the four header fields, then kvs. Fields are
 * visited in order, so kvs[i - 5] is known to exist when i > 4. */
static const struct kv *
field_at(const struct kv *head, const struct kv *kvs, size_t i)
{
    if (i < 4)
        return &head[i];
    if (kvs == NULL || kvs[i - 4].key == NULL)
        return NULL;
    return &kvs[i - 4];
}

size_t
log_format(char *buf, size_t len, const char *ts, enum log_level level,
    const char *app, const char *event, const struct kv *kvs)
{
    struct kv head[4];
    const struct kv *kv;
    size_t cap, full, cut, pos = 0, i, first_over = 0, save = 0;
    bool over = false;

    if (len < TAIL_LEN + 2) {
        if (len > 0)
            buf[0] = '\0';
        return 0;
    }
    head[0] = KV_STR("ts", ts);
    head[1] = KV_STR("level", log_level_name(level));
    head[2] = KV_STR("app", app);
    head[3] = KV_STR("event", event);

    /* cap is the line length allowed including the newline. A line that
     * fits keeps every byte up to cap; only a line that must be cut gives
     * up room for the tail. */
    cap = len - 1 < LOG_LINE_MAX ? len - 1 : LOG_LINE_MAX;
    full = cap - 1;
    cut = cap - TAIL_LEN;

    /* Fill up to cut first: once something does not fit there, try the
     * rest of the line against full; if that fails too, cut back. */
    for (i = 0; (kv = field_at(head, kvs, i)) != NULL; i++) {
        if (!over) {
            if (put_field(buf, &pos, cut, kv, false) == 0)
                continue;
            over = true;
            first_over = i;
            save = pos;
        }
        if (put_field(buf, &pos, full, kv, false) == -1) {
            pos = save;
            (void)put_field(buf, &pos, cut, field_at(head, kvs,
                first_over), true);
            memcpy(buf + pos, truncated_tail, TAIL_LEN);
            pos += TAIL_LEN;
            buf[pos] = '\0';
            return pos;
        }
    }
    buf[pos++] = '\n';
    buf[pos] = '\0';
    return pos;
}

/*
 * Lines stay whole. A write of at most PIPE_BUF bytes is atomic on a pipe,
 * and writes to one regular file do not mix on Linux, so short lines go out
 * side by side under the shared lock. A longer line can go out in parts on
 * a pipe: it takes the lock alone, so nothing lands between its parts.
 */
static void
write_line(int fd, const char *line, size_t n)
{
    ssize_t w;

    if (n <= PIPE_BUF)
        (void)pthread_rwlock_rdlock(&log_lock);
    else
        (void)pthread_rwlock_wrlock(&log_lock);
    while (n > 0) {
        w = write(fd, line, n);
        if (w == -1 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        line += w;
        n -= (size_t)w;
    }
    (void)pthread_rwlock_unlock(&log_lock);
}

void
log_emit(enum log_level level, const char *event, const struct kv *kvs)
{
    char line[LOG_LINE_MAX + 1];
    char ts[CLOCK_ISO_LEN];
    size_t n;
    int saved_errno = errno;

    if (!log_enabled(level))
        return;
    clock_format_iso((int64_t)clock_wall_ms(), ts);
    n = log_format(line, sizeof(line), ts, level, log_app, event, kvs);
    write_line(log_fd, line, n);
    /* Callers often log and then inspect errno. */
    errno = saved_errno;
}

void
log_fatal_emit(const char *event, const struct kv *kvs)
{
    log_emit(LOG_ERROR, event, kvs);
    exit(1);
}
