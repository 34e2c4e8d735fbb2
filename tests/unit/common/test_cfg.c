/*
 * Unit tests for cfg.c (the YAML loader): table-driven rows of YAML text
 * and the exact errors or values expected, limits, and lists of scalars.
 * cfg_common.c (shared tables, authentication) is test_cfg_common.c.
 */
#include <sys/stat.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "buf.h"
#include "cfg.h"
#include "path.h"
#include "str.h"
#include "url.h"
#include "xmem.h"

#include "cfg_common.h"
#include "cfg_testutil.h"

/* A directory that does not exist: relative paths resolve lexically. */
#define TDIR    "/nonexistent-alexis-cfgtest"
#define TPATH   TDIR "/conf.yaml"
#define NOERR   { NULL }

/* ---- A test table covering every type ---- */

struct t_item {
    char            *name;
    long long        n;
    struct cfg_mark  mark;
};

struct t_sec {
    char        *host;
    long long    port;
    char        *req;
};

struct t_conf {
    char                *s, *secret, *p, *u;
    long long            i, neg;
    bool                 b;
    uint64_t             d;
    struct cfg_strmap    map;
    struct t_sec         sec;
    struct cfg_listener  listener;
    struct t_item       *items;
    size_t               nitems;
    struct cfg_mark      mark;
};

/* A check that quotes what it saw: the loader must hide it for secrets. */
static int
check_no_x(const char *text, char *err, size_t errlen)
{
    if (strchr(text, 'x') == NULL)
        return 0;
    snprintf(err, errlen, "must not contain x, got %s", text);
    return -1;
}

static const struct cfg_field t_sec_fields[] = {
    { .key = "host", .type = CFG_STR, .offset = offsetof(struct t_sec, host),
      .def = "h" },
    { .key = "port", .type = CFG_INT, .offset = offsetof(struct t_sec, port),
      .min = 1, .max = 100 },
    { .key = "req", .type = CFG_STR, .offset = offsetof(struct t_sec, req),
      .flags = CFG_REQUIRED },
    { .key = NULL },
};

static const struct cfg_field t_item_fields[] = {
    { .key = "name", .type = CFG_STR,
      .offset = offsetof(struct t_item, name), .flags = CFG_REQUIRED },
    { .key = "n", .type = CFG_INT, .offset = offsetof(struct t_item, n),
      .min = 0, .max = 9, .def = "5" },
    { .key = "", .type = CFG_MARK, .offset = offsetof(struct t_item, mark) },
    { .key = NULL },
};

static const struct cfg_field t_fields[] = {
    { .key = "s", .type = CFG_STR, .offset = offsetof(struct t_conf, s),
      .def = "dflt" },
    { .key = "secret", .type = CFG_SECRET, .check = check_no_x,
      .offset = offsetof(struct t_conf, secret) },
    { .key = "p", .type = CFG_PATH, .offset = offsetof(struct t_conf, p),
      .def = "rel/dflt" },
    { .key = "u", .type = CFG_URL, .offset = offsetof(struct t_conf, u) },
    { .key = "i", .type = CFG_INT, .offset = offsetof(struct t_conf, i),
      .min = 0, .max = 65535 },
    { .key = "neg", .type = CFG_INT, .offset = offsetof(struct t_conf, neg),
      .min = -10, .max = 10 },
    { .key = "b", .type = CFG_BOOL, .offset = offsetof(struct t_conf, b) },
    { .key = "d", .type = CFG_DURATION, .offset = offsetof(struct t_conf, d),
      .min = 1000, .max = 3600000, .def = "30s" },
    { .key = "map", .type = CFG_STRMAP, .check = url_check,
      .offset = offsetof(struct t_conf, map) },
    { .key = "sec", .type = CFG_SECTION, .sub = t_sec_fields,
      .offset = offsetof(struct t_conf, sec) },
    { .key = "listener", .type = CFG_SECTION, .sub = cfg_common_listener_fields,
      .offset = offsetof(struct t_conf, listener) },
    { .key = "items", .type = CFG_LIST, .sub = t_item_fields, .max = 3,
      .offset = offsetof(struct t_conf, items),
      .elem_size = sizeof(struct t_item),
      .count_offset = offsetof(struct t_conf, nitems) },
    { .key = "ign", .type = CFG_IGNORE },
    { .key = "", .type = CFG_MARK, .offset = offsetof(struct t_conf, mark) },
    { .key = NULL },
};

