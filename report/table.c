/*
 * Tables and their aligned text rendering (see table.h). Text output is
 * meant for terminals, so every cell goes through text_escape first: the
 * width is measured on what is printed, and nothing a log value holds can
 * move the cursor, change colours or reorder the text.
 */
#include "table.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"
#include "xmem.h"

#define CELL_TEXT_MAX   (64 * 1024)     /* escaped cell, bytes */

struct table *
table_new(const char *name, const char *title, const char *const *cols,
    const enum table_col *types, size_t ncols)
{
    struct table *t = xcalloc(1, sizeof(*t));
    size_t i;

    t->name = xstrdup(name);
    t->title = xstrdup(title);
    t->ncols = ncols > TABLE_COLS_MAX ? TABLE_COLS_MAX : ncols;
    for (i = 0; i < t->ncols; i++) {
        t->cols[i] = xstrdup(cols[i]);
        t->types[i] = types[i];
    }
    return t;
}

void
table_free(struct table *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    for (i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    free(t->cells);
    free(t->note);
    free(t->name);
    free(t->title);
    free(t);
}

void
table_add(struct table *t, const char *const *cells)
{
    size_t i;

    if (t->nrows == t->caprows) {
        t->caprows = t->caprows == 0 ? 16 : t->caprows * 2;
        t->cells = xreallocarray(t->cells, t->caprows * t->ncols,
            sizeof(*t->cells));
    }
    for (i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = xstrdup(cells[i] != NULL ?
            cells[i] : "");
    t->nrows++;
}

void
table_note(struct table *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    free(t->note);
    t->note = xstrdup(buf);
}

const char *
table_cell(const struct table *t, size_t r, size_t c)
{
    if (r >= t->nrows || c >= t->ncols)
        return "";
    return t->cells[r * t->ncols + c];
}

/* Code points a terminal would act on: C0, DEL, and those that let text
 * read differently (C1, line separators, bidirectional controls), the
 * same set the log escapes. */
static bool
dangerous(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || utf8_misleads(cp);
}

/* Append the printable form of s to b; *width gets its display columns. */
static void
text_escape(const char *s, struct buf *b, size_t *width)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + strlen(s);
    uint32_t cp;
    size_t n, w = 0, before;
    int rc = 0;

    while (p < end && rc == 0) {
        before = b->len;
        n = utf8_decode(p, (size_t)(end - p), &cp);
        if (n == 0) {
            rc = buf_appendf(b, "\\x%02x", *p);
            n = 1;
        } else if (cp == '\n') {
            rc = buf_appends(b, "\\n");
        } else if (cp == '\t') {
            rc = buf_appends(b, "\\t");
        } else if (cp == '\r') {
            rc = buf_appends(b, "\\r");
        } else if (dangerous(cp)) {
            rc = buf_appendf(b, "\\u%04lx", (unsigned long)cp);
        } else {
            rc = buf_append(b, p, n);
            w++;
            p += n;
            continue;
        }
        w += b->len - before;
        p += n;
    }
    *width = w;
}

size_t
table_text_width(const char *s)
{
    struct buf b;
    size_t w;

    buf_init(&b, CELL_TEXT_MAX);
    text_escape(s, &b, &w);
    buf_free(&b);
    return w;
}

struct shown {
    char   *text;
    size_t  width;
};

static void
pad(FILE *fp, size_t n)
{
    while (n-- > 0)
        (void)fputc(' ', fp);
}

/* One row of shown cells; text columns left-aligned, numbers right. The
 * last column is not padded on the right. */
static void
print_row(const struct table *t, const struct shown *row, const size_t *w,
    FILE *fp)
{
    size_t c, gap;

    for (c = 0; c < t->ncols; c++) {
        gap = w[c] - row[c].width;
        if (c > 0)
            (void)fputs("  ", fp);
        if (t->types[c] == TABLE_NUM)
            pad(fp, gap);
        (void)fputs(row[c].text, fp);
        if (t->types[c] != TABLE_NUM && c + 1 < t->ncols)
            pad(fp, gap);
    }
    (void)fputc('\n', fp);
}

static struct shown
show(const char *s)
{
    struct shown sh;
    struct buf b;

    buf_init(&b, CELL_TEXT_MAX);
    text_escape(s, &b, &sh.width);
    sh.text = buf_steal(&b);
    return sh;
}

static void
print_one_text(const struct table *t, FILE *fp)
{
    struct shown *sh = xcalloc((t->nrows + 1) * t->ncols, sizeof(*sh));
    size_t w[TABLE_COLS_MAX], r, c, i;

    for (c = 0; c < t->ncols; c++) {
        sh[c] = show(t->cols[c]);
        w[c] = sh[c].width;
    }
    for (r = 0; r < t->nrows; r++) {
        for (c = 0; c < t->ncols; c++) {
            i = (r + 1) * t->ncols + c;
            sh[i] = show(table_cell(t, r, c));
            if (sh[i].width > w[c])
                w[c] = sh[i].width;
        }
    }
    (void)fprintf(fp, "%s\n", t->title);
    print_row(t, sh, w, fp);
    for (c = 0; c < t->ncols; c++) {
        (void)fputs(c > 0 ? "  " : "", fp);
        for (i = 0; i < w[c]; i++)
            (void)fputc('-', fp);
    }
    (void)fputc('\n', fp);
    for (r = 1; r <= t->nrows; r++)
        print_row(t, sh + r * t->ncols, w, fp);
    if (t->nrows == 0)
        (void)fputs("(no rows)\n", fp);
    if (t->note != NULL)
        (void)fprintf(fp, "%s\n", t->note);
    for (i = 0; i < (t->nrows + 1) * t->ncols; i++)
        free(sh[i].text);
    free(sh);
}

int
table_print_text(struct table *const *t, size_t n, FILE *fp)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (i > 0)
            (void)fputc('\n', fp);
        print_one_text(t[i], fp);
    }
    return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}
