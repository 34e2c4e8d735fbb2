/*
 * What the classifier does after forwarding (outcome.c): which final
 * statuses are definitive, and the mark for each mix of results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "outcome.h"

static void
test_definitive(void **state)
{
    static const struct {
        long    status;
        bool    definitive;
    } rows[] = {
        { 0, false }, { 400, true }, { 401, false }, { 403, true },
        { 404, true }, { 408, false }, { 413, true }, { 422, true },
        { 429, false }, { 500, false }, { 502, false }, { 503, true },
        { 504, false }, { 200, false },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_int_equal(outcome_definitive(rows[i].status),
            rows[i].definitive);
}

static void
test_decide(void **state)
{
    static const struct {
        size_t              matched, forwarded, definitive;
        enum outcome_mark   mark;
    } rows[] = {
        { 1, 1, 0, OUTCOME_DONE },
        { 3, 3, 0, OUTCOME_DONE },
        { 1, 0, 0, OUTCOME_RETRY },         /* transient: the next poll */
        { 2, 0, 0, OUTCOME_RETRY },
        { 1, 0, 1, OUTCOME_INVESTIGATE },   /* 422 / 503 */
        { 2, 0, 1, OUTCOME_INVESTIGATE },
        { 2, 1, 0, OUTCOME_INVESTIGATE },   /* not hidden by the marker */
        { 2, 1, 1, OUTCOME_INVESTIGATE },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_int_equal(outcome_decide(rows[i].matched, rows[i].forwarded,
            rows[i].definitive), rows[i].mark);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definitive),
        cmocka_unit_test(test_decide),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
