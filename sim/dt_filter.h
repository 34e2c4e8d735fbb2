/*
 * Dynatrace problem filters: v2 problemSelector and v1 feed parameters,
 * and whether a problem matches.
 */
#ifndef ALEXIS_SIM_DT_FILTER_H
#define ALEXIS_SIM_DT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "dt_problem.h"

/* Parse a v2 problemSelector into f (appending criteria). -1 with err on a
 * syntax error or an unknown criterion. */
int dt_filter_parse_selector(struct dt_filter *f, const char *text,
    char *err, size_t errlen) ATTR_WUR;
/* Append a single-value criterion (v1 feed parameters); -1 when full. */
int dt_filter_add(struct dt_filter *f, enum dt_crit_kind kind,
    const char *value) ATTR_WUR;
void dt_filter_cleanup(struct dt_filter *f);
bool dt_filter_problem_match(const struct dt_problem *p,
    const struct dt_filter *f, uint64_t now);

#endif
