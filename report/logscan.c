/*
 * Bit-parallel logfmt checker (see logscan.h). Each block of up to 64
 * bytes becomes bit masks; quotes pair up by a prefix XOR, and the spaces
 * and '=' outside quotes must then alternate as "=", " ", "=", ... "=",
 * never two in a row, with key bytes before each '=' and every quote
 * either opening right after an '=' or closing right before a space or the
 * end. Together with "no control byte and no backslash anywhere" that is
 * exactly the grammar of logfmt.h for lines without escapes.
 */
#include "logscan.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "alexis_limits.h"

#define BLOCK   64

/* The classifiers this compiler can build (BUILD_AVX: AVX2 and
 * AVX-512BW); which one runs depends on the CPU (logscan_has). */
#if defined(__SSE2__) && defined(__GNUC__)
#define BUILD_SSE2  1
#else
#define BUILD_SSE2  0
#endif
#if BUILD_SSE2 && defined(__x86_64__)
#define BUILD_AVX   1
/* Every CPU with AVX2 has these too; logscan_has checks them all. */
#define TARGET_AVX2 \
    __attribute__((target("avx2,bmi,bmi2,popcnt,pclmul")))
#else
#define BUILD_AVX   0
#endif

/* The scan is written once and compiled once per classifier: FLATTEN
 * inlines every piece into each copy, so that the AVX copies are built
 * for their instruction sets. */
#define INLINE      inline
#if defined(__GNUC__)
#define FLATTEN     __attribute__((flatten))
#else
#define FLATTEN
#endif

/* The shortest line with more than LOGFMT_FIELDS_MAX fields. */
#define FIELDS_CHECK_LEN    (4 * (LOGFMT_FIELDS_MAX + 1) - 1)

/* One block's byte classes: bit i stands for byte base + i. */
struct masks {
    uint64_t    quote;
    uint64_t    bslash;
    uint64_t    space;
    uint64_t    eq;
    uint64_t    ctl;    /* 0x00-0x1f and 0x7f: invalid quoted or not */
    uint64_t    key;    /* [A-Za-z0-9_.-] */
};

/* What one block hands to the next. */
struct scan {
    const unsigned char *p;
    size_t      len;
    uint64_t    inq;        /* all ones: the block ended inside quotes */
    uint64_t    odd;        /* all ones: after an odd number of separators */
    uint64_t    prev_sep;   /* 1: the byte before is a separator */
    uint64_t    prev_eq;
    uint64_t    prev_close;
    size_t      nfields;    /* counted only when len >= FIELDS_CHECK_LEN */
    size_t      kstart;     /* where the current key starts */
    size_t      vstart;     /* where the current value starts */
};

#if defined(__GNUC__)
#define CTZ(x)      ((size_t)__builtin_ctzll(x))
#define CLZ(x)      ((size_t)__builtin_clzll(x))
#define POPCOUNT(x) ((size_t)__builtin_popcountll(x))
#else
static size_t
CTZ(uint64_t x)
{
    size_t n = 0;

    while (!(x & 1)) {
        x >>= 1;
        n++;
    }
    return n;
}

static size_t
CLZ(uint64_t x)
{
    size_t n = 0;

    while (!(x & ((uint64_t)1 << 63))) {
        x <<= 1;
        n++;
    }
    return n;
}

static size_t
POPCOUNT(uint64_t x)
{
    size_t n = 0;

    for (; x != 0; x &= x - 1)
        n++;
    return n;
}
#endif

/* Bit i of the result is the XOR of bits 0..i of x. */
static INLINE uint64_t
prefix_xor_shift(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* The byte classes of p[0..n), one byte at a time, at bit shift. */
static void
classify_bytes(const unsigned char *p, size_t n, struct masks *m,
    unsigned shift)
{
    unsigned char c;
    uint64_t bit;
    size_t i;

    for (i = 0; i < n; i++) {
        c = p[i];
        bit = (uint64_t)1 << (shift + i);
        if (c == '"')
            m->quote |= bit;
        else if (c == '\\')
            m->bslash |= bit;
        else if (c == ' ')
            m->space |= bit;
        else if (c == '=')
            m->eq |= bit;
        else if (c < 0x20 || c == 0x7f)
            m->ctl |= bit;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '.')
            m->key |= bit;
    }
}

