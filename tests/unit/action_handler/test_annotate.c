/*
 * A finished job's ticket report (annotate.c) through the fetcher seam
 * with a fake ticket API, as a table: job state x ticket system x the
 * API's answers -> the requests made (method, URL, credentials, a
 * fragment of the body) and the report outcome stored with the job (sent
 * or failed, its error, its attempts). Covers: the ticket read back
 * first and nothing written to one the account does not have (404); a
 * read-back that fails lets the report go on; the note, then the rule's
 * route_to_team (OpsGenie only); a refused note or team; Dynatrace
 * comments; a guardrail-stopped job's note going to the investigation
 * queue; no credentials for the feed type; and annotate_note.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../common/fake_fetcher.h"
#include "ah_conf.h"
#include "ah_testutil.h"
#include "alexis_limits.h"
#include "annotate.h"
#include "jobs.h"
#include "jobs_guard.h"
#include "jobs_json.h"
#include "json.h"
#include "log.h"

#define RULE(extra) AH_RULE("\"h1\"", AH_TASK("t0", ""), extra)
#define OG_ENV AH_OG_ENV
#define DT_ENV "{\"problemId\":\"P2\",\"title\":\"m\",\"alexis\":{" \
    "\"feed_type\":\"dynatrace\",\"unique_value\":\"P2\"}}"

#define OG_ALERT "http://og/v2/alerts/u-1"
#define OPEN    { 200, "{\"data\":{\"status\":\"open\"}}", 0 }
#define GONE    { 404, "{\"message\":\"Alert does not exist\"}", 0 }
#define OK      { 202, "{\"result\":\"Request will be processed\"}", 0 }
#define REFUSED { 422, "{\"message\":\"bad request\"}", 0 }
#define NOANSWER { 0, NULL, 1 }

struct want_call {
    const char *method, *url, *body;    /* body: a fragment */
};

struct row {
    const char         *what;
    const char         *env;
    const char         *rule;
    const char         *state;      /* the job's final state */
    bool                no_auth;
    struct answer       script[4];
    size_t              nscript;
    struct want_call    calls[4];
    size_t              ncalls;
    bool                want_sent;
    const char         *want_error;     /* fragment; NULL: none */
    int                 want_attempts;
};

static const struct row rows[] = {
    { "og: read back, note, then route_to_team",
      OG_ENV, RULE(",\"route_to_team\":\"payments\""), "succeeded", false,
      { OPEN, OK, OK }, 3,
      { { "GET", OG_ALERT "?identifierType=id", NULL },
        { "POST", OG_ALERT "/notes?identifierType=id", "succeeded" },
        { "POST", OG_ALERT "/teams?identifierType=id",
          "\"team\":{\"name\":\"payments\"}" } }, 3, true, NULL, 2 },
    { "og without route_to_team: the note only",
      OG_ENV, RULE(""), "failed", false, { OPEN, OK }, 2,
      { { "GET", OG_ALERT "?identifierType=id", NULL },
        { "POST", OG_ALERT "/notes?identifierType=id", "failed" } }, 2,
      true, NULL, 1 },
    { "og ticket not in the account (404): nothing written",
      OG_ENV, RULE(",\"route_to_team\":\"payments\""), "succeeded", false,
      { GONE }, 1, { { "GET", OG_ALERT "?identifierType=id", NULL } }, 1,
      false, "ticket u-1 does not exist in authentication og", 0 },
    { "og read-back unanswered: the report goes on",
      OG_ENV, RULE(""), "succeeded", false, { NOANSWER, OK }, 2,
      { { "GET", OG_ALERT "?identifierType=id", NULL },
        { "POST", OG_ALERT "/notes?identifierType=id", NULL } }, 2, true,
      NULL, 1 },
    { "og note refused: no team, report failed",
      OG_ENV, RULE(",\"route_to_team\":\"payments\""), "succeeded", false,
      { OPEN, REFUSED }, 2,
      { { "GET", OG_ALERT "?identifierType=id", NULL },
        { "POST", OG_ALERT "/notes?identifierType=id", NULL } }, 2, false,
      "note: HTTP 422", 1 },
    { "og team refused: report failed",
      OG_ENV, RULE(",\"route_to_team\":\"payments\""), "succeeded", false,
      { OPEN, OK, REFUSED }, 3,
      { { "GET", OG_ALERT "?identifierType=id", NULL },
        { "POST", OG_ALERT "/notes?identifierType=id", NULL },
        { "POST", OG_ALERT "/teams?identifierType=id", NULL } }, 3, false,
      "add team payments: HTTP 422", 2 },
    { "dynatrace v2: a comment, never a team",
      DT_ENV, RULE(",\"route_to_team\":\"payments\""), "partial", false,
      { { 200, "{\"status\":\"OPEN\"}", 0 }, { 201, "{}", 0 } }, 2,
      { { "GET", "http://dt/api/v2/problems/P2", NULL },
        { "POST", "http://dt/api/v2/problems/P2/comments",
          "\"context\":\"Alexis\"" } }, 2, true, NULL, 1 },
    { "guardrail skip: the note, then the investigation queue",
      OG_ENV, RULE(",\"route_to_team\":\"payments\""), "skipped", false,
      { OPEN, OK, OK }, 3,
      { { "GET", OG_ALERT "?identifierType=id", NULL },
        { "POST", OG_ALERT "/notes?identifierType=id", NULL },
        { "POST", OG_ALERT "/teams?identifierType=id",
          "\"team\":{\"name\":\"Investigate\"}" } }, 3, true, NULL, 2 },
    { "no credentials for the feed type: nothing sent",
      OG_ENV, RULE(""), "succeeded", true, { OPEN }, 0, { { NULL } }, 0,
      false, "opsgenie", 0 },
};

