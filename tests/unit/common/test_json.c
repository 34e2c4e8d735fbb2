/*
 * Unit tests for json.c: located parse errors (exact line:col and snippet),
 * trailing garbage, deep nesting, dotted and list paths, and the
 * original-style booleans.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "json.h"

struct parse_case {
    const char *text;
    const char *err;    /* NULL: must parse */
};

static const struct parse_case parse_cases[] = {
    { "{}", NULL },
    { "  {\"a\": [1, 2, {\"b\": null}]}\n\n", NULL },
    { "\"just a string\"", NULL },
    { "42", NULL },
    { "", "f.json:1:1: error: invalid JSON near ''" },
    { "  \n\t ", "f.json:2:3: error: invalid JSON near ''" },
    { "{", "f.json:1:2: error: invalid JSON near ''" },
    { "{\"a\":1", "f.json:1:7: error: invalid JSON near ''" },
    { "{\n  \"a\": tru\n}", "f.json:2:8: error: invalid JSON near 'tru }'" },
    { "{\"a\":1,}", "f.json:1:8: error: invalid JSON near '}'" },
    { "{\"a\":1,}   ", "f.json:1:8: error: invalid JSON near '}   '" },
    { "{\"a\":1, x: 2}", "f.json:1:9: error: invalid JSON near 'x: 2}'" },
    { "{\"a\":1,,\"b\":2}",
      "f.json:1:8: error: invalid JSON near ',\"b\":2}'" },
    { "{1: 2}", "f.json:1:2: error: invalid JSON near '1: 2}'" },
    { "{ \n  }x", "f.json:2:4: error: invalid JSON near 'x'" },
    { "[{}x]", "f.json:1:4: error: invalid JSON near 'x]'" },
    { "[1,}", "f.json:1:4: error: invalid JSON near '}'" },
    { "[1,,2]", "f.json:1:4: error: invalid JSON near ',2]'" },
    { "{\"a\":[1,2x]}", "f.json:1:10: error: invalid JSON near 'x]}'" },
    { "{\"a\":1,", "f.json:1:8: error: invalid JSON near ''" },
    { "{\"a\": \"abc", "f.json:1:7: error: invalid JSON near '\"abc'" },
    { "{\"a\": \"a\\\"bc", "f.json:1:7: error: invalid JSON near '\"a\\\"bc'" },
    { "[\"ok\", \"\\q\"]", "f.json:1:9: error: invalid JSON near '\\q\"]'" },
    { "{\"a\":\"b\"\"c\"}", "f.json:1:9: error: invalid JSON near '\"c\"}'" },
    { "\"abc", "f.json:1:1: error: invalid JSON near '\"abc'" },
    { "{\"a\" 1}", "f.json:1:6: error: invalid JSON near '1}'" },
    { "[1 2]", "f.json:1:4: error: invalid JSON near '2]'" },
    { "{} x", "f.json:1:4: error: invalid JSON near 'x'" },
    { "{}\n\n  {}", "f.json:3:3: error: invalid JSON near '{}'" },
    { "123abc", "f.json:1:4: error: invalid JSON near 'abc'" },
    { "nul", "f.json:1:1: error: invalid JSON near 'nul'" },
    { "{\"a\":\"b\\q\"}", "f.json:1:8: error: invalid JSON near '\\q\"}'" },
    { "{\"k\": [1,\n 2,\n x]}", "f.json:3:2: error: invalid JSON near 'x]}'" },
    { "[\"\t\"]\n{", "f.json:2:1: error: invalid JSON near '{'" },
    /* The snippet is capped and shows control characters as spaces. */
    { "{\"a\":\n\n   @abcdefghij\tklmnopqrstuvwxyz}",
      "f.json:3:4: error: invalid JSON near '@abcdefghij klmnopqr'" },
    /* Never cut a UTF-8 character in the snippet. */
    { "[@aaaaaaaaaaaaaaaaaa\xc3\xa9]",
      "f.json:1:2: error: invalid JSON near '@aaaaaaaaaaaaaaaaaa'" },
};

