/*
 * The recently-forwarded set: claim outcomes (new, in progress, forwarded),
 * the window arithmetic at its edges (one millisecond before and at the
 * window, a clock read that comes out earlier than an entry's), release,
 * the bound (the oldest pair goes first), and pairs of different feeds
 * kept apart. The clock is the test's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "log.h"
#include "recent.h"

#define W 1000  /* the window in these tests, ms */

/* One step: a call at a time and what it must give. */
enum op { CLAIM, DONE, RELEASE };

struct step {
    enum op             op;
    size_t              feed;
    const char         *id;
    uint64_t            t;
    enum recent_claim   want;   /* CLAIM only */
    size_t              count;  /* pairs held after the step */
};

static const struct step window_steps[] = {
    { CLAIM, 0, "5120", 100, RECENT_NEW, 1 },
    { CLAIM, 0, "5120", 101, RECENT_BUSY, 1 },          /* in progress */
    { CLAIM, 1, "5120", 101, RECENT_NEW, 2 },           /* another feed */
    { RELEASE, 1, "5120", 0, 0, 1 },
    { DONE, 0, "5120", 200, 0, 1 },
    { CLAIM, 0, "5120", 200 + W - 1, RECENT_FORWARDED, 1 },
    { CLAIM, 0, "5120", 150, RECENT_FORWARDED, 1 },     /* earlier clock */
    { CLAIM, 0, "5120", 200 + W, RECENT_NEW, 1 },       /* window over */
    { RELEASE, 0, "5120", 0, 0, 0 },
    { CLAIM, 0, "5120", 200 + W, RECENT_NEW, 1 },       /* released */
    { DONE, 0, "5120", 5000, 0, 1 },
    /* A claim that expired while in progress is stored again by done. */
    { CLAIM, 0, "77", 5000, RECENT_NEW, 2 },
    { CLAIM, 0, "78", 5000 + W, RECENT_NEW, 1 },        /* 5120, 77 drop */
    { DONE, 0, "77", 5000 + W, 0, 2 },
    { CLAIM, 0, "77", 5001 + W, RECENT_FORWARDED, 2 },
};

static void
run_steps(struct recent *r, const struct step *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        switch (s[i].op) {
        case CLAIM:
            if (recent_claim(r, s[i].feed, s[i].id, s[i].t) != s[i].want)
                fail_msg("step %zu: claim %s at %llu", i, s[i].id,
                    (unsigned long long)s[i].t);
            break;
        case DONE:
            recent_done(r, s[i].feed, s[i].id, s[i].t);
            break;
        case RELEASE:
            recent_release(r, s[i].feed, s[i].id);
            break;
        }
        if (recent_count(r) != s[i].count)
            fail_msg("step %zu: %zu pairs, want %zu", i, recent_count(r),
                s[i].count);
    }
}

static void
test_window(void **state)
{
    struct recent *r = recent_new(16, W);

    (void)state;
    run_steps(r, window_steps, sizeof(window_steps) / sizeof(*window_steps));
    recent_free(r);
}

static const struct step bound_steps[] = {
    { CLAIM, 0, "1", 10, RECENT_NEW, 1 },
    { DONE, 0, "1", 10, 0, 1 },
    { CLAIM, 0, "2", 11, RECENT_NEW, 2 },
    { DONE, 0, "2", 11, 0, 2 },
    { CLAIM, 0, "3", 12, RECENT_NEW, 3 },
    { DONE, 0, "3", 12, 0, 3 },
    { CLAIM, 0, "4", 13, RECENT_NEW, 3 },       /* "1" is dropped */
    { CLAIM, 0, "2", 14, RECENT_FORWARDED, 3 },
    { CLAIM, 0, "1", 15, RECENT_NEW, 3 },       /* forgotten: new; drops 2 */
    { CLAIM, 0, "3", 16, RECENT_FORWARDED, 3 },
    { CLAIM, 0, "2", 17, RECENT_NEW, 3 },       /* drops 3 */
    { CLAIM, 0, "4", 18, RECENT_BUSY, 3 },
};

static void
test_bound(void **state)
{
    struct recent *r = recent_new(3, W);

    (void)state;
    run_steps(r, bound_steps, sizeof(bound_steps) / sizeof(*bound_steps));
    recent_free(r);
}

/* Many pairs through a small set: the count never passes the bound, and
 * everything expires. */
static void
test_churn(void **state)
{
    struct recent *r = recent_new(64, W);
    char id[32];
    size_t i;

    (void)state;
    for (i = 0; i < 10000; i++) {
        snprintf(id, sizeof(id), "%zu", i % 500);
        if (recent_claim(r, i % 3, id, i) == RECENT_NEW) {
            if (i % 2 == 0)
                recent_done(r, i % 3, id, i);
            else
                recent_release(r, i % 3, id);
        }
        assert_true(recent_count(r) <= 64);
    }
    assert_int_equal(recent_claim(r, 0, "x", 10000 + 2 * W), RECENT_NEW);
    assert_int_equal(recent_count(r), 1);
    assert_string_equal(recent_claim_name(RECENT_FORWARDED),
        "recently_forwarded");
    assert_string_equal(recent_claim_name(RECENT_BUSY), "in_progress");
    recent_free(r);
    recent_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_churn),
    };

    log_init("test", LOG_ERROR, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
