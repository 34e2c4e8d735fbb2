/*
 * simutil_contains_ci: the "contains" of the simulated OpsGenie queries and
 * Dynatrace problem filters, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "simutil.h"

static void
test_contains_ci_table(void **state)
{
    static const struct {
        const char *hay;
        const char *needle;
        bool        want;
    } rows[] = {
        { "Disk full on web1", "disk", true },
        { "Disk full on web1", "WEB1", true },
        { "Disk full on web1", "full on", true },
        { "Disk full on web1", "web2", false },
        { "Disk", "Disk full", false },             /* longer than hay */
        { "abc", "", true },                        /* empty needle */
        { "", "", true },
        { "", "a", false },
        { "caf\xc3\xa9", "CAF\xc3\xa9", true },     /* ASCII case only */
        { "caf\xc3\xa9", "caf\xc3\x89", false },
        { "aaab", "aab", true },                    /* restart mid-run */
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (simutil_contains_ci(rows[i].hay, rows[i].needle) != rows[i].want)
            fail_msg("row %zu: \"%s\" in \"%s\" != %d", i, rows[i].needle,
                rows[i].hay, rows[i].want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contains_ci_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
