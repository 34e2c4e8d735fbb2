/*
 * Entities as tables: validation (host names per RFC 1123, IPv4, IPv6,
 * ports, hostile strings) and resolution from a rule and an envelope
 * (explicit, keyvalue at any depth, string vs array, missing, wrong type,
 * repeats dropped), plus the entity_allow list.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcre2.h>

#include "ah_conf.h"
#include "alexis_limits.h"
#include "entities.h"
#include "json.h"
#include "rules.h"
#include "xmem.h"

static const struct {
    const char *text;
    int         ok;
    const char *host;
    int         port;
} valid_rows[] = {
    { "web1", 1, "web1", 22 },
    { "web-1.prod.example.com", 1, "web-1.prod.example.com", 22 },
    { "web1:2222", 1, "web1", 2222 },
    { "10.0.0.7", 1, "10.0.0.7", 22 },
    { "10.0.0.7:65535", 1, "10.0.0.7", 65535 },
    { "::1", 1, "::1", 22 },
    { "fe80::1:2", 1, "fe80::1:2", 22 },
    { "[::1]", 1, "::1", 22 },
    { "[2001:db8::7]:2200", 1, "2001:db8::7", 2200 },
    { "a.b-c.d0", 1, "a.b-c.d0", 22 },
    { "", 0, NULL, 0 },
    { "web1:0", 0, NULL, 0 },
    { "web1:65536", 0, NULL, 0 },
    { "web1:", 0, NULL, 0 },
    { "web1:22x", 0, NULL, 0 },
    { "-oProxyCommand=sh", 0, NULL, 0 },
    { "web-", 0, NULL, 0 },
    { "web..prod", 0, NULL, 0 },
    { ".web", 0, NULL, 0 },
    { "web.", 0, NULL, 0 },
    { "web_1", 0, NULL, 0 },
    { "web1;rm -rf /", 0, NULL, 0 },
    { "web1 web2", 0, NULL, 0 },
    { "$(id)", 0, NULL, 0 },
    { "10.0.0.256", 0, NULL, 0 },
    { "1.2.3", 0, NULL, 0 },
    { "[::1", 0, NULL, 0 },
    { "[web1]:22", 0, NULL, 0 },
    { "[::1]x", 0, NULL, 0 },
    { "::g", 0, NULL, 0 },
    { "a\nb", 0, NULL, 0 },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x",
      0, NULL, 0 },
    /* Issue 11 item 6: only canonical forms; what inet_aton would read
     * as an IPv4 address in another spelling is refused. */
    { "127.0.0.0x1", 0, NULL, 0 },
    { "127.0.0.0x1:22", 0, NULL, 0 },
    { "0x7f000001", 0, NULL, 0 },
    { "0x7f.1", 0, NULL, 0 },
    { "0x7f.0.0.1", 0, NULL, 0 },
    { "017700000001", 0, NULL, 0 },
    { "0177.0.0.1", 0, NULL, 0 },
    { "127.1", 0, NULL, 0 },
    { "127.000.000.001", 0, NULL, 0 },
    { "2130706433", 0, NULL, 0 },
    { "0X7F.0.0.1", 0, NULL, 0 },
    { "1e100.net", 1, "1e100.net", 22 },
    { "3com.com", 1, "3com.com", 22 },
};

static void
test_parse_table(void **state)
{
    char host[256], err[ALEXIS_ERR_MAX];
    size_t i;
    int port, rc;

    (void)state;
    for (i = 0; i < sizeof(valid_rows) / sizeof(valid_rows[0]); i++) {
        rc = entities_parse(valid_rows[i].text, host, sizeof(host), &port,
            err, sizeof(err));
        if (valid_rows[i].ok) {
            if (rc != 0)
                fail_msg("row %zu (%s): %s", i, valid_rows[i].text, err);
            assert_string_equal(host, valid_rows[i].host);
            assert_int_equal(port, valid_rows[i].port);
        } else if (rc != -1) {
            fail_msg("row %zu (%s) accepted", i, valid_rows[i].text);
        } else {
            assert_non_null(strstr(err, "not a valid host"));
            assert_null(strchr(err, '\n'));
        }
    }
}

#define EVAL "{\"evaluation\":{\"tags\":[\"t\"]}}"
#define RULE_KV(path) \
    "{\"rule_name\":\"r\",\"enabled\":\"true\",\"os_type\":\"linux\"," \
    "\"alert_feed\":\"opsgenie\",\"evaluation_list\":[" EVAL "]," \
    "\"task_list\":[{\"task\":{\"task_type\":\"remote_ssh\"," \
    "\"run_command\":\"true\",\"action\":\"a\"}}]," \
    "\"entity_type\":\"keyvalue\",\"entity_keyvalue\":[" path "]}"