static char og_key[] = "Authorization: GenieKey k";
static char *og_lines[] = { og_key };
static char dt_key[] = "Authorization: Api-Token d";
static char *dt_lines[] = { dt_key };
static struct cfg_auth auths[] = {
    { .name = (char *)(uintptr_t)"og", .type = (char *)(uintptr_t)"opsgenie",
      .base_url = (char *)(uintptr_t)"http://og", .header_lines = og_lines,
      .nheader_lines = 1 },
    { .name = (char *)(uintptr_t)"dt", .type = (char *)(uintptr_t)"dynatrace",
      .base_url = (char *)(uintptr_t)"http://dt", .header_lines = dt_lines,
      .nheader_lines = 1 },
};

struct fx {
    struct ah_fx    ah;
    struct jobs    *js;
    struct ah_conf  conf;
};

static void
fx_open(struct fx *f)
{
    ah_fx_open(&f->ah, NULL);
    f->js = f->ah.js;
    memset(&f->conf, 0, sizeof(f->conf));
    f->conf.auth = auths;
    f->conf.nauth = NELEM(auths);
    f->conf.investigation_queue = (char *)(uintptr_t)"Investigate";
}

/* A job of rule and envelope env that ended in state, with one result
 * row when it ran, claimed for its report into j. */
static void
finished_job(struct fx *f, const char *env, const char *rule,
    const char *state, struct job *j)
{
    static const char *const queued[] = { "queued", NULL };
    struct job_result res = { .task = 0, .entity = "h1",
        .action = "restart", .state = "succeeded", .outcome = "ok",
        .exit_status = 0, .signal = "", .out = "done", .out_len = 4,
        .err = "", .error = "" };
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX], cur[JOB_STATE_MAX];

    ah_queue_job(&f->ah, env, rule, id);
    if (strcmp(state, "skipped") == 0) {
        assert_int_equal(jobs_guard_transition(f->js, id, queued, state,
            "alert_closed", NULL, cur, err, sizeof(err)), 1);
    } else {
        assert_int_equal(jobs_claim(f->js, j, err, sizeof(err)), 1);
        jobs_job_free(j);
        assert_int_equal(jobs_result_add(f->js, id, &res, err,
            sizeof(err)), 0);
        assert_int_equal(jobs_finish(f->js, id, state, NULL, err,
            sizeof(err)), 0);
    }
    assert_int_equal(jobs_claim_report(f->js, j, err, sizeof(err)), 1);
    assert_string_equal(j->id, id);
    assert_string_equal(j->state, state);
}

