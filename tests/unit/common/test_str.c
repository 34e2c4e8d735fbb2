/*
 * str_quote: what error sentences quote of untrusted text (a config key,
 * an entity); str_no_ctl: what refuses control bytes. Table-driven.
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_table),
        cmocka_unit_test(test_no_ctl_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
