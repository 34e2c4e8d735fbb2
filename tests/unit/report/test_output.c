/*
 * Unit tests for report/table.c, table_fmt.c and html.c: the escaping of
 * untrusted values in every output format (table-driven), alignment of the
 * text tables, and an HTML page built from hostile values that contains no
 * markup of theirs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agg.h"
#include "html.h"
#include "table.h"
#include "table_fmt.h"

struct esc_case {
    const char *in;
    const char *text;   /* text cell */
    const char *csv;    /* CSV text cell */
    const char *json;   /* JSON string */
    const char *html;   /* HTML text */
};

static const struct esc_case esc_cases[] = {
    { "plain", "plain", "plain", "\"plain\"", "plain" },
    { "", "", "", "\"\"", "" },
    { "a,b", "a,b", "\"a,b\"", "\"a,b\"", "a,b" },
    { "say \"hi\"", "say \"hi\"", "\"say \"\"hi\"\"\"", "\"say \\\"hi\\\"\"",
        "say &quot;hi&quot;" },
    { "l1\nl2", "l1\\nl2", "\"l1\nl2\"", "\"l1\\nl2\"", "l1\nl2" },
    { "\x1b[31mred", "\\u001b[31mred", "\x1b[31mred", "\"\\u001b[31mred\"",
        "&#xfffd;[31mred" },
    { "=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"",
        "\"=HYPERLINK(\\\"x\\\")\"", "=HYPERLINK(&quot;x&quot;)" },
    { "+1+2", "+1+2", "\"'+1+2\"", "\"+1+2\"", "+1+2" },
    { "-2345_1612", "-2345_1612", "-2345_1612", "\"-2345_1612\"",
        "-2345_1612" },
    { "@SUM(A1)", "@SUM(A1)", "\"'@SUM(A1)\"", "\"@SUM(A1)\"", "@SUM(A1)" },
    { "<script>alert('x')</script>", "<script>alert('x')</script>",
        "<script>alert('x')</script>", "\"<script>alert('x')</script>\"",
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
    { "a&b", "a&b", "a&b", "\"a&b\"", "a&amp;b" },
    { "h\xc3\xa9", "h\xc3\xa9", "h\xc3\xa9", "\"h\xc3\xa9\"", "h\xc3\xa9" },
    { "bad\xff", "bad\\xff", "bad\xef\xbf\xbd", "\"bad\\ufffd\"",
        "bad&#xfffd;" },
    { "\xe2\x80\xaervil", "\\u202ervil", "\xe2\x80\xaervil",
        "\"\xe2\x80\xaervil\"", "\xe2\x80\xaervil" },
    { "a\xe2\x80\xa8" "b", "a\\u2028b", "a\xe2\x80\xa8" "b",
        "\"a\xe2\x80\xa8" "b\"", "a\xe2\x80\xa8" "b" },
    { "\xc2\x9b" "31m", "\\u009b31m", "\xc2\x9b" "31m", "\"\xc2\x9b" "31m\"",
        "&#xfffd;31m" },
    { "back\\slash", "back\\slash", "back\\slash", "\"back\\\\slash\"",
        "back\\slash" },
    { " lead", " lead", "\" lead\"", "\" lead\"", " lead" },
};

/* Render with f into a string (caller frees). */
static char *
render(int (*f)(struct table *const *, size_t, FILE *),
    struct table *const *t, size_t n)
{
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);

    assert_non_null(fp);
    assert_int_equal(f(t, n, fp), 0);
    assert_int_equal(fclose(fp), 0);
    return out;
}

static struct table *
one_cell(const char *v)
{
    static const char *const cols[] = { "v", "n" };
    static const enum table_col types[] = { TABLE_TEXT, TABLE_NUM };
    struct table *t = table_new("t", "T", cols, types, 2);
    const char *row[2] = { v, "12" };

    table_add(t, row);
    return t;
}

static void
check_contains(const char *out, const char *want, size_t i, const char *fmt)
{
    if (strstr(out, want) == NULL)
        fail_msg("case %zu %s: [%s] not in [%s]", i, fmt, want, out);
}

