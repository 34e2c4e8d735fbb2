/*
 * Unit tests for auth.c: allowed-clients and runtime token files written to
 * a temporary directory, token extraction from requests, constant-time
 * comparison, refresh after the file changes, and malformed files.
 */
#include <sys/stat.h>

#include <dirent.h>
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
#include "auth.h"
#include "json.h"

#define POLLER_TOK  "p0ll3r-7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b"
#define JDOE_TOK    "u5er-jd0e-0c3b8f7e6d5c4b3a29180f1e2d3c4b5a"
#define NEW_TOK     "n3w-t0k3n-aaaabbbbccccdddd"

/* The sample from samples/conf/classifier/tokens/. */
static const char clients_json[] =
    "{\"token_list\": [\n"
    "  {\"token\": {\"type\": \"personal\", \"requestor\": \"poller\", "
    "\"description\": \"The poller\", \"id\": \"" POLLER_TOK "\"}},\n"
    "  {\"token\": {\"type\": \"user\", \"requestor\": \"jdoe\", "
    "\"description\": \"On-call engineer testing rules\", "
    "\"id\": \"" JDOE_TOK "\"}}\n"
    "]}\n";

static const char runtime_json[] =
    "{\"token\": {\n"
    "    \"type\": \"personal\",\n"
    "    \"requestor\": \"poller\",\n"
    "    \"description\": \"Token the poller presents to the classifier\",\n"
    "    \"id\": \"" POLLER_TOK "\"\n"
    "}}\n";

struct fixture {
    char dir[64];
    char path[128];
};

static int
setup(void **state)
{
    struct fixture *f;

    if ((f = calloc(1, sizeof(*f))) == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s", "/tmp/alexis-test-auth.XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/tokens.json", f->dir);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    struct dirent *de;
    char p[512];
    DIR *d;

    if ((d = opendir(f->dir)) != NULL) {
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 ||
                strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
            if (unlink(p) == -1)
                (void)rmdir(p);
        }
        closedir(d);
    }
    (void)rmdir(f->dir);
    free(f);
    return 0;
}

static void
write_file(const char *path, const char *text, size_t len)
{
    FILE *fp;

    fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* Replace path atomically, as an operator's deploy tool would. */
static void
replace_file(const struct fixture *f, const char *text)
{
    char tmp[160];

    snprintf(tmp, sizeof(tmp), "%s/new.tmp", f->dir);
    write_file(tmp, text, strlen(text));
    assert_int_equal(rename(tmp, f->path), 0);
}

static void
test_load_and_check(void **state)
{
    struct fixture *f = *state;
    struct auth_clients *ac;
    char err[ALEXIS_ERR_MAX] = "";
    char longtok[TOKEN_LEN_MAX + 2];

    write_file(f->path, clients_json, strlen(clients_json));
    ac = auth_clients_load(f->path, err, sizeof(err));
    assert_non_null(ac);
    assert_string_equal(auth_clients_check(ac, POLLER_TOK), "poller");
    assert_string_equal(auth_clients_check(ac, JDOE_TOK), "jdoe");
    assert_null(auth_clients_check(ac, "p0ll3r"));
    assert_null(auth_clients_check(ac, POLLER_TOK "x"));
    assert_null(auth_clients_check(ac,
        "P0LL3R-7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b"));
    assert_null(auth_clients_check(ac, ""));
    assert_null(auth_clients_check(ac, NULL));
    memset(longtok, 'a', sizeof(longtok) - 1);
    longtok[sizeof(longtok) - 1] = '\0';
    assert_null(auth_clients_check(ac, longtok));
    assert_null(auth_clients_check(NULL, POLLER_TOK));
    auth_clients_free(ac);
    auth_clients_free(NULL);
}

struct presented_case {
    const char *authorization;
    const char *query;
    const char *want;
};

static const struct presented_case presented_cases[] = {
    { "Bearer abc", NULL, "abc" },
    { "bearer abc", NULL, "abc" },
    { "BEARER abc", NULL, "abc" },
    { "BeArEr   abc", NULL, "abc" },
    { "Bearer\tabc", NULL, "abc" },
    { "Bearer abc", "q", "abc" },       /* the header wins */
    { "Bearerabc", NULL, NULL },
    { "Bearerabc", "q", "q" },
    { "Basic dXNlcjpwYXNz", "q", "q" },
    { "Basic dXNlcjpwYXNz", NULL, NULL },
    { "Bearer ", NULL, NULL },
    { "Bearer   ", "q", "q" },
    { "Bearer", "q", "q" },
    { "", "q", "q" },
    { NULL, "q", "q" },
    { NULL, "", NULL },
    { NULL, NULL, NULL },
    { " Bearer abc", NULL, NULL },
};

static void
test_presented_table(void **state)
{
    const char *got;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(presented_cases); i++) {
        const struct presented_case *c = &presented_cases[i];

        got = auth_presented(c->authorization, c->query);
        if ((got == NULL) != (c->want == NULL) ||
            (got != NULL && strcmp(got, c->want) != 0))
            print_error("case %zu: got [%s]\n", i, got ? got : "(null)");
        if (c->want == NULL) {
            assert_null(got);
            continue;
        }
        assert_non_null(got);
        assert_string_equal(got, c->want);
    }
}