#if BUILD_SSE2
#include <emmintrin.h>

#define SPLAT(c)    _mm_set1_epi8((char)(c))
#define MASK(v)     ((uint64_t)(unsigned)_mm_movemask_epi8(v))

/* Bytes of v that are at most max once lo is subtracted (unsigned). */
static INLINE __m128i
in_span(__m128i v, int lo, int max)
{
    __m128i d = _mm_sub_epi8(v, SPLAT(lo));

    return _mm_cmpeq_epi8(_mm_min_epu8(d, SPLAT(max)), d);
}

/* Classify 16 bytes at p into m at bit shift, dropping the low drop
 * bits first (an overlapping load that ends at the line's end). */
static INLINE void
classify16(const unsigned char *p, struct masks *m, unsigned shift,
    unsigned drop)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i key, ctl;

    key = _mm_or_si128(in_span(v, '0', 9),
        in_span(_mm_or_si128(v, SPLAT(0x20)), 'a', 25));
    key = _mm_or_si128(key, _mm_or_si128(in_span(v, '-', 1),
        _mm_cmpeq_epi8(v, SPLAT('_'))));
    ctl = _mm_or_si128(in_span(v, 0, 0x1f), _mm_cmpeq_epi8(v, SPLAT(0x7f)));
    m->quote |= MASK(_mm_cmpeq_epi8(v, SPLAT('"'))) >> drop << shift;
    m->bslash |= MASK(_mm_cmpeq_epi8(v, SPLAT('\\'))) >> drop << shift;
    m->space |= MASK(_mm_cmpeq_epi8(v, SPLAT(' '))) >> drop << shift;
    m->eq |= MASK(_mm_cmpeq_epi8(v, SPLAT('='))) >> drop << shift;
    m->ctl |= MASK(ctl) >> drop << shift;
    m->key |= MASK(key) >> drop << shift;
}

/* Bytes base + i .. base + n in 16-byte steps. Loads never leave the
 * line: a tail shorter than 16 bytes is loaded as the line's last 16
 * bytes, or classified bytewise when the whole line is shorter. */
static INLINE void
classify_sse2(const unsigned char *p, size_t base, size_t i, size_t n,
    struct masks *m)
{
    size_t r;

    for (; i + 16 <= n; i += 16)
        classify16(p + base + i, m, (unsigned)i, 0);
    if ((r = n - i) == 0)
        return;
    if (base + n >= 16)
        classify16(p + base + n - 16, m, (unsigned)i, (unsigned)(16 - r));
    else
        classify_bytes(p + base + i, r, m, (unsigned)i);
}
#endif

#if BUILD_AVX
#include <immintrin.h>

#define SPLAT32(c)  _mm256_set1_epi8((char)(c))
#define MASK32(v)   ((uint64_t)(uint32_t)_mm256_movemask_epi8(v))

TARGET_AVX2
static INLINE __m256i
in_span32(__m256i v, int lo, int max)
{
    __m256i d = _mm256_sub_epi8(v, SPLAT32(lo));

    return _mm256_cmpeq_epi8(_mm256_min_epu8(d, SPLAT32(max)), d);
}

/* classify16 for 32 bytes, without a drop. */
TARGET_AVX2
static INLINE void
classify32(const unsigned char *p, struct masks *m, unsigned shift)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i key, ctl;

    key = _mm256_or_si256(in_span32(v, '0', 9),
        in_span32(_mm256_or_si256(v, SPLAT32(0x20)), 'a', 25));
    key = _mm256_or_si256(key, _mm256_or_si256(in_span32(v, '-', 1),
        _mm256_cmpeq_epi8(v, SPLAT32('_'))));
    ctl = _mm256_or_si256(in_span32(v, 0, 0x1f),
        _mm256_cmpeq_epi8(v, SPLAT32(0x7f)));
    m->quote |= MASK32(_mm256_cmpeq_epi8(v, SPLAT32('"'))) << shift;
    m->bslash |= MASK32(_mm256_cmpeq_epi8(v, SPLAT32('\\'))) << shift;
    m->space |= MASK32(_mm256_cmpeq_epi8(v, SPLAT32(' '))) << shift;
    m->eq |= MASK32(_mm256_cmpeq_epi8(v, SPLAT32('='))) << shift;
    m->ctl |= MASK32(ctl) << shift;
    m->key |= MASK32(key) << shift;
}

