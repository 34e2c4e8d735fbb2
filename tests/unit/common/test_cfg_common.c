/*
 * Unit tests for cfg_common.c: the original sample configs (copies under
 * tests/fixtures/samples/conf) loaded through tables shaped like the
 * daemons', authentication_list resolution, cfg_auth_find
 * and token path resolution.
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
#include "url.h"
#include "xmem.h"

#include "cfg_common.h"
#include "cfg_testutil.h"

/* A directory that does not exist: relative paths resolve lexically. */
#define TDIR    "/nonexistent-alexis-cfgtest"
#define TPATH   TDIR "/conf.yaml"
#define NOERR   { NULL }

/* ---- The original sample configs, through daemon-shaped tables ---- */

#define SAMPLES TEST_SRC_DIR "/fixtures/samples/conf"
#define GENIE   "Authorization: GenieKey 11111111-2222-4333-8444-555555555555"
#define DTTOKEN "Authorization: Api-Token dt0c01.SAMPLEPUBLICPART0000000." \
    "SAMPLESECRETPART0000000000000000000000000000000000000000000000000"

struct t_classifier {
    struct cfg_strmap    destinations;
    char                *remediation_queue, *investigation_queue;
    char                *rules_dir;
    bool                 development;
    struct cfg_listener  listener;
    struct cfg_tokens    tokens;
};

struct t_feed {
    char        *name, *authentication, *description, *type, *base_url;
    char        *feed_url, *individual_url, *lookback_unit;
    long long    lookback;
};

struct t_poller {
    struct cfg_strmap    destinations;
    bool                 debug, development, single_execution;
    uint64_t             loop_interval_ms;
    struct t_feed       *feeds;
    size_t               nfeeds;
    struct cfg_tokens    tokens;
};

struct t_action_handler {
    bool                 development;
    struct cfg_listener  listener;
    char                *ssh_key, *ssh_user, *known_hosts, *rules_dir;
    struct cfg_tokens    tokens;
};

struct t_daemon {
    struct cfg_auth             *auth;
    size_t                       nauth;
    struct t_classifier          classifier;
    struct t_poller              poller;
    struct t_action_handler      action_handler;
};

#define AUTH_LIST { .key = "authentication_list", .type = CFG_LIST, \
    .sub = cfg_common_auth_fields, .elem_size = sizeof(struct cfg_auth), \
    .offset = offsetof(struct t_daemon, auth), \
    .count_offset = offsetof(struct t_daemon, nauth) }
#define LISTENER(T) { .key = "listener", .type = CFG_SECTION, \
    .sub = cfg_common_listener_fields, .offset = offsetof(T, listener) }
#define TOKENS(T) { .key = "tokens", .type = CFG_SECTION, \
    .sub = cfg_common_tokens_fields, .offset = offsetof(T, tokens) }

static const struct cfg_field classifier_fields[] = {
    { .key = "action_handler_destinations", .type = CFG_STRMAP,
      .check = url_check,
      .offset = offsetof(struct t_classifier, destinations) },
    { .key = "default_remediation_queue", .type = CFG_STR,
      .offset = offsetof(struct t_classifier, remediation_queue) },
    { .key = "default_investigation_queue", .type = CFG_STR,
      .offset = offsetof(struct t_classifier, investigation_queue) },
    { .key = "development", .type = CFG_BOOL,
      .offset = offsetof(struct t_classifier, development) },
    { .key = "rules_dir", .type = CFG_PATH, .def = "rules",
      .offset = offsetof(struct t_classifier, rules_dir) },
    LISTENER(struct t_classifier),
    TOKENS(struct t_classifier),
    { .key = NULL },
};

