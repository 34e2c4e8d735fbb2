/*
 * The JSM credential and scope decisions of alexis-sim: parsing
 * EMAIL:TOKEN[:SCOPE,...], and for each call the outcome JSM gives (bad
 * credentials 401, a missing read/write scope 401 "scope does not match",
 * a missing delete scope 403).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "jsm_auth.h"

#define R   "read:ops-alert:jira-service-management"
#define W   "write:ops-alert:jira-service-management"
#define D   "delete:ops-alert:jira-service-management"

static const struct parse_row {
    const char *spec;
    int         rc;
    const char *email;
    const char *token;
    unsigned    scopes;
} parse_rows[] = {
    { "a@x.org:tok", 0, "a@x.org", "tok", JSM_SCOPE_ALL },
    { "a@x.org:tok:" R, 0, "a@x.org", "tok", JSM_SCOPE_READ },
    { "a@x.org:tok:" R "," W, 0, "a@x.org", "tok",
        JSM_SCOPE_READ | JSM_SCOPE_WRITE },
    { "a@x.org:tok:" D "," R "," W, 0, "a@x.org", "tok", JSM_SCOPE_ALL },
    { "a@x.org:tok=:" W, 0, "a@x.org", "tok=", JSM_SCOPE_WRITE },
    { "a@x.org", -1, NULL, NULL, 0 },          /* no token */
    { ":tok", -1, NULL, NULL, 0 },             /* no email */
    { "a@x.org:", -1, NULL, NULL, 0 },
    { "a@x.org::" R, -1, NULL, NULL, 0 },
    { "a@x.org:tok:read", -1, NULL, NULL, 0 }, /* short names are not scopes */
    { "a@x.org:tok:" R ",", -1, NULL, NULL, 0 },
    { "a@x.org:tok:", -1, NULL, NULL, 0 },
};

static void
test_parse(void **state)
{
    struct jsm_cred c;
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
        const struct parse_row *r = &parse_rows[i];

        err[0] = '\0';
        if (jsm_auth_cred_parse(r->spec, &c, err, sizeof(err)) != r->rc)
            fail_msg("row %zu (%s): want rc %d (%s)", i, r->spec, r->rc,
                err);
        if (r->rc == -1) {
            assert_true(err[0] != '\0');
            assert_null(c.token);
            continue;
        }
        assert_string_equal(c.email, r->email);
        assert_string_equal(c.token, r->token);
        if (c.scopes != r->scopes)
            fail_msg("row %zu (%s): scopes %#x, want %#x", i, r->spec,
                c.scopes, r->scopes);
        jsm_auth_cred_free(&c);
    }
}

/* An error never quotes the token. */
static void
test_error_hides_token(void **state)
{
    struct jsm_cred c;
    char err[ALEXIS_ERR_MAX];

    (void)state;
    assert_int_equal(jsm_auth_cred_parse("a@x.org:SECRET123:bogus", &c,
        err, sizeof(err)), -1);
    assert_null(strstr(err, "SECRET123"));
}

static void
test_needed(void **state)
{
    (void)state;
    assert_int_equal(jsm_auth_needed("GET"), JSM_SCOPE_READ);
    assert_int_equal(jsm_auth_needed("POST"),
        JSM_SCOPE_READ | JSM_SCOPE_WRITE);
    assert_int_equal(jsm_auth_needed("DELETE"), JSM_SCOPE_DELETE);
}

static const struct check_row {
    const char         *email;
    const char         *token;
    const char         *method;
    enum jsm_auth_rc    want;
} check_rows[] = {
    /* full: every scope; rw: an API token's read + write; ro: read only */
    { "full@x.org", "t-full", "GET", JSM_AUTH_OK },
    { "full@x.org", "t-full", "POST", JSM_AUTH_OK },
    { "full@x.org", "t-full", "DELETE", JSM_AUTH_OK },
    { "rw@x.org", "t-rw", "GET", JSM_AUTH_OK },
    { "rw@x.org", "t-rw", "POST", JSM_AUTH_OK },
    { "rw@x.org", "t-rw", "DELETE", JSM_AUTH_FORBIDDEN },
    { "ro@x.org", "t-ro", "GET", JSM_AUTH_OK },
    { "ro@x.org", "t-ro", "POST", JSM_AUTH_SCOPE_MISMATCH },
    { "wo@x.org", "t-wo", "POST", JSM_AUTH_SCOPE_MISMATCH },  /* no read */
    { "wo@x.org", "t-wo", "GET", JSM_AUTH_SCOPE_MISMATCH },
    { "rw@x.org", "t-full", "GET", JSM_AUTH_BAD_CREDENTIALS }, /* mixed */
    { "rw@x.org", "t-rw-", "GET", JSM_AUTH_BAD_CREDENTIALS },
    { "rw@x.org", "t-r", "GET", JSM_AUTH_BAD_CREDENTIALS },
    { "nobody@x.org", "t-rw", "GET", JSM_AUTH_BAD_CREDENTIALS },
    { NULL, NULL, "GET", JSM_AUTH_BAD_CREDENTIALS },          /* no header */
    { "rw@x.org", NULL, "GET", JSM_AUTH_BAD_CREDENTIALS },
};

static void
test_check(void **state)
{
    static const char *const specs[] = {
        "full@x.org:t-full",
        "rw@x.org:t-rw:" R "," W,
        "ro@x.org:t-ro:" R,
        "wo@x.org:t-wo:" W,
    };
    struct jsm_cred creds[4];
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < 4; i++)
        assert_int_equal(jsm_auth_cred_parse(specs[i], &creds[i], err,
            sizeof(err)), 0);
    for (i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
        const struct check_row *r = &check_rows[i];
        enum jsm_auth_rc rc = jsm_auth_check(creds, 4, r->email, r->token,
            jsm_auth_needed(r->method));

        if (rc != r->want)
            fail_msg("row %zu (%s %s): %d, want %d", i,
                r->email == NULL ? "-" : r->email, r->method, rc, r->want);
    }
    /* Valid credentials alone (no scope needed): how the cloudId check
     * learns who is calling before the scopes are judged. */
    assert_int_equal(jsm_auth_check(creds, 4, "wo@x.org", "t-wo", 0),
        JSM_AUTH_OK);
    assert_int_equal(jsm_auth_check(creds, 0, "rw@x.org", "t-rw", 0),
        JSM_AUTH_BAD_CREDENTIALS);
    for (i = 0; i < 4; i++)
        jsm_auth_cred_free(&creds[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_error_hides_token),
        cmocka_unit_test(test_needed),
        cmocka_unit_test(test_check),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
