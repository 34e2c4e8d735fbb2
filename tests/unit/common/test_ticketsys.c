/*
 * The ticket-system modules behind their interface, through the fetcher
 * seam: which module a feed type, a feed URL or an envelope picks; for
 * each module which API, URL, method, body and credentials a mark, a
 * route and a note use, and what is refused (a base_url that is not ours,
 * teams on Dynatrace, a 4xx); reading the alert's state; the id in a
 * webhook payload; and a note whose POST timed out after it landed being
 * found, not sent twice (issue 11).
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
#include "alert.h"
#include "buf.h"
#include "cfg.h"
#include "cfg_common.h"
#include "fake_fetcher.h"
#include "fetcher.h"
#include "json.h"
#include "log.h"
#include "ticket.h"
#include "ticketsys.h"
#include "ticketsys_dtv1.h"
#include "ticketsys_dtv2.h"
#include "ticketsys_jsm.h"
#include "ticketsys_opsgenie.h"
#include "xmem.h"

/* ---- Which module ---- */

static void
test_lookup(void **state)
{
    char buf[160];
    cJSON *v1, *v2, *none;

    (void)state;
    assert_ptr_equal(ticketsys_find("OpsGenie"), &ticketsys_opsgenie);
    assert_ptr_equal(ticketsys_find("dynatrace"), &ticketsys_dtv1);
    assert_null(ticketsys_find("jira"));
    assert_null(ticketsys_find(NULL));
    assert_true(ticketsys_known_type("DYNATRACE"));
    assert_false(ticketsys_known_type("servicenow"));
    assert_ptr_equal(ticketsys_for_url("opsgenie", "$base_url/v2/alerts"),
        &ticketsys_opsgenie);
    assert_ptr_equal(ticketsys_for_url("dynatrace",
        "$base_url/api/v2/problems?from=$lookback"), &ticketsys_dtv2);
    assert_ptr_equal(ticketsys_for_url("dynatrace",
        "$base_url/api/v1/problem/feed?status=OPEN"), &ticketsys_dtv1);
    assert_null(ticketsys_for_url("dynatrace", "$base_url/api/v3/x"));
    v1 = cJSON_Parse("{\"id\":\"P1\"}");
    v2 = cJSON_Parse("{\"problemId\":\"P2\",\"id\":\"x\"}");
    none = cJSON_Parse("{\"title\":\"t\"}");
    assert_ptr_equal(ticketsys_for_item("dynatrace", v1), &ticketsys_dtv1);
    assert_ptr_equal(ticketsys_for_item("dynatrace", v2), &ticketsys_dtv2);
    assert_ptr_equal(ticketsys_for_item("dynatrace", none), &ticketsys_dtv2);
    assert_ptr_equal(ticketsys_for_item("opsgenie", none),
        &ticketsys_opsgenie);
    assert_null(ticketsys_for_item("jira", none));
    cJSON_Delete(v1);
    cJSON_Delete(v2);
    cJSON_Delete(none);
    assert_string_equal(ticketsys_type_names(false, buf, sizeof(buf)),
        "opsgenie, dynatrace or jsm");
    assert_string_equal(ticketsys_type_names(true, buf, sizeof(buf)),
        "\"opsgenie\", \"dynatrace\" or \"jsm\"");
    assert_string_equal(ticketsys_url_paths("dynatrace", buf, sizeof(buf)),
        "/api/v1/problem/feed or /api/v2/problems");
    assert_string_equal(ticketsys_url_paths("opsgenie", buf, sizeof(buf)),
        "");
    assert_string_equal(ticketsys_dtv1.name, "dynatrace_v1");
    assert_string_equal(ticketsys_opsgenie.id_key, "tinyId");
    assert_string_equal(ticketsys_dtv2.id_key, "problem_id");
    assert_ptr_equal(ticketsys_find("JSM"), &ticketsys_jsm);
    assert_ptr_equal(ticketsys_for_url("jsm", NULL), &ticketsys_jsm);
    assert_string_equal(ticketsys_jsm.unique_key, "id");
}

/* The fake ticket API behind the fetcher seam: fake_fetcher.h. */

/* ---- The daemon's own authentication_list ---- */

static char og_key1[] = "Authorization: GenieKey one";
static char og_key2[] = "Authorization: GenieKey two";
static char dt_key[] = "Authorization: Api-Token dt";
static char *og1_lines[] = { og_key1 };
static char *og2_lines[] = { og_key2 };
static char *dt_lines[] = { dt_key };
static char jsm_key[] = "Authorization: Basic b3BzOnRva2Vu";
static char *jsm_lines[] = { jsm_key };
static struct cfg_strmap_entry jsm_teams[] = {
    { .key = (char *)(uintptr_t)"Q", .value = (char *)(uintptr_t)"team-q" },
};

