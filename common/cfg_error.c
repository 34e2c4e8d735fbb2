/*
 * Config errors (see cfg_error.h).
 */
#include "cfg_error.h"

#include <stdarg.h>
#include <stdio.h>

#include "alexis_limits.h"

void
cfg_error_add(struct cfg_errors *errs, const char *path,
    const struct cfg_mark *mark, const char *fmt, ...)
{
    char *dst;
    va_list ap;
    int n;

    if (errs->n >= CFG_MAX_ERRORS) {
        errs->dropped++;
        return;
    }
    dst = errs->msgs[errs->n++];
    if (mark != NULL && mark->line > 0)
        n = snprintf(dst, ALEXIS_ERR_MAX, "%s:%d:%d: error: ", path,
            mark->line, mark->col);
    else
        n = snprintf(dst, ALEXIS_ERR_MAX, "%s: error: ", path);
    if (n < 0 || n >= ALEXIS_ERR_MAX)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(dst + n, ALEXIS_ERR_MAX - (size_t)n, fmt, ap);
    va_end(ap);
}

void
cfg_error_print(const struct cfg_errors *errs, FILE *fp)
{
    size_t i;

    for (i = 0; i < errs->n; i++)
        fprintf(fp, "%s\n", errs->msgs[i]);
    if (errs->dropped > 0)
        fprintf(fp, "%zu more errors\n", errs->dropped);
}
