/*
 * logfmt line parser: the inverse of common/log.c's escaping. Lines go
 * first to the bit-parallel checker (logscan.h); the byte parser below,
 * one pass with a byte-class table, defines the grammar and takes the
 * lines with escapes. Values are decoded only on demand.
 */
#include "logfmt.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "logscan.h"

#define C_KEY   0x01    /* may appear in a key */
#define C_BARE  0x02    /* may appear in a bare value */
#define C_QUOTE 0x04    /* may appear raw between quotes */

/* Byte classes, generated from the definitions above: 1 = C_KEY,
 * 2 = C_BARE, 4 = C_QUOTE. Bytes >= 0x80 are bare and quotable (UTF-8
 * passes through the writer unchanged). */
static const unsigned char byte_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x10 */
    4, 6, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 6,  /* 0x20 */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 4, 6, 6,  /* 0x30 */
    6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,  /* 0x40 */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 0, 6, 6, 7,  /* 0x50 */
    6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,  /* 0x60 */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 0,  /* 0x70 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,  /* 0x80 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,  /* 0x90 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,  /* 0xa0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,  /* 0xb0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,  /* 0xc0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,  /* 0xd0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,  /* 0xe0 */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,  /* 0xf0 */
};

/*
 * The scanners below are the report's hot path. With SSE2 (every x86-64)
 * they test 16 bytes per step; elsewhere they walk byte_class, which
 * remains the definition. Both give the offset of the first byte in
 * p[0..n) that ends the span: for values a control byte, DEL, '"' or
 * '\\' (and also ' ' or '=' when bare); for keys any byte that is not in
 * [A-Za-z0-9_.-]. Bytes >= 0x80 never end a value and always end a key.
 */
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>

#define SPLAT(c)    _mm_set1_epi8((char)(c))

/* Bytes of v (signed) in [lo, hi], both in 0..0x7f. */
static inline __m128i
in_range(__m128i v, int lo, int hi)
{
    return _mm_and_si128(_mm_cmpgt_epi8(v, SPLAT(lo - 1)),
        _mm_cmplt_epi8(v, SPLAT(hi + 1)));
}

static size_t
scan_plain(const unsigned char *p, size_t n, bool bare)
{
    unsigned char stop = bare ? C_BARE : C_QUOTE;
    __m128i v, m, ctl = SPLAT(bare ? 0x21 : 0x20);
    size_t i = 0;
    unsigned bits;

    for (; i + 16 <= n; i += 16) {
        v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* Signed: bytes >= 0x80 are negative and must not count. */
        m = _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()),
            _mm_cmplt_epi8(v, ctl));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, SPLAT(0x7f)));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, SPLAT('"')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, SPLAT('\\')));
        if (bare)
            m = _mm_or_si128(m, _mm_cmpeq_epi8(v, SPLAT('=')));
        if ((bits = (unsigned)_mm_movemask_epi8(m)) != 0)
            return i + (size_t)__builtin_ctz(bits);
    }
    while (i < n && (byte_class[p[i]] & stop))
        i++;
    return i;
}

static size_t
scan_key(const unsigned char *p, size_t n)
{
    __m128i v, ok;
    size_t i = 0;
    unsigned bits;

    for (; i + 16 <= n; i += 16) {
        v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        ok = _mm_or_si128(in_range(v, '0', '9'), in_range(v, 'a', 'z'));
        ok = _mm_or_si128(ok, in_range(v, 'A', 'Z'));
        ok = _mm_or_si128(ok, in_range(v, '-', '.'));
        ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, SPLAT('_')));
        if ((bits = (unsigned)_mm_movemask_epi8(ok)) != 0xffff)
            return i + (size_t)__builtin_ctz(~bits);
    }
    while (i < n && (byte_class[p[i]] & C_KEY))
        i++;
    return i;
}
#else
static size_t
scan_plain(const unsigned char *p, size_t n, bool bare)
{
    unsigned char stop = bare ? C_BARE : C_QUOTE;
    size_t i = 0;

    while (i < n && (byte_class[p[i]] & stop))
        i++;
    return i;
}

static size_t
scan_key(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n && (byte_class[p[i]] & C_KEY))
        i++;
    return i;
}
#endif

/* The code point of the 4 hex digits at p, or -1. */
static long
hex4(const unsigned char *p)
{
    unsigned char b[2];

    if (hex_decode((const char *)p, 4, b, sizeof(b)) == -1)
        return -1;
    return (long)b[0] << 8 | b[1];
}

