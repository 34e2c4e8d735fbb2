/*
 * Counting tables of alexis-report: rows keyed by one to GROUP_PARTS
 * strings (action; action and entity; rule, action, entity and reason …)
 * in an open-addressing hash table that stops growing at its cap. Past the
 * cap, new keys all land in one "(other)" row and are counted as overflow,
 * so memory is bounded by the cap and REPORT_VALUE_MAX, never by the input.
 */
#ifndef ALEXIS_GROUP_H
#define ALEXIS_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pctl.h"

#define GROUP_PARTS     4
#define GROUP_OTHER     "(other)"

struct group {
    char       *part[GROUP_PARTS];  /* owned; unused parts are NULL */
    uint64_t    runs;
    uint64_t    ok;
    uint64_t    failed;
    int64_t     first_ms;           /* GROUP_NO_TIME when unknown */
    int64_t     last_ms;
    char       *last_alert;         /* owned; the alert id of last_ms */
    struct pctl pc;                 /* used by tables made with_pctl */
    uint32_t    hash;
};

#define GROUP_NO_TIME   INT64_MIN

enum group_order {
    GROUP_BY_RUNS,      /* most runs first, then by key */
    GROUP_BY_KEY,       /* key parts in byte order */
};

struct gtable;

/* A table of nparts-string keys holding at most cap rows (the "(other)"
 * row included). Caller frees with group_table_free. */
struct gtable *group_table_new(size_t nparts, size_t cap);
void group_table_free(struct gtable *t);

/* The row of key parts[0..nparts), created when new. Values longer than
 * REPORT_VALUE_MAX are cut at a UTF-8 boundary and end in "...". Never
 * NULL: past the cap it is the "(other)" row. The row stays valid until
 * group_table_free. */
struct group *group_table_get(struct gtable *t, const char *const *parts);

/* Record one run in row g: counts, times and the alert id. */
void group_count(struct group *g, bool ok, int64_t ts_ms, const char *alert);

/* Rows in the given order (caller frees the array, not the rows); *n gets
 * their number. */
struct group **group_table_sorted(const struct gtable *t,
    enum group_order order, size_t *n);

size_t group_table_count(const struct gtable *t);
uint64_t group_table_overflow(const struct gtable *t);

#endif