static struct cfg_auth auths[] = {
    { .name = (char *)(uintptr_t)"og1", .type = (char *)(uintptr_t)"opsgenie",
      .base_url = (char *)(uintptr_t)"http://og1", .header_lines = og1_lines,
      .nheader_lines = 1 },
    { .name = (char *)(uintptr_t)"og2", .type = (char *)(uintptr_t)"opsgenie",
      .base_url = (char *)(uintptr_t)"http://og2", .header_lines = og2_lines,
      .nheader_lines = 1 },
    { .name = (char *)(uintptr_t)"dt", .type = (char *)(uintptr_t)"dynatrace",
      .base_url = (char *)(uintptr_t)"http://dt", .header_lines = dt_lines,
      .nheader_lines = 1 },
    { .name = (char *)(uintptr_t)"jsm", .type = (char *)(uintptr_t)"jsm",
      .base_url = (char *)(uintptr_t)"http://jsm",
      .cloud_id = (char *)(uintptr_t)"c-1", .header_lines = jsm_lines,
      .nheader_lines = 1, .teams = { .items = jsm_teams, .n = 1 } },
};

#define OG_ENV(base) "{\"id\":\"u-1\",\"tinyId\":\"12\",\"alexis\":{" \
    "\"feed_type\":\"opsgenie\",\"unique_value\":\"12\"" base "}}"
#define OG_TINY_ENV "{\"tinyId\":\"12\",\"alexis\":{" \
    "\"feed_type\":\"opsgenie\",\"unique_value\":\"12\"}}"
#define DT1_ENV "{\"id\":\"P 1\",\"alexis\":{\"feed_type\":\"dynatrace\"," \
    "\"unique_value\":\"P 1\"}}"
#define DT2_ENV "{\"problemId\":\"P2\",\"alexis\":{\"feed_type\":" \
    "\"dynatrace\",\"unique_value\":\"P2\"}}"

#define JSM_ENV "{\"id\":\"a-1\",\"tinyId\":\"7\",\"tags\":[\"x\"]," \
    "\"extraProperties\":{\"host\":\"db01\"},\"alexis\":{\"feed_type\":" \
    "\"jsm\",\"unique_key\":\"id\",\"unique_value\":\"a-1\"}}"
#define JSM_ALERTS "http://jsm/jsm/ops/api/c-1/v1/alerts/a-1"

/* Resolve envelope env into t (a holds it); -1 with err. */
static int
resolve(const char *env, struct alert *a, struct ticket_ref *t, char *err,
    size_t errlen)
{
    cJSON *doc = cJSON_Parse(env);

    assert_non_null(doc);
    if (alert_from_json(a, doc, err, errlen) == -1)
        fail_msg("envelope refused: %s", err);
    return ticket_resolve(t, a, auths, NELEM(auths), err, errlen);
}

/* ---- Writes: which URL, body and credentials ---- */

enum op { OP_MARK_REM, OP_MARK_INV, OP_ROUTE, OP_NOTE };

struct write_row {
    const char *what;
    const char *env;
    enum op     op;
    long        status;         /* the API's answer */
    int         want_rc;
    const char *want_url;       /* NULL: no request at all */
    const char *want_hdr;
    const char *want_body;      /* a fragment of the body */
    const char *want_err;       /* fragment of out.err when want_rc -1 */
    const char *want_mark;      /* ticket_mark_name */
};

static const struct write_row write_rows[] = {
    { "og mark remediation", OG_ENV(""), OP_MARK_REM, 202, 0,
      "http://og1/v2/alerts/u-1/teams?identifierType=id", og_key1,
      "{\"team\":{\"name\":\"Q\"},\"user\":\"Alexis\",\"source\":\"alexis\","
      "\"note\":\"why\"}", NULL, "remediation_queue" },
    { "og mark at the second account", OG_ENV(",\"base_url\":\"http://og2/\""),
      OP_MARK_INV, 202, 0,
      "http://og2/v2/alerts/u-1/teams?identifierType=id", og_key2,
      "\"team\":{\"name\":\"Q\"}", NULL, "investigation_queue" },
    { "og by tinyId", OG_TINY_ENV, OP_NOTE, 202, 0,
      "http://og1/v2/alerts/12/notes?identifierType=tiny", og_key1,
      "{\"note\":\"text J1\",\"user\":\"Alexis\",\"source\":\"alexis\"}",
      NULL, NULL },
    { "og route", OG_ENV(""), OP_ROUTE, 202, 0,
      "http://og1/v2/alerts/u-1/teams?identifierType=id", og_key1,
      "{\"team\":{\"name\":\"T\"},\"user\":\"Alexis\",\"source\":\"alexis\"}",
      NULL, NULL },
    { "og refusal", OG_ENV(""), OP_NOTE, 422, -1,
      "http://og1/v2/alerts/u-1/notes?identifierType=id", og_key1, NULL,
      "HTTP 422 from ticket API: bad note", NULL },
    { "dt v1 comment", DT1_ENV, OP_MARK_REM, 200, 0,
      "http://dt/api/v1/problem/details/P%201/comments", dt_key,
      "{\"comment\":\"why\",\"user\":\"Alexis\",\"context\":\"Alexis\"}",
      NULL, "comment_matched" },
    { "dt v2 comment", DT2_ENV, OP_MARK_INV, 201, 0,
      "http://dt/api/v2/problems/P2/comments", dt_key,
      "{\"message\":\"why\",\"context\":\"Alexis\"}", NULL,
      "comment_unmatched" },
    { "dt v2 note", DT2_ENV, OP_NOTE, 201, 0,
      "http://dt/api/v2/problems/P2/comments", dt_key,
      "{\"message\":\"text J1\",\"context\":\"Alexis\"}", NULL, NULL },
    { "dt has no teams", DT2_ENV, OP_ROUTE, 200, -1, NULL, NULL, NULL,
      "dynatrace_v2 has no teams", NULL },
};

