/*
 * buf: the cap on content, appends, and buf_reserve's one allocation for
 * a size known beforehand (a request's Content-Length).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_append_cap(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 5);
    assert_int_equal(buf_appends(&b, "abc"), 0);
    assert_int_equal(buf_appends(&b, "de"), 0);
    assert_int_equal(buf_appends(&b, "f"), -1);     /* over the cap */
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "abcde");
    buf_free(&b);
}

static void
test_reserve_once(void **state)
{
    struct buf b;
    char chunk[100];
    const char *at;
    int i;

    (void)state;
    memset(chunk, 'x', sizeof(chunk));
    buf_init(&b, 3000);
    assert_int_equal(buf_reserve(&b, 3000), 0);
    assert_non_null(b.data);
    assert_true(b.cap >= 3001);
    at = b.data;
    /* Thirty appends of 100 bytes fill it without moving it. */
    for (i = 0; i < 30; i++)
        assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
    assert_ptr_equal(b.data, at);
    assert_int_equal(b.len, 3000);
    assert_int_equal(b.data[3000], '\0');
    assert_int_equal(buf_append(&b, "y", 1), -1);
    buf_free(&b);
}

static void
test_reserve_over_max(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 10);
    assert_int_equal(buf_appends(&b, "12345"), 0);
    assert_int_equal(buf_reserve(&b, 6), -1);       /* 5 + 6 > 10 */
    assert_int_equal(b.len, 5);
    assert_string_equal(b.data, "12345");
    assert_int_equal(buf_reserve(&b, 5), 0);
    assert_int_equal(buf_reserve(&b, 0), 0);
    assert_string_equal(b.data, "12345");
    buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_cap),
        cmocka_unit_test(test_reserve_once),
        cmocka_unit_test(test_reserve_over_max),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
