/*
 * From counts to answers: turns one pass (agg.h) into the tables of a
 * command (table.h). Each command answers one of the analysts' questions:
 *   summary    input counts, runs by action (with p50/p95/max), by rule,
 *              by entity, failures, runs per day;
 *   runs       how often each action ran against each entity;
 *   failures   failed runs grouped by rule, action, entity and reason;
 *   durations  app_elapsed_ms percentiles by action;
 *   trace ID   every line about one alert, in time order.
 */
#ifndef ALEXIS_REPORT_H
#define ALEXIS_REPORT_H

#include <stddef.h>

#include "agg.h"
#include "table.h"

enum report_cmd {
    REPORT_SUMMARY,
    REPORT_RUNS,
    REPORT_FAILURES,
    REPORT_DURATIONS,
    REPORT_TRACE,
};

#define REPORT_TABLES_MAX   10

/* The command named s; -1 when there is none. */
int report_cmd_parse(const char *s, enum report_cmd *cmd) ATTR_WUR;

/* Build the tables of cmd into out (at most REPORT_TABLES_MAX); returns
 * their number. Caller frees them with report_free. May sort the kept
 * duration samples in a. */
size_t report_build(struct agg *a, enum report_cmd cmd, struct table **out);
void report_free(struct table **t, size_t n);

#endif