/* The same with the section required. */
static const struct cfg_field t_req_fields[] = {
    { .key = "sec", .type = CFG_SECTION, .sub = t_sec_fields,
      .flags = CFG_REQUIRED, .offset = offsetof(struct t_conf, sec) },
    { .key = NULL },
};

/* One field of a loaded t_conf as text, for the value rows. */
static void
render(const struct t_conf *c, const char *key, char *out, size_t len)
{
    struct buf b;
    size_t i;

    buf_init(&b, 4096);
#define S(k, v) if (strcmp(key, k) == 0) \
        assert_int_equal(buf_appends(&b, (v) != NULL ? (v) : "(null)"), 0)
#define I(k, v) if (strcmp(key, k) == 0) \
        assert_int_equal(buf_appendf(&b, "%lld", (long long)(v)), 0)
    S("s", c->s); S("secret", c->secret); S("p", c->p); S("u", c->u);
    I("i", c->i); I("neg", c->neg); I("b", c->b); I("d", c->d);
    S("sec.host", c->sec.host); I("sec.port", c->sec.port);
    S("sec.req", c->sec.req); S("listener.hostname", c->listener.hostname);
    I("listener.port", c->listener.port);
    if (strcmp(key, "mark") == 0)
        assert_int_equal(buf_appendf(&b, "%d:%d", c->mark.line,
            c->mark.col), 0);
    for (i = 0; strcmp(key, "map") == 0 && i < c->map.n; i++)
        assert_int_equal(buf_appendf(&b, "%s%s=%s@%d:%d", i ? "," : "",
            c->map.items[i].key, c->map.items[i].value,
            c->map.items[i].mark.line, c->map.items[i].mark.col), 0);
    for (i = 0; strcmp(key, "items") == 0 && i < c->nitems; i++)
        assert_int_equal(buf_appendf(&b, "%s%s:%lld@%d:%d", i ? "," : "",
            c->items[i].name, c->items[i].n, c->items[i].mark.line,
            c->items[i].mark.col), 0);
#undef S
#undef I
    snprintf(out, len, "%s", b.data != NULL ? b.data : "");
    buf_free(&b);
}

/* ---- Value rows ---- */

struct value_row {
    const char  *yaml;
    const char  *key;
    const char  *want;
};