static void
test_parse_table(void **state)
{
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(parse_cases); i++) {
        const struct parse_case *c = &parse_cases[i];

        err[0] = '\0';
        doc = json_parse_located(c->text, strlen(c->text), "f.json", err,
            sizeof(err));
        if (c->err == NULL) {
            if (doc == NULL)
                print_error("case %zu: %s\n", i, err);
            assert_non_null(doc);
            cJSON_Delete(doc);
            continue;
        }
        if (doc != NULL || strcmp(err, c->err) != 0)
            print_error("case %zu: got [%s]\n want [%s]\n", i, err,
                c->err);
        assert_null(doc);
        assert_string_equal(err, c->err);
    }
}

/* The text need not be NUL-terminated: only text[0..len) is read. */
static void
test_parse_length_bounded(void **state)
{
    const char text[] = "{\"a\":1}garbage";
    char *heap;
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;

    (void)state;
    doc = json_parse_located(text, 7, "body", err, sizeof(err));
    assert_non_null(doc);
    assert_int_equal(cJSON_GetObjectItem(doc, "a")->valueint, 1);
    cJSON_Delete(doc);

    /* An unterminated heap copy: ASan catches any read past len. */
    heap = malloc(6);
    assert_non_null(heap);
    memcpy(heap, "{\"a\":1", 6);
    doc = json_parse_located(heap, 6, "request body", err, sizeof(err));
    assert_null(doc);
    assert_string_equal(err,
        "request body:1:7: error: invalid JSON near ''");
    free(heap);

    /* Every prefix of a document, each in an exact-size heap block, so
     * that a read past len (by us or by cJSON) is an ASan error. */
    {
        static const char full[] =
            "{\"a\": [1, {\"b\": \"x\\n\"}], \"c\" : true, }";
        size_t n;

        for (n = 0; n < sizeof(full) - 1; n++) {
            heap = malloc(n == 0 ? 1 : n);
            assert_non_null(heap);
            memcpy(heap, full, n);
            doc = json_parse_located(heap, n, "p", err, sizeof(err));
            assert_null(doc);
            assert_memory_equal(err, "p:1:", 4);
            free(heap);
        }
    }

    /* An embedded NUL after the value is trailing garbage. */
    doc = json_parse_located("{}\0", 3, "body", err, sizeof(err));
    assert_null(doc);
    assert_string_equal(err, "body:1:3: error: invalid JSON near ' '");

    doc = json_parse_located(NULL, 0, "body", err, sizeof(err));
    assert_null(doc);
    assert_string_equal(err, "body:1:1: error: invalid JSON near ''");
}

static void
test_parse_deep_nesting(void **state)
{
    const size_t depth = 100000;
    char *text;
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;
    size_t i;

    (void)state;
    text = malloc(depth * 2);
    assert_non_null(text);
    for (i = 0; i < depth; i++) {
        text[i] = '[';
        text[depth * 2 - 1 - i] = ']';
    }
    doc = json_parse_located(text, depth * 2, "deep", err, sizeof(err));
    assert_null(doc);
    assert_non_null(strstr(err, "deep:1:"));
    assert_non_null(strstr(err, ": error: invalid JSON near '["));

    /* Within cJSON's limit it parses. */
    memset(text, '[', 500);
    memset(text + 500, ']', 500);
    doc = json_parse_located(text, 1000, "ok", err, sizeof(err));
    assert_non_null(doc);
    cJSON_Delete(doc);
    free(text);
}

