/*
 * Unit tests for report/logfmt.c, the inverse of common/log.c. The shared
 * round-trip corpus: values built from every awkward atom (quotes, spaces,
 * '=', backslashes, newlines, each control byte, UTF-8 of every length,
 * invalid UTF-8, the empty string), single, paired and in long random
 * sequences, are written by log_format / log_escape_value and must parse
 * back byte for byte. Then hand-made valid and malformed lines, and lines
 * cut by the writer's LOG_LINE_MAX cap.
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
#include "log.h"
#include "logfmt.h"

#define TS "2026-11-22T10:15:00.123Z"

static const char *const atoms[] = {
    "", "a", "plain", " ", "  ", "\"", "=", "\\", "\\\\", "\n", "\r", "\t",
    "\r\n", "\x01", "\x07", "\x1b", "\x1b[31m", "\x1f", "\x7f", "k=v",
    "\"quoted\"", "\\u0041", "\\n", "h\xc3\xa9llo", "\xe2\x82\xac",
    "\xf0\x9f\x98\x80", "\xe4\xb8\xad\xe6\x96\x87", "\xff", "\xc3",
    "\xe2\x82", "\x80", "truncated=1", "[redacted]", "-", "tinyId:5120",
    "/v1/ping?x=1&y", "\xe2\x80\xae", "'", "<script>",
    "\xe2\x80\xa8", "\xe2\x80\xa9", "\xc2\x85", "\xe2\x81\xa6",
    "\xe2\x80\x8f", "\xd8\x9c", "\xc2\x9f",
};

static struct logfmt_line parsed;

/* Format one line with the value under "value", parse it back and check
 * every field. */
static void
roundtrip(const char *v)
{
    char line[LOG_LINE_MAX + 1], got[LOG_LINE_MAX + 1], err[ALEXIS_ERR_MAX];
    const struct logfmt_field *f;
    size_t n;

    n = log_format(line, sizeof(line), TS, LOG_INFO, "report-test", "rt",
        (const struct kv[]){ KV_STR("value", v), KV_STR("after", "x y"),
        KV_INT("num", -42), KV_END });
    assert_true(n > 0 && line[n - 1] == '\n');
    err[0] = '\0';
    if (logfmt_parse(line, n - 1, &parsed, err, sizeof(err)) != 0)
        fail_msg("parse of [%s] failed: %s", line, err);
    assert_int_equal(parsed.n, 7);
    assert_non_null(f = logfmt_get(&parsed, "value"));
    assert_int_equal(logfmt_decode(f, got, sizeof(got)), strlen(v));
    if (strcmp(got, v) != 0)
        fail_msg("round trip of [%s] gave [%s]", v, got);
    assert_true(logfmt_value_eq(f, v));
    assert_non_null(f = logfmt_get(&parsed, "after"));
    assert_true(logfmt_value_eq(f, "x y"));
    assert_true(logfmt_value_eq(logfmt_get(&parsed, "num"), "-42"));
    assert_true(logfmt_value_eq(logfmt_get(&parsed, "ts"), TS));
    assert_true(logfmt_value_eq(logfmt_get(&parsed, "event"), "rt"));
    assert_true(logfmt_value_eq(logfmt_get(&parsed, "app"), "report-test"));
}

static void
test_roundtrip_atoms(void **state)
{
    char v[256];
    size_t i, j;

    (void)state;
    for (i = 0; i < NELEM(atoms); i++)
        roundtrip(atoms[i]);
    for (i = 0; i < NELEM(atoms); i++) {
        for (j = 0; j < NELEM(atoms); j++) {
            (void)snprintf(v, sizeof(v), "%s%s", atoms[i], atoms[j]);
            roundtrip(v);
        }
    }
}

/* Every byte value 1..255 alone and between letters. */
static void
test_roundtrip_bytes(void **state)
{
    char v[4];
    int b;

    (void)state;
    for (b = 1; b < 256; b++) {
        v[0] = (char)b;
        v[1] = '\0';
        roundtrip(v);
        v[0] = 'a';
        v[1] = (char)b;
        v[2] = 'z';
        v[3] = '\0';
        roundtrip(v);
    }
}