static const struct value_row value_rows[] = {
    /* Defaults, and the caller's presets where there is no default. */
    { "", "s", "dflt" },
    { "", "d", "30000" },
    { "", "p", TDIR "/rel/dflt" },
    { "", "sec.host", "h" },
    { "", "listener.hostname", "0.0.0.0" },
    { "", "listener.port", "8083" },
    { "", "u", "(null)" },
    { "", "mark", "1:1" },
    { "# only a comment\n", "s", "dflt" },
    { "---\n...\n", "s", "dflt" },
    /* Strings, quoted or bare, verbatim; null and empty mean absent. */
    { "s: hello world\n", "s", "hello world" },
    { "s: 'it''s'\n", "s", "it's" },
    { "s: \"a\\tb\"\n", "s", "a\tb" },
    { "s: ~\n", "s", "dflt" },
    { "s: null\n", "s", "dflt" },
    { "s: ''\n", "s", "dflt" },
    { "s:\n", "s", "dflt" },
    { "s: 'null'\n", "s", "null" },
    { "s: !!str null\n", "s", "null" },
    { "s: '  padded  '\n", "s", "  padded  " },
    { "s: |\n  line1\n  line2\n", "s", "line1\nline2" },
    { "s: >\n  folded\n  text\n", "s", "folded text" },
    { "s: |+\n  kept\n\n", "s", "kept\n" },
    { "s: 8083\n", "s", "8083" },
    /* Integers. */
    { "i: 8083\n", "i", "8083" },
    { "i: '8083'\n", "i", "8083" },
    { "i: 0\n", "i", "0" },
    { "i: 65535\n", "i", "65535" },
    { "neg: -10\n", "neg", "-10" },
    { "neg: '-3'\n", "neg", "-3" },
    { "neg: 10\n", "neg", "10" },
    /* Booleans in every accepted spelling. */
    { "b: true\n", "b", "1" },
    { "b: 'True'\n", "b", "1" },
    { "b: YES\n", "b", "1" },
    { "b: on\n", "b", "1" },
    { "b: 1\n", "b", "1" },
    { "b: 'false'\n", "b", "0" },
    { "b: No\n", "b", "0" },
    { "b: OFF\n", "b", "0" },
    { "b: '0'\n", "b", "0" },
    /* Durations. */
    { "d: 30\n", "d", "30000" },
    { "d: '45'\n", "d", "45000" },
    { "d: 1500ms\n", "d", "1500" },
    { "d: 5m\n", "d", "300000" },
    { "d: 1h\n", "d", "3600000" },
    /* Paths: relative to the config file's directory. */
    { "p: keys/id\n", "p", TDIR "/keys/id" },
    { "p: /etc/alexis/id\n", "p", "/etc/alexis/id" },
    { "p: ./a\n", "p", TDIR "/./a" },
    /* URLs: one trailing '/' dropped. */
    { "u: http://classifier/v1\n", "u", "http://classifier/v1" },
    { "u: 'https://api.opsgenie.com/'\n", "u", "https://api.opsgenie.com" },
    { "u: http://h:8080/v1//\n", "u", "http://h:8080/v1/" },
    { "u: http://[::1]:80\n", "u", "http://[::1]:80" },
    { "u: HTTPS://user@h?q=1\n", "u", "HTTPS://user@h?q=1" },
    /* Secrets are plain strings once accepted. */
    { "secret: 'GenieKey 42'\n", "secret", "GenieKey 42" },
    /* Maps of scalars. */
    { "map:\n  linux: http://a/v1\n  windows: 'http://b/v1'\n", "map",
      "linux=http://a/v1@2:3,windows=http://b/v1@3:3" },
    { "map: {}\n", "map", "" },
    /* Sections. */
    { "sec:\n  req: r\n  port: 7\n", "sec.port", "7" },
    { "sec:\n  req: r\n", "sec.host", "h" },
    { "sec: {req: r, host: x}\n", "sec.host", "x" },
    { "sec:\n", "sec.host", "h" },
    { "listener:\n  hostname: 127.0.0.1\n  port: '9000'\n  protocol: HTTP\n",
      "listener.port", "9000" },
    /* Lists of structs: defaults and marks per element. */
    { "items:\n  - name: a\n    n: 1\n  - name: b\n", "items",
      "a:1@2:5,b:5@4:5" },
    { "items: [{name: a}]\n", "items", "a:5@1:9" },
    { "items: []\n", "items", "" },
    /* Original-only keys of any shape. */
    { "ign: [1, {a: b}]\ns: x\n", "s", "x" },
    { "ign:\n  deep: {a: [1, 2]}\ns: x\n", "s", "x" },
    { "s: x\nmark_is_root: 1\n", "mark", "1:1" },
    { "\n\n  s: x\n", "mark", "3:3" },
};

static void
test_values(void **state)
{
    struct cfg_errors errs;
    struct t_conf c;
    char got[1024];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(value_rows); i++) {
        const struct value_row *r = &value_rows[i];

        memset(&c, 0, sizeof(c));
        memset(&errs, 0, sizeof(errs));
        c.listener.port = 8083;
        if (strstr(r->yaml, "mark_is_root") != NULL) {
            /* The unknown key is the point: marks survive errors. */
            assert_int_equal(cfg_load_string(r->yaml, strlen(r->yaml),
                TPATH, t_fields, &c, &errs), -1);
        } else if (cfg_load_string(r->yaml, strlen(r->yaml), TPATH,
            t_fields, &c, &errs) != 0) {
            print_error("value row %zu:\n", i);
            cfg_error_print(&errs, stderr);
            fail();
        }
        render(&c, r->key, got, sizeof(got));
        if (strcmp(got, r->want) != 0)
            print_error("value row %zu (%s)\n", i, r->key);
        assert_string_equal(got, r->want);
        cfg_free(t_fields, &c);
    }
}

/* ---- Error rows ---- */

struct error_row {
    const char  *yaml;
    const char  *errors[8];     /* after the path, NULL-terminated */
};

