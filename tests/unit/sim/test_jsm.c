/*
 * Paging of the simulated JSM alert list: size 1..100, offset + size
 * under 20,000, and when a next page is offered (whenever matches remain,
 * as links computed from the count are).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "jsm.h"

static const struct check_row {
    uint64_t    offset;
    uint64_t    size;
    int         rc;
} check_rows[] = {
    { 0, 1, 0 },
    { 0, 20, 0 },
    { 0, 100, 0 },
    { 0, 0, -1 },
    { 0, 101, -1 },
    { 19800, 100, 0 },      /* the last full page of 100 */
    { 19899, 100, 0 },      /* 19,999: still under */
    { 19900, 100, -1 },     /* 20,000 is not under 20,000 */
    { 19999, 1, -1 },
    { 19998, 1, 0 },
    { 20000, 1, -1 },
    { UINT32_MAX, 100, -1 },
};

static void
test_check(void **state)
{
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
        const struct check_row *r = &check_rows[i];

        err[0] = '\0';
        if (jsm_page_check(r->offset, r->size, err, sizeof(err)) != r->rc)
            fail_msg("row %zu (offset %llu size %llu): want %d", i,
                (unsigned long long)r->offset, (unsigned long long)r->size,
                r->rc);
        if (r->rc == -1)
            assert_true(err[0] != '\0');
    }
}

static const struct next_row {
    size_t  offset;
    size_t  size;
    size_t  total;
    bool    has_next;
    size_t  next;
} next_rows[] = {
    { 0, 20, 0, false, 0 },
    { 0, 20, 20, false, 0 },
    { 0, 20, 21, true, 20 },
    { 20, 20, 45, true, 40 },
    { 40, 20, 45, false, 0 },
    { 19700, 100, 50000, true, 19800 },
    { 19800, 100, 50000, true, 19900 }, /* offered, though refused */
    { 19980, 19, 50000, true, 19999 },
    { 19900, 100, 20000, false, 0 },
};

static void
test_next(void **state)
{
    size_t i, next;

    (void)state;
    for (i = 0; i < sizeof(next_rows) / sizeof(next_rows[0]); i++) {
        const struct next_row *r = &next_rows[i];
        bool has = jsm_page_next(r->offset, r->size, r->total, &next);

        if (has != r->has_next || (has && next != r->next))
            fail_msg("row %zu (offset %zu size %zu total %zu): %s %zu", i,
                r->offset, r->size, r->total, has ? "next" : "none", next);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_next),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