static const struct cfg_field feed_fields[] = {
    { .key = "name", .type = CFG_STR, .flags = CFG_REQUIRED,
      .offset = offsetof(struct t_feed, name) },
    { .key = "authentication", .type = CFG_STR,
      .offset = offsetof(struct t_feed, authentication) },
    { .key = "description", .type = CFG_STR,
      .offset = offsetof(struct t_feed, description) },
    { .key = "type", .type = CFG_STR,
      .offset = offsetof(struct t_feed, type) },
    { .key = "base_url", .type = CFG_URL,
      .offset = offsetof(struct t_feed, base_url) },
    { .key = "feed_url", .type = CFG_STR,
      .offset = offsetof(struct t_feed, feed_url) },
    { .key = "individual_url", .type = CFG_STR,
      .offset = offsetof(struct t_feed, individual_url) },
    { .key = "lookback", .type = CFG_INT, .min = 0, .max = 86400 * 365,
      .offset = offsetof(struct t_feed, lookback) },
    { .key = "lookback_unit", .type = CFG_STR, .def = "s",
      .offset = offsetof(struct t_feed, lookback_unit) },
    { .key = NULL },
};

static const struct cfg_field poller_fields[] = {
    { .key = "classifier_destinations", .type = CFG_STRMAP,
      .check = url_check,
      .offset = offsetof(struct t_poller, destinations) },
    { .key = "debug", .type = CFG_BOOL,
      .offset = offsetof(struct t_poller, debug) },
    { .key = "development", .type = CFG_BOOL,
      .offset = offsetof(struct t_poller, development) },
    { .key = "single_execution", .type = CFG_BOOL,
      .offset = offsetof(struct t_poller, single_execution) },
    { .key = "loop_interval", .type = CFG_DURATION, .def = "60",
      .min = 1000, .max = 86400000,
      .offset = offsetof(struct t_poller, loop_interval_ms) },
    { .key = "feed_list", .type = CFG_LIST, .sub = feed_fields,
      .elem_size = sizeof(struct t_feed),
      .offset = offsetof(struct t_poller, feeds),
      .count_offset = offsetof(struct t_poller, nfeeds) },
    TOKENS(struct t_poller),
    { .key = NULL },
};

static const struct cfg_field action_handler_fields[] = {
    { .key = "development", .type = CFG_BOOL,
      .offset = offsetof(struct t_action_handler, development) },
    { .key = "ssh_key", .type = CFG_PATH, .flags = CFG_REQUIRED,
      .offset = offsetof(struct t_action_handler, ssh_key) },
    { .key = "ssh_user", .type = CFG_STR, .flags = CFG_REQUIRED,
      .offset = offsetof(struct t_action_handler, ssh_user) },
    { .key = "known_hosts", .type = CFG_PATH, .def = "known_hosts",
      .offset = offsetof(struct t_action_handler, known_hosts) },
    { .key = "rules_dir", .type = CFG_PATH, .def = "rules",
      .offset = offsetof(struct t_action_handler, rules_dir) },
    LISTENER(struct t_action_handler),
    TOKENS(struct t_action_handler),
    { .key = NULL },
};

/* Each daemon's root: its own section, the others ignored. */
#define OWN(name, fields) { .key = #name, .type = CFG_SECTION, \
    .sub = fields, .flags = CFG_REQUIRED, \
    .offset = offsetof(struct t_daemon, name) }
#define OTHER(name) { .key = #name, .type = CFG_IGNORE }

static const struct cfg_field classifier_root[] = {
    { .key = "version", .type = CFG_IGNORE }, AUTH_LIST,
    OWN(classifier, classifier_fields), OTHER(poller), OTHER(action_handler),
    { .key = NULL },
};

static const struct cfg_field poller_root[] = {
    { .key = "version", .type = CFG_IGNORE }, AUTH_LIST,
    OWN(poller, poller_fields), OTHER(classifier), OTHER(action_handler),
    { .key = NULL },
};

static const struct cfg_field action_handler_root[] = {
    { .key = "version", .type = CFG_IGNORE }, AUTH_LIST,
    OWN(action_handler, action_handler_fields), OTHER(classifier),
    OTHER(poller), { .key = NULL },
};

