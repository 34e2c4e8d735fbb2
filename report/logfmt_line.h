/*
 * One logfmt line split into fields: what both parsers fill, the byte
 * parser (logfmt.c) and its fast path (logscan.c). The grammar is in
 * logfmt.h.
 */
#ifndef ALEXIS_LOGFMT_LINE_H
#define ALEXIS_LOGFMT_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "alexis_limits.h"

/* One field. key and val point into the parsed line (borrowed). val is the
 * raw span between the quotes, still escaped when escaped is true. */
struct logfmt_field {
    const char *key;
    const char *val;
    size_t      keylen;
    size_t      vallen;
    bool        quoted;
    bool        escaped;
};

struct logfmt_line {
    struct logfmt_field f[LOGFMT_FIELDS_MAX];
    size_t              n;
};

#endif