static const struct error_row error_rows[] = {
    /* Bounds and syntax of each type. */
    { "i: 80a\n", { ":1:4: error: \"i\": expected an integer between 0 and "
      "65535, got \"80a\"", NULL } },
    { "i: 65536\n", { ":1:4: error: \"i\": expected an integer between 0 "
      "and 65535, got \"65536\"", NULL } },
    { "i: -1\n", { ":1:4: error: \"i\": expected an integer between 0 and "
      "65535, got \"-1\"", NULL } },
    { "i: ' 1'\n", { ":1:4: error: \"i\": expected an integer between 0 and "
      "65535, got \" 1\"", NULL } },
    { "neg: -11\n", { ":1:6: error: \"neg\": expected an integer between "
      "-10 and 10, got \"-11\"", NULL } },
    { "neg: -99999999999999999999\n", { ":1:6: error: \"neg\": expected an "
      "integer between -10 and 10, got \"-99999999999999999999\"", NULL } },
    { "b: maybe\n", { ":1:4: error: \"b\": expected a boolean (true or "
      "false), got \"maybe\"", NULL } },
    { "d: abc\n", { ":1:4: error: \"d\": expected a duration like 30s, got "
      "\"abc\"", NULL } },
    { "d: 2h\n", { ":1:4: error: \"d\": expected a duration between 1s and "
      "1h, got \"2h\"", NULL } },
    { "d: 500ms\n", { ":1:4: error: \"d\": expected a duration between 1s "
      "and 1h, got \"500ms\"", NULL } },
    { "u: ftp://h\n", { ":1:4: error: \"u\": expected an http:// or "
      "https:// URL with a host, got \"ftp://h\"", NULL } },
    { "u: http:///v1\n", { ":1:4: error: \"u\": expected an http:// or "
      "https:// URL with a host, got \"http:///v1\"", NULL } },
    { "u: http://h:0\n", { ":1:4: error: \"u\": expected an http:// or "
      "https:// URL with a host, got \"http://h:0\"", NULL } },
    { "u: 'http://a b'\n", { ":1:4: error: \"u\": expected an http:// or "
      "https:// URL with a host, got \"http://a b\"", NULL } },
    { "map:\n  linux: ftp://a\n", { ":2:10: error: \"map.linux\": expected "
      "an http:// or https:// URL with a host", NULL } },
    { "listener:\n  protocol: ftp\n", { ":2:13: error: "
      "\"listener.protocol\": expected http or https (https needs "
      "tls_cert_file and tls_key_file)", NULL } },
    { "s: \"a\\0b\"\n", { ":1:4: error: \"s\": contains a NUL byte", NULL } },
    /* Shape mismatches. */
    { "s: {a: 1}\n", { ":1:4: error: \"s\": expected a scalar, got a "
      "mapping", NULL } },
    { "i: [1]\n", { ":1:4: error: \"i\": expected a scalar, got a list",
      NULL } },
    { "sec: 3\n", { ":1:6: error: \"sec\": expected a mapping, got a scalar",
      NULL } },
    { "map: [a]\n", { ":1:6: error: \"map\": expected a mapping, got a list",
      NULL } },
    { "map: {a: [b]}\n", { ":1:10: error: \"map.a\": expected a scalar, got "
      "a list", NULL } },
    { "map: {a: ~}\n", { ":1:10: error: \"map.a\": expected a value",
      NULL } },
    { "items: {name: a}\n", { ":1:8: error: \"items\": expected a list, got "
      "a mapping", NULL } },
    { "items: [a]\n", { ":1:9: error: \"items[0]\": expected a mapping, got "
      "a scalar", NULL } },
    { "items: [{name: a}, {name: b}, {name: c}, {name: d}]\n", { ":1:8: "
      "error: \"items\": expected at most 3 items, got 4", NULL } },
    { "? [a]\n: 1\n", { ":1:3: error: expected a scalar key, got a list",
      NULL } },
    /* Required fields: inside a present section or list element only. */
    { "sec:\n  port: 3\n", { ":2:3: error: \"sec.req\": required", NULL } },
    { "sec:\n  req: ~\n", { ":2:3: error: \"sec.req\": required", NULL } },
    { "items:\n  - n: 1\n", { ":2:5: error: \"items[0].name\": required",
      NULL } },
    /* Unknown and duplicate keys. */
    { "listener:\n  prot: http\n", { ":2:3: error: unknown key "
      "\"listener.prot\" (did you mean \"port\"?)", NULL } },
    { "listner:\n  port: 1\n", { ":1:1: error: unknown key \"listner\" (did "
      "you mean \"listener\"?)", NULL } },
    { "zzzzzz: 1\n", { ":1:1: error: unknown key \"zzzzzz\"", NULL } },
    { "x: 1\n", { ":1:1: error: unknown key \"x\"", NULL } },
    { "\"a\\nb\": 1\n", { ":1:1: error: unknown key \"a\\x0ab\"", NULL } },
    { "s: a\ni: 1\ns: b\n", { ":3:1: error: duplicate key \"s\" (first at "
      "line 1)", NULL } },
    { "map:\n  a: http://a\n  a: http://b\n", { ":3:3: error: duplicate key "
      "\"map.a\" (first at line 2)", NULL } },
    { "ign: 1\nign: 2\n", { ":2:1: error: duplicate key \"ign\" (first at "
      "line 1)", NULL } },
    /* Secrets never appear, even when their check quotes them. */
    { "secret: 'GenieKey xSECRETx'\n", { ":1:9: error: \"secret\": invalid "
      "value (secret, not shown)", NULL } },
    { "secret: [a]\n", { ":1:9: error: \"secret\": expected a scalar, got a "
      "list", NULL } },
    /* Structure: stops at the first problem. */
    { "a: &x 1\nb: *x\n", { ":1:4: error: anchors and aliases are not "
      "supported", NULL } },
    { "b: *x\n", { ":1:4: error: aliases are not supported", NULL } },
    { "s: a\n---\ns: b\n", { ":2:1: error: multiple documents are not "
      "supported", NULL } },
    { "- a\n- b\n", { ":1:1: error: expected a mapping at the top level, got "
      "a list", NULL } },
    { "just text\n", { ":1:1: error: expected a mapping at the top level, "
      "got a scalar", NULL } },
    /* libyaml's own errors: one, at its 1-based mark. */
    { "s: [a, b\ni: 1\n", { ":2:2: error: did not find expected ',' or ']'",
      NULL } },
    { "s: a\n  i: 1\n", { ":2:4: error: mapping values are not allowed in "
      "this context", NULL } },
    { "s: 'open\n", { ":2:1: error: found unexpected end of stream",
      NULL } },
    { "s: \"\\q\"\n", { ":1:5: error: found unknown escape character",
      NULL } },
    { "s: ok\ni: \xff\n", { ":2:4: error: invalid leading UTF-8 octet",
      NULL } },
    { "s:\t- a\n", { ":1:4: error: block sequence entries are not allowed in "
      "this context", NULL } },
    { "s:\n\t- a\n", { ":2:1: error: found character that cannot start any "
      "token", NULL } },
    /* Many semantic errors reported in one pass, in document order. */
    { "i: x\nb: x\nlistner: {}\nsec: {port: 0}\ns: [1]\nd: 0\n", {
      ":1:4: error: \"i\": expected an integer between 0 and 65535, got "
      "\"x\"",
      ":2:4: error: \"b\": expected a boolean (true or false), got \"x\"",
      ":3:1: error: unknown key \"listner\" (did you mean \"listener\"?)",
      ":4:13: error: \"sec.port\": expected an integer between 1 and 100, "
      "got \"0\"",
      ":4:6: error: \"sec.req\": required",
      ":5:4: error: \"s\": expected a scalar, got a list",
      ":6:4: error: \"d\": expected a duration between 1s and 1h, got \"0\"",
      NULL } },
};