/* Load SAMPLES/<name>/alexis.conf.yaml and resolve its auth entries. */
static void
load_sample(const char *name, const struct cfg_field *root,
    struct t_daemon *d, char **dirp)
{
    struct cfg_errors errs = { .n = 0 };
    char *path, *dir;

    path = path_join(SAMPLES, name);
    dir = realpath(path, NULL);
    assert_non_null(dir);
    free(path);
    path = path_join(dir, "alexis.conf.yaml");
    if (cfg_load(path, root, d, &errs) != 0 ||
        cfg_common_auth_resolve(d->auth, d->nauth, path, &errs) != 0) {
        cfg_error_print(&errs, stderr);
        fail();
    }
    free(path);
    *dirp = dir;
}

static void
assert_path(const char *got, const char *dir, const char *rel)
{
    char *want = path_join(dir, rel);

    assert_string_equal(got, want);
    free(want);
}

static void
test_sample_classifier(void **state)
{
    struct t_daemon d;
    struct t_classifier *c = &d.classifier;
    char *dir;

    (void)state;
    memset(&d, 0, sizeof(d));
    c->listener.port = 9999;
    load_sample("classifier", classifier_root, &d, &dir);
    assert_int_equal(c->listener.port, 8083);
    assert_string_equal(c->listener.hostname, "0.0.0.0");
    assert_string_equal(c->remediation_queue, "queue_autoremediation");
    assert_string_equal(c->investigation_queue, "queue_needsinvestigation");
    assert_false(c->development);
    assert_int_equal(c->destinations.n, 1);
    assert_string_equal(cfg_strmap_get(&c->destinations, "linux"),
        "http://action_handler/v1");
    assert_path(c->rules_dir, dir, "rules");
    cfg_common_tokens_resolve(&c->tokens);
    assert_path(c->tokens.directory, dir, "tokens");
    assert_path(c->tokens.allowed_clients, dir,
        "tokens/clients.classifier.json");
    assert_path(c->tokens.runtime, dir, "tokens/localhost.token.json");
    assert_int_equal(access(c->tokens.allowed_clients, R_OK), 0);
    assert_int_equal(access(c->tokens.runtime, R_OK), 0);

    assert_int_equal(d.nauth, 2);
    assert_string_equal(d.auth[0].name, "opsgenie_payments");
    assert_string_equal(d.auth[0].type, "opsgenie");
    assert_string_equal(d.auth[0].base_url, "https://api.opsgenie.com");
    assert_int_equal(d.auth[0].mark.line, 5);
    assert_int_equal(d.auth[0].mark.col, 5);
    assert_int_equal(d.auth[0].nheader_lines, 1);
    assert_string_equal(d.auth[0].header_lines[0], GENIE);
    assert_string_equal(d.auth[1].type, "dynatrace");
    assert_null(d.auth[1].base_url);
    assert_int_equal(d.auth[1].nheader_lines, 1);
    assert_string_equal(d.auth[1].header_lines[0], DTTOKEN);
    assert_ptr_equal(cfg_auth_find(d.auth, d.nauth, "OpsGenie", NULL),
        &d.auth[0]);
    assert_ptr_equal(cfg_auth_find(d.auth, d.nauth, "dynatrace", NULL),
        &d.auth[1]);

    cfg_auth_cleanup(d.auth, d.nauth);
    cfg_free(classifier_root, &d);
    free(dir);
}