static void
test_offset_to_linecol(void **state)
{
    const char *t = "ab\ncd\n\nx";
    int line, col;

    (void)state;
    json_offset_to_linecol(t, 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    json_offset_to_linecol(t, 2, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 3);
    json_offset_to_linecol(t, 3, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    json_offset_to_linecol(t, 7, &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 1);
}

static const char path_doc[] =
    "{"
    "  \"details\": {\"host\": \"web01\", \"os.type\": \"linux\","
    "               \"n\": 5, \"list\": [\"a\", {\"b\": \"deep\"}]},"
    "  \"a.b\": \"dotted-top\","
    "  \"a\": {\"b\": \"nested\", \"c\": \"only-nested\"},"
    "  \"x.y\": {\"z\": \"split-after-dotted\"},"
    "  \"arr\": [[10, 11], [20, 21]],"
    "  \"s\": \"text\","
    "  \"0\": \"zero-key\","
    "  \"obj\": {\"1\": \"numeric-key\"},"
    "  \"\": \"empty-key\""
    "}";

struct path_case {
    const char *path;
    const char *want;   /* string value, "#n" for a number, NULL: absent */
};

static const struct path_case path_cases[] = {
    { "details.host", "web01" },
    { "details", "#obj" },
    { "details.n", "#5" },
    { "details.os.type", "linux" },     /* whole remaining key wins */
    { "a.b", "dotted-top" },            /* whole key wins over split */
    { "a.c", "only-nested" },
    { "details.list.0", "a" },
    { "details.list.1.b", "deep" },
    { "details.list.2", NULL },
    { "details.list.-1", NULL },
    { "details.list.x", NULL },
    { "details.list.01.b", "deep" },
    { "arr.1.0", "#20" },
    { "arr.99999999999999999999", NULL },
    { "0", "zero-key" },
    { "obj.1", "numeric-key" },
    { "x.y.z", NULL },                  /* no backtracking into "x.y" */
    { "missing", NULL },
    { "details.missing", NULL },
    { "details.host.more", NULL },      /* string is not a container */
    { "s.x", NULL },
    { "s.0", NULL },
    { "details..host", NULL },
    { "details.host.", NULL },
    { "", "empty-key" },
    { "Details.host", NULL },           /* case-sensitive */
};

static void
check_value(const cJSON *got, const char *want, const char *what)
{
    if (want == NULL) {
        if (got != NULL)
            print_error("%s: expected absent\n", what);
        assert_null(got);
        return;
    }
    if (got == NULL)
        print_error("%s: expected %s\n", what, want);
    assert_non_null(got);
    if (strcmp(want, "#obj") == 0)
        assert_true(cJSON_IsObject(got));
    else if (want[0] == '#')
        assert_int_equal(got->valueint, strtol(want + 1, NULL, 10));
    else
        assert_string_equal(cJSON_GetStringValue(got), want);
}

static void
test_path_table(void **state)
{
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;
    size_t i;

    (void)state;
    doc = json_parse_located(path_doc, strlen(path_doc), "doc", err,
        sizeof(err));
    assert_non_null(doc);
    for (i = 0; i < NELEM(path_cases); i++)
        check_value(json_path(doc, path_cases[i].path), path_cases[i].want,
            path_cases[i].path);
    assert_null(json_path(NULL, "a"));
    assert_null(json_path(doc, NULL));
    cJSON_Delete(doc);
}

/* A path longer than RULE_PATH_DEPTH_MAX segments is refused even when the
 * document is that deep. */
static void
test_path_depth_bound(void **state)
{
    cJSON *root, *node, *next;
    char path[256];
    size_t i, n = 0;

    (void)state;
    root = cJSON_CreateObject();
    node = root;
    for (i = 0; i < RULE_PATH_DEPTH_MAX + 4; i++) {
        next = cJSON_CreateObject();
        cJSON_AddItemToObject(node, "k", next);
        node = next;
    }
    for (i = 0; i < RULE_PATH_DEPTH_MAX; i++)
        n += (size_t)snprintf(path + n, sizeof(path) - n, "%sk",
            i == 0 ? "" : ".");
    assert_non_null(json_path(root, path));
    n += (size_t)snprintf(path + n, sizeof(path) - n, ".k");
    assert_null(json_path(root, path));
    cJSON_Delete(root);
}

static void
test_path_list(void **state)
{
    static const char *const host[] = { "details", "host" };
    static const char *const dotted[] = { "details", "os.type" };
    static const char *const arr[] = { "arr", "0", "1" };
    static const char *const split[] = { "a.b" };
    static const char *const nested[] = { "a", "b" };
    static const char *const bad[] = { "details", "list", "x" };
    static const char *const deep[RULE_PATH_DEPTH_MAX + 1] = { "a" };
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;

    (void)state;
    doc = json_parse_located(path_doc, strlen(path_doc), "doc", err,
        sizeof(err));
    assert_non_null(doc);
    check_value(json_path_list(doc, host, NELEM(host)), "web01", "host");
    check_value(json_path_list(doc, dotted, NELEM(dotted)), "linux", "os");
    check_value(json_path_list(doc, arr, NELEM(arr)), "#11", "arr");
    check_value(json_path_list(doc, split, NELEM(split)), "dotted-top",
        "a.b");
    check_value(json_path_list(doc, nested, NELEM(nested)), "nested",
        "a,b");
    check_value(json_path_list(doc, bad, NELEM(bad)), NULL, "bad");
    check_value(json_path_list(doc, deep, NELEM(deep)), NULL, "deep");
    assert_ptr_equal(json_path_list(doc, NULL, 0), doc);
    cJSON_Delete(doc);
}

struct bool_case {
    const char *json;
    int want;
};

static const struct bool_case bool_cases[] = {
    { "{\"v\": true}", 1 },
    { "{\"v\": false}", 0 },
    { "{\"v\": \"true\"}", 1 },
    { "{\"v\": \"false\"}", 0 },
    { "{\"v\": \"TRUE\"}", 1 },
    { "{\"v\": \"False\"}", 0 },
    { "{\"v\": \"yes\"}", -1 },
    { "{\"v\": \"\"}", -1 },
    { "{\"v\": \" true\"}", -1 },
    { "{\"v\": 1}", -1 },
    { "{\"v\": 0}", -1 },
    { "{\"v\": null}", -1 },
    { "{\"v\": [true]}", -1 },
    { "{\"w\": true}", -1 },
    { "[true]", -1 },
};

static void
test_bool_table(void **state)
{
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(bool_cases); i++) {
        doc = json_parse_located(bool_cases[i].json,
            strlen(bool_cases[i].json), "b", err, sizeof(err));
        assert_non_null(doc);
        if (json_bool(doc, "v") != bool_cases[i].want)
            print_error("case %zu: %s\n", i, bool_cases[i].json);
        assert_int_equal(json_bool(doc, "v"), bool_cases[i].want);
        cJSON_Delete(doc);
    }
    assert_int_equal(json_bool(NULL, "v"), -1);
}

/* json_write_string: one JSON string literal whatever the bytes, and cJSON
 * reads back the text (invalid UTF-8 as U+FFFD). */
static void
test_write_string(void **state)
{
    static const struct {
        const char *in;
        size_t      len;
        const char *want;
        const char *back;
    } rows[] = {
        { "plain", 5, "\"plain\"", "plain" },
        { "q\"b\\n\n", 6, "\"q\\\"b\\\\n\\n\"", "q\"b\\n\n" },
        { "\x01\x7f\t", 3, "\"\\u0001\\u007f\\u0009\"", "\x01\x7f\t" },
        { "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"", "caf\xc3\xa9" },
        { "a\xff" "b", 3, "\"a\\ufffdb\"", "a\xef\xbf\xbd" "b" },
        { "nul\0x", 5, "\"nul\\u0000x\"", NULL },
    };
    char *text;
    size_t len, i;
    FILE *f;
    cJSON *v;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        f = open_memstream(&text, &len);
        assert_non_null(f);
        json_write_string(f, rows[i].in, rows[i].len);
        assert_int_equal(fclose(f), 0);
        if (strcmp(text, rows[i].want) != 0)
            fail_msg("row %zu: %s != %s", i, text, rows[i].want);
        v = cJSON_Parse(text);
        assert_true(cJSON_IsString(v));
        if (rows[i].back != NULL)
            assert_string_equal(v->valuestring, rows[i].back);
        cJSON_Delete(v);
        free(text);
    }
}

static void
test_str_and_print(void **state)
{
    const char text[] = "{ \"a\" : \"x\", \"n\" : 1, \"l\" : [ 1, \"y\" ] }";
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;
    char *s;

    (void)state;
    doc = json_parse_located(text, strlen(text), "p", err, sizeof(err));
    assert_non_null(doc);
    assert_string_equal(json_str(doc, "a"), "x");
    assert_null(json_str(doc, "n"));
    assert_null(json_str(doc, "zz"));
    assert_null(json_str(NULL, "a"));
    s = json_print(doc);
    assert_string_equal(s, "{\"a\":\"x\",\"n\":1,\"l\":[1,\"y\"]}");
    free(s);
    s = json_print(NULL);
    assert_string_equal(s, "null");
    free(s);
    cJSON_Delete(doc);
}

/* Issue 11 item 8: an escaped NUL is seen, never a silent end of string;
 * an escaped backslash before "u0000" is not an escape of it. */
static const struct {
    const char *json;
    const char *key;
    const char *want;   /* the member's value as parsed */
    bool        nul;
} nul_cases[] = {
    { "{\"r\":\"noop\\u0000x\"}", "r", "noop" JSON_NUL_MARK "x", true },
    { "{\"r\":\"a\\U0000\"}", "r", NULL, false },   /* invalid JSON */
    { "{\"r\":\"a\\\\u0000\"}", "r", "a\\u0000", false },
    { "{\"r\":\"\\\"\\u0000\"}", "r", "\"" JSON_NUL_MARK, true },
    { "{\"r\\u0000\":\"v\",\"r\":\"w\"}", "r", "w", false },
    { "{\"r\":\"plain\"}", "r", "plain", false },
    { "{\"r\":\"\\u00000\"}", "r", JSON_NUL_MARK "0", true },
    { "{\"r\":\"x\\u0000\"}", "r", "x" JSON_NUL_MARK, true },
    { "{\"r\":\"\\\\\"}", "r", "\\", false },
    { "{\"r\":\"\\u000\"}", "r", NULL, false },     /* invalid JSON */
};

static void
test_parse_marking_nul(void **state)
{
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(nul_cases); i++) {
        doc = json_parse_marking_nul(nul_cases[i].json,
            strlen(nul_cases[i].json), "n", err, sizeof(err));
        if (nul_cases[i].want == NULL) {
            assert_null(doc);
            continue;
        }
        if (doc == NULL)
            print_error("case %zu: %s\n", i, err);
        assert_non_null(doc);
        assert_string_equal(json_str(doc, nul_cases[i].key),
            nul_cases[i].want);
        assert_int_equal(json_has_nul(json_str(doc, nul_cases[i].key)),
            nul_cases[i].nul);
        cJSON_Delete(doc);
    }
    assert_false(json_has_nul(NULL));
}