struct streq_case {
    const char *expected;
    const char *presented;
    int want;
};

static const struct streq_case streq_cases[] = {
    { "abc", "abc", 1 },
    { "abc", "abd", 0 },
    { "abc", "xbc", 0 },
    { "abc", "ab", 0 },
    { "abc", "abcd", 0 },
    { "abc", "", 0 },
    { "", "", 0 },
    { "", "abc", 0 },
    { NULL, "abc", 0 },
    { "abc", NULL, 0 },
    { "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", 1 },
    { "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa8", 0 },
};

static void
test_timingsafe_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(streq_cases); i++) {
        if (auth_timingsafe_streq(streq_cases[i].expected,
            streq_cases[i].presented) != streq_cases[i].want)
            print_error("case %zu\n", i);
        assert_int_equal(auth_timingsafe_streq(streq_cases[i].expected,
            streq_cases[i].presented), streq_cases[i].want);
    }
}

static void
test_refresh(void **state)
{
    struct fixture *f = *state;
    struct auth_clients *ac;
    char err[ALEXIS_ERR_MAX] = "";
    char other[512];

    write_file(f->path, clients_json, strlen(clients_json));
    ac = auth_clients_load(f->path, err, sizeof(err));
    assert_non_null(ac);

    /* Unchanged: nothing to do. */
    assert_int_equal(auth_clients_refresh(ac, err, sizeof(err)), 0);
    assert_string_equal(auth_clients_check(ac, POLLER_TOK), "poller");

    /* Replaced by rename: the new set is live, the old tokens are gone. */
    snprintf(other, sizeof(other),
        "{\"token_list\": [{\"token\": {\"requestor\": \"newbie\", "
        "\"id\": \"%s\"}}]}", NEW_TOK);
    replace_file(f, other);
    assert_int_equal(auth_clients_refresh(ac, err, sizeof(err)), 0);
    assert_string_equal(auth_clients_check(ac, NEW_TOK), "newbie");
    assert_null(auth_clients_check(ac, POLLER_TOK));

    /* Rewritten in place. */
    write_file(f->path, clients_json, strlen(clients_json));
    assert_int_equal(auth_clients_refresh(ac, err, sizeof(err)), 0);
    assert_string_equal(auth_clients_check(ac, JDOE_TOK), "jdoe");
    assert_null(auth_clients_check(ac, NEW_TOK));

    /* A broken file: error, and the previous set stays. */
    replace_file(f, "{\"token_list\": [");
    err[0] = '\0';
    assert_int_equal(auth_clients_refresh(ac, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "invalid JSON"));
    assert_string_equal(auth_clients_check(ac, JDOE_TOK), "jdoe");

    /* A removed file: same. */
    assert_int_equal(unlink(f->path), 0);
    err[0] = '\0';
    assert_int_equal(auth_clients_refresh(ac, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "No such file"));
    assert_string_equal(auth_clients_check(ac, POLLER_TOK), "poller");

    /* Back again. */
    replace_file(f, other);
    assert_int_equal(auth_clients_refresh(ac, err, sizeof(err)), 0);
    assert_string_equal(auth_clients_check(ac, NEW_TOK), "newbie");
    auth_clients_free(ac);
}

