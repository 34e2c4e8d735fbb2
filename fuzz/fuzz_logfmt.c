/*
 * Fuzz target: the report's logfmt reader (report/logfmt.c and its
 * bit-parallel fast path report/logscan.c) on arbitrary lines; the input
 * is split at '\n' and each line gets an allocation of exactly its size,
 * so that a SIMD load past the line's end is caught. Differential, as
 * tests/unit/report/test_logscan.c does it on generated lines: every
 * classifier this CPU has must give the byte parser's verdict and the
 * same fields, logfmt_scan's outline must equal a full parse, and every
 * decoded value must survive log_escape_value (the writer) and a parse
 * byte for byte.
 */
#include "alexis_limits.h"
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "log.h"
#include "logfmt.h"
#include "logscan.h"


static const enum logscan_impl impls[] = {
    LOGSCAN_BEST, LOGSCAN_BYTES, LOGSCAN_SSE2, LOGSCAN_AVX2, LOGSCAN_AVX512,
};

/* The per-line state: three splits of LOGFMT_FIELDS_MAX fields are too
 * big for comfort on the stack. */
struct lines {
    struct logfmt_line  want;   /* the byte parser's */
    struct logfmt_line  got;
    struct logfmt_line  rt;     /* a round trip through the writer */
};

static void
same_fields(const struct logfmt_line *a, const struct logfmt_line *b)
{
    size_t i;

    FUZZ_CHECK(a->n == b->n);
    for (i = 0; i < a->n; i++) {
        FUZZ_CHECK(a->f[i].key == b->f[i].key);
        FUZZ_CHECK(a->f[i].keylen == b->f[i].keylen);
        FUZZ_CHECK(a->f[i].val == b->f[i].val);
        FUZZ_CHECK(a->f[i].vallen == b->f[i].vallen);
        FUZZ_CHECK(a->f[i].quoted == b->f[i].quoted);
        FUZZ_CHECK(a->f[i].escaped == b->f[i].escaped);
    }
}

/* The head of a valid line names the spaces between want's fields. */
static void
same_head(const char *line, const struct logfmt_line *want,
    const struct logscan_head *h)
{
    size_t i, nsp = want->n - 1;

    FUZZ_CHECK(h->nspaces == (nsp < LOGSCAN_HEAD ? nsp : LOGSCAN_HEAD));
    for (i = 0; i < h->nspaces; i++)
        FUZZ_CHECK(line + h->space[i] + 1 == want->f[i + 1].key);
    if (want->n == 1)
        FUZZ_CHECK(h->last_space == LOGSCAN_NONE);
    else
        FUZZ_CHECK(line + h->last_space + 1 == want->f[want->n - 1].key);
}

/* logfmt_scan against the full parse want (ref is its verdict). */
static void
check_outline(const char *line, size_t len, int ref,
    const struct logfmt_line *want)
{
    const struct logfmt_field *ev, *last;
    struct logfmt_outline o;

    FUZZ_CHECK(logfmt_scan(line, len, &o) == ref);
    if (ref == -1)
        return;
    ev = logfmt_get(want, "event");
    if (ev == NULL) {
        FUZZ_CHECK(o.event == NULL);
    } else {
        FUZZ_CHECK(o.event == ev->val && o.eventlen == ev->vallen);
        FUZZ_CHECK(o.event_escaped == ev->escaped);
    }
    last = &want->f[want->n - 1];
    FUZZ_CHECK(o.truncated == (last->keylen == 9 &&
        memcmp(last->key, "truncated", 9) == 0));
}

/* Decode f, compare with logfmt_value_eq, write it back with the log
 * writer's escaping and parse that: the same bytes must come out. */
static void
check_value(const struct logfmt_field *f, struct lines *l)
{
    char *val, *esc, *line, *back;
    size_t n, cap, elen;

    val = malloc(f->vallen + 1);
    FUZZ_CHECK(val != NULL);
    n = logfmt_decode(f, val, f->vallen + 1);
    FUZZ_CHECK(n != (size_t)-1 && n <= f->vallen);
    FUZZ_CHECK(strlen(val) == n);
    FUZZ_CHECK(logfmt_value_eq(f, val));
    /* The longest escape, \u00XX, is 6 bytes; plus quotes and NUL. */
    cap = 6 * n + 3;
    esc = malloc(cap);
    line = malloc(cap + 2);
    back = malloc(cap + 1);
    FUZZ_CHECK(esc != NULL && line != NULL && back != NULL);
    elen = log_escape_value(esc, cap, val);
    FUZZ_CHECK(elen != (size_t)-1 && elen > 0);
    memcpy(line, "v=", 2);
    memcpy(line + 2, esc, elen);
    FUZZ_CHECK(logfmt_parse(line, elen + 2, &l->rt, NULL, 0) == 0);
    FUZZ_CHECK(l->rt.n == 1);
    FUZZ_CHECK(logfmt_decode(&l->rt.f[0], back, cap + 1) == n);
    FUZZ_CHECK(memcmp(back, val, n) == 0);
    free(back);
    free(line);
    free(esc);
    free(val);
}

static void
check_line(const char *line, size_t len, struct lines *l)
{
    char err[ALEXIS_ERR_MAX];
    struct logscan_head h;
    enum logscan_rc rc, rc2;
    size_t i;
    int ref;

    err[0] = '\0';
    ref = logfmt_parse_bytes(line, len, &l->want, err, sizeof(err));
    FUZZ_CHECK(ref == 0 || strstr(err, " at byte ") != NULL);
    for (i = 0; i < NELEM(impls); i++) {
        if (!logscan_has(impls[i]))
            continue;
        rc = logscan_line_with(impls[i], line, len, &l->got, NULL);
        rc2 = logscan_line_with(impls[i], line, len, NULL, &h);
        FUZZ_CHECK(rc == rc2);
        if (rc == LOGSCAN_SLOW) {
            FUZZ_CHECK(memchr(line, '\\', len) != NULL);
            continue;
        }
        if ((rc == LOGSCAN_OK) != (ref == 0))
            fprintf(stderr, "classifier %d says %s, the byte parser %s\n",
                (int)impls[i], rc == LOGSCAN_OK ? "valid" : "malformed",
                ref == 0 ? "valid" : "malformed");
        FUZZ_CHECK((rc == LOGSCAN_OK) == (ref == 0));
        if (rc == LOGSCAN_OK) {
            same_fields(&l->want, &l->got);
            same_head(line, &l->want, &h);
        }
    }
    check_outline(line, len, ref, &l->want);
    FUZZ_CHECK(logfmt_parse(line, len, &l->got, NULL, 0) == ref);
    FUZZ_CHECK(logfmt_parse(line, len, &l->got, err, sizeof(err)) == ref);
    if (ref == -1)
        return;
    same_fields(&l->want, &l->got);
    for (i = 0; i < l->want.n; i++)
        check_value(&l->want.f[i], l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size, *nl;
    struct lines *l;
    size_t len;
    char *line;

    if ((l = malloc(sizeof(*l))) == NULL)
        abort();
    do {
        nl = memchr(p, '\n', (size_t)(end - p));
        len = (size_t)((nl != NULL ? nl : end) - p);
        /* Exactly len bytes: ASan sees any read past the line. */
        if ((line = malloc(len > 0 ? len : 1)) == NULL)
            abort();
        memcpy(line, p, len);
        check_line(line, len, l);
        free(line);
        p += len + 1;
    } while (nl != NULL);
    free(l);
    return 0;
}