/* Only text[0..len) counts, with or without an escaped NUL in it: what
 * follows (here a \u0000 past the end) is not read. */
static void
test_parse_marking_nul_bounded(void **state)
{
    const char plain[] = "{\"r\":\"a\"}\\u0000";
    const char marked[] = "{\"r\":\"\\u0000\"}\\u0000";
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;

    (void)state;
    doc = json_parse_marking_nul(plain, 9, "n", err, sizeof(err));
    assert_non_null(doc);
    assert_string_equal(json_str(doc, "r"), "a");
    cJSON_Delete(doc);
    doc = json_parse_marking_nul(marked, 14, "n", err, sizeof(err));
    assert_non_null(doc);
    assert_string_equal(json_str(doc, "r"), JSON_NUL_MARK);
    cJSON_Delete(doc);
    assert_null(json_parse_marking_nul(plain, 15, "n", err, sizeof(err)));
}

struct locate_case {
    const char      *text;
    struct json_step path[3];
    size_t           n;
    size_t           want;  /* byte offset */
};

#define K(k)    { .key = (k) }
#define I(i)    { .key = NULL, .index = (i) }

static const struct locate_case locate_cases[] = {
    { "  {\"a\": 1}", { K("a") }, 0, 2 },
    { "{\"a\": 1, \"b\": 2}", { K("b") }, 1, 9 },
    /* The key's quoted name inside an earlier value is not the key. */
    { "{\"x\": \"\\\"b\\\"\", \"y\": {\"b\": 1}, \"b\": 2}",
      { K("b") }, 1, 30 },
    { "{\"x\": [\"b\", {\"b\": 0}], \"b\": 2}", { K("b") }, 1, 23 },
    /* Escapes in a key are decoded before comparing. */
    { "{\"a\\u0062\": 1}", { K("ab") }, 1, 1 },
    /* The first of duplicates, as json_str reads. */
    { "{\"a\": 1, \"a\": 2}", { K("a") }, 1, 1 },
    /* Keys match exactly. */
    { "{\"A\": 1, \"a\": 2}", { K("a") }, 1, 9 },
    { "{\"l\": [ 1 , {\"k\": [2]} ,\n {\"id\": 3}]}",
      { K("l"), I(2), K("id") }, 3, 27 },
    { "{\"l\": [[1, [2, 3]], [4]]}", { K("l"), I(1) }, 2, 20 },
    /* Missing steps: the deepest one found. */
    { "{\"l\": [{\"t\": {}}]}", { K("l"), I(0), K("id") }, 3, 7 },
    { "{\"l\": [1]}", { K("l"), I(3) }, 2, 1 },
    { "{\"l\": []}", { K("l"), I(0) }, 2, 1 },
    { "{}", { K("a") }, 1, 0 },
    { "[1, 2]", { K("a") }, 1, 0 },
    { "{\"a\": 5}", { K("a"), K("b") }, 2, 1 },
    { "\n\n  [0, {\"a\": true}]", { I(1), K("a") }, 2, 9 },
    { "{\"a\": 1}", { K("a") }, 0, 0 },
};