/* auth_clients_match: what request threads call. It sees a replaced file
 * at once, copies the match out, and keeps the old set when the file
 * breaks. */
static void
test_match(void **state)
{
    struct fixture *f = *state;
    struct auth_clients *ac;
    struct auth_match m;
    char err[ALEXIS_ERR_MAX] = "";
    char other[512];

    write_file(f->path, clients_json, strlen(clients_json));
    ac = auth_clients_load(f->path, err, sizeof(err));
    assert_non_null(ac);
    memset(&m, 0, sizeof(m));
    assert_true(auth_clients_match(ac, POLLER_TOK, &m));
    assert_string_equal(m.requestor, "poller");
    assert_non_null(m.grant);
    free(m.requestor);
    auth_grant_free(m.grant);
    assert_false(auth_clients_match(ac, NEW_TOK, NULL));

    snprintf(other, sizeof(other),
        "{\"token_list\": [{\"token\": {\"requestor\": \"newbie\", "
        "\"id\": \"%s\"}}]}", NEW_TOK);
    replace_file(f, other);
    assert_true(auth_clients_match(ac, NEW_TOK, NULL));
    assert_false(auth_clients_match(ac, POLLER_TOK, NULL));

    replace_file(f, "{\"token_list\": [");
    assert_true(auth_clients_match(ac, NEW_TOK, NULL));
    auth_clients_free(ac);
}

struct bad_case {
    const char *text;
    const char *err;    /* expected substring */
};

#define TOK_ENTRY(id) "{\"token_list\": [{\"token\": {\"requestor\": " \
    "\"a\", \"id\": " id "}}]}"

static const struct bad_case bad_cases[] = {
    { "", "error: invalid JSON" },
    { "   \n", ":2:1: error: invalid JSON" },
    /* The parse error would quote the token: it must not. */
    { TOK_ENTRY("s3cr3t-tok"), ":1:52: error: invalid JSON" },
    { "{\"token_list\": [{\"token\": {\"id\": \"s3cr3t-tok\", x}}]}",
      ":1:48: error: invalid JSON" },
    { "{\"token_list\": [{\"token\": {\"id\": \"s3cr3t-tok", "invalid JSON" },
    { "{\"token_list\": []} \"s3cr3t-tok\"", "invalid JSON" },
    { "[]", ":1:1: error: \"token_list\" must be an array" },
    { "{}", ":1:1: error: \"token_list\" must be an array" },
    { "{\"token_list\": {}}",
      ":1:2: error: \"token_list\" must be an array" },
    { "{\"token_list\": [1]}",
      ":1:17: error: token_list[0]: must be an object" },
    { "{\"token_list\": [{\"tok\": {}}]}",
      ":1:17: error: token_list[0]: \"token\" must be an object" },
    { "{\"token_list\": [{\"token\": {\"requestor\": \"a\"}}]}",
      ":1:18: error: token_list[0]: \"id\" must be a string" },
    { TOK_ENTRY("42"),
      ":1:46: error: token_list[0]: \"id\" must be a string" },
    { TOK_ENTRY("null"), "token_list[0]: \"id\" must be a string" },
    { TOK_ENTRY("\"\""), "token_list[0]: \"id\" must be 1 to 512 bytes" },
    { TOK_ENTRY("\"s3cr3t tok\""), "must not contain spaces" },
    { TOK_ENTRY("\"s3cr3t\\ntok\""), "must not contain spaces" },
    { "{\"token_list\": [{\"token\": {\"id\": \"s3cr3t-tok\"}}]}",
      "token_list[0]: \"requestor\" must be a non-empty string" },
    { "{\"token_list\": [{\"token\": {\"id\": \"s3cr3t-tok\", "
      "\"requestor\": \"\"}}]}",
      "token_list[0]: \"requestor\" must be a non-empty string" },
    { "{\"token_list\": ["
      "{\"token\": {\"id\": \"s3cr3t-tok\", \"requestor\": \"a\"}},"
      "{\"token\": {\"id\": \"other\", \"requestor\": \"b\"}},"
      "{\"token\": {\"id\": \"s3cr3t-tok\", \"requestor\": \"c\"}}]}",
      ":1:123: error: token_list[2]: same token id as token_list[0]" },
    /* Positions count lines; a key inside a value is not the key. */
    { "{\"token_list\": [\n"
      " {\"token\": {\"id\": \"s3cr3t-tok\", \"requestor\": \"a\"}},\n"
      " {\"token\": {\"requestor\": \"\\\"approve\\\"\",\n"
      "   \"id\": \"other\", \"approve\": 1}}]}",
      ":4:19: error: token_list[1]: \"approve\" must be true or false" },
    { "{\"token_list\": [{\"token\": {\"id\": \"s3cr3t-tok\", "
      "\"requestor\": \"a\",\n  \"rules\": \"x\"}}]}",
      ":2:3: error: token_list[0]: \"rules\" must be an array" },
    { "{\"token_list\": [{\"token\": {\"id\": \"s3cr3t-tok\", "
      "\"requestor\": \"a\",\n  \"read_all\": 1}}]}",
      ":2:3: error: token_list[0]: \"read_all\" must be true or false" },
};