/* prefix_xor_shift in one carry-less multiply by all ones. */
TARGET_AVX2
static INLINE uint64_t
prefix_xor_clmul(uint64_t x)
{
    return (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
        _mm_set_epi64x(0, (long long)x), _mm_set1_epi8(-1), 0));
}

TARGET_AVX2
static INLINE void
classify_avx2(const unsigned char *p, size_t base, size_t n,
    struct masks *m)
{
    size_t i;

    for (i = 0; i + 32 <= n; i += 32)
        classify32(p + base + i, m, (unsigned)i);
    if (i < n)
        classify_sse2(p, base, i, n, m);
}
#endif

static INLINE uint64_t
prefix_xor(uint64_t x, enum logscan_impl impl)
{
#if BUILD_AVX
    if (impl == LOGSCAN_AVX2 || impl == LOGSCAN_AVX512)
        return prefix_xor_clmul(x);
#endif
    (void)impl;
    return prefix_xor_shift(x);
}

#if BUILD_AVX
#define TARGET_AVX512 __attribute__((target( \
    "avx512f,avx512bw,avx2,bmi,bmi2,popcnt,pclmul")))
#define SPLAT64(c)  _mm512_set1_epi8((char)(c))

/* Bytes of v that are at most max once lo is subtracted (unsigned). */
TARGET_AVX512
static INLINE uint64_t
in_span64(__m512i v, int lo, int max)
{
    return _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, SPLAT64(lo)),
        SPLAT64(max));
}

/* A whole block in one load; the load mask keeps it inside the line. */
TARGET_AVX512
static INLINE void
classify_avx512(const unsigned char *p, size_t base, size_t n,
    struct masks *m)
{
    __mmask64 all = n == BLOCK ? ~(__mmask64)0 : ((__mmask64)1 << n) - 1;
    __m512i v = _mm512_maskz_loadu_epi8(all, p + base);

    m->quote = _mm512_cmpeq_epi8_mask(v, SPLAT64('"'));
    m->bslash = _mm512_cmpeq_epi8_mask(v, SPLAT64('\\'));
    m->space = _mm512_cmpeq_epi8_mask(v, SPLAT64(' '));
    m->eq = _mm512_cmpeq_epi8_mask(v, SPLAT64('='));
    m->ctl = in_span64(v, 0, 0x1f) | _mm512_cmpeq_epi8_mask(v,
        SPLAT64(0x7f));
    m->key = in_span64(v, '0', 9) | in_span64(_mm512_or_si512(v,
        SPLAT64(0x20)), 'a', 25) | in_span64(v, '-', 1) |
        _mm512_cmpeq_epi8_mask(v, SPLAT64('_'));
}
#endif

/* The masks of the n <= BLOCK bytes at base. */
static INLINE void
classify(const struct scan *s, enum logscan_impl impl, size_t base,
    size_t n, struct masks *m)
{
    memset(m, 0, sizeof(*m));
    switch (impl) {
#if BUILD_AVX
    case LOGSCAN_AVX512:
        classify_avx512(s->p, base, n, m);
        return;
    case LOGSCAN_AVX2:
        classify_avx2(s->p, base, n, m);
        return;
#endif
#if BUILD_SSE2
    case LOGSCAN_SSE2:
        classify_sse2(s->p, base, 0, n, m);
        return;
#endif
    default:
        classify_bytes(s->p + base, n, m, 0);
        return;
    }
}

