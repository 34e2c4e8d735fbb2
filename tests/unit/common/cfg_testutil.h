/*
 * Helpers shared by the cfg unit tests (test_cfg.c, test_cfg_common.c).
 */
#ifndef ALEXIS_TEST_CFG_UTIL_H
#define ALEXIS_TEST_CFG_UTIL_H

#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "cfg.h"
#include "path.h"
#include "xmem.h"

/* errs must hold exactly the lines path + expected[i]. */
static inline void
expect_errors(const char *what, const struct cfg_errors *errs,
    const char *path, const char *const *expected)
{
    char line[ALEXIS_ERR_MAX + PATH_MAX];
    size_t i, n;

    for (n = 0; expected[n] != NULL; n++)
        continue;
    if (errs->n != n) {
        print_error("%s: %zu errors, expected %zu\n", what, errs->n, n);
        cfg_error_print(errs, stderr);
    }
    assert_int_equal(errs->n, n);
    for (i = 0; i < n; i++) {
        snprintf(line, sizeof(line), "%s%s", path, expected[i]);
        if (strcmp(errs->msgs[i], line) != 0)
            print_error("%s: error %zu differs\n", what, i);
        assert_string_equal(errs->msgs[i], line);
    }
}

static inline char *
write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char *path = path_join(dir, name);
    FILE *fp;

    assert_non_null(fp = fopen(path, "w"));
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static inline char *
make_tmpdir(void)
{
    char tmpl[] = "/tmp/alexis-test-cfg-XXXXXX";

    assert_non_null(mkdtemp(tmpl));
    return xstrdup(tmpl);
}


#endif