static void
expect_load_error(const struct fixture *f, const char *want)
{
    struct auth_clients *ac;
    char err[ALEXIS_ERR_MAX];

    err[0] = '\0';
    ac = auth_clients_load(f->path, err, sizeof(err));
    if (ac != NULL || strstr(err, want) == NULL)
        print_error("got [%s] want [%s]\n", err, want);
    assert_null(ac);
    assert_non_null(strstr(err, want));
    assert_null(strstr(err, "s3cr3t"));
    assert_memory_equal(err, f->path, strlen(f->path));
}

static void
test_malformed_files(void **state)
{
    struct fixture *f = *state;
    size_t i;

    for (i = 0; i < NELEM(bad_cases); i++) {
        write_file(f->path, bad_cases[i].text, strlen(bad_cases[i].text));
        expect_load_error(f, bad_cases[i].err);
    }
}

/* A client file of one token whose id is prefix, then TOKEN_LEN_MAX
 * bytes 'k' (text: a buffer of cap bytes to build it in). */
static void
write_long_id(const char *path, char *text, size_t cap, const char *prefix)
{
    size_t n;

    n = (size_t)snprintf(text, cap, "{\"token_list\": [{\"token\": "
        "{\"requestor\": \"a\", \"id\": \"%s", prefix);
    memset(text + n, 'k', TOKEN_LEN_MAX);
    n += TOKEN_LEN_MAX;
    n += (size_t)snprintf(text + n, cap - n, "\"}}]}");
    write_file(path, text, n);
}