/* Close the field whose value is p[s->vstart .. end). */
static INLINE void
put_value(const struct scan *s, size_t end, struct logfmt_line *out)
{
    struct logfmt_field *f = &out->f[out->n++];

    f->escaped = false;
    f->quoted = s->p[s->vstart] == '"';
    if (f->quoted) {
        f->val = (const char *)s->p + s->vstart + 1;
        f->vallen = end - s->vstart - 2;
    } else {
        f->val = (const char *)s->p + s->vstart;
        f->vallen = end - s->vstart;
    }
}

/* Split a checked block at base along its separators (spaces and '='
 * outside quotes, which alternate starting with '='). */
static INLINE void
split(struct scan *s, size_t base, uint64_t sep, uint64_t eq,
    struct logfmt_line *out)
{
    struct logfmt_field *f;
    size_t i, pos;

    for (; sep != 0; sep &= sep - 1) {
        i = CTZ(sep);
        pos = base + i;
        if (eq >> i & 1) {
            f = &out->f[out->n];
            f->key = (const char *)s->p + s->kstart;
            f->keylen = pos - s->kstart;
            s->vstart = pos + 1;
        } else {
            put_value(s, pos, out);
            s->kstart = pos + 1;
        }
    }
}

/* Keep the first LOGSCAN_HEAD and the last of the spaces sp. */
static INLINE void
note_spaces(size_t base, uint64_t sp, struct logscan_head *h)
{
    if (sp == 0)
        return;
    h->last_space = base + 63 - CLZ(sp);
    for (; sp != 0 && h->nspaces < LOGSCAN_HEAD; sp &= sp - 1)
        h->space[h->nspaces++] = base + CTZ(sp);
}

/* Check the n bytes at base, carrying state in s. */
static INLINE enum logscan_rc
block(struct scan *s, enum logscan_impl impl, size_t base, size_t n,
    struct logfmt_line *out, struct logscan_head *h)
{
    uint64_t all = n == BLOCK ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
    uint64_t q, inq, open, close, sp, eq, sep, odd, bad;
    struct masks m;

    classify(s, impl, base, n, &m);
    if (m.ctl & all)
        return LOGSCAN_BAD;
    if (m.bslash & all)
        return LOGSCAN_SLOW;
    q = m.quote & all;
    inq = prefix_xor(q, impl) ^ s->inq;
    open = q & inq;
    close = q & ~inq;
    sp = m.space & ~inq & all;
    eq = m.eq & ~inq & all;
    sep = sp | eq;
    odd = prefix_xor(sep, impl) ^ s->odd;
    /* A quote opens right after '=' and closes right before a space. */
    bad = open & ~(eq << 1 | s->prev_eq);
    bad |= (close << 1 | s->prev_close) & ~sp & all;
    /* Separators alternate '=', ' ', ... and never touch. */
    bad |= (eq & ~odd) | (sp & odd);
    bad |= (sep << 1 | s->prev_sep) & sep;
    /* Before each '=' (an even count of separators) lie key bytes. */
    bad |= ~odd & ~sep & ~m.key & all;
    if (bad != 0)
        return LOGSCAN_BAD;
    /* Fields take 4 bytes each ("k=v "), so only long lines can hold too
     * many of them. */
    if (s->len >= FIELDS_CHECK_LEN) {
        s->nfields += POPCOUNT(eq);
        if (s->nfields > LOGFMT_FIELDS_MAX)
            return LOGSCAN_BAD;
    }
    s->inq = 0 - (inq >> (n - 1) & 1);
    s->odd = 0 - (odd >> (n - 1) & 1);
    s->prev_sep = sep >> (n - 1) & 1;
    s->prev_eq = eq >> (n - 1) & 1;
    s->prev_close = close >> (n - 1) & 1;
    if (out != NULL)
        split(s, base, sep, eq, out);
    else
        note_spaces(base, sp, h);
    return LOGSCAN_OK;
}

/* Every block of the line, then its end. */
static INLINE enum logscan_rc
scan(struct scan *s, enum logscan_impl impl, struct logfmt_line *out,
    struct logscan_head *head)
{
    enum logscan_rc rc;
    size_t base, n;

