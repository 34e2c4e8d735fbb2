/*
 * Unit tests for report/logscan.c, the bit-parallel fast path of the
 * logfmt parser. Every classifier this CPU has is held against the byte
 * parser (logfmt_parse_bytes, the definition of the grammar): the same
 * verdict and the same fields, on template lines shifted through every
 * position of a 64-byte block, on random lines over the grammar's
 * alphabet, and on near misses of valid lines. Each line sits at the very
 * end of its own allocation, so ASan catches a load past it. logfmt_scan's
 * outline is checked against a full parse on the same lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "logfmt.h"
#include "logscan.h"

#define SHIFT_MAX   140     /* more than two blocks */

static const enum logscan_impl impls[] = {
    LOGSCAN_BEST, LOGSCAN_BYTES, LOGSCAN_SSE2, LOGSCAN_AVX2, LOGSCAN_AVX512,
};

static struct logfmt_line want, got;

static uint32_t
rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 16;
}

static void
same_fields(const char *line, const struct logfmt_line *a,
    const struct logfmt_line *b)
{
    size_t i;

    if (a->n != b->n)
        fail_msg("[%s]: %zu fields, want %zu", line, b->n, a->n);
    for (i = 0; i < a->n; i++) {
        if (a->f[i].key != b->f[i].key || a->f[i].keylen != b->f[i].keylen ||
            a->f[i].val != b->f[i].val || a->f[i].vallen != b->f[i].vallen ||
            a->f[i].quoted != b->f[i].quoted ||
            a->f[i].escaped != b->f[i].escaped)
            fail_msg("[%s]: field %zu differs", line, i);
    }
}

/* The head must name the spaces between the fields of want. */
static void
same_head(const char *line, const struct logscan_head *h)
{
    size_t i;

    for (i = 0; i < h->nspaces; i++) {
        if (line + h->space[i] + 1 != want.f[i + 1].key)
            fail_msg("[%s]: head space %zu is wrong", line, i);
    }
    if (h->nspaces != (want.n - 1 < LOGSCAN_HEAD ? want.n - 1 :
        LOGSCAN_HEAD))
        fail_msg("[%s]: %zu head spaces", line, h->nspaces);
    if (want.n == 1 ? h->last_space != LOGSCAN_NONE :
        line + h->last_space + 1 != want.f[want.n - 1].key)
        fail_msg("[%s]: last space is wrong", line);
}

/* logfmt_scan against a full parse and logfmt_get. */
static void
check_outline(const char *line, size_t len, int rc)
{
    const struct logfmt_field *ev;
    struct logfmt_outline o;

    if (logfmt_scan(line, len, &o) != rc)
        fail_msg("[%s]: logfmt_scan disagrees", line);
    if (rc == -1)
        return;
    ev = logfmt_get(&want, "event");
    if (ev == NULL ? o.event != NULL : o.event != ev->val ||
        o.eventlen != ev->vallen || o.event_escaped != ev->escaped)
        fail_msg("[%s]: outline event differs", line);
    if (o.truncated != (want.f[want.n - 1].keylen == 9 &&
        memcmp(want.f[want.n - 1].key, "truncated", 9) == 0))
        fail_msg("[%s]: outline truncated differs", line);
}

/* Every classifier against the byte parser on line[0..len). */
static void
check_line(const char *text, size_t len)
{
    char *line = malloc(len > 0 ? len : 1);
    struct logscan_head h;
    enum logscan_rc rc, rc2;
    size_t i;
    int ref;

    assert_non_null(line);
    memcpy(line, text, len);
    ref = logfmt_parse_bytes(line, len, &want, NULL, 0);
    for (i = 0; i < sizeof(impls) / sizeof(impls[0]); i++) {
        if (!logscan_has(impls[i]))
            continue;
        rc = logscan_line_with(impls[i], line, len, &got, NULL);
        rc2 = logscan_line_with(impls[i], line, len, NULL, &h);
        if (rc != rc2)
            fail_msg("[%.*s]: split and head disagree", (int)len, line);
        if (rc == LOGSCAN_SLOW) {
            if (memchr(line, '\\', len) == NULL)
                fail_msg("[%.*s]: slow without a backslash", (int)len,
                    line);
            continue;
        }
        if ((rc == LOGSCAN_OK) != (ref == 0))
            fail_msg("[%.*s] (impl %d): fast says %s", (int)len, line,
                (int)impls[i], rc == LOGSCAN_OK ? "valid" : "malformed");
        if (rc == LOGSCAN_OK) {
            same_fields(line, &want, &got);
            same_head(line, &h);
        }
    }
    check_outline(line, len, ref);
    if (logfmt_parse(line, len, &got, NULL, 0) != ref)
        fail_msg("[%.*s]: logfmt_parse disagrees", (int)len, line);
    free(line);
}

/* Lines whose structure lands on every byte of a block once the first
 * key is made longer: valid ones and one of each kind of mistake. */