static void
test_sample_poller(void **state)
{
    struct t_daemon d;
    struct t_poller *p = &d.poller;
    struct t_feed *f;
    char *dir;

    (void)state;
    memset(&d, 0, sizeof(d));
    load_sample("poller", poller_root, &d, &dir);
    assert_int_equal(p->loop_interval_ms, 10000);
    assert_false(p->debug);
    assert_false(p->single_execution);
    assert_string_equal(cfg_strmap_get(&p->destinations, "opsgenie"),
        "http://classifier/v1");
    assert_string_equal(cfg_strmap_get(&p->destinations, "dynatrace"),
        "http://classifier/v1");
    assert_int_equal(p->nfeeds, 2);
    f = &p->feeds[0];
    assert_string_equal(f->name, "OpsGenie_payments_open");
    assert_string_equal(f->authentication, "opsgenie_payments");
    assert_string_equal(f->base_url, "https://api.opsgenie.com");
    assert_int_equal(f->lookback, 14400);
    assert_string_equal(f->lookback_unit, "s");
    assert_string_equal(f->feed_url, "$base_url/v2/alerts?query=status=open "
        "AND teams=payments_incoming AND teams!=queue_autoremediation AND "
        "teams!=queue_needsinvestigation AND createdAt>$lookback");
    assert_string_equal(f->individual_url,
        "$base_url/v2/alerts/$uniqueid?identifierType=tiny");
    f = &p->feeds[1];
    assert_string_equal(f->type, "dynatrace");
    assert_int_equal(f->lookback, 0);
    assert_string_equal(f->feed_url,
        "$base_url/api/v1/problem/feed?status=OPEN&relativeTime=2hours");
    cfg_common_tokens_resolve(&p->tokens);
    assert_null(p->tokens.allowed_clients);
    assert_path(p->tokens.runtime, dir, "tokens/localhost.token.json");
    assert_int_equal(access(p->tokens.runtime, R_OK), 0);
    assert_ptr_equal(cfg_auth_find(d.auth, d.nauth, "dynatrace", NULL),
        &d.auth[1]);
    cfg_auth_cleanup(d.auth, d.nauth);
    cfg_free(poller_root, &d);
    free(dir);
}

static void
test_sample_action_handler(void **state)
{
    struct t_daemon d;
    struct t_action_handler *a = &d.action_handler;
    char *dir;

    (void)state;
    memset(&d, 0, sizeof(d));
    a->development = true;
    load_sample("action_handler", action_handler_root, &d, &dir);
    assert_false(a->development);
    assert_int_equal(a->listener.port, 8084);
    assert_string_equal(a->ssh_key, "/run/secrets/autoremediation_id_ed25519");
    assert_string_equal(a->ssh_user, "autoremediation");
    assert_path(a->known_hosts, dir, "known_hosts");
    assert_path(a->rules_dir, dir, "rules");
    cfg_common_tokens_resolve(&a->tokens);
    assert_path(a->tokens.allowed_clients, dir,
        "tokens/clients.action_handler.json");
    assert_int_equal(d.nauth, 1);
    assert_string_equal(d.auth[0].header_lines[0], GENIE);
    cfg_auth_cleanup(d.auth, d.nauth);
    cfg_free(action_handler_root, &d);
    free(dir);
}

/* ---- authentication_list ---- */

struct t_auths {
    struct cfg_auth *auth;
    size_t           nauth;
};

static const struct cfg_field auth_root[] = {
    { .key = "authentication_list", .type = CFG_LIST,
      .sub = cfg_common_auth_fields, .elem_size = sizeof(struct cfg_auth),
      .offset = offsetof(struct t_auths, auth),
      .count_offset = offsetof(struct t_auths, nauth) },
    { .key = NULL },
};

struct auth_row {
    const char  *yaml;          /* after "authentication_list:\n" */
    const char  *errors[4];     /* '@' stands for the temp dir */
    const char  *lines;         /* header lines of entry 0, '|'-joined */
    const char  *base_url;      /* of entry 0 */
};