    for (base = 0; base < s->len; base += n) {
        n = s->len - base < BLOCK ? s->len - base : BLOCK;
        if ((rc = block(s, impl, base, n, out, head)) != LOGSCAN_OK)
            return rc;
    }
    /* Not inside quotes, not in a key, not after a separator. */
    if (s->inq != 0 || s->odd == 0 || s->prev_sep != 0)
        return LOGSCAN_BAD;
    if (out != NULL)
        put_value(s, s->len, out);
    return LOGSCAN_OK;
}

FLATTEN
static enum logscan_rc
scan_bytes(struct scan *s, struct logfmt_line *out, struct logscan_head *h)
{
    return scan(s, LOGSCAN_BYTES, out, h);
}

#if BUILD_SSE2
FLATTEN
static enum logscan_rc
scan_sse2(struct scan *s, struct logfmt_line *out, struct logscan_head *h)
{
    return scan(s, LOGSCAN_SSE2, out, h);
}
#endif

#if BUILD_AVX
TARGET_AVX2 FLATTEN
static enum logscan_rc
scan_avx2(struct scan *s, struct logfmt_line *out, struct logscan_head *h)
{
    return scan(s, LOGSCAN_AVX2, out, h);
}

TARGET_AVX512 FLATTEN
static enum logscan_rc
scan_avx512(struct scan *s, struct logfmt_line *out, struct logscan_head *h)
{
    return scan(s, LOGSCAN_AVX512, out, h);
}
#endif

bool
logscan_has(enum logscan_impl impl)
{
    switch (impl) {
    case LOGSCAN_BEST:
    case LOGSCAN_BYTES:
        return true;
    case LOGSCAN_SSE2:
        return BUILD_SSE2;
    case LOGSCAN_AVX512:
#if BUILD_AVX
        return logscan_has(LOGSCAN_AVX2) &&
            __builtin_cpu_supports("avx512f") &&
            __builtin_cpu_supports("avx512bw");
#else
        return false;
#endif
    case LOGSCAN_AVX2:
#if BUILD_AVX
        return __builtin_cpu_supports("avx2") &&
            __builtin_cpu_supports("bmi") &&
            __builtin_cpu_supports("bmi2") &&
            __builtin_cpu_supports("popcnt") &&
            __builtin_cpu_supports("pclmul");
#else
        return false;
#endif
    }
    return false;
}

enum logscan_rc
logscan_line(const char *line, size_t len, struct logfmt_line *out,
    struct logscan_head *head)
{
    return logscan_line_with(LOGSCAN_BEST, line, len, out, head);
}

enum logscan_rc
logscan_line_with(enum logscan_impl impl, const char *line, size_t len,
    struct logfmt_line *out, struct logscan_head *head)
{
    struct scan s;

    if (len == 0)
        return LOGSCAN_BAD;
    memset(&s, 0, sizeof(s));
    s.p = (const unsigned char *)line;
    s.len = len;
    s.prev_sep = 1;     /* the line may not start with a separator */
    if (out != NULL) {
        out->n = 0;
    } else {
        head->nspaces = 0;
        head->last_space = LOGSCAN_NONE;
    }
    if (impl == LOGSCAN_BEST)
        impl = logscan_has(LOGSCAN_AVX512) ? LOGSCAN_AVX512 :
            logscan_has(LOGSCAN_AVX2) ? LOGSCAN_AVX2 :
            BUILD_SSE2 ? LOGSCAN_SSE2 : LOGSCAN_BYTES;
    assert(logscan_has(impl));
    switch (impl) {
#if BUILD_AVX
    case LOGSCAN_AVX512:
        return scan_avx512(&s, out, head);
    case LOGSCAN_AVX2:
        return scan_avx2(&s, out, head);
#endif
#if BUILD_SSE2
    case LOGSCAN_SSE2:
        return scan_sse2(&s, out, head);
#endif
    default:
        return scan_bytes(&s, out, head);
    }
}