static void
test_writes(void **state)
{
    struct ticket_outcome o;
    struct ticket_ref t;
    struct alert a;
    struct fake k;
    struct answer ans[1];
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int rc = -1;

    (void)state;
    for (i = 0; i < NELEM(write_rows); i++) {
        const struct write_row *w = &write_rows[i];

        ans[0].status = w->status;
        ans[0].body = w->status == 422 ? "{\"message\":\"bad note\"}" :
            "{\"result\":\"Request will be processed\",\"requestId\":\"r1\"}";
        ans[0].transport = 0;
        fake_init(&k, ans, 1);
        assert_int_equal(resolve(w->env, &a, &t, err, sizeof(err)), 0);
        switch (w->op) {
        case OP_MARK_REM:
            rc = ticket_mark(&k.f, &t, TICKET_QUEUE_REMEDIATION, "Q", "why",
                &o);
            break;
        case OP_MARK_INV:
            rc = ticket_mark(&k.f, &t, TICKET_QUEUE_INVESTIGATION, "Q", "why",
                &o);
            break;
        case OP_ROUTE:
            rc = ticket_route(&k.f, &t, "T", &o);
            break;
        case OP_NOTE:
            rc = ticket_note(&k.f, &t, "text J1", "J1", &o);
            break;
        }
        if (rc != w->want_rc)
            fail_msg("%s: rc %d (%s)", w->what, rc, o.err);
        if (w->want_url == NULL) {
            assert_int_equal(k.ncalls, 0);
        } else {
            assert_int_equal(k.ncalls, 1);
            assert_string_equal(k.calls[0].method, "POST");
            if (strcmp(k.calls[0].url, w->want_url) != 0)
                fail_msg("%s: url %s", w->what, k.calls[0].url);
            /* Exactly the entry's credentials, nothing else. */
            assert_non_null(strstr(k.calls[0].hdrs, w->want_hdr));
            assert_int_equal(strlen(k.calls[0].hdrs), strlen(w->want_hdr) + 1);
            assert_int_equal(o.attempts, 1);
            assert_int_equal(o.status, w->status);
        }
        if (w->want_body != NULL &&
            strstr(k.calls[0].body, w->want_body) == NULL)
            fail_msg("%s: body %s", w->what, k.calls[0].body);
        if (w->want_err != NULL && strstr(o.err, w->want_err) == NULL)
            fail_msg("%s: err %s", w->what, o.err);
        if (w->want_rc == 0 && w->status == 202)
            assert_string_equal(o.request_id, "r1");
        if (w->want_mark != NULL)
            assert_string_equal(ticket_mark_name(t.sys, w->op == OP_MARK_REM ?
                TICKET_QUEUE_REMEDIATION : TICKET_QUEUE_INVESTIGATION),
                w->want_mark);
        assert_int_equal(ticket_can_route(&t), t.sys == &ticketsys_opsgenie);
        alert_cleanup(&a);
        fake_free(&k);
    }
}

/* A base_url the daemon does not have for the feed type is refused
 * before anything is sent; so is a feed type without an entry. */
static void
test_refusals(void **state)
{
    static const struct {
        const char *env, *err;
    } rows[] = {
        { OG_ENV(",\"base_url\":\"http://evil\""),
          "base_url http://evil is not configured for opsgenie" },
        { OG_ENV(",\"base_url\":\"http://dt\""),
          "base_url http://dt is not configured for opsgenie" },
    };
    struct ticket_ref t;
    struct alert a;
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        assert_int_equal(resolve(rows[i].env, &a, &t, err, sizeof(err)), -1);
        if (strstr(err, rows[i].err) == NULL)
            fail_msg("row %zu: %s", i, err);
        assert_null(strstr(err, "GenieKey"));
        alert_cleanup(&a);
    }
    /* Nothing of that type in the list. */
    {
        cJSON *doc = cJSON_Parse(OG_ENV(""));

        assert_int_equal(alert_from_json(&a, doc, err, sizeof(err)), 0);
        assert_int_equal(ticket_resolve(&t, &a, &auths[2], 1, err,
            sizeof(err)), -1);
        assert_string_equal(err, "no opsgenie entry in authentication_list");
        alert_cleanup(&a);
    }
}