static void
test_roundtrip_random(void **state)
{
    char v[2048];
    uint32_t seed = 12345;
    size_t i, k, len;
    const char *a;

    (void)state;
    for (i = 0; i < 3000; i++) {
        v[0] = '\0';
        len = 0;
        seed = seed * 1103515245u + 12345u;
        for (k = (seed >> 16) % 40; k > 0; k--) {
            seed = seed * 1103515245u + 12345u;
            a = atoms[(seed >> 16) % NELEM(atoms)];
            if (len + strlen(a) + 1 >= sizeof(v))
                break;
            memcpy(v + len, a, strlen(a) + 1);
            len += strlen(a);
        }
        roundtrip(v);
    }
}

/* log_escape_value on its own, several values per line. */
static void
test_roundtrip_escape_value(void **state)
{
    char line[4096], esc[1024], got[1024];
    size_t i, pos, k;

    (void)state;
    for (i = 0; i + 2 < NELEM(atoms); i++) {
        pos = 0;
        for (k = 0; k < 3; k++) {
            pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%sk%zu=",
                k > 0 ? " " : "", k);
            assert_true(log_escape_value(esc, sizeof(esc), atoms[i + k]) !=
                (size_t)-1);
            pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%s", esc);
        }
        assert_int_equal(logfmt_parse(line, pos, &parsed, NULL, 0), 0);
        assert_int_equal(parsed.n, 3);
        for (k = 0; k < 3; k++) {
            assert_true(logfmt_decode(&parsed.f[k], got, sizeof(got)) !=
                (size_t)-1);
            assert_string_equal(got, atoms[i + k]);
        }
    }
}

/* A value too long for the line: the writer keeps a well-formed prefix and
 * ends with truncated=1; the parser reads it and the prefix is exact. */
static void
test_writer_cut_lines(void **state)
{
    static const char *const unit[] = { "a", "\"", "\n", "\x01",
        "\xe2\x82\xac", " x" };
    char *big, line[LOG_LINE_MAX + 1], got[LOG_LINE_MAX + 1];
    const struct logfmt_field *f;
    size_t i, k, n, ul;

    (void)state;
    big = malloc(3 * LOG_LINE_MAX);
    assert_non_null(big);
    for (i = 0; i < NELEM(unit); i++) {
        ul = strlen(unit[i]);
        for (k = 0; (k + 1) * ul < 3 * LOG_LINE_MAX - 1; k++)
            memcpy(big + k * ul, unit[i], ul);
        big[k * ul] = '\0';
        n = log_format(line, sizeof(line), TS, LOG_WARN, "t", "big",
            (const struct kv[]){ KV_STR("value", big), KV_END });
        assert_true(n <= LOG_LINE_MAX);
        assert_int_equal(logfmt_parse(line, n - 1, &parsed, NULL, 0), 0);
        assert_true(logfmt_value_eq(logfmt_get(&parsed, "truncated"), "1"));
        assert_non_null(f = logfmt_get(&parsed, "value"));
        k = logfmt_decode(f, got, sizeof(got));
        assert_true(k > 0 && k < strlen(big));
        assert_memory_equal(got, big, k);
    }
    free(big);
}

struct bad_case {
    const char *line;
    const char *why;    /* start of the error sentence */
};

static const struct bad_case bad_cases[] = {
    { "", "empty line" },
    { "key", "expected '='" },
    { "=v", "expected a key" },
    { "k=", "empty bare value" },
    { "k=v  k2=v", "expected a key" },
    { "k=v ", "expected a key" },
    { " k=v", "expected a key" },
    { "k=\"abc", "unterminated" },
    { "k=\"a\\qb\"", "bad escape" },
    { "k=\"a\\u00zz\"", "bad escape" },
    { "k=\"a\\u0000\"", "bad escape" },
    { "k=\"\\ud800\"", "bad escape" },
    { "k=\"\\u12\"", "bad escape" },
    { "k=\"a\\", "bad escape" },
    { "k=\"a\tb\"", "raw control byte" },
    { "k=\"a\x7f\"", "raw control byte" },
    { "k=a\"b", "expected a space" },
    { "k=a=b", "expected a space" },
    { "k=a\\b", "expected a space" },
    { "k=\"a\"b", "expected a space" },
    { "k@=v", "expected '='" },
    { "k=v\x01", "expected a space" },
    { "k=v\r", "expected a space" },
    { "ts=2026-01-01 plain text follows", "expected '='" },
    { "GET /v1/ping HTTP/1.1", "expected '='" },
};

