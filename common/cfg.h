/*
 * Configuration: YAML (libyaml) into typed C structs described by field
 * tables with bounds and defaults (the Redis standardConfig idea).
 *
 * A daemon declares a root table naming every top-level key it accepts: its
 * own section (CFG_SECTION), the shared authentication_list (CFG_LIST) and
 * the other daemons' sections and original-only keys as CFG_IGNORE, so the
 * original Alexis alexis.conf.yaml files load unchanged. Unknown keys are
 * errors with a "did you mean" suggestion. All errors of a file are
 * collected in one pass (up to CFG_MAX_ERRORS) as
 *     path:line:col: error: message
 * with 1-based line and column.
 *
 * Scalars are accepted quoted or bare ('8083' and 8083 are the same int,
 * 'true' and true the same bool), as the original files quote freely.
 */
#ifndef ALEXIS_CFG_H
#define ALEXIS_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alexis_limits.h"
#include "cfg_error.h"
#include "compat.h"

enum cfg_type {
    CFG_STR,        /* char *                                            */
    CFG_INT,        /* long long, within [min, max]                      */
    CFG_BOOL,       /* bool: true/false/yes/no/on/off/1/0, quoted or not */
    CFG_DURATION,   /* uint64_t ms: 30, '30', 30s, 500ms, 5m, 2h; [min,max] ms */
    CFG_PATH,       /* char *, made absolute against the config file's dir */
    CFG_URL,        /* char *, must start http:// or https://; trailing '/' dropped */
    CFG_STRMAP,     /* struct cfg_strmap: a map of scalar -> scalar      */
    CFG_SECTION,    /* nested struct at offset, described by sub         */
    CFG_LIST,       /* array of elem_size structs described by sub;
                     * pointer at offset, size_t count at count_offset.
                     * When sub[0] is a scalar field with key "", the
                     * items are scalars stored into that field.         */
    CFG_SECRET,     /* char *, a scalar whose value is never echoed in errors */
    CFG_IGNORE,     /* accepted and not interpreted (original-only keys)  */
    CFG_MARK,       /* struct cfg_mark at offset: set to the location of the
                     * enclosing mapping. Use key "" (never matched). */
};

#define CFG_REQUIRED    0x1u

struct cfg_field {
    const char              *key;       /* NULL ends the table */
    enum cfg_type            type;
    size_t                   offset;    /* into the struct being filled */
    long long                min, max;  /* CFG_INT, CFG_DURATION (ms); CFG_LIST: max items (0 = CFG_LIST_MAX) */
    const char              *def;       /* default as YAML scalar text, or NULL */
    unsigned                 flags;
    const struct cfg_field  *sub;       /* CFG_SECTION, CFG_LIST */
    size_t                   elem_size; /* CFG_LIST */
    size_t                   count_offset; /* CFG_LIST */
    /* Optional extra check of a scalar's text (each value of a
     * CFG_STRMAP): returns -1 with one sentence in err, reported at the
     * value's location. */
    int                    (*check)(const char *text, char *err,
                                    size_t errlen);
};

struct cfg_strmap_entry {
    char            *key;
    char            *value;
    struct cfg_mark  mark;
};

struct cfg_strmap {
    struct cfg_strmap_entry *items;
    size_t                   n;
};

/* Parse the YAML file at path and fill out (a struct described by root)
 * from it: defaults first, then values, then required checks. Every error
 * is added to errs. Returns 0 when errs is still empty, else -1; out may be
 * partly filled either way and must be released with cfg_free. Fields
 * without a default keep whatever the caller put in out before cfg_load
 * (callers zero out and may preset values; preset strings must be heap
 * copies, as loading a value or cfg_free frees them). */
int cfg_load(const char *path, const struct cfg_field *root, void *out,
    struct cfg_errors *errs) ATTR_WUR;

/* Same from a string; path names it in errors and anchors relative paths. */
int cfg_load_string(const char *text, size_t len, const char *path,
    const struct cfg_field *root, void *out, struct cfg_errors *errs) ATTR_WUR;

/* Free every string, map and list the table owns inside out (recursively),
 * leaving out zeroed. */
void cfg_free(const struct cfg_field *root, void *out);

/* The value for key in map, or NULL. */
const char *cfg_strmap_get(const struct cfg_strmap *map, const char *key);

#endif