/* Notes are cut to the module's limit (OpsGenie: 25,000 characters). */
static void
test_note_limit(void **state)
{
    struct answer ans[] = { { 202, "{}", 0 } };
    struct ticket_outcome o;
    struct ticket_ref t;
    struct alert a;
    struct fake k;
    char err[ALEXIS_ERR_MAX], *text, *note;
    cJSON *body;
    size_t i, n = OPSGENIE_NOTE_MAX + 50;

    (void)state;
    /* Two-byte characters: the cut counts characters, not bytes. */
    text = xmalloc(n * 2 + 1);
    for (i = 0; i < n; i++)
        memcpy(text + i * 2, "\xc3\xa9", 2);
    text[n * 2] = '\0';
    fake_init(&k, ans, NELEM(ans));
    assert_int_equal(resolve(OG_ENV(""), &a, &t, err, sizeof(err)), 0);
    assert_int_equal(ticket_note(&k.f, &t, text, NULL, &o), 0);
    body = cJSON_Parse(k.calls[0].body);
    note = (char *)(uintptr_t)json_str(body, "note");
    assert_int_equal(strlen(note), OPSGENIE_NOTE_MAX * 2);
    cJSON_Delete(body);
    free(text);
    alert_cleanup(&a);
    fake_free(&k);
}

/* ---- A note whose outcome is unknown ---- */

struct dup_row {
    const char     *what;
    const char     *env;
    struct answer   script[8];
    size_t          nscript;
    int             want_rc;
    int             want_found;
    size_t          want_posts;
    const char     *want_get;   /* the read-back URL (second call) */
};

#define TIMEOUT     { 0, NULL, 1 }
#define OG_NOTES(n) { 200, "{\"data\":[{\"note\":\"" n "\"}]}", 0 }
#define DT_NOTES(n) { 200, "{\"comments\":[{\"content\":\"" n "\"}]}", 0 }

static const struct dup_row dup_rows[] = {
    { "og: landed before the timeout", OG_ENV(""),
      { TIMEOUT, OG_NOTES("Alexis remediation succeeded: job J1") }, 2,
      0, 1, 1, "http://og1/v2/alerts/u-1/notes?identifierType=id"
      "&limit=100&order=desc" },
    { "og: did not land", OG_ENV(""),
      { TIMEOUT, OG_NOTES("job J0"), { 202, "{}", 0 } }, 3, 0, 0, 2,
      "http://og1/v2/alerts/u-1/notes?identifierType=id"
      "&limit=100&order=desc" },
    { "og: 503, then the notes cannot be read, then sent", OG_ENV(""),
      { { 503, "{}", 0 }, { 500, "{}", 0 }, { 202, "{}", 0 } }, 3, 0, 0, 2,
      "http://og1/v2/alerts/u-1/notes?identifierType=id"
      "&limit=100&order=desc" },
    { "og: 429 is not looked for", OG_ENV(""),
      { { 429, "{}", 0 }, { 202, "{}", 0 } }, 2, 0, 0, 2, NULL },
    { "og: 400 is final", OG_ENV(""),
      { { 400, "{\"message\":\"no\"}", 0 } }, 1, -1, 0, 1, NULL },
    { "og: never answers", OG_ENV(""),
      { TIMEOUT, OG_NOTES(""), TIMEOUT, OG_NOTES(""), TIMEOUT,
        OG_NOTES(""), TIMEOUT }, 7, -1, 0, 4, NULL },
    { "dt v1: landed", DT1_ENV,
      { TIMEOUT, DT_NOTES("x job J1 y") }, 2, 0, 1, 1,
      "http://dt/api/v1/problem/details/P%201/comments" },
    { "dt v2: landed", DT2_ENV,
      { TIMEOUT, DT_NOTES("job J1") }, 2, 0, 1, 1,
      "http://dt/api/v2/problems/P2/comments?pageSize=500" },
};

static void
test_duplicate_notes(void **state)
{
    struct ticket_outcome o;
    struct ticket_ref t;
    struct alert a;
    struct fake k;
    char err[ALEXIS_ERR_MAX];
    size_t i, j, posts;
    int rc;

    (void)state;
    for (i = 0; i < NELEM(dup_rows); i++) {
        const struct dup_row *w = &dup_rows[i];

        fake_init(&k, w->script, w->nscript);
        assert_int_equal(resolve(w->env, &a, &t, err, sizeof(err)), 0);
        rc = ticket_note(&k.f, &t, "Alexis remediation succeeded: job J1",
            "J1", &o);
        for (j = posts = 0; j < k.ncalls; j++)
            posts += strcmp(k.calls[j].method, "POST") == 0;
        if (rc != w->want_rc || (int)o.found != w->want_found ||
            posts != w->want_posts)
            fail_msg("%s: rc %d found %d posts %zu (%s)", w->what, rc,
                o.found, posts, o.err);
        if (w->want_get != NULL) {
            assert_string_equal(k.calls[1].method, "GET");
            if (strcmp(k.calls[1].url, w->want_get) != 0)
                fail_msg("%s: read back %s", w->what, k.calls[1].url);
            assert_non_null(strstr(k.calls[1].hdrs, "Authorization: "));
        }
        /* Every attempt counts; retries waited (the fake's clock). */
        assert_int_equal(o.attempts, (int)posts);
        if (posts > 1)
            assert_true(k.waited_ms > 0);
        alert_cleanup(&a);
        fake_free(&k);
    }
}