static void
test_limits(void **state)
{
    struct fixture *f = *state;
    struct auth_clients *ac;
    char *text;
    char err[ALEXIS_ERR_MAX];
    size_t cap = TOKEN_FILE_MAX + 4096, n = 0, i;

    text = malloc(cap);
    assert_non_null(text);

    /* A token of exactly TOKEN_LEN_MAX bytes is fine; one more is not. */
    write_long_id(f->path, text, cap, "");
    ac = auth_clients_load(f->path, err, sizeof(err));
    assert_non_null(ac);
    auth_clients_free(ac);
    write_long_id(f->path, text, cap, "s3cr3t");
    expect_load_error(f, "\"id\" must be 1 to 512 bytes long");

    /* More clients than TOKEN_MAX_CLIENTS. */
    n = (size_t)snprintf(text, cap, "{\"token_list\": [");
    for (i = 0; i <= TOKEN_MAX_CLIENTS; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s{\"token\": "
            "{\"requestor\": \"r\", \"id\": \"t%zu\"}}", i ? "," : "", i);
    n += (size_t)snprintf(text + n, cap - n, "]}");
    write_file(f->path, text, n);
    expect_load_error(f, "more than 1024 clients");

    /* A file over TOKEN_FILE_MAX. */
    memset(text, ' ', TOKEN_FILE_MAX + 1);
    memcpy(text, "{}", 2);
    write_file(f->path, text, TOKEN_FILE_MAX + 1);
    expect_load_error(f, "larger than");
    free(text);

    /* Not there, and not a file. */
    assert_int_equal(unlink(f->path), 0);
    expect_load_error(f, "No such file");
    assert_int_equal(mkdir(f->path, 0700), 0);
    expect_load_error(f, "not a regular file");
}

static void
test_runtime_load(void **state)
{
    struct fixture *f = *state;
    char err[ALEXIS_ERR_MAX] = "";
    char *tok;

    write_file(f->path, runtime_json, strlen(runtime_json));
    tok = auth_runtime_load(f->path, err, sizeof(err));
    assert_non_null(tok);
    assert_string_equal(tok, POLLER_TOK);
    explicit_bzero(tok, strlen(tok));
    free(tok);

    write_file(f->path, "{\"token\": {\"id\": \"\"}}", 21);
    assert_null(auth_runtime_load(f->path, err, sizeof(err)));
    assert_non_null(strstr(err,
        ":1:12: error: runtime token: \"id\" must be 1 to"));

    write_file(f->path, "{\"token\": \"s3cr3t\"}", 19);
    assert_null(auth_runtime_load(f->path, err, sizeof(err)));
    assert_non_null(strstr(err, "\"token\" must be an object"));
    assert_null(strstr(err, "s3cr3t"));

    write_file(f->path, clients_json, strlen(clients_json));
    assert_null(auth_runtime_load(f->path, err, sizeof(err)));
    assert_non_null(strstr(err, "\"token\" must be an object"));

    write_file(f->path, "{\"token\": {\"id\": s3cr3t}}", 25);
    assert_null(auth_runtime_load(f->path, err, sizeof(err)));
    assert_non_null(strstr(err, ":1:18: error: invalid JSON"));
    assert_null(strstr(err, "s3cr3t"));

    assert_int_equal(unlink(f->path), 0);
    assert_null(auth_runtime_load(f->path, err, sizeof(err)));
    assert_non_null(strstr(err, ": error: No such file"));
}

/* Issue 11 item 7: "read_all": true lets a client read every client's
 * jobs; anything but a boolean is refused with the file's name. */
static void
test_read_all(void **state)
{
    static const char ok[] = "{\"token_list\":["
        "{\"token\":{\"requestor\":\"a\",\"id\":\"tok-a\"}},"
        "{\"token\":{\"requestor\":\"b\",\"id\":\"tok-b\","
        "\"read_all\":true}},"
        "{\"token\":{\"requestor\":\"c\",\"id\":\"tok-c\","
        "\"read_all\":false}}]}";
    static const char bad[] = "{\"token_list\":["
        "{\"token\":{\"requestor\":\"a\",\"id\":\"tok-a\","
        "\"read_all\":\"yes\"}}]}";
    struct fixture *f = *state;
    struct auth_clients *ac;
    char err[ALEXIS_ERR_MAX] = "";

    write_file(f->path, ok, strlen(ok));
    ac = auth_clients_load(f->path, err, sizeof(err));
    assert_non_null(ac);
    assert_false(auth_clients_read_all(ac, auth_clients_check(ac, "tok-a")));
    assert_true(auth_clients_read_all(ac, auth_clients_check(ac, "tok-b")));
    assert_false(auth_clients_read_all(ac, auth_clients_check(ac, "tok-c")));
    assert_false(auth_clients_read_all(ac, "b"));   /* not its pointer */
    assert_false(auth_clients_read_all(ac, NULL));
    auth_clients_free(ac);
    write_file(f->path, bad, strlen(bad));
    assert_null(auth_clients_load(f->path, err, sizeof(err)));
    assert_non_null(strstr(err, "\"read_all\" must be true or false"));
    assert_non_null(strstr(err, f->path));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_and_check, setup,
            teardown),
        cmocka_unit_test(test_presented_table),
        cmocka_unit_test_setup_teardown(test_read_all, setup, teardown),
        cmocka_unit_test(test_timingsafe_table),
        cmocka_unit_test_setup_teardown(test_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_files, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runtime_load, setup, teardown),
    };

    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
