/*
 * The OpsGenie alert search language, as far as alexis-sim needs it:
 * `field OP value` conditions joined by AND / OR / NOT with parentheses,
 * where OP is `:` `=` `!=` `<` `>` `<=` `>=` and a value is a bare word, a
 * "quoted string" or a group `(a OR b)`. `=`/`!=` are not in OpsGenie's
 * documentation but the original Alexis poller sends them, so they are
 * accepted (`=` means `:`). Values may use `*` as a wildcard.
 */
#ifndef ALEXIS_SIM_OG_QUERY_H
#define ALEXIS_SIM_OG_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct og_query;

/* What a query sees of one alert. Strings may be NULL (treated as ""). */
struct og_query_alert {
    const char          *id;
    const char          *tiny_id;
    const char          *alias;
    const char          *message;
    const char          *description;
    const char          *status;
    const char          *entity;
    const char          *source;
    const char          *owner;
    const char          *priority;
    const char          *integration_name;
    const char          *integration_type;
    const char *const   *tags;
    size_t               ntags;
    const char *const   *team_names;
    size_t               nteam_names;
    const char *const   *team_ids;
    size_t               nteam_ids;
    bool                 acknowledged;
    bool                 seen;
    bool                 snoozed;
    uint64_t             count;
    uint64_t             created_ms;
    uint64_t             updated_ms;
    uint64_t             last_occurred_ms;
};

/* Compile text (NULL or blank matches every alert). Bounded by
 * SIM_QUERY_LEN_MAX bytes, SIM_QUERY_NODES_MAX nodes and
 * SIM_QUERY_DEPTH_MAX nesting. NULL with one sentence in err on a syntax
 * error, an unknown field, an operator the field does not support or a
 * value of the wrong type. Caller frees with og_query_free. */
struct og_query *og_query_parse(const char *text, char *err, size_t errlen);

/* True when the alert satisfies the query. The query is immutable after
 * parsing, so one query may be matched from several threads at once.
 * Comparisons are ASCII case-insensitive; `:` on message and description
 * is a substring search, on other text fields an exact match; list fields
 * (tags, teams by name or id) match when any element does. */
bool og_query_match(const struct og_query *q, const struct og_query_alert *a);

void og_query_free(struct og_query *q);

#endif
