/*
 * Poller leader election (leader.c): the leader_store check, and that
 * without a leader_store every feed is polled (one replica, as before).
 * The election itself runs against a real PostgreSQL in
 * tests/integration/test_pg.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "leader.h"

static void
test_check_uri(void **state)
{
    static const struct {
        const char *text;
        int         rc;
        const char *err_part;
    } rows[] = {
        { "postgresql://alexis@postgres:5432/alexis", 0, NULL },
        { "postgres://alexis@127.0.0.1/alexis", 0, NULL },
        { "/var/lib/alexis/leader.db", -1, "PostgreSQL URI" },
        { "http://db/x", -1, "PostgreSQL URI" },
        { "postgresql://alexis:s3cret@db/alexis", -1,
          "leader_store_password_file" },
    };
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        err[0] = '\0';
        assert_int_equal(leader_check_uri(rows[i].text, err, sizeof(err)),
            rows[i].rc);
        if (rows[i].err_part != NULL)
            assert_non_null(strstr(err, rows[i].err_part));
        assert_null(strstr(err, "s3cret"));
    }
}

static void
test_without_store_every_feed_is_active(void **state)
{
    struct leader *l;
    char err[ALEXIS_ERR_MAX];

    (void)state;
    l = leader_new(NULL, NULL, 2, err, sizeof(err));
    assert_non_null(l);
    assert_true(leader_is_active(l, 0, "a"));
    assert_true(leader_is_active(l, 1, "b"));
    leader_free(l);
    assert_null(leader_new("postgresql://x@y/z", "/nonexistent/pw", 1, err,
        sizeof(err)));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_uri),
        cmocka_unit_test(test_without_store_every_feed_is_active),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
