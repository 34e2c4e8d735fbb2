/*
 * file_first_line: what a password or passphrase file yields (the
 * PostgreSQL passwords, the SSH key passphrase), table-driven; the errors
 * it shares with file_slurp.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "file.h"

struct line_row {
    const char *text;
    size_t      len;        /* bytes of text written */
    const char *want;
};

static const struct line_row line_rows[] = {
    { "s3cret\n", 7, "s3cret" },
    { "s3cret", 6, "s3cret" },                          /* no line end */
    { "s3cret\r\n", 8, "s3cret" },
    { "s3cret\rmore", 11, "s3cret" },
    { "first\nsecond\n", 13, "first" },                 /* one line only */
    { "  spaced pass  \n", 16, "  spaced pass  " },     /* kept as written */
    { "\n", 1, "" },
    { "", 0, "" },
    { "caf\xc3\xa9\n", 6, "caf\xc3\xa9" },
};

struct fixture {
    char dir[64];
    char path[96];
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s", "/tmp/alexis-test-file.XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/secret", f->dir);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    (void)unlink(f->path);
    (void)rmdir(f->dir);
    free(f);
    return 0;
}

static void
write_file(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void
test_first_line_table(void **state)
{
    struct fixture *f = *state;
    char err[256], *s;
    size_t i, len;

    for (i = 0; i < sizeof(line_rows) / sizeof(line_rows[0]); i++) {
        write_file(f->path, line_rows[i].text, line_rows[i].len);
        len = 99;
        s = file_first_line(f->path, 64, &len, err, sizeof(err));
        if (s == NULL)
            fail_msg("row %zu: %s", i, err);
        if (strcmp(s, line_rows[i].want) != 0)
            fail_msg("row %zu: \"%s\" != \"%s\"", i, s, line_rows[i].want);
        assert_int_equal(len, strlen(line_rows[i].want));
        /* The rest of the file is wiped, not merely cut off. */
        assert_null(memchr(s + len, 's', line_rows[i].len - len));
        free(s);
    }
    /* lenp is optional. */
    write_file(f->path, "pw\n", 3);
    s = file_first_line(f->path, 64, NULL, err, sizeof(err));
    assert_non_null(s);
    assert_string_equal(s, "pw");
    free(s);
}

static void
test_first_line_errors(void **state)
{
    struct fixture *f = *state;
    char err[256], want[256];

    /* Missing file. */
    (void)unlink(f->path);
    assert_null(file_first_line(f->path, 64, NULL, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s: No such file or directory", f->path);
    assert_string_equal(err, want);
    /* Over the bound, even when the first line alone would fit. */
    write_file(f->path, "short\n0123456789\n", 17);
    assert_null(file_first_line(f->path, 16, NULL, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s: larger than 16 bytes", f->path);
    assert_string_equal(err, want);
    /* A directory is not a secret file. */
    assert_null(file_first_line(f->dir, 64, NULL, err, sizeof(err)));
    snprintf(want, sizeof(want), "%s: not a regular file", f->dir);
    assert_string_equal(err, want);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_line_table, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_first_line_errors, setup,
            teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