static void
test_errors(void **state)
{
    struct cfg_errors errs;
    struct t_conf c;
    char what[32];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(error_rows); i++) {
        const struct error_row *r = &error_rows[i];

        memset(&c, 0, sizeof(c));
        memset(&errs, 0, sizeof(errs));
        snprintf(what, sizeof(what), "error row %zu", i);
        assert_int_equal(cfg_load_string(r->yaml, strlen(r->yaml), TPATH,
            t_fields, &c, &errs), -1);
        expect_errors(what, &errs, TPATH, r->errors);
        cfg_free(t_fields, &c);
    }
}

/* A secret too long for the check's message to quote whole: not even its
 * start may show. */
static void
test_long_secret_not_shown(void **state)
{
    struct cfg_errors errs;
    struct t_conf c;
    char yaml[2048];
    size_t i, n;

    (void)state;
    n = (size_t)snprintf(yaml, sizeof(yaml), "secret: 'GenieKey TOPSECRET");
    for (i = 0; i < 1500; i++)
        yaml[n++] = 'x';
    memcpy(yaml + n, "'\n", 3);
    memset(&c, 0, sizeof(c));
    memset(&errs, 0, sizeof(errs));
    assert_int_equal(cfg_load_string(yaml, strlen(yaml), TPATH, t_fields, &c,
        &errs), -1);
    assert_int_equal(errs.n, 1);
    assert_null(strstr(errs.msgs[0], "TOPSECRET"));
    assert_non_null(strstr(errs.msgs[0], "(secret, not shown)"));
    cfg_free(t_fields, &c);
}