/*
 * Decode the escape at p (p[0] == '\\', end bounds the value) into out (at
 * least 3 bytes). Returns the bytes written and sets *used, or -1 when the
 * escape is not one log_escape_value could have written or is incomplete.
 */
static int
decode_escape(const unsigned char *p, const unsigned char *end,
    unsigned char *out, size_t *used)
{
    long cp;

    if (end - p < 2)
        return -1;
    *used = 2;
    switch (p[1]) {
    case '"':
    case '\\':
        out[0] = p[1];
        return 1;
    case 'n':
        out[0] = '\n';
        return 1;
    case 'r':
        out[0] = '\r';
        return 1;
    case 't':
        out[0] = '\t';
        return 1;
    case 'u':
        break;
    default:
        return -1;
    }
    if (end - p < 6 || (cp = hex4(p + 2)) <= 0 ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *used = 6;
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xc0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    out[0] = (unsigned char)(0xe0 | (cp >> 12));
    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (unsigned char)(0x80 | (cp & 0x3f));
    return 3;
}

static int
fail(char *err, size_t errlen, const char *what, size_t off)
{
    if (err != NULL && errlen > 0)
        (void)snprintf(err, errlen, "%s at byte %zu", what, off);
    return -1;
}

/* Scan a quoted value starting after the opening quote; *pp ends on the
 * closing quote. Returns 0, or -1 with the reason in *why. */
static int
scan_quoted(const unsigned char **pp, const unsigned char *end,
    struct logfmt_field *f, const char **why)
{
    const unsigned char *p = *pp;
    unsigned char tmp[4];
    size_t used;

    for (;;) {
        p += scan_plain(p, (size_t)(end - p), false);
        if (p >= end) {
            *why = "unterminated quoted value";
            break;
        }
        if (*p == '"') {
            *pp = p;
            return 0;
        }
        if (*p != '\\') {
            *why = "raw control byte in quoted value";
            break;
        }
        if (decode_escape(p, end, tmp, &used) == -1) {
            *why = "bad escape";
            break;
        }
        f->escaped = true;
        p += used;
    }
    *pp = p;
    return -1;
}

/* Parse one field at *pp; on success *pp is just past the value. */
static int
parse_field(const unsigned char **pp, const unsigned char *end,
    struct logfmt_field *f, const char **why)
{
    const unsigned char *p = *pp, *k = p;

    p += scan_key(p, (size_t)(end - p));
    if (p == k || p >= end || *p != '=') {
        *why = p == k ? "expected a key" : "expected '=' after the key";
        goto bad;
    }
    f->key = (const char *)k;
    f->keylen = (size_t)(p - k);
    f->escaped = false;
    p++;
    if (p < end && *p == '"') {
        f->quoted = true;
        f->val = (const char *)++p;
        if (scan_quoted(&p, end, f, why) == -1)
            goto bad;
        f->vallen = (size_t)(p - (const unsigned char *)f->val);
        p++;
    } else {
        f->quoted = false;
        f->val = (const char *)p;
        p += scan_plain(p, (size_t)(end - p), true);
        f->vallen = (size_t)(p - (const unsigned char *)f->val);
        if (f->vallen == 0) {
            *why = "empty bare value";
            goto bad;
        }
    }
    *pp = p;
    return 0;
bad:
    *pp = p;
    return -1;
}

int
logfmt_parse_bytes(const char *line, size_t len, struct logfmt_line *out,
    char *err, size_t errlen)
{
    const unsigned char *base = (const unsigned char *)line;
    const unsigned char *p = base, *end = base + len;
    const char *why = NULL;

    out->n = 0;
    if (len == 0)
        return fail(err, errlen, "empty line", 0);
    for (;;) {
        if (out->n >= LOGFMT_FIELDS_MAX)
            return fail(err, errlen, "too many fields", (size_t)(p - base));
        if (parse_field(&p, end, &out->f[out->n], &why) == -1)
            return fail(err, errlen, why, (size_t)(p - base));
        out->n++;
        if (p == end)
            return 0;
        if (*p != ' ')
            return fail(err, errlen, "expected a space after the value",
                (size_t)(p - base));
        p++;
    }
}

/* False when ALEXIS_REPORT_SCALAR is set: every line goes to the byte
 * parser, so bench/report_bench.py can time the report without the fast
 * path in the same run. Read once; the report is single-threaded. */
static bool
fast_path(void)
{
    static int fast = -1;

    if (fast == -1)
        fast = getenv("ALEXIS_REPORT_SCALAR") == NULL;
    return fast == 1;
}

int
logfmt_parse(const char *line, size_t len, struct logfmt_line *out,
    char *err, size_t errlen)
{
    if (!fast_path())
        return logfmt_parse_bytes(line, len, out, err, errlen);
    switch (logscan_line(line, len, out, NULL)) {
    case LOGSCAN_OK:
        return 0;
    case LOGSCAN_BAD:
        if (err == NULL || errlen == 0)
            return -1;
        break;
    case LOGSCAN_SLOW:
        break;
    }
    return logfmt_parse_bytes(line, len, out, err, errlen);
}

/* True when the field starting at line[at] is named key. */
static bool
key_at(const char *line, size_t len, size_t at, const char *key)
{
    size_t klen = strlen(key);

    return at + klen < len && line[at + klen] == '=' &&
        memcmp(line + at, key, klen) == 0;
}

/* The outline from a full parse (escapes, or "event" not 4th). */
static int
outline_parsed(const char *line, size_t len, struct logfmt_outline *out)
{
    struct logfmt_line l;
    const struct logfmt_field *ev;

    if (logfmt_parse(line, len, &l, NULL, 0) == -1)
        return -1;
    out->truncated = l.f[l.n - 1].keylen == 9 &&
        memcmp(l.f[l.n - 1].key, "truncated", 9) == 0;
    if ((ev = logfmt_get(&l, "event")) != NULL) {
        out->event = ev->val;
        out->eventlen = ev->vallen;
        out->event_escaped = ev->escaped;
    }
    return 0;
}

int
logfmt_scan(const char *line, size_t len, struct logfmt_outline *out)
{
    struct logscan_head h;
    size_t v, end;

    memset(out, 0, sizeof(*out));
    if (!fast_path())
        return outline_parsed(line, len, out);
    switch (logscan_line(line, len, NULL, &h)) {
    case LOGSCAN_OK:
        break;
    case LOGSCAN_BAD:
        return -1;
    case LOGSCAN_SLOW:
        return outline_parsed(line, len, out);
    }
    if (h.nspaces < 3 || key_at(line, len, 0, "event") ||
        key_at(line, len, h.space[0] + 1, "event") ||
        key_at(line, len, h.space[1] + 1, "event") ||
        !key_at(line, len, h.space[2] + 1, "event"))
        return outline_parsed(line, len, out);
    out->truncated = key_at(line, len, h.last_space + 1, "truncated");
    v = h.space[2] + 1 + sizeof("event");
    end = h.nspaces > 3 ? h.space[3] : len;
    if (line[v] == '"') {
        v++;
        end--;
    }
    out->event = line + v;
    out->eventlen = end - v;
    return 0;
}

const struct logfmt_field *
logfmt_get(const struct logfmt_line *l, const char *key)
{
    size_t i, klen = strlen(key);

    for (i = 0; i < l->n; i++) {
        if (l->f[i].keylen == klen && memcmp(l->f[i].key, key, klen) == 0)
            return &l->f[i];
    }
    return NULL;
}

size_t
logfmt_decode(const struct logfmt_field *f, char *dst, size_t dstlen)
{
    const unsigned char *p = (const unsigned char *)f->val;
    const unsigned char *end = p + f->vallen;
    unsigned char *o = (unsigned char *)dst;
    size_t used = 1;
    int n;

    if (dstlen <= f->vallen)
        return (size_t)-1;
    if (!f->escaped) {
        memcpy(dst, f->val, f->vallen);
        dst[f->vallen] = '\0';
        return f->vallen;
    }
    while (p < end) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        /* The parser validated every escape. */
        n = decode_escape(p, end, o, &used);
        o += n > 0 ? n : 0;
        p += used;
    }
    *o = '\0';
    return (size_t)(o - (unsigned char *)dst);
}

bool
logfmt_value_eq(const struct logfmt_field *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)f->val;
    const unsigned char *end = p + f->vallen;
    const unsigned char *q = (const unsigned char *)s;
    unsigned char tmp[4];
    size_t used;
    int n;

    if (!f->escaped)
        return strlen(s) == f->vallen && memcmp(f->val, s, f->vallen) == 0;
    while (p < end) {
        if (*p != '\\') {
            if (*q++ != *p++)
                return false;
            continue;
        }
        n = decode_escape(p, end, tmp, &used);
        if (n <= 0 || strncmp((const char *)q, (const char *)tmp,
            (size_t)n) != 0)
            return false;
        q += n;
        p += used;
    }
    return *q == '\0';
}