static void
run_row(struct fx *f, const struct row *r)
{
    struct fake k;
    struct job j;
    cJSON *doc, *rep;
    const char *e;
    char err[ALEXIS_ERR_MAX];
    size_t i;

    finished_job(f, r->env, r->rule, r->state, &j);
    f->conf.nauth = r->no_auth ? 0 : NELEM(auths);
    fake_init(&k, r->script, r->nscript);

    annotate_job(&f->conf, f->js, &k.f, &j);

    if (k.ncalls != r->ncalls)
        fail_msg("%s: %zu requests, want %zu", r->what, k.ncalls,
            r->ncalls);
    for (i = 0; i < r->ncalls; i++) {
        assert_string_equal(k.calls[i].method, r->calls[i].method);
        assert_string_equal(k.calls[i].url, r->calls[i].url);
        /* Only our configured credentials, for the alert's system. */
        assert_non_null(strstr(k.calls[i].hdrs,
            strstr(r->env, "opsgenie") != NULL ? og_key : dt_key));
        if (r->calls[i].body != NULL && (k.calls[i].body == NULL ||
            strstr(k.calls[i].body, r->calls[i].body) == NULL))
            fail_msg("%s: request %zu body \"%s\" lacks \"%s\"", r->what, i,
                k.calls[i].body != NULL ? k.calls[i].body : "(none)",
                r->calls[i].body);
    }
    /* A note names its job: found rather than sent twice (ticket.c). */
    if (r->ncalls >= 2)
        assert_non_null(strstr(k.calls[1].body, j.id));
    assert_non_null(doc = jobs_json_get(f->js, j.id, err, sizeof(err)));
    rep = cJSON_GetObjectItem(doc, "report");
    assert_string_equal(json_str(rep, "state"), r->want_sent ? "sent" :
        "failed");
    e = json_str(rep, "error");
    if (r->want_error != NULL && (e == NULL || strstr(e, r->want_error) ==
        NULL))
        fail_msg("%s: report error \"%s\" lacks \"%s\"", r->what,
            e != NULL ? e : "(none)", r->want_error);
    assert_int_equal((int)cJSON_GetObjectItem(rep, "attempts")->valuedouble,
        r->want_attempts);
    cJSON_Delete(doc);
    fake_free(&k);
    jobs_job_free(&j);
}

static void
test_report(void **state)
{
    struct fx f;
    size_t i;

    (void)state;
    fx_open(&f);
    for (i = 0; i < NELEM(rows); i++)
        run_row(&f, &rows[i]);
    ah_fx_close(&f.ah);
}

/* annotate_note: one note; with investigate, then the investigation
 * queue; a refused note stops there. */
static void
test_note(void **state)
{
    static const struct answer ok2[] = { OK, OK }, refused[] = { REFUSED };
    struct job j;
    struct fake k;
    struct fx f;
    char err[ALEXIS_ERR_MAX] = "";

    (void)state;
    fx_open(&f);
    finished_job(&f, OG_ENV, RULE(""), "succeeded", &j);
    fake_init(&k, ok2, NELEM(ok2));
    assert_int_equal(annotate_note(&f.conf, &k.f, &j, "verified", true, err,
        sizeof(err)), 0);
    assert_int_equal(k.ncalls, 2);
    assert_string_equal(k.calls[0].url, OG_ALERT "/notes?identifierType=id");
    assert_non_null(strstr(k.calls[0].body, "\"note\":\"verified\""));
    assert_string_equal(k.calls[1].url, OG_ALERT "/teams?identifierType=id");
    assert_non_null(strstr(k.calls[1].body, "Investigate"));
    fake_free(&k);
    fake_init(&k, ok2, NELEM(ok2));
    assert_int_equal(annotate_note(&f.conf, &k.f, &j, "verified", false,
        err, sizeof(err)), 0);
    assert_int_equal(k.ncalls, 1);
    fake_free(&k);
    fake_init(&k, refused, NELEM(refused));
    assert_int_equal(annotate_note(&f.conf, &k.f, &j, "x", true, err,
        sizeof(err)), -1);
    assert_int_equal(k.ncalls, 1);
    assert_non_null(strstr(err, "note: HTTP 422"));
    fake_free(&k);
    jobs_job_free(&j);
    ah_fx_close(&f.ah);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_note),
    };

    return ah_test_main("annotate", tests, NELEM(tests));
}