#define RULE_EX(list) \
    "{\"rule_name\":\"r\",\"enabled\":\"true\",\"os_type\":\"linux\"," \
    "\"alert_feed\":\"opsgenie\",\"evaluation_list\":[" EVAL "]," \
    "\"task_list\":[{\"task\":{\"task_type\":\"remote_ssh\"," \
    "\"run_command\":\"true\",\"action\":\"a\"}}]," \
    "\"entity_type\":\"explicit\",\"entities\":[" list "]}"

static const struct {
    const char *rule;
    const char *env;
    const char *want;   /* entities joined by ' ', or NULL = error */
    const char *why;    /* part of the error */
} resolve_rows[] = {
    { RULE_EX("\"a\",\"b\""), "{}", "a b", NULL },
    { RULE_EX("\"a\",\"a\",\"b\""), "{}", "a b", NULL },
    { RULE_KV("\"details\",\"host\""), "{\"details\":{\"host\":\"h1\"}}",
      "h1", NULL },
    { RULE_KV("\"details\",\"host\""),
      "{\"details\":{\"host\":[\"h1\",\"h2\",\"h1\"]}}", "h1 h2", NULL },
    { RULE_KV("\"a\",\"b\",\"c\",\"d\""),
      "{\"a\":{\"b\":{\"c\":{\"d\":\"deep\"}}}}", "deep", NULL },
    { RULE_KV("\"list\",\"1\""), "{\"list\":[\"x\",\"y\"]}", "y", NULL },
    { RULE_KV("\"details\",\"host\""), "{\"details\":{}}", NULL,
      "details.host not found" },
    { RULE_KV("\"details\",\"host\""), "{}", NULL, "not found" },
    { RULE_KV("\"details\",\"host\""), "{\"details\":{\"host\":[]}}", NULL,
      "is empty" },
    { RULE_KV("\"details\",\"host\""), "{\"details\":{\"host\":7}}", NULL,
      "neither a string" },
    { RULE_KV("\"details\",\"host\""),
      "{\"details\":{\"host\":[\"a\",7]}}", NULL, "must be strings" },
};

static void
join(const struct entity_list *l, char *buf, size_t len)
{
    size_t i, o = 0;

    buf[0] = '\0';
    for (i = 0; i < l->n; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "",
            l->items[i].text);
}

static void
test_resolve_table(void **state)
{
    struct entity_list l;
    struct rule *r;
    cJSON *doc;
    char err[ALEXIS_ERR_MAX], got[256];
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(resolve_rows) / sizeof(resolve_rows[0]); i++) {
        r = rules_parse(resolve_rows[i].rule, strlen(resolve_rows[i].rule),
            "t.json", err, sizeof(err));
        if (r == NULL)
            fail_msg("row %zu: rule: %s", i, err);
        doc = cJSON_Parse(resolve_rows[i].env);
        memset(&l, 0, sizeof(l));
        rc = entities_resolve(r, doc, &l, err, sizeof(err));
        if (resolve_rows[i].want != NULL) {
            if (rc != 0)
                fail_msg("row %zu: %s", i, err);
            join(&l, got, sizeof(got));
            assert_string_equal(got, resolve_rows[i].want);
        } else {
            assert_int_equal(rc, -1);
            if (strstr(err, resolve_rows[i].why) == NULL)
                fail_msg("row %zu: error \"%s\"", i, err);
        }
        entities_free(&l);
        cJSON_Delete(doc);
        rules_unref(r);
    }
}

static void
test_allow_list(void **state)
{
    struct ah_pattern pats[1];
    struct entity_list l;
    PCRE2_SIZE off;
    char err[ALEXIS_ERR_MAX];
    int code;

    (void)state;
    pats[0].text = NULL;
    pats[0].re = pcre2_compile((PCRE2_SPTR)"web[0-9]+\\.prod",
        PCRE2_ZERO_TERMINATED, PCRE2_ANCHORED | PCRE2_ENDANCHORED, &code,
        &off, NULL);
    assert_non_null(pats[0].re);
    memset(&l, 0, sizeof(l));
    l.n = 2;
    l.items = xcalloc(2, sizeof(*l.items));
    l.items[0].text = strdup("web1.prod:2222");
    l.items[1].text = strdup("web1.prod.evil.com");
    assert_int_equal(entities_check(&l, pats, 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "web1.prod.evil.com"));
    assert_string_equal(l.items[0].host, "web1.prod");
    assert_int_equal(l.items[0].port, 2222);
    l.n = 1;
    assert_int_equal(entities_check(&l, pats, 1, err, sizeof(err)), 0);
    assert_int_equal(entities_check(&l, NULL, 0, err, sizeof(err)), 0);
    l.n = 2;
    entities_free(&l);
    pcre2_code_free(pats[0].re);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_resolve_table),
        cmocka_unit_test(test_allow_list),
    };

    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