/* ---- The alert's state ---- */

struct state_row {
    const char         *env;
    struct answer       ans;
    enum ticket_state   want;
    const char         *want_url;
    const char         *want_err;
};

static const struct state_row state_rows[] = {
    { OG_ENV(""), { 200, "{\"data\":{\"status\":\"open\"}}", 0 },
      TICKET_STATE_OPEN, "http://og1/v2/alerts/u-1?identifierType=id", NULL },
    { OG_ENV(""), { 200, "{\"data\":{\"status\":\"closed\"}}", 0 },
      TICKET_STATE_CLOSED, NULL, NULL },
    { OG_ENV(""), { 200, "{\"data\":{}}", 0 }, TICKET_STATE_UNKNOWN, NULL,
      "no \"data.status\"" },
    { OG_ENV(""), { 404, "{\"message\":\"Alert does not exist\"}", 0 },
      TICKET_STATE_UNKNOWN, NULL, "HTTP 404 from ticket API: Alert does" },
    { OG_ENV(""), TIMEOUT, TICKET_STATE_UNKNOWN, NULL, "timed out" },
    { DT1_ENV, { 200, "{\"result\":{\"status\":\"CLOSED\"}}", 0 },
      TICKET_STATE_CLOSED, "http://dt/api/v1/problem/details/P%201", NULL },
    { DT2_ENV, { 200, "{\"status\":\"OPEN\"}", 0 }, TICKET_STATE_OPEN,
      "http://dt/api/v2/problems/P2", NULL },
    { DT2_ENV, { 200, "{\"status\":\"CLOSED\"}", 0 }, TICKET_STATE_CLOSED,
      NULL, NULL },
};

static void
test_state(void **state)
{
    struct ticket_ref t;
    struct alert a;
    struct fake k;
    enum ticket_state st;
    char err[ALEXIS_ERR_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(state_rows); i++) {
        const struct state_row *w = &state_rows[i];

        fake_init(&k, &w->ans, 1);
        assert_int_equal(resolve(w->env, &a, &t, err, sizeof(err)), 0);
        err[0] = '\0';
        st = ticket_state(&k.f, &t, err, sizeof(err));
        if (st != w->want)
            fail_msg("row %zu: %s (%s)", i, ticket_state_name(st), err);
        assert_string_equal(k.calls[0].method, "GET");
        if (w->want_url != NULL)
            assert_string_equal(k.calls[0].url, w->want_url);
        if (w->want_err != NULL && strstr(err, w->want_err) == NULL)
            fail_msg("row %zu: err %s", i, err);
        alert_cleanup(&a);
        fake_free(&k);
    }
    assert_string_equal(ticket_state_name(TICKET_STATE_CLOSED), "closed");
}

/* ---- Webhooks ---- */

struct hook_row {
    const struct ticketsys *sys;
    const char             *payload;
    const char             *want;   /* the id, or NULL */
    const char             *err;
};

static const struct hook_row hook_rows[] = {
    { &ticketsys_opsgenie, "{\"action\":\"Create\",\"alert\":{\"alertId\":"
      "\"u-1\",\"tinyId\":\"12\"}}", "12", NULL },
    { &ticketsys_opsgenie, "{\"action\":\"Create\"}", NULL,
      "missing field alert (an object)" },
    { &ticketsys_opsgenie, "{\"alert\":{\"alertId\":\"u-1\"}}", NULL,
      "missing field alert.tinyId" },
    { &ticketsys_opsgenie, "{\"alert\":{\"tinyId\":\"\"}}", NULL,
      "missing field alert.tinyId" },
    { &ticketsys_dtv2, "{\"PID\":\"-1_2V2\",\"ProblemID\":\"7\","
      "\"State\":\"OPEN\"}", "-1_2V2", NULL },
    { &ticketsys_dtv1, "{\"ProblemID\":\"-1_2\"}", "-1_2", NULL },
    { &ticketsys_dtv2, "{\"State\":\"OPEN\",\"PID\":5}", NULL,
      "missing field PID (or ProblemID)" },
};

