/*
 * str_quote: what error sentences quote of untrusted text (a config key,
 * an entity); str_no_ctl: what refuses control bytes;
 * str_format_duration_ms: how durations are written. Table-driven.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "str.h"

struct quote_row {
    const char *in;
    size_t      dstlen;
    const char *want;
};

static const struct quote_row quote_rows[] = {
    { "web1.prod", 64, "web1.prod" },
    { "", 64, "" },
    { "a\"b\\c", 64, "a\\\"b\\\\c" },
    { "line\nbreak\ttab", 64, "line\\x0abreak\\x09tab" },
    { "del\x7f", 64, "del\\x7f" },
    { "caf\xc3\xa9", 64, "caf\xc3\xa9" },                 /* UTF-8 kept */
    { "abcdefghijklmnop", 16, "abcdefgh..." },
    { "\n\n\n\n", 16, "\\x0a\\x0a..." },        /* never half an escape */
};

static void
test_quote_table(void **state)
{
    char dst[128];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(quote_rows) / sizeof(quote_rows[0]); i++) {
        memset(dst, 'Z', sizeof(dst));
        assert_ptr_equal(str_quote(dst, quote_rows[i].dstlen,
            quote_rows[i].in), dst);
        if (strcmp(dst, quote_rows[i].want) != 0)
            fail_msg("row %zu: \"%s\" != \"%s\"", i, dst, quote_rows[i].want);
        assert_true(strlen(dst) < quote_rows[i].dstlen);
    }
}

struct ctl_row {
    const char *in;
    size_t      n;
    bool        want;
};

/* str_no_ctl: feed ids, token ids, credential names, header names, key
 * and secret files all refuse what it refuses. */
static const struct ctl_row ctl_rows[] = {
    { "web1.prod", 9, true },
    { "with space", 10, true },             /* space is not a control */
    { "caf\xc3\xa9 \xe2\x80\xa8", 9, true },  /* any byte >= 0x80 */
    { "\x7e~", 2, true },
    { "", 0, true },                        /* nothing to refuse */
    { "tab\there", 8, false },
    { "line\n", 5, false },
    { "cr\r", 3, false },
    { "del\x7f", 4, false },
    { "\x1f", 1, false },
    { "nul\0after", 9, false },             /* NUL within n counts */
    { "ok\nrest", 2, true },                /* only n bytes are read */
};

static void
test_no_ctl_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ctl_rows) / sizeof(ctl_rows[0]); i++) {
        if (str_no_ctl(ctl_rows[i].in, ctl_rows[i].n) != ctl_rows[i].want)
            fail_msg("row %zu: \"%s\" != %d", i, ctl_rows[i].in,
                ctl_rows[i].want);
    }
}

/* str_format_duration_ms: the bounds cfg.c names (hours at most) and the
 * guardrail windows (days); what it writes reads back the same. */
/* str_trim: both ends, nothing inside; an all-blank span ends empty. */
static void
test_trim_table(void **state)
{
    static const struct {
        const char *in;
        const char *want;
    } rows[] = {
        { "key", "key" },
        { "  key\n", "key" },
        { "\t\r\nk e y \v\f", "k e y" },
        { "   ", "" },
        { "", "" },
    };
    const char *a, *b;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        a = rows[i].in;
        b = a + strlen(a);
        str_trim(&a, &b);
        assert_true(a <= b);
        if ((size_t)(b - a) != strlen(rows[i].want) ||
            memcmp(a, rows[i].want, (size_t)(b - a)) != 0)
            fail_msg("row %zu: \"%.*s\"", i, (int)(b - a), a);
    }
}

static void
test_format_duration_table(void **state)
{
    static const struct {
        uint64_t    ms;
        bool        days;
        const char *want;
    } rows[] = {
        { 250, false, "250ms" }, { 1500, false, "1500ms" },
        { 30000, false, "30s" }, { 90000, false, "90s" },
        { 300000, false, "5m" }, { 3600000, false, "1h" },
        { 86400000, false, "24h" }, { 86400000, true, "1d" },
        { 36 * 3600000ULL, true, "36h" }, { 30 * 86400000ULL, true, "30d" },
        { 0, false, "0ms" }, { 0, true, "0ms" },
    };
    const char *errstr;
    char buf[32];
    uint64_t back;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_ptr_equal(str_format_duration_ms(rows[i].ms, rows[i].days,
            buf, sizeof(buf)), buf);
        if (strcmp(buf, rows[i].want) != 0)
            fail_msg("row %zu: \"%s\" != \"%s\"", i, buf, rows[i].want);
        assert_int_equal(str_to_duration_ms(buf, UINT64_MAX, &back,
            &errstr), 0);
        assert_int_equal(back, rows[i].ms);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_table),
        cmocka_unit_test(test_no_ctl_table),
        cmocka_unit_test(test_format_duration_table),
        cmocka_unit_test(test_trim_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
