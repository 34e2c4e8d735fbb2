/*
 * The report's output model: named tables of text cells, each column
 * either text or a number, and their renderings as aligned text, CSV and
 * JSON (HTML lives in html.h). Every cell may hold untrusted alert content,
 * so each renderer escapes for its own format: text shows control bytes as
 * escapes (no terminal sequences get through), CSV quotes per RFC 4180 and
 * defuses spreadsheet formulas, JSON escapes per RFC 8259 and replaces
 * invalid UTF-8 with U+FFFD.
 */
#ifndef ALEXIS_TABLE_H
#define ALEXIS_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "compat.h"

#define TABLE_COLS_MAX  12

enum table_col {
    TABLE_TEXT,
    TABLE_NUM,      /* digits (and a dot); "" renders as empty / null */
};

struct table {
    char           *name;       /* JSON key, e.g. "by_action" */
    char           *title;      /* heading, e.g. "Runs by action" */
    size_t          ncols;
    char           *cols[TABLE_COLS_MAX];
    enum table_col  types[TABLE_COLS_MAX];
    char          **cells;      /* nrows * ncols, owned */
    size_t          nrows;
    size_t          caprows;
    char           *note;       /* optional line under the table */
};

/* A table with ncols (<= TABLE_COLS_MAX) columns named by cols, of the
 * types given. Strings are copied. Caller frees with table_free. */
struct table *table_new(const char *name, const char *title,
    const char *const *cols, const enum table_col *types, size_t ncols);
void table_free(struct table *t);

/* Append a row of ncols cells (copied; NULL is an empty cell). */
void table_add(struct table *t, const char *const *cells);

/* Set the note shown under the table (printf-style, copied). */
void table_note(struct table *t, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* The cell at row r, column c (borrowed). */
const char *table_cell(const struct table *t, size_t r, size_t c);

/* Render n tables to fp. Return 0, or -1 when writing failed. */
int table_print_text(struct table *const *t, size_t n, FILE *fp) ATTR_WUR;

/* The number of display columns of s as text output shows it (UTF-8 code
 * points, escapes included); for alignment, exposed for the tests. */
size_t table_text_width(const char *s);


#endif