static void
test_webhook_id(void **state)
{
    char id[64], err[ALEXIS_ERR_MAX];
    cJSON *p;
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < NELEM(hook_rows); i++) {
        p = cJSON_Parse(hook_rows[i].payload);
        assert_non_null(p);
        err[0] = id[0] = '\0';
        rc = hook_rows[i].sys->webhook_id(p, id, sizeof(id), err,
            sizeof(err));
        if (hook_rows[i].want != NULL) {
            if (rc != 0 || strcmp(id, hook_rows[i].want) != 0)
                fail_msg("row %zu: rc %d id %s (%s)", i, rc, id, err);
        } else if (rc != -1 || strcmp(err, hook_rows[i].err) != 0) {
            fail_msg("row %zu: rc %d err %s", i, rc, err);
        }
        cJSON_Delete(p);
    }
    /* An id longer than the caller's buffer is refused, not cut. */
    p = cJSON_Parse("{\"PID\":\"0123456789abcdef\"}");
    assert_int_equal(ticketsys_dtv2.webhook_id(p, id, 8, err, sizeof(err)),
        -1);
    cJSON_Delete(p);
}

/* ---- JSM ---- */

struct jsm_row {
    const char     *what;
    enum op         op;
    const char     *team;
    long            status;         /* every answer's */
    const char     *want[3];        /* URL, then body fragment, per call */
    const char     *want_body[3];
};

static const struct jsm_row jsm_rows[] = {
    { "mark: tag, responder, note", OP_MARK_REM, "Q", 202,
      { JSM_ALERTS "/tags", JSM_ALERTS "/responders", JSM_ALERTS "/notes" },
      { "{\"tags\":[\"Q\"]}", "{\"id\":\"team-q\",\"type\":\"team\"}",
        "{\"note\":\"why\"}" } },
    { "mark of an unmapped queue: no responder", OP_MARK_INV, "other", 202,
      { JSM_ALERTS "/tags", JSM_ALERTS "/notes", NULL },
      { "{\"tags\":[\"other\"]}", "{\"note\":\"why\"}", NULL } },
    { "route: tag and responder", OP_ROUTE, "Q", 202,
      { JSM_ALERTS "/tags", JSM_ALERTS "/responders", NULL },
      { "{\"tags\":[\"Q\"]}", "\"team-q\"", NULL } },
    { "note answered 200 (the spec)", OP_NOTE, NULL, 200,
      { JSM_ALERTS "/notes", NULL, NULL },
      { "{\"note\":\"text J1\"}", NULL, NULL } },
    { "note answered 202 (a receipt)", OP_NOTE, NULL, 202,
      { JSM_ALERTS "/notes", NULL, NULL }, { NULL, NULL, NULL } },
};

static void
test_jsm_writes(void **state)
{
    struct answer ans[3];
    struct ticket_outcome o;
    struct ticket_ref t;
    struct alert a;
    struct fake k;
    char err[ALEXIS_ERR_MAX];
    size_t i, j, n;
    int rc = -1;

    (void)state;
    for (i = 0; i < NELEM(jsm_rows); i++) {
        const struct jsm_row *w = &jsm_rows[i];

        for (j = 0; j < NELEM(ans); j++) {
            ans[j].status = w->status;
            ans[j].body = w->status == 200 ? "{\"id\":\"n1\",\"note\":\"x\"}" :
                "{\"result\":\"ok\",\"requestId\":\"r1\",\"took\":0.1}";
            ans[j].transport = 0;
        }
        fake_init(&k, ans, NELEM(ans));
        assert_int_equal(resolve(JSM_ENV, &a, &t, err, sizeof(err)), 0);
        assert_ptr_equal(t.sys, &ticketsys_jsm);
        assert_string_equal(a.id_key, "tinyId");
        assert_string_equal(a.id, "7");
        assert_string_equal(t.id, "a-1");
        switch (w->op) {
        case OP_MARK_REM:
        case OP_MARK_INV:
            rc = ticket_mark(&k.f, &t, w->op == OP_MARK_REM ?
                TICKET_QUEUE_REMEDIATION : TICKET_QUEUE_INVESTIGATION,
                w->team, "why", &o);
            break;
        case OP_ROUTE:
            rc = ticket_route(&k.f, &t, w->team, &o);
            break;
        case OP_NOTE:
            rc = ticket_note(&k.f, &t, "text J1", "J1", &o);
            break;
        }
        if (rc != 0)
            fail_msg("%s: %s", w->what, o.err);
        for (n = 0; n < 3 && w->want[n] != NULL; n++)
            continue;
        assert_int_equal(k.ncalls, n);
        for (j = 0; j < n; j++) {
            assert_string_equal(k.calls[j].method, "POST");
            if (strcmp(k.calls[j].url, w->want[j]) != 0)
                fail_msg("%s: call %zu: %s", w->what, j, k.calls[j].url);
            assert_string_equal(k.calls[j].hdrs, "Authorization: Basic "
                "b3BzOnRva2Vu\n");
            if (w->want_body[j] != NULL &&
                strstr(k.calls[j].body, w->want_body[j]) == NULL)
                fail_msg("%s: body %zu: %s", w->what, j, k.calls[j].body);
        }
        assert_true(ticket_can_route(&t));
        alert_cleanup(&a);
        fake_free(&k);
    }
}

/* The alert's state, a note found after a timeout, the webhook id, the
 * envelope's id and the details alias. */
