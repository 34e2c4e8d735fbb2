/*
 * Choosing the job store from job_store (jobs_store.c): which values name
 * PostgreSQL, the SQLite path of the others, the load-time check (a URI
 * with a password is refused and never quoted), and the form safe to log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "jobs_store.h"

static void
test_kinds_and_paths(void **state)
{
    static const struct {
        const char *store;
        bool        pg;
        const char *sqlite_path;
    } rows[] = {
        { "/var/lib/alexis/action_handler.db", false,
          "/var/lib/alexis/action_handler.db" },
        { "jobs.db", false, "jobs.db" },
        { "sqlite:///var/lib/alexis/jobs.db", false,
          "/var/lib/alexis/jobs.db" },
        { "postgresql://alexis@db:5432/alexis", true, NULL },
        { "postgres://alexis@db/alexis", true, NULL },
        { "postgresqlx", false, "postgresqlx" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(jobs_store_is_pg(rows[i].store), rows[i].pg);
        if (!rows[i].pg)
            assert_string_equal(jobs_store_sqlite_path(rows[i].store),
                rows[i].sqlite_path);
    }
}

static void
test_check(void **state)
{
    static const struct {
        const char *text;
        int         rc;
        const char *err_part;
    } rows[] = {
        { "jobs.db", 0, NULL },
        { "sqlite:///tmp/x.db", 0, NULL },
        { "postgresql://alexis@127.0.0.1:5432/alexis", 0, NULL },
        { "postgresql://alexis@127.0.0.1:5432/alexis?sslmode=require", 0,
          NULL },
        { "", -1, "empty" },
        { "sqlite://", -1, "without a path" },
        { "postgresql://alexis:s3cret-pw@db/alexis", -1,
          "job_store_password_file" },
        { "postgresql://db/alexis?password=s3cret-pw", -1,
          "job_store_password_file" },
        { "postgresql://db:notaport:/x?sslmode", -1, "not a valid" },
    };
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        err[0] = '\0';
        assert_int_equal(jobs_store_check(rows[i].text, err, sizeof(err)),
            rows[i].rc);
        if (rows[i].err_part != NULL)
            assert_non_null(strstr(err, rows[i].err_part));
        assert_null(strstr(err, "s3cret"));
    }
}

static void
test_display_never_shows_a_password(void **state)
{
    char *s;

    (void)state;
    s = jobs_store_display("postgresql://alexis:s3cret@db:5433/jobs");
    assert_string_equal(s, "postgresql://alexis@db:5433/jobs");
    free(s);
    s = jobs_store_display("sqlite:///var/lib/a.db");
    assert_string_equal(s, "/var/lib/a.db");
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_and_paths),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_display_never_shows_a_password),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