/* An absent section is fine unless the section itself is required. */
static void
test_required_section(void **state)
{
    static const char *const want[] = { ":1:1: error: \"sec\": required",
        NULL };
    static const char *const want_null[] = { ":1:1: error: \"sec\": "
        "required", NULL };
    struct cfg_errors errs = { .n = 0 };
    struct t_conf c = { .s = NULL };

    (void)state;
    assert_int_equal(cfg_load_string("", 0, TPATH, t_req_fields, &c, &errs),
        -1);
    expect_errors("absent required section", &errs, TPATH, want);
    cfg_free(t_req_fields, &c);
    memset(&errs, 0, sizeof(errs));
    assert_int_equal(cfg_load_string("sec:\n", 5, TPATH, t_req_fields, &c,
        &errs), -1);
    expect_errors("null required section", &errs, TPATH, want_null);
    cfg_free(t_req_fields, &c);
}

/* ---- Limits ---- */

static void
load_expect_one(const char *text, size_t len, const char *want)
{
    struct cfg_errors errs = { .n = 0 };
    struct t_conf c = { .s = NULL };
    const char *const exp[] = { want, NULL };

    assert_int_equal(cfg_load_string(text, len, TPATH, t_fields, &c, &errs),
        -1);
    expect_errors("limit", &errs, TPATH, exp);
    cfg_free(t_fields, &c);
}

/* Load b; expect one error: head, then n times c, then tail. */
static void
long_msg(const struct buf *b, const char *head, char c, size_t n,
    const char *tail)
{
    struct buf want;
    size_t i;

    buf_init(&want, ALEXIS_ERR_MAX);
    assert_int_equal(buf_appends(&want, head), 0);
    for (i = 0; i < n; i++)
        assert_int_equal(buf_append(&want, &c, 1), 0);
    assert_int_equal(buf_appends(&want, tail), 0);
    load_expect_one(b->data, b->len, want.data);
    buf_free(&want);
}

static void
test_limits(void **state)
{
    struct buf b;
    char *big;
    int i;

    (void)state;
    /* Nesting: the root mapping is level 1, so the 32nd '[' is level 33. */
    buf_init(&b, 4096);
    assert_int_equal(buf_appends(&b, "ign: "), 0);
    for (i = 0; i < CFG_DEPTH_MAX; i++)
        assert_int_equal(buf_appends(&b, "["), 0);
    for (i = 0; i < CFG_DEPTH_MAX; i++)
        assert_int_equal(buf_appends(&b, "]"), 0);
    load_expect_one(b.data, b.len,
        ":1:37: error: nested deeper than 32 levels");
    buf_free(&b);

    /* Items in a list and keys in a map. */
    buf_init(&b, 64 * 1024);
    assert_int_equal(buf_appends(&b, "ign: [0"), 0);
    for (i = 1; i <= CFG_LIST_MAX; i++)
        assert_int_equal(buf_appendf(&b, ",%d", i % 10), 0);
    assert_int_equal(buf_appends(&b, "]\n"), 0);
    load_expect_one(b.data, b.len,
        ":1:2055: error: more than 1024 items in a list");
    buf_free(&b);
    buf_init(&b, 64 * 1024);
    for (i = 0; i <= CFG_LIST_MAX; i++)
        assert_int_equal(buf_appendf(&b, "k%04d: 1\n", i), 0);
    load_expect_one(b.data, b.len,
        ":1025:1: error: more than 1024 keys in a mapping");
    buf_free(&b);

    /* Long values and keys are cut in messages, never overflow them. */
    buf_init(&b, 4096);
    assert_int_equal(buf_appends(&b, "i: "), 0);
    for (i = 0; i < 200; i++)
        assert_int_equal(buf_appends(&b, "1"), 0);
    long_msg(&b, ":1:4: error: \"i\": expected an integer between 0 and "
        "65535, got \"", '1', 88, "...\"");
    buf_free(&b);
    buf_init(&b, 4096);
    for (i = 0; i < 300; i++)
        assert_int_equal(buf_appends(&b, "k"), 0);
    assert_int_equal(buf_appends(&b, ": 1\n"), 0);
    {
        struct cfg_errors errs = { .n = 0 };
        struct t_conf c = { .s = NULL };
        const char *m;

        /* The key path is cut at cfg.c's own limit; check the shape. */
        assert_int_equal(cfg_load_string(b.data, b.len, TPATH, t_fields, &c,
            &errs), -1);
        assert_int_equal(errs.n, 1);
        m = errs.msgs[0];
        assert_true(strncmp(m, TPATH ":1:1: error: unknown key \"kkkkkkkk",
            strlen(TPATH) + 33) == 0);
        assert_true(str_has_suffix(m, "kkk...\""));
        assert_true(strlen(m) < ALEXIS_ERR_MAX - 1);
        cfg_free(t_fields, &c);
    }
    buf_free(&b);

    /* Whole file. */
    big = xmalloc(CFG_FILE_MAX + 2);
    memset(big, '#', CFG_FILE_MAX + 1);
    big[CFG_FILE_MAX + 1] = '\0';
    load_expect_one(big, CFG_FILE_MAX + 1,
        ": error: larger than 1048576 bytes");
    {
        struct cfg_errors errs = { .n = 0 };
        struct t_conf c = { .s = NULL };

        assert_int_equal(cfg_load_string(big, CFG_FILE_MAX, TPATH, t_fields,
            &c, &errs), 0);
        cfg_free(t_fields, &c);
    }
    free(big);
}

