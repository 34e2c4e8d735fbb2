/*
 * Unit tests for report/input.c: plain and gzip files (detected by magic:
 * the gzip file is named .log), a missing last newline, lines at and past
 * LOG_LINE_MAX (cut and counted, also across read chunks), empty files, a
 * damaged gzip stream and a missing file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "alexis_limits.h"
#include "input.h"

static char dir[] = "/tmp/alexis-input-test-XXXXXX";

static int
setup(void **state)
{
    (void)state;
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
    char path[256];
    static const char *const names[] = { "plain.log", "gz.log", "long.log",
        "empty.log", "bad.gz" };
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(names); i++) {
        (void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        (void)unlink(path);
    }
    return rmdir(dir);
}

static const char *
write_file(const char *name, const char *data, size_t len, bool gz)
{
    static char path[256];
    FILE *fp;
    gzFile g;

    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (gz) {
        assert_non_null(g = gzopen(path, "wb"));
        assert_int_equal(gzwrite(g, data, (unsigned)len), (int)len);
        assert_int_equal(gzclose(g), Z_OK);
    } else {
        assert_non_null(fp = fopen(path, "wb"));
        assert_int_equal(fwrite(data, 1, len, fp), len);
        assert_int_equal(fclose(fp), 0);
    }
    return path;
}

/* Read all lines of path; returns their count, *lens gets the lengths. */
static size_t
read_all(const char *path, size_t *lens, size_t max, uint64_t *cut,
    bool *gz, int *last_rc)
{
    char err[ALEXIS_ERR_MAX];
    struct input *in;
    const char *line;
    size_t len, n = 0;
    int rc;

    assert_non_null(in = input_open(path, err, sizeof(err)));
    while ((rc = input_next(in, &line, &len, err, sizeof(err))) == 1) {
        if (n < max)
            lens[n] = len;
        n++;
    }
    *last_rc = rc;
    *cut = input_cut(in);
    *gz = input_is_gzip(in);
    input_free(in);
    return n;
}

static void
test_plain_and_gzip(void **state)
{
    static const char data[] = "a=1\nb=2\n\nlast=3";
    size_t lens[8], n;
    uint64_t cut;
    bool gz;
    int rc;

    (void)state;
    n = read_all(write_file("plain.log", data, sizeof(data) - 1, false),
        lens, 8, &cut, &gz, &rc);
    assert_int_equal(n, 4);
    assert_int_equal(lens[2], 0);
    assert_int_equal(lens[3], 6);
    assert_false(gz);
    assert_int_equal(rc, 0);
    n = read_all(write_file("gz.log", data, sizeof(data) - 1, true),
        lens, 8, &cut, &gz, &rc);
    assert_int_equal(n, 4);
    assert_int_equal(lens[3], 6);
    assert_true(gz);
    n = read_all(write_file("empty.log", "", 0, false), lens, 8, &cut, &gz,
        &rc);
    assert_int_equal(n, 0);
    assert_int_equal(rc, 0);
}

/* Lines of LOG_LINE_MAX - 1 bytes (kept) and LOG_LINE_MAX bytes (cut),
 * many of them so that they straddle read chunks, and a cut last line. */
static void
test_long_lines(void **state)
{
    size_t rounds = 2 * REPORT_READ_BUF / LOG_LINE_MAX + 3;
    size_t total = rounds * (2 * LOG_LINE_MAX + 1 + 6) + 3 * LOG_LINE_MAX;
    char *data = malloc(total);
    size_t pos = 0, i, n, lens[1024];
    uint64_t cut;
    bool gz;
    int rc;

    (void)state;
    assert_non_null(data);
    for (i = 0; i < rounds; i++) {
        memset(data + pos, 'x', LOG_LINE_MAX - 1);
        pos += LOG_LINE_MAX - 1;
        data[pos++] = '\n';
        memset(data + pos, 'y', LOG_LINE_MAX);
        pos += LOG_LINE_MAX;
        data[pos++] = '\n';
        memcpy(data + pos, "ok=1\n", 5);
        pos += 5;
    }
    memset(data + pos, 'z', 3 * LOG_LINE_MAX - 1);
    pos += 3 * LOG_LINE_MAX - 1;
    n = read_all(write_file("long.log", data, pos, false), lens, 1024, &cut,
        &gz, &rc);
    assert_int_equal(n, 2 * rounds);
    assert_int_equal(cut, rounds + 1);
    for (i = 0; i < n && i < 1024; i++)
        assert_int_equal(lens[i], i % 2 == 0 ? LOG_LINE_MAX - 1 : 4);
    n = read_all(write_file("gz.log", data, pos, true), lens, 1024, &cut,
        &gz, &rc);
    assert_int_equal(n, 2 * rounds);
    assert_int_equal(cut, rounds + 1);
    free(data);
}

static void
test_errors(void **state)
{
    char err[ALEXIS_ERR_MAX], path[256];
    static const char data[] = "a=1\nb=2\nc=3\n";
    struct input *in;
    const char *line;
    size_t len, n = 0;
    FILE *fp;
    long size;
    int rc;

    (void)state;
    (void)snprintf(path, sizeof(path), "%s/missing.log", dir);
    assert_null(input_open(path, err, sizeof(err)));
    assert_non_null(strstr(err, "missing.log: No such file"));
    /* A gzip file cut in half: the lines before the damage, then -1. */
    (void)write_file("bad.gz", data, sizeof(data) - 1, true);
    (void)snprintf(path, sizeof(path), "%s/bad.gz", dir);
    assert_non_null(fp = fopen(path, "r+b"));
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    size = ftell(fp);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(truncate(path, size - 6), 0);
    assert_non_null(in = input_open(path, err, sizeof(err)));
    while ((rc = input_next(in, &line, &len, err, sizeof(err))) == 1)
        n++;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "bad.gz: "));
    input_free(in);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_gzip),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
