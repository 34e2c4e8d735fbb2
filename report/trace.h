/*
 * `alexis-report trace ID`: the lines of every daemon about one alert, in
 * time order. A line belongs to the alert when its tinyId, problem_id,
 * alert_id, unique_value or job equals ID, or when its job is one that an
 * earlier line of the alert named (the action handler's per-job lines).
 * Kept lines are copied, up to REPORT_TRACE_LINES_MAX lines and
 * REPORT_TRACE_BYTES_MAX bytes; the rest are counted as dropped.
 */
#ifndef ALEXIS_TRACE_H
#define ALEXIS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logfmt.h"

struct trace;

/* Caller frees with trace_free. id is copied. */
struct trace *trace_new(const char *id);
void trace_free(struct trace *t);

/* True when the parsed line l belongs to the alert; learns its job id. */
bool trace_match(struct trace *t, const struct logfmt_line *l);

/* Keep a copy of line[0..len) with its time (INT64_MIN when it has none),
 * or count it as dropped past the caps. */
void trace_add(struct trace *t, const char *line, size_t len, int64_t ts_ms);

/* Order the kept lines by time, lines of equal time in input order, lines
 * without a time first. Call once after the last offer. */
void trace_sort(struct trace *t);

size_t trace_count(const struct trace *t);
uint64_t trace_dropped(const struct trace *t);

/* The i-th kept line (borrowed, NUL-terminated, no newline). */
const char *trace_line(const struct trace *t, size_t i);

#endif
