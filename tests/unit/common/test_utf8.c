/*
 * common/utf8.c: strict decoding (table-driven: valid sequences of each
 * length, overlong forms, surrogates, values past U+10FFFF, bad and
 * missing continuation bytes), cutting that never splits a sequence, and
 * counting characters.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compat.h"
#include "utf8.h"

static void
test_decode(void **state)
{
    static const struct {
        const char *in;
        size_t      len;        /* 0: invalid */
        uint32_t    cp;
    } rows[] = {
        { "A", 1, 0x41 },
        { "\x7f", 1, 0x7f },
        { "\xc2\x80", 2, 0x80 },
        { "\xc3\xa9", 2, 0xe9 },
        { "\xdf\xbf", 2, 0x7ff },
        { "\xe0\xa0\x80", 3, 0x800 },
        { "\xe2\x80\xa8", 3, 0x2028 },
        { "\xef\xbf\xbd", 3, 0xfffd },
        { "\xf0\x90\x80\x80", 4, 0x10000 },
        { "\xf0\x9f\x98\x80", 4, 0x1f600 },
        { "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
        { "\x80", 0, 0 },               /* lone continuation */
        { "\xbf", 0, 0 },
        { "\xc0\x80", 0, 0 },           /* overlong NUL */
        { "\xc1\xbf", 0, 0 },           /* overlong */
        { "\xe0\x80\x80", 0, 0 },       /* overlong */
        { "\xe0\x9f\xbf", 0, 0 },       /* overlong */
        { "\xf0\x80\x80\x80", 0, 0 },   /* overlong */
        { "\xed\xa0\x80", 0, 0 },       /* surrogate U+D800 */
        { "\xed\xbf\xbf", 0, 0 },       /* surrogate U+DFFF */
        { "\xf4\x90\x80\x80", 0, 0 },   /* past U+10FFFF */
        { "\xf5\x80\x80\x80", 0, 0 },
        { "\xf8\x88\x80\x80\x80", 0, 0 },
        { "\xff", 0, 0 },
        { "\xc3" "A", 0, 0 },           /* bad continuation */
        { "\xe2\x80" "A", 0, 0 },
        { "\xf0\x9f\x98" "A", 0, 0 },
    };
    uint32_t cp;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        const unsigned char *p = (const unsigned char *)rows[i].in;
        size_t got = utf8_decode(p, strlen(rows[i].in), &cp);

        if (got != rows[i].len)
            fail_msg("row %zu: length %zu, want %zu", i, got, rows[i].len);
        if (got != 0)
            assert_int_equal(cp, rows[i].cp);
        assert_int_equal(utf8_decode(p, strlen(rows[i].in), NULL), got);
    }
    /* A sequence cut short by the bytes that may be read. */
    assert_int_equal(utf8_decode((const unsigned char *)"\xc3\xa9", 1, NULL),
        0);
    assert_int_equal(utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80",
        3, NULL), 0);
}

/* Whatever the limit, a cut ends where a sequence starts, never inside. */
static void
test_cut(void **state)
{
    static const char s[] = "a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80"
        "d";
    static const size_t starts[] = { 0, 1, 3, 4, 7, 8, 12, 13 };
    size_t n, k, got, want;

    (void)state;
    for (n = 0; n <= sizeof(s) - 1; n++) {
        got = utf8_cut(s, n);
        want = 0;
        for (k = 0; k < NELEM(starts); k++) {
            if (starts[k] <= n)
                want = starts[k];
        }
        if (n == sizeof(s) - 1)
            want = n;
        if (got != want)
            fail_msg("cut at %zu: %zu, want %zu", n, got, want);
        assert_true(got <= n);
    }
    /* Invalid bytes do not make it back past the start. */
    assert_int_equal(utf8_cut("\x80\x80\x80", 2), 0);
    assert_int_equal(utf8_cut("\xff\x80", 1), 0);
}

static void
test_count(void **state)
{
    static const char s[] = "a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80";

    (void)state;
    assert_int_equal(utf8_chars(""), 0);
    assert_int_equal(utf8_chars("abc"), 3);
    assert_int_equal(utf8_chars(s), 6);
    assert_int_equal(utf8_prefix(s, 0), 0);
    assert_int_equal(utf8_prefix(s, 1), 1);
    assert_int_equal(utf8_prefix(s, 2), 3);
    assert_int_equal(utf8_prefix(s, 4), 7);
    assert_int_equal(utf8_prefix(s, 5), 8);
    assert_int_equal(utf8_prefix(s, 6), strlen(s));
    assert_int_equal(utf8_prefix(s, 100), strlen(s));
    assert_false(utf8_is_cont('a'));
    assert_false(utf8_is_cont(0xc3));
    assert_true(utf8_is_cont(0x80));
    assert_true(utf8_is_cont(0xbf));
}

/* utf8_misleads: what the log and the report's text tables escape. */
static void
test_misleads(void **state)
{
    static const struct {
        uint32_t    cp;
        bool        want;
    } rows[] = {
        { 0x7f, false }, { 0x80, true }, { 0x85, true },    /* NEL */
        { 0x9b, true }, { 0x9f, true }, { 0xa0, false },
        { 0x061b, false }, { 0x061c, true }, { 0x061d, false },
        { 0x200d, false }, { 0x200e, true }, { 0x200f, true },
        { 0x2027, false }, { 0x2028, true }, { 0x2029, true },
        { 0x202a, true }, { 0x202e, true }, { 0x202f, false },
        { 0x2065, false }, { 0x2066, true }, { 0x2069, true },
        { 0x206a, false }, { 'a', false }, { 0x0a, false },  /* C0: not */
        { 0xe9, false }, { 0x1f600, false },
    };
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        if (utf8_misleads(rows[i].cp) != rows[i].want)
            fail_msg("row %zu: U+%04x != %d", i, (unsigned)rows[i].cp,
                rows[i].want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_cut),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_misleads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