static void
test_jsm_reads(void **state)
{
    static const struct answer st_open[] = { { 200, "{\"status\":\"acked\"}",
        0 } };
    static const struct answer st_res[] = { { 200,
        "{\"status\":\"resolved\"}", 0 } };
    static const struct answer dup[] = { TIMEOUT, { 200, "{\"values\":["
        "{\"note\":\"Alexis remediation succeeded: job J1\"}]}", 0 } };
    static const char *const keys[] = { "details", "host" };
    struct ticket_outcome o;
    struct ticket_ref t;
    struct alert a;
    struct fake k;
    char err[ALEXIS_ERR_MAX], id[64];
    cJSON *p;

    (void)state;
    assert_int_equal(resolve(JSM_ENV, &a, &t, err, sizeof(err)), 0);
    fake_init(&k, st_open, 1);
    assert_int_equal(ticket_state(&k.f, &t, err, sizeof(err)),
        TICKET_STATE_OPEN);
    assert_string_equal(k.calls[0].url, JSM_ALERTS);
    fake_free(&k);
    fake_init(&k, st_res, 1);
    assert_int_equal(ticket_state(&k.f, &t, err, sizeof(err)),
        TICKET_STATE_CLOSED);
    fake_free(&k);
    fake_init(&k, dup, NELEM(dup));
    assert_int_equal(ticket_note(&k.f, &t, "Alexis remediation succeeded: "
        "job J1", "J1", &o), 0);
    assert_true(o.found);
    assert_int_equal(k.ncalls, 2);
    assert_string_equal(k.calls[1].url, JSM_ALERTS "/notes?size=100");
    fake_free(&k);
    /* Rules written for OpsGenie: details.X is extraProperties.X. */
    assert_string_equal(alert_lookup(&a, "details.host")->valuestring,
        "db01");
    assert_string_equal(alert_path_list(a.doc, keys, 2)->valuestring, "db01");
    assert_null(alert_lookup(&a, "details.nope"));
    alert_cleanup(&a);
    /* Not for OpsGenie alerts, which have their own details. */
    assert_int_equal(resolve(OG_ENV(""), &a, &t, err, sizeof(err)), 0);
    assert_null(alert_lookup(&a, "extraProperties"));
    alert_cleanup(&a);
    p = cJSON_Parse("{\"action\":\"Create\",\"alert\":{\"alertId\":"
        "\"a-1\",\"tinyId\":\"7\"}}");
    assert_int_equal(ticketsys_jsm.webhook_id(p, id, sizeof(id), err,
        sizeof(err)), 0);
    assert_string_equal(id, "a-1");
    cJSON_Delete(p);
    p = cJSON_Parse("{\"alert\":{\"tinyId\":\"7\"}}");
    assert_int_equal(ticketsys_jsm.webhook_id(p, id, sizeof(id), err,
        sizeof(err)), -1);
    assert_string_equal(err, "missing field alert.alertId");
    cJSON_Delete(p);
    p = cJSON_Parse("{\"tinyId\":\"7\",\"alexis\":{\"feed_type\":\"jsm\","
        "\"unique_value\":\"7\"}}");
    assert_int_equal(alert_from_json(&a, p, err, sizeof(err)), -1);
    assert_string_equal(err, "missing field id (the JSM alert id)");
    alert_cleanup(&a);
}

/* A text over JSM's 25,000 characters becomes several notes, each under
 * the limit and headed with the job and its part; together they hold the
 * whole text. OpsGenie's stays one note, cut. */
static void
test_jsm_split(void **state)
{
    struct answer ans[] = { { 200, "{}", 0 }, { 200, "{}", 0 },
        { 200, "{}", 0 }, { 200, "{}", 0 } };
    struct ticket_outcome o;
    struct ticket_ref t;
    struct alert a;
    struct fake k;
    struct buf text, joined;
    char err[ALEXIS_ERR_MAX], head[64];
    const char *note, *nl;
    cJSON *body;
    size_t i, len = 60000;

    (void)state;
    buf_init(&text, len + 1);
    for (i = 0; i < len; i++)
        assert_int_equal(buf_append(&text, i % 80 == 79 ? "\n" :
            &"abcdefghij"[i % 10], 1), 0);
    fake_init(&k, ans, NELEM(ans));
    assert_int_equal(resolve(JSM_ENV, &a, &t, err, sizeof(err)), 0);
    assert_int_equal(ticket_note_capacity(&t, 24000), (25000 - 128) * 4);
    assert_int_equal(ticket_note(&k.f, &t, text.data, "J1", &o), 0);
    assert_int_equal(k.ncalls, 3);
    buf_init(&joined, len + 1);
    for (i = 0; i < k.ncalls; i++) {
        body = cJSON_Parse(k.calls[i].body);
        note = json_str(body, "note");
        assert_true(strlen(note) <= JSM_NOTE_MAX);
        snprintf(head, sizeof(head), "[Alexis job J1, part %zu/3]\n", i + 1);
        assert_memory_equal(note, head, strlen(head));
        nl = note + strlen(head);
        assert_int_equal(buf_appends(&joined, nl), 0);
        cJSON_Delete(body);
    }
    assert_string_equal(joined.data, text.data);
    buf_free(&joined);
    alert_cleanup(&a);
    fake_free(&k);
    /* OpsGenie: one note, cut. */
    fake_init(&k, ans, NELEM(ans));
    assert_int_equal(resolve(OG_ENV(""), &a, &t, err, sizeof(err)), 0);
    assert_int_equal(ticket_note_capacity(&t, 24000), 24000);
    assert_int_equal(ticket_note(&k.f, &t, text.data, "J1", &o), 0);
    assert_int_equal(k.ncalls, 1);
    alert_cleanup(&a);
    fake_free(&k);
    buf_free(&text);
}