static void
test_escaping(void **state)
{
    char want[512], *out, *h;
    struct table *t;
    size_t i, len;
    FILE *fp;

    (void)state;
    for (i = 0; i < NELEM(esc_cases); i++) {
        t = one_cell(esc_cases[i].in);
        out = render(table_print_text, &t, 1);
        (void)snprintf(want, sizeof(want), "\n%s", esc_cases[i].text);
        check_contains(out, want, i, "text");
        free(out);
        out = render(table_fmt_print_csv, &t, 1);
        (void)snprintf(want, sizeof(want), "v,n\n%s,12\n", esc_cases[i].csv);
        if (strcmp(out, want) != 0)
            fail_msg("case %zu csv: [%s] want [%s]", i, out, want);
        free(out);
        out = render(table_fmt_print_json, &t, 1);
        (void)snprintf(want, sizeof(want), "{\"v\": %s, \"n\": 12}",
            esc_cases[i].json);
        check_contains(out, want, i, "json");
        free(out);
        h = NULL;
        assert_non_null(fp = open_memstream(&h, &len));
        html_escape(fp, esc_cases[i].in);
        assert_int_equal(fclose(fp), 0);
        if (strcmp(h, esc_cases[i].html) != 0)
            fail_msg("case %zu html: [%s] want [%s]", i, h,
                esc_cases[i].html);
        free(h);
        table_free(t);
    }
}

static void
test_text_alignment(void **state)
{
    static const char *const cols[] = { "name", "runs" };
    static const enum table_col types[] = { TABLE_TEXT, TABLE_NUM };
    static const char want[] =
        "T\n"
        "name     runs\n"
        "-------  ----\n"
        "h\xc3\xa9          1\n"
        "\\n         22\n"
        "longest   333\n";
    struct table *t = table_new("t", "T", cols, types, 2);
    const char *r1[2] = { "h\xc3\xa9", "1" };
    const char *r2[2] = { "\n", "22" };
    const char *r3[2] = { "longest", "333" };
    char *out;

    (void)state;
    table_add(t, r1);
    table_add(t, r2);
    table_add(t, r3);
    out = render(table_print_text, &t, 1);
    assert_string_equal(out, want);
    free(out);
    assert_int_equal(table_text_width("h\xc3\xa9"), 2);
    assert_int_equal(table_text_width("\x1b"), 6);
    table_free(t);
}

static void
test_json_numbers(void **state)
{
    static const char *const cols[] = { "a", "b", "c", "d" };
    static const enum table_col types[] = { TABLE_NUM, TABLE_NUM,
        TABLE_NUM, TABLE_NUM };
    struct table *t = table_new("nums", "N", cols, types, 4);
    const char *r[4] = { "0", "97.5", "", "1e5" };
    char *out;

    (void)state;
    table_add(t, r);
    out = render(table_fmt_print_json, &t, 1);
    assert_string_equal(out, "{\n\"nums\": [\n  {\"a\": 0, \"b\": 97.5, "
        "\"c\": null, \"d\": \"1e5\"}\n]\n}\n");
    free(out);
    table_free(t);
}

/* A whole page from hostile names: no tag or attribute of theirs. */
static void
test_html_page(void **state)
{
    static const char evil[] = "<img src=x onerror=alert(1)>\"'&";
    struct agg *a = agg_new(NULL, NULL);
    const char *p[1] = { evil };
    struct table *t = one_cell(evil);
    char *out = NULL;
    size_t len;
    FILE *fp;

    (void)state;
    group_count(group_table_get(a->by_action, p), true, 0, evil);
    group_count(group_table_get(a->by_day, p), false, 0, NULL);
    a->dur_bins[3] = 2;
    assert_non_null(fp = open_memstream(&out, &len));
    assert_int_equal(html_write(fp, a, &t, 1, evil), 0);
    assert_int_equal(fclose(fp), 0);
    assert_null(strstr(out, "<img"));
    assert_null(strstr(out, "<script"));
    assert_non_null(strstr(out, "&lt;img src=x onerror=alert(1)&gt;"
        "&quot;&#39;&amp;"));
    assert_non_null(strstr(out, "Content-Security-Policy"));
    assert_non_null(strstr(out, "<svg"));
    assert_non_null(strstr(out, "<table id=\"t-t\">"));
    assert_non_null(strstr(out, "</html>\n"));
    free(out);
    table_free(t);
    agg_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_text_alignment),
        cmocka_unit_test(test_json_numbers),
        cmocka_unit_test(test_html_page),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
