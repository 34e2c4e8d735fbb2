/*
 * CSV and JSON renderings of report tables (see table.h). Both are for
 * machines, so the escaping is strict: RFC 4180 quoting plus a leading
 * apostrophe on text cells a spreadsheet would run as a formula, and RFC
 * 8259 strings with every control byte escaped and invalid UTF-8 replaced.
 */
#include "table_fmt.h"

#include <stdbool.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

#define REPLACEMENT     "\xef\xbf\xbd"      /* U+FFFD */

/* Write s with invalid UTF-8 sequences replaced by U+FFFD. */
static void
put_utf8(const char *s, size_t n, FILE *fp)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    uint32_t cp;
    size_t k;

    while (p < end) {
        if ((k = utf8_decode(p, (size_t)(end - p), &cp)) == 0) {
            (void)fputs(REPLACEMENT, fp);
            p++;
            continue;
        }
        (void)fwrite(p, 1, k, fp);
        p += k;
    }
}

/* A cell a spreadsheet would evaluate. Signed numbers such as Dynatrace
 * problem ids ("-2345_1612") are data, not formulas, and stay as they are. */
static bool
formula_like(const char *s)
{
    size_t n;

    if (s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
        return true;
    if (s[0] != '+' && s[0] != '-')
        return false;
    n = strspn(s + 1, "0123456789._");
    return n == 0 || s[1 + n] != '\0' || s[1] < '0' || s[1] > '9';
}

static void
csv_cell(const char *s, bool text, FILE *fp)
{
    bool defuse = text && formula_like(s);
    const char *p;

    if (!defuse && strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
        (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
        put_utf8(s, strlen(s), fp);
        return;
    }
    (void)fputc('"', fp);
    if (defuse)
        (void)fputc('\'', fp);
    for (p = s; *p != '\0'; p++) {
        size_t n = strcspn(p, "\"");

        put_utf8(p, n, fp);
        p += n;
        if (*p == '\0')
            break;
        (void)fputs("\"\"", fp);
    }
    (void)fputc('"', fp);
}

int
table_fmt_print_csv(struct table *const *tabs, size_t n, FILE *fp)
{
    const struct table *t;
    size_t i, r, c;

    for (i = 0; i < n; i++) {
        t = tabs[i];
        if (i > 0)
            (void)fputc('\n', fp);
        for (c = 0; c < t->ncols; c++) {
            (void)fputs(c > 0 ? "," : "", fp);
            csv_cell(t->cols[c], true, fp);
        }
        (void)fputc('\n', fp);
        for (r = 0; r < t->nrows; r++) {
            for (c = 0; c < t->ncols; c++) {
                (void)fputs(c > 0 ? "," : "", fp);
                csv_cell(table_cell(t, r, c), t->types[c] == TABLE_TEXT,
                    fp);
            }
            (void)fputc('\n', fp);
        }
    }
    return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}

/* A JSON number as we write them: digits, at most one dot inside. */
static bool
json_number(const char *s)
{
    size_t n = strspn(s, "0123456789"), m;

    if (n == 0 || (s[0] == '0' && n > 1))
        return false;
    if (s[n] == '\0')
        return true;
    if (s[n] != '.')
        return false;
    m = strspn(s + n + 1, "0123456789");
    return m > 0 && s[n + 1 + m] == '\0';
}

static void
json_cell(const char *s, enum table_col type, FILE *fp)
{
    if (type == TABLE_NUM && s[0] == '\0')
        (void)fputs("null", fp);
    else if (type == TABLE_NUM && json_number(s))
        (void)fputs(s, fp);
    else
        json_write_string(fp, s, strlen(s));
}

int
table_fmt_print_json(struct table *const *tabs, size_t n, FILE *fp)
{
    const struct table *t;
    size_t i, r, c;

    (void)fputc('{', fp);
    for (i = 0; i < n; i++) {
        t = tabs[i];
        (void)fputs(i > 0 ? ",\n" : "\n", fp);
        json_write_string(fp, t->name, strlen(t->name));
        (void)fputs(": [", fp);
        for (r = 0; r < t->nrows; r++) {
            (void)fputs(r > 0 ? ",\n  {" : "\n  {", fp);
            for (c = 0; c < t->ncols; c++) {
                (void)fputs(c > 0 ? ", " : "", fp);
                json_write_string(fp, t->cols[c], strlen(t->cols[c]));
                (void)fputs(": ", fp);
                json_cell(table_cell(t, r, c), t->types[c], fp);
            }
            (void)fputc('}', fp);
        }
        (void)fputs(t->nrows > 0 ? "\n]" : "]", fp);
    }
    (void)fputs("\n}\n", fp);
    return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}
