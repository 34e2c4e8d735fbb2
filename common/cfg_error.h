/*
 * Config errors as the user sees them: "path:line:col: error: message",
 * collected up to CFG_MAX_ERRORS and printed together. Shared by the YAML
 * reader, the table loader and each daemon's own checks.
 */
#ifndef ALEXIS_CFG_ERROR_H
#define ALEXIS_CFG_ERROR_H

#include <stddef.h>
#include <stdio.h>

#include "alexis_limits.h"
#include "compat.h"

/* Where a value came from, for errors a daemon finds after loading. */
struct cfg_mark {
    int line, col;  /* 1-based; 0 when the value was a default */
};

struct cfg_errors {
    char    msgs[CFG_MAX_ERRORS][ALEXIS_ERR_MAX];
    size_t  n;
    size_t  dropped;    /* errors past CFG_MAX_ERRORS */
};

/* Add an error for a semantic check done after loading. mark may be NULL
 * (then "path: error: ..."). */
void cfg_error_add(struct cfg_errors *errs, const char *path,
    const struct cfg_mark *mark, const char *fmt, ...) ATTR_PRINTF(4, 5);

/* Print every error, one per line, then "N more errors" if some were
 * dropped. */
void cfg_error_print(const struct cfg_errors *errs, FILE *fp);

#endif