/* ---- What a refusal says, and answers that are not refusals ---- */

/* The API's own reason, as each system words it, cut to 160 bytes. */
static void
test_api_reason(void **state)
{
    static const struct {
        const char *body, *want;
    } rows[] = {
        { "{\"message\":\"Alert does not exist\",\"code\":\"40401\"}",
          "Alert does not exist (40401)" },                 /* OpsGenie */
        { "{\"message\":\"Bad team\"}", "Bad team" },
        { "{\"error\":{\"code\":400,\"message\":\"Invalid problem\"}}",
          "Invalid problem" },                              /* Dynatrace */
        { "{\"errors\":[{\"title\":\"Forbidden\",\"code\":\"403\"}]}",
          "Forbidden (403)" },                              /* JSM */
        { "{\"errors\":[]}", "{\"errors\":[]}" },
        { "Service Unavailable", "Service Unavailable" },   /* not JSON */
        { "", "" },
    };
    char out[512], long_msg[400], body[512];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        ticket_api_reason(rows[i].body, strlen(rows[i].body), out,
            sizeof(out));
        if (strcmp(out, rows[i].want) != 0)
            fail_msg("row %zu: \"%s\", want \"%s\"", i, out, rows[i].want);
    }
    ticket_api_reason(NULL, 0, out, sizeof(out));
    assert_string_equal(out, "");
    memset(long_msg, 'x', sizeof(long_msg) - 1);
    long_msg[sizeof(long_msg) - 1] = '\0';
    snprintf(body, sizeof(body), "{\"message\":\"%s\"}", long_msg);
    ticket_api_reason(body, strlen(body), out, sizeof(out));
    assert_int_equal(strlen(out), 160);
}

/* Which credentials: an entry without a base_url is refused; a mark's
 * outcome when the API never answers (status 0, the transport's reason,
 * one attempt) and when it refuses (status, the API's reason, the
 * requestId). */
static void
test_outcomes(void **state)
{
    static const struct answer none[] = { { 0, NULL, 1 } };
    static const struct answer refused[] = { { 403,
        "{\"message\":\"Forbidden\",\"requestId\":\"rq-9\"}", 0 } };
    struct cfg_auth bare = { .name = (char *)(uintptr_t)"bare",
        .type = (char *)(uintptr_t)"dynatrace" };
    struct ticket_outcome o;
    struct ticket_ref t;
    struct alert a;
    struct fake k;
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;

    (void)state;
    doc = cJSON_Parse(DT2_ENV);
    assert_int_equal(alert_from_json(&a, doc, err, sizeof(err)), 0);
    assert_int_equal(ticket_resolve(&t, &a, &bare, 1, err, sizeof(err)), -1);
    assert_string_equal(err, "authentication bare has no base_url");
    alert_cleanup(&a);

    assert_int_equal(resolve(OG_ENV(""), &a, &t, err, sizeof(err)), 0);
    memset(&o, 0, sizeof(o));
    fake_init(&k, none, NELEM(none));
    assert_int_equal(ticket_mark(&k.f, &t, TICKET_QUEUE_REMEDIATION, "Q",
        "why", &o), -1);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.attempts, 1);
    assert_string_equal(o.err, "Operation timed out");
    fake_free(&k);
    memset(&o, 0, sizeof(o));
    fake_init(&k, refused, NELEM(refused));
    assert_int_equal(ticket_mark(&k.f, &t, TICKET_QUEUE_INVESTIGATION, "Q",
        "why", &o), -1);
    assert_int_equal(o.status, 403);
    assert_string_equal(o.err, "HTTP 403 from ticket API: Forbidden");
    assert_string_equal(o.request_id, "rq-9");
    fake_free(&k);
    alert_cleanup(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_writes),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_note_limit),
        cmocka_unit_test(test_duplicate_notes),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_webhook_id),
        cmocka_unit_test(test_jsm_writes),
        cmocka_unit_test(test_jsm_reads),
        cmocka_unit_test(test_jsm_split),
        cmocka_unit_test(test_api_reason),
        cmocka_unit_test(test_outcomes),
    };

    log_init("test", LOG_ERROR, 2);
    json_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