/* Past CFG_MAX_ERRORS errors are counted, not kept. */
static void
test_error_overflow(void **state)
{
    struct cfg_errors errs = { .n = 0 };
    struct t_conf c = { .s = NULL };
    char *printed = NULL;
    size_t plen = 0;
    struct buf b;
    FILE *fp;
    int i;

    (void)state;
    buf_init(&b, 64 * 1024);
    for (i = 0; i < CFG_MAX_ERRORS + 6; i++)
        assert_int_equal(buf_appendf(&b, "bad%d: 1\n", i), 0);
    assert_int_equal(cfg_load_string(b.data, b.len, TPATH, t_fields, &c,
        &errs), -1);
    assert_int_equal(errs.n, CFG_MAX_ERRORS);
    assert_int_equal(errs.dropped, 6);
    assert_string_equal(errs.msgs[0], TPATH ":1:1: error: unknown key "
        "\"bad0\"");
    assert_non_null(fp = open_memstream(&printed, &plen));
    cfg_error_print(&errs, fp);
    assert_int_equal(fclose(fp), 0);
    assert_non_null(strstr(printed, "\n" TPATH ":64:1: error: unknown key "
        "\"bad63\"\n6 more errors\n"));
    free(printed);
    buf_free(&b);
    cfg_free(t_fields, &c);

    /* cfg_error_add with and without a mark. */
    memset(&errs, 0, sizeof(errs));
    cfg_error_add(&errs, "f.yaml", NULL, "rule %s: %d", "x", 3);
    cfg_error_add(&errs, "f.yaml", &(struct cfg_mark){ 7, 2 }, "late");
    cfg_error_add(&errs, "f.yaml", &(struct cfg_mark){ 0, 0 }, "default");
    assert_string_equal(errs.msgs[0], "f.yaml: error: rule x: 3");
    assert_string_equal(errs.msgs[1], "f.yaml:7:2: error: late");
    assert_string_equal(errs.msgs[2], "f.yaml: error: default");
}

/* Presets survive where nothing overrides them; cfg_free zeroes. */
static void
test_presets_and_free(void **state)
{
    static const char yaml[] = "secret: s3\nmap: {a: 'http://a'}\n"
        "items: [{name: a}]\nsec: {req: r}\nb: true\n";
    struct cfg_errors errs = { .n = 0 };
    struct t_conf c, zero;

    (void)state;
    memset(&c, 0, sizeof(c));
    memset(&zero, 0, sizeof(zero));
    c.listener.port = 8084;
    c.u = xstrdup("http://preset");
    c.s = xstrdup("overridden by the default");
    assert_int_equal(cfg_load_string(yaml, strlen(yaml), TPATH, t_fields,
        &c, &errs), 0);
    assert_int_equal(c.listener.port, 8084);
    assert_string_equal(c.u, "http://preset");
    assert_string_equal(c.s, "dflt");
    assert_string_equal(cfg_strmap_get(&c.map, "a"), "http://a");
    assert_null(cfg_strmap_get(&c.map, "b"));
    cfg_free(t_fields, &c);
    assert_memory_equal(&c, &zero, sizeof(c));
    cfg_free(t_fields, &c);
}

