/*
 * hex_encode, hex_decode, hex_is_lower: job ids, the simulator's page keys
 * and \uXXXX escapes, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hex.h"

struct enc_row {
    const char *src;
    size_t      n;
    size_t      dstlen;
    const char *want;
};

static const struct enc_row enc_rows[] = {
    { "", 0, 1, "" },
    { "\x00\x01\x7f\x80\xff", 5, 11, "00017f80ff" },
    { "P1|0", 4, 9, "50317c30" },
    { "\xde\xad\xbe\xef", 4, 64, "deadbeef" },         /* room to spare */
    { "\xde\xad\xbe\xef", 4, 8, "deadbe" },     /* whole bytes that fit */
    { "\xde\xad\xbe\xef", 4, 2, "" },
};

static void
test_encode_table(void **state)
{
    char dst[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(enc_rows) / sizeof(enc_rows[0]); i++) {
        memset(dst, 'Z', sizeof(dst));
        assert_ptr_equal(hex_encode(enc_rows[i].src, enc_rows[i].n, dst,
            enc_rows[i].dstlen), dst);
        if (strcmp(dst, enc_rows[i].want) != 0)
            fail_msg("row %zu: \"%s\" != \"%s\"", i, dst, enc_rows[i].want);
        assert_true(strlen(dst) < enc_rows[i].dstlen);
    }
    /* dstlen 0: nothing written at all. */
    memset(dst, 'Z', sizeof(dst));
    assert_ptr_equal(hex_encode("a", 1, dst, 0), dst);
    assert_int_equal(dst[0], 'Z');
}

struct dec_row {
    const char *in;
    size_t      outlen;
    int         rc;
    const char *want;   /* len(in)/2 bytes when rc == 0 */
};

static const struct dec_row dec_rows[] = {
    { "", 4, 0, "" },
    { "00017f80ff", 5, 0, "\x00\x01\x7f\x80\xff" },
    { "DeadBEEF", 4, 0, "\xde\xad\xbe\xef" },           /* either case */
    { "2028", 2, 0, "\x20\x28" },
    { "abc", 4, -1, NULL },                             /* odd length */
    { "zz", 4, -1, NULL },                              /* not a digit */
    { "0g", 4, -1, NULL },
    { "12 4", 4, -1, NULL },
    { "deadbeef", 3, -1, NULL },                        /* does not fit */
};

static void
test_decode_table(void **state)
{
    unsigned char out[16];
    size_t i, len;

    (void)state;
    for (i = 0; i < sizeof(dec_rows) / sizeof(dec_rows[0]); i++) {
        len = strlen(dec_rows[i].in);
        if (hex_decode(dec_rows[i].in, len, out, dec_rows[i].outlen) !=
            dec_rows[i].rc)
            fail_msg("row %zu: \"%s\" rc != %d", i, dec_rows[i].in,
                dec_rows[i].rc);
        if (dec_rows[i].rc == 0)
            assert_memory_equal(out, dec_rows[i].want, len / 2);
    }
}

static void
test_round_trip(void **state)
{
    unsigned char raw[256], back[256];
    char text[2 * 256 + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(raw); i++)
        raw[i] = (unsigned char)i;
    hex_encode(raw, sizeof(raw), text, sizeof(text));
    assert_int_equal(strlen(text), 2 * sizeof(raw));
    assert_true(hex_is_lower(text));
    assert_int_equal(hex_decode(text, strlen(text), back, sizeof(back)), 0);
    assert_memory_equal(raw, back, sizeof(raw));
}

struct lower_row {
    const char *in;
    bool        want;
};

static const struct lower_row lower_rows[] = {
    { "0123456789abcdef", true },
    { "0", true },
    { "", false },
    { "ABCDEF", false },                /* a job id is lower case */
    { "12g4", false },
    { "12 4", false },
    { "abc\n", false },
};

static void
test_is_lower_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(lower_rows) / sizeof(lower_rows[0]); i++) {
        if (hex_is_lower(lower_rows[i].in) != lower_rows[i].want)
            fail_msg("row %zu: \"%s\" != %d", i, lower_rows[i].in,
                lower_rows[i].want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_table),
        cmocka_unit_test(test_decode_table),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_is_lower_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