static void
test_malformed(void **state)
{
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(bad_cases); i++) {
        err[0] = '\0';
        if (logfmt_parse(bad_cases[i].line, strlen(bad_cases[i].line),
            &parsed, err, sizeof(err)) != -1)
            fail_msg("case %zu [%s] parsed", i, bad_cases[i].line);
        if (strncmp(err, bad_cases[i].why, strlen(bad_cases[i].why)) != 0)
            fail_msg("case %zu: got \"%s\" want \"%s…\"", i, err,
                bad_cases[i].why);
        assert_non_null(strstr(err, " at byte "));
    }
}

struct good_case {
    const char *line;
    const char *key;
    const char *value;
};

static const struct good_case good_cases[] = {
    { "k=\"\\u00e9\"", "k", "\xc3\xa9" },
    { "k=\"\\u00E9\"", "k", "\xc3\xa9" },
    { "k=\"\\u20ac\"", "k", "\xe2\x82\xac" },
    { "k=\"\\u0041\"", "k", "A" },
    { "k=\"\"", "k", "" },
    { "k=\"abc\"", "k", "abc" },
    { "a.b-c_D9=1", "a.b-c_D9", "1" },
    { "k=\xff\xfe", "k", "\xff\xfe" },
    { "k=1 k=2", "k", "1" },
    { "x=1 y=\"a \\\"b\\\" \\\\ c\"", "y", "a \"b\" \\ c" },
};

static void
test_handmade_valid(void **state)
{
    char got[256];
    const struct logfmt_field *f;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(good_cases); i++) {
        assert_int_equal(logfmt_parse(good_cases[i].line,
            strlen(good_cases[i].line), &parsed, NULL, 0), 0);
        assert_non_null(f = logfmt_get(&parsed, good_cases[i].key));
        assert_true(logfmt_decode(f, got, sizeof(got)) != (size_t)-1);
        assert_string_equal(got, good_cases[i].value);
        assert_true(logfmt_value_eq(f, good_cases[i].value));
        assert_false(logfmt_value_eq(f, "something else"));
    }
    assert_null(logfmt_get(&parsed, "absent"));
}

static void
test_decode_bounds(void **state)
{
    char got[8];
    const struct logfmt_field *f;

    (void)state;
    assert_int_equal(logfmt_parse("k=abcdefgh", 10, &parsed, NULL, 0), 0);
    f = logfmt_get(&parsed, "k");
    assert_true(logfmt_decode(f, got, sizeof(got)) == (size_t)-1);
    assert_int_equal(logfmt_parse("k=abcdefg", 9, &parsed, NULL, 0), 0);
    assert_int_equal(logfmt_decode(logfmt_get(&parsed, "k"), got,
        sizeof(got)), 7);
    /* A prefix is not equal; neither is a longer string. */
    assert_false(logfmt_value_eq(logfmt_get(&parsed, "k"), "abcdef"));
    assert_false(logfmt_value_eq(logfmt_get(&parsed, "k"), "abcdefgh"));
}

static void
test_too_many_fields(void **state)
{
    char line[LOGFMT_FIELDS_MAX * 5 + 16];
    size_t pos = 0, i;

    (void)state;
    for (i = 0; i <= LOGFMT_FIELDS_MAX; i++)
        pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%sk=1",
            i > 0 ? " " : "");
    assert_int_equal(logfmt_parse(line, pos, &parsed, NULL, 0), -1);
    assert_int_equal(logfmt_parse(line, pos - 4, &parsed, NULL, 0), 0);
    assert_int_equal(parsed.n, LOGFMT_FIELDS_MAX);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_atoms),
        cmocka_unit_test(test_roundtrip_bytes),
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_roundtrip_escape_value),
        cmocka_unit_test(test_writer_cut_lines),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_handmade_valid),
        cmocka_unit_test(test_decode_bounds),
        cmocka_unit_test(test_too_many_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