/* cfg_load: a real file, relative paths against its realpath'd dir. */
static void
test_load_file(void **state)
{
    static const char *const want_missing[] = {
        ": error: No such file or directory", NULL };
    struct cfg_errors errs = { .n = 0 };
    struct t_conf c = { .s = NULL };
    char *dir = make_tmpdir(), *sub, *path, *link, *real, *want, *missing;

    (void)state;
    sub = path_join(dir, "sub");
    assert_int_equal(mkdir(sub, 0700), 0);
    path = write_file(sub, "conf.yaml", "p: keys/id\n", 0600);
    link = path_join(dir, "link");
    assert_int_equal(symlink(sub, link), 0);
    free(path);
    path = path_join(link, "conf.yaml");
    assert_int_equal(cfg_load(path, t_fields, &c, &errs), 0);
    assert_non_null(real = realpath(sub, NULL));
    want = path_join(real, "keys/id");
    assert_string_equal(c.p, want);
    cfg_free(t_fields, &c);

    missing = path_join(dir, "missing.yaml");
    assert_int_equal(cfg_load(missing, t_fields, &c, &errs), -1);
    expect_errors("missing file", &errs, missing, want_missing);
    cfg_free(t_fields, &c);

    assert_int_equal(unlink(path), 0);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(rmdir(dir), 0);
    free(missing);
    free(want);
    free(real);
    free(path);
    free(link);
    free(sub);
    free(dir);
}

/* ---- Lists of scalars (CFG_LIST whose element table's first key is "") */

struct t_pat {
    char       *s;
};

struct t_pats {
    struct t_pat   *pats;
    size_t          n;
};

static const struct cfg_field t_pat_fields[] = {
    { .key = "", .type = CFG_STR, .offset = offsetof(struct t_pat, s) },
    { .key = NULL },
};

static const struct cfg_field t_pats_root[] = {
    { .key = "pats", .type = CFG_LIST, .offset = offsetof(struct t_pats,
      pats), .sub = t_pat_fields, .elem_size = sizeof(struct t_pat),
      .count_offset = offsetof(struct t_pats, n), .max = 3 },
    { .key = NULL },
};

struct list_row {
    const char *yaml;
    const char *want;   /* items joined by '|', or the error line */
    int         ok;
};

static const struct list_row list_rows[] = {
    { "pats: [a, 'b c', \"^web[0-9]+$\"]\n", "a|b c|^web[0-9]+$", 1 },
    { "pats:\n  - one\n  - two\n", "one|two", 1 },
    { "pats: []\n", "", 1 },
    { "other: 1\n", ":1:1: error: unknown key \"other\"", 0 },
    { "pats: [a, b, c, d]\n",
      ":1:7: error: \"pats\": expected at most 3 items, got 4", 0 },
    { "pats: [a, {x: 1}]\n",
      ":1:11: error: \"pats[1]\": expected a scalar, got a mapping", 0 },
    { "pats: a\n", ":1:7: error: \"pats\": expected a list, got a scalar",
      0 },
};

static void
test_scalar_list(void **state)
{
    struct cfg_errors errs;
    struct t_pats c;
    struct buf b;
    size_t i, k;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(list_rows) / sizeof(list_rows[0]); i++) {
        memset(&c, 0, sizeof(c));
        memset(&errs, 0, sizeof(errs));
        rc = cfg_load_string(list_rows[i].yaml, strlen(list_rows[i].yaml),
            TPATH, t_pats_root, &c, &errs);
        if (!list_rows[i].ok) {
            const char *want[] = { list_rows[i].want, NULL };

            assert_int_equal(rc, -1);
            expect_errors("scalar list", &errs, TPATH, want);
            cfg_free(t_pats_root, &c);
            continue;
        }
        if (rc != 0) {
            cfg_error_print(&errs, stderr);
            fail_msg("row %zu: rejected", i);
        }
        buf_init(&b, 1024);
        for (k = 0; k < c.n; k++)
            assert_int_equal(buf_appendf(&b, "%s%s", k ? "|" : "",
                c.pats[k].s), 0);
        assert_string_equal(b.data != NULL ? b.data : "", list_rows[i].want);
        buf_free(&b);
        cfg_free(t_pats_root, &c);
        assert_null(c.pats);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_long_secret_not_shown),
        cmocka_unit_test(test_required_section),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_error_overflow),
        cmocka_unit_test(test_presets_and_free),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_scalar_list),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