static const char *const templates[] = {
    "k=v",
    "ts=2026-05-01T18:52:08.893Z level=info app=action_handler "
        "event=ActionFinished tinyId=1000 job=j-1-0 "
        "entity=host-191.prod.example.com action_reason=\"5xx burst\" "
        "exit_status=0",
    "a=\"\" b=\"x y=z\" c=\"\" d=e",
    "a=\"q\" b=\"  \" c=\"=\" d=\"\xc3\xa9\"",
    "a=\"x \\\"y\\\"\" b=1",
    "a.b-c_D9=1 x=\xff\xfe y=\"\"",
    "a=1 event=x b=2",
    "event=ActionStart",
    "ts=1 level=info app=x event=\"ActionStart\" truncated=1",
    "ts=1 level=info event=no app=x event=ActionStart",
    "ts=1 level=info app=x event=y z=1 truncated=1",
    "a=1 b=2 c=3 event=\"\"",
    "k=", "k=v ", "k=v  k2=v", "k==v", "k=a=b", "k=a\"b", "k=\"a\"b",
    "k=\"abc", "k=\"a\tb\"", "k=\"a\x7f\"", "k@=v", "k=v\x01", "k=v\r",
    "k=\"a\" \"b\"=c", "k=v =v", "k=v k", "k=\"a\"\"b\"", "k=\"a\" =b",
    "k=v\"", "\"k\"=v", "k=\"x\" y", "k=a b=\"c d",
};

static void
test_templates_shifted(void **state)
{
    char line[SHIFT_MAX + 512];
    size_t i, k, tl;

    (void)state;
    for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
        tl = strlen(templates[i]);
        assert_true(tl + SHIFT_MAX < sizeof(line));
        for (k = 0; k <= SHIFT_MAX; k++) {
            memset(line, 'x', k);
            memcpy(line + k, templates[i], tl);
            check_line(line, k + tl);
            /* The same with its start cut off: every suffix. */
            if (k < tl)
                check_line(templates[i] + k, tl - k);
        }
    }
}

/* Random lines over the bytes that matter to the grammar. */
static void
test_random_alphabet(void **state)
{
    static const char alpha[] = "ab_.-Z9= = = \"\"\\nu0\x01\x7f\xc3\xa9@ ";
    char line[300];
    uint32_t seed = 6;
    size_t i, k, len;

    (void)state;
    for (i = 0; i < 200000; i++) {
        len = rnd(&seed) % sizeof(line);
        for (k = 0; k < len; k++)
            line[k] = alpha[rnd(&seed) % (sizeof(alpha) - 1)];
        check_line(line, len);
    }
}

/* A valid line of random fields (bare and quoted values, no escapes
 * unless asked), then the same line with one byte changed, added or
 * removed. */
static size_t
random_line(char *line, size_t cap, uint32_t *seed, bool escapes)
{
    static const char keyc[] = "abcXYZ019_.-";
    static const char valc[] = "abc019:/-_.\xc3\xa9@%";
    static const char quotc[] = "ab =:/\xe2\x82\xac@%";
    size_t pos = 0, f, nf = 1 + rnd(seed) % 20, k, n;

    for (f = 0; f < nf && pos + 100 < cap; f++) {
        if (f > 0)
            line[pos++] = ' ';
        for (n = 1 + rnd(seed) % 12, k = 0; k < n; k++)
            line[pos++] = keyc[rnd(seed) % (sizeof(keyc) - 1)];
        line[pos++] = '=';
        n = rnd(seed) % 40;
        if (rnd(seed) % 3 == 0) {
            line[pos++] = '"';
            for (k = 0; k < n; k++) {
                if (escapes && rnd(seed) % 16 == 0) {
                    line[pos++] = '\\';
                    line[pos++] = "\"\\nrt"[rnd(seed) % 5];
                } else {
                    line[pos++] = quotc[rnd(seed) % (sizeof(quotc) - 1)];
                }
            }
            line[pos++] = '"';
        } else {
            for (k = 0; k <= n; k++)
                line[pos++] = valc[rnd(seed) % (sizeof(valc) - 1)];
        }
    }
    return pos;
}

static void
test_random_near_misses(void **state)
{
    static const char edits[] = " =\"\\\x01\x7f" "ax";
    char line[2048];
    uint32_t seed = 42;
    size_t i, len, at;

    (void)state;
    for (i = 0; i < 40000; i++) {
        len = random_line(line, sizeof(line) - 2, &seed, i % 4 == 0);
        check_line(line, len);
        at = rnd(&seed) % len;
        switch (rnd(&seed) % 3) {
        case 0:
            line[at] = edits[rnd(&seed) % (sizeof(edits) - 1)];
            break;
        case 1:
            memmove(line + at + 1, line + at, len - at);
            line[at] = edits[rnd(&seed) % (sizeof(edits) - 1)];
            len++;
            break;
        default:
            memmove(line + at, line + at + 1, len - at - 1);
            len--;
            break;
        }
        check_line(line, len);
    }
}

/* The field cap, around the length where the checker starts counting. */
static void
test_field_cap(void **state)
{
    char line[LOGFMT_FIELDS_MAX * 8 + 16];
    size_t pos, i, extra;

    (void)state;
    for (extra = 0; extra < 3; extra++) {
        pos = 0;
        for (i = 0; i < LOGFMT_FIELDS_MAX + extra - 1; i++)
            pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%sk=1",
                i > 0 ? " " : "");
        check_line(line, pos);
        pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " k=\"\"");
        check_line(line, pos);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_shifted),
        cmocka_unit_test(test_random_alphabet),
        cmocka_unit_test(test_random_near_misses),
        cmocka_unit_test(test_field_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