static const struct auth_row auth_rows[] = {
    { "  - {name: a, type: opsgenie, api_key_file: og.key}\n", { NULL },
      "Authorization: GenieKey og-SECRET-key", "https://api.opsgenie.com" },
    { "  - name: a\n    type: DynaTrace\n    api_key_file: '@/dt.key'\n"
      "    base_url: https://abc.live.dynatrace.com/\n", { NULL },
      "Authorization: Api-Token dt0c01.SECRET",
      "https://abc.live.dynatrace.com" },
    { "  - name: a\n    type: OpsGenie\n    base_url: https://api.eu."
      "opsgenie.com\n    headers: \"{'Authorization':'GenieKey SECRET1', "
      "'X-Extra': 'v'}\"\n", { NULL },
      "Authorization: GenieKey SECRET1|X-Extra: v",
      "https://api.eu.opsgenie.com" },
    { "  - name: a\n    type: opsgenie\n    headers: '{\"A\":\"SECRET\"}'\n"
      "    api_key_file: og.key\n", { ":2:5: error: authentication \"a\": "
      "set exactly one of headers and api_key_file", NULL }, "", NULL },
    { "  - name: a\n    type: opsgenie\n", { ":2:5: error: authentication "
      "\"a\": set exactly one of headers and api_key_file", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, api_key_file: og.key}\n"
      "  - {name: a, type: dynatrace, api_key_file: dt.key}\n",
      { ":3:5: error: authentication \"a\": duplicate name (first at line 2)",
        NULL }, "Authorization: GenieKey og-SECRET-key", NULL },
    { "  - {name: a, type: opsgenie, headers: 'GenieKey SECRET'}\n",
      { ":2:5: error: authentication \"a\": headers must be a non-empty JSON "
        "object", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, headers: '{}'}\n",
      { ":2:5: error: authentication \"a\": headers must be a non-empty JSON "
        "object", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, headers: '{\"A\":\"SECRET\",\"B\":1}'}\n",
      { ":2:5: error: authentication \"a\": header 2 must have a string "
        "value", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, headers: '{\"A\":\"x\\r\\nB: "
      "SECRET\"}'}\n", { ":2:5: error: authentication \"a\": header 1 has an "
      "empty or invalid name or a line break", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, headers: '{\"\":\"SECRET\"}'}\n",
      { ":2:5: error: authentication \"a\": header 1 has an empty or invalid "
        "name or a line break", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, headers: '{\"Auth SECRET\":\"x\"}'}\n",
      { ":2:5: error: authentication \"a\": header 1 has an empty or invalid "
        "name or a line break", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, api_key_file: empty.key}\n",
      { ":2:5: error: authentication \"a\": @/empty.key: the key file is "
        "empty", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, api_key_file: ctl.key}\n",
      { ":2:5: error: authentication \"a\": @/ctl.key: the key contains "
        "control bytes", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, api_key_file: big.key}\n",
      { ":2:5: error: authentication \"a\": @/big.key: larger than 4096 "
        "bytes", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, api_key_file: missing.key}\n",
      { ":2:5: error: authentication \"a\": @/missing.key: No such file or "
        "directory", NULL }, "", NULL },
    { "  - {name: a, type: jira, headers: '{\"A\":\"SECRET\"}'}\n",
      { ":2:21: error: \"authentication_list[0].type\": expected opsgenie, "
        "dynatrace or jsm", NULL }, "", NULL },
    { "  - {type: opsgenie, headers: '{\"A\":\"SECRET\"}'}\n",
      { ":2:5: error: \"authentication_list[0].name\": required", NULL },
      "", NULL },
    { "  - {name: \"a\\tb\", type: opsgenie, api_key_file: og.key}\n",
      { ":2:12: error: \"authentication_list[0].name\": must not contain "
        "control characters", NULL }, "", NULL },
    /* JSM: HTTP Basic email:token (the "@" of an address would be the
     * temp dir here), base_url defaults to Atlassian's API. */
    { "  - {name: a, type: jsm, cloud_id: c-1, email: ops, "
      "api_token_file: og.key}\n", { NULL },
      "Authorization: Basic b3BzOm9nLVNFQ1JFVC1rZXk=",
      "https://api.atlassian.com" },
    { "  - {name: a, type: JSM, cloud_id: c-1, email: ops, "
      "api_token_file: og.key, teams: {q1: t-1}, base_url: 'http://127.0.0.1:"
      "9/'}\n", { NULL }, "Authorization: Basic b3BzOm9nLVNFQ1JFVC1rZXk=",
      "http://127.0.0.1:9" },
    { "  - {name: a, type: jsm, email: ops, api_token_file: og.key}\n",
      { ":2:5: error: authentication \"a\": a jsm entry needs cloud_id, "
        "email and api_token_file", NULL }, "", NULL },
    { "  - {name: a, type: jsm, cloud_id: c, email: ops, api_token_file: "
      "og.key, api_key_file: og.key}\n",
      { ":2:5: error: authentication \"a\": a jsm entry takes email and "
        "api_token_file, not headers or api_key_file", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, api_key_file: og.key, cloud_id: c}\n",
      { ":2:5: error: authentication \"a\": cloud_id, email, "
        "api_token_file and teams are for jsm entries", NULL }, "", NULL },
    { "  - {name: a, type: jsm, cloud_id: 'c/../x', email: 'a:b', "
      "api_token_file: og.key}\n",
      { ":2:36: error: \"authentication_list[0].cloud_id\": expected a cloud "
        "id (letters, digits and '-')",
        ":2:53: error: \"authentication_list[0].email\": expected an e-mail "
        "address (no ':' or control characters)", NULL }, "", NULL },
    { "  - {name: a, type: jsm, cloud_id: c, email: ops, api_token_file: "
      "empty.key}\n",
      { ":2:5: error: authentication \"a\": @/empty.key: the key file is "
        "empty", NULL }, "", NULL },
    { "  - {name: a, type: opsgenie, base_url: 'api.opsgenie.com', "
      "api_key_file: og.key}\n",
      { ":2:41: error: \"authentication_list[0].base_url\": expected an "
        "http:// or https:// URL with a host, got \"api.opsgenie.com\"",
        NULL }, "Authorization: GenieKey og-SECRET-key",
      "https://api.opsgenie.com" },
};

/* tmpl with every '@' replaced by dir. Caller frees. */
static char *
expand(const char *tmpl, const char *dir)
{
    struct buf b;

    buf_init(&b, 4096);
    for (; *tmpl != '\0'; tmpl++) {
        if (*tmpl == '@')
            assert_int_equal(buf_appends(&b, dir), 0);
        else
            assert_int_equal(buf_append(&b, tmpl, 1), 0);
    }
    return buf_steal(&b);
}

static void
auth_row_check(const struct auth_row *r, size_t idx, const char *dir,
    const char *path)
{
    struct cfg_errors errs = { .n = 0 };
    struct t_auths a = { .auth = NULL };
    char *yaml, *want[4] = { NULL }, what[32];
    struct buf lines;
    size_t i;
    int rc;

    snprintf(what, sizeof(what), "auth row %zu", idx);
    yaml = expand(r->yaml, dir);
    buf_init(&lines, 4096);
    assert_int_equal(buf_appends(&lines, "authentication_list:\n"), 0);
    assert_int_equal(buf_appends(&lines, yaml), 0);
    /* As the daemons do: resolve even after a failed load, which must not
     * repeat what cfg_load reported. */
    rc = cfg_load_string(lines.data, lines.len, path, auth_root, &a, &errs);
    if (cfg_common_auth_resolve(a.auth, a.nauth, path, &errs) == -1)
        rc = -1;
    assert_int_equal(rc, r->errors[0] == NULL ? 0 : -1);
    buf_free(&lines);
    for (i = 0; r->errors[i] != NULL; i++)
        want[i] = expand(r->errors[i], dir);
    expect_errors(what, &errs, path, (const char *const *)want);
    for (i = 0; i < errs.n; i++)
        assert_null(strstr(errs.msgs[i], "SECRET"));
    buf_init(&lines, 4096);
    for (i = 0; a.nauth > 0 && i < a.auth[0].nheader_lines; i++)
        assert_int_equal(buf_appendf(&lines, "%s%s", i ? "|" : "",
            a.auth[0].header_lines[i]), 0);
    if (strcmp(lines.data != NULL ? lines.data : "", r->lines) != 0)
        print_error("%s: header lines differ\n", what);
    assert_string_equal(lines.data != NULL ? lines.data : "", r->lines);
    if (r->base_url != NULL)
        assert_string_equal(a.auth[0].base_url, r->base_url);
    buf_free(&lines);
    for (i = 0; want[i] != NULL; i++)
        free(want[i]);
    free(yaml);
    cfg_auth_cleanup(a.auth, a.nauth);
    cfg_free(auth_root, &a);
}

static void
test_auth(void **state)
{
    static const char *const files[] = { "og.key", "dt.key", "empty.key",
        "ctl.key", "big.key" };
    char *dir = make_tmpdir(), *path, *big, *f;
    size_t i;

    (void)state;
    big = xmalloc(5000);
    memset(big, 'k', 4999);
    big[4999] = '\0';
    free(write_file(dir, "og.key", "  og-SECRET-key \n", 0600));
    free(write_file(dir, "dt.key", "dt0c01.SECRET\n", 0640));
    free(write_file(dir, "empty.key", " \n\t\n", 0600));
    free(write_file(dir, "ctl.key", "SECRET\001x\n", 0600));
    free(write_file(dir, "big.key", big, 0600));
    free(big);
    path = path_join(dir, "conf.yaml");
    for (i = 0; i < NELEM(auth_rows); i++)
        auth_row_check(&auth_rows[i], i, dir, path);
    for (i = 0; i < NELEM(files); i++) {
        f = path_join(dir, files[i]);
        assert_int_equal(unlink(f), 0);
        free(f);
    }
    assert_int_equal(rmdir(dir), 0);
    free(path);
    free(dir);
}

static void
test_auth_find(void **state)
{
    static const struct {
        const char  *type, *url;
        int          want;
    } rows[] = {
        { "opsgenie", NULL, 0 },
        { "OpsGenie", "https://api.opsgenie.com", 0 },
        { "opsgenie", "https://api.opsgenie.com/", 0 },
        { "opsgenie", "https://api.eu.opsgenie.com", 1 },
        { "opsgenie", "https://api.eu.opsgenie.com/", 1 },
        { "opsgenie", "https://api.opsgenie.com//", -1 },
        { "opsgenie", "https://api.opsgenie.co", -1 },
        { "opsgenie", "https://api.opsgenie.comx", -1 },
        { "opsgenie", "https://evil.example", -1 },
        { "opsgenie", "", -1 },
        { "dynatrace", NULL, 2 },
        { "dynatrace", "https://abc.live.dynatrace.com", 2 },
        { "dynatrace", "https://api.opsgenie.com", -1 },
        { "jira", NULL, -1 },
        { NULL, NULL, -1 },
    };
    char og[] = "opsgenie", dt[] = "dynatrace";
    char u0[] = "https://api.opsgenie.com", u1[] = "https://api.eu.opsgenie"
        ".com/", u2[] = "https://abc.live.dynatrace.com";
    struct cfg_auth list[4];
    const struct cfg_auth *got;
    size_t i;

    (void)state;
    memset(list, 0, sizeof(list));
    list[0].type = og;
    list[0].base_url = u0;
    list[1].type = og;
    list[1].base_url = u1;
    list[2].type = dt;
    list[2].base_url = u2;
    list[3].type = dt;
    for (i = 0; i < NELEM(rows); i++) {
        got = cfg_auth_find(list, NELEM(list), rows[i].type, rows[i].url);
        if (rows[i].want == -1 ? got != NULL : got != &list[rows[i].want])
            print_error("find row %zu\n", i);
        if (rows[i].want == -1)
            assert_null(got);
        else
            assert_ptr_equal(got, &list[rows[i].want]);
    }
    assert_null(cfg_auth_find(NULL, 0, "opsgenie", NULL));
}

static void
test_tokens_resolve(void **state)
{
    struct cfg_tokens t = { .directory = NULL };

    (void)state;
    t.allowed_clients = xstrdup("c.json");
    cfg_common_tokens_resolve(&t);
    assert_string_equal(t.allowed_clients, "c.json");
    t.directory = xstrdup("/etc/alexis/tokens");
    t.runtime = xstrdup("/run/secrets/token.json");
    cfg_common_tokens_resolve(&t);
    cfg_common_tokens_resolve(&t);
    assert_string_equal(t.allowed_clients, "/etc/alexis/tokens/c.json");
    assert_string_equal(t.runtime, "/run/secrets/token.json");
    cfg_free(cfg_common_tokens_fields, &t);
    assert_null(t.directory);
}

/* The listener's TLS keys, loaded from YAML and then checked. */
static void
test_listener_tls(void **state)
{
    static const struct cfg_field root[] = {
        { .key = "listener", .type = CFG_SECTION,
          .sub = cfg_common_listener_fields, .offset = 0 },
        { .key = NULL },
    };
    static const struct {
        const char  *yaml;
        const char  *err;   /* NULL: accepted */
    } rows[] = {
        { "listener: {port: 1}\n", NULL },
        { "listener: {protocol: http}\n", NULL },
        { "listener: {protocol: HTTPS, tls_cert_file: c, tls_key_file: k}\n",
          NULL },
        { "listener: {tls_cert_file: c, tls_key_file: k}\n", NULL },
        { "listener:\n  protocol: https\n",
          "l.yaml:2:3: error: \"x.listener\": protocol https needs "
          "tls_cert_file and tls_key_file" },
        { "listener: {tls_cert_file: c}\n",
          "l.yaml:1:11: error: \"x.listener\": tls_cert_file is set without "
          "tls_key_file" },
        { "listener: {tls_key_file: k}\n",
          "l.yaml:1:11: error: \"x.listener\": tls_key_file is set without "
          "tls_cert_file" },
        { "listener: {protocol: http, tls_cert_file: c, tls_key_file: k}\n",
          "l.yaml:1:11: error: \"x.listener\": protocol http, but "
          "tls_cert_file is set (HTTPS); say https or drop the files" },
    };
    struct cfg_listener l;
    struct cfg_errors errs;
    char got[ALEXIS_ERR_MAX + 64];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        memset(&l, 0, sizeof(l));
        memset(&errs, 0, sizeof(errs));
        assert_int_equal(cfg_load_string(rows[i].yaml, strlen(rows[i].yaml),
            "l.yaml", root, &l, &errs), 0);
        assert_int_equal(l.request_timeout_ms, 30000);
        assert_int_equal(l.max_per_client, 80);
        if (rows[i].err == NULL) {
            assert_int_equal(cfg_common_listener_check(&l, "l.yaml",
                "x.listener", &errs), 0);
            assert_int_equal(errs.n, 0);
        } else {
            assert_int_equal(cfg_common_listener_check(&l, "l.yaml",
                "x.listener", &errs), -1);
            assert_int_equal(errs.n, 1);
            (void)snprintf(got, sizeof(got), "%s", errs.msgs[0]);
            if (strcmp(got, rows[i].err) != 0)
                print_error("row %zu: %s\n", i, got);
            assert_string_equal(got, rows[i].err);
        }
        cfg_free(root, &l);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_classifier),
        cmocka_unit_test(test_sample_poller),
        cmocka_unit_test(test_sample_action_handler),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_auth_find),
        cmocka_unit_test(test_tokens_resolve),
        cmocka_unit_test(test_listener_tls),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
