/*
 * The report's tables as CSV (RFC 4180, cells a spreadsheet would evaluate
 * made inert) and as JSON.
 */
#ifndef ALEXIS_REPORT_TABLE_FMT_H
#define ALEXIS_REPORT_TABLE_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "compat.h"
#include "table.h"

/* Render n tables to fp. Return 0, or -1 when writing failed. */
int table_fmt_print_csv(struct table *const *t, size_t n, FILE *fp) ATTR_WUR;
int table_fmt_print_json(struct table *const *t, size_t n, FILE *fp) ATTR_WUR;

#endif