static void
test_locate_table(void **state)
{
    const struct locate_case *c;
    cJSON *doc;
    char err[ALEXIS_ERR_MAX];
    size_t i, got;

    (void)state;
    for (i = 0; i < NELEM(locate_cases); i++) {
        c = &locate_cases[i];
        /* Only text cJSON accepted is located. */
        doc = json_parse_located(c->text, strlen(c->text), "t", err,
            sizeof(err));
        assert_non_null(doc);
        cJSON_Delete(doc);
        got = json_locate(c->text, strlen(c->text), c->path, c->n);
        if (got != c->want)
            print_error("case %zu: got %zu want %zu\n", i, got, c->want);
        assert_int_equal(got, c->want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_length_bounded),
        cmocka_unit_test(test_parse_deep_nesting),
        cmocka_unit_test(test_offset_to_linecol),
        cmocka_unit_test(test_path_table),
        cmocka_unit_test(test_path_depth_bound),
        cmocka_unit_test(test_path_list),
        cmocka_unit_test(test_bool_table),
        cmocka_unit_test(test_str_and_print),
        cmocka_unit_test(test_write_string),
        cmocka_unit_test(test_parse_marking_nul),
        cmocka_unit_test(test_parse_marking_nul_bounded),
        cmocka_unit_test(test_locate_table),
    };

    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
