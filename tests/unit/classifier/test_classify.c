/*
 * One classification through the classify_io seam (classify.c), as a
 * table: rules x the action handlers' answers -> which forwards were made
 * (to which destination, carrying which rule) and which ticket marks
 * (queue, queue name, note) followed, or none. Covers: no match ->
 * investigation; accepted -> remediation; refused (422), 503 and 413 ->
 * investigation with the reason; transient failures (500, no answer /
 * timeout) -> unmarked so the next poll retries; partial forwards (one
 * rule accepted, one not) -> remediation for the accepted one and
 * investigation for the rest; an os_type without a destination; dry runs
 * (development) sending nothing; a ticket without credentials left
 * unmarked. The outcome rules themselves are test_outcome's.
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

#include "alexis_limits.h"
#include "alert.h"
#include "classifier.h"
#include "classify.h"
#include "json.h"
#include "log.h"
#include "metrics.h"
#include "ruledir.h"
#include "clock.h"
#include "ticket.h"
#include "ticketsys.h"
#include "xmem.h"

#define MAX 4

/* ---- The fake io ---- */

struct answer {
    long        status;     /* 2xx: accepted; 0: no answer */
};

struct mark_call {
    enum ticket_queue   q;
    char               *queue, *note, *id;
    const char         *base_url;
};

struct fake {
    struct classify_io  io;
    const struct answer *answers;
    size_t              nforwards, nmarks;
    char               *dest[MAX], *rule[MAX], *alert_id[MAX];
    struct mark_call    marks[MAX];
    int                 mark_rc;
};

static int
fake_forward(void *arg, const char *dest, const char *body, size_t len,
    long *status, char *err, size_t errlen)
{
    struct fake *k = arg;
    cJSON *doc = cJSON_ParseWithLength(body, len);
    const struct answer *a;
    size_t i = k->nforwards++;

    assert_true(i < MAX);
    /* The envelope goes out with the matched rule spliced in. */
    assert_non_null(doc);
    k->dest[i] = xstrdup(dest);
    k->rule[i] = xstrdup(json_str(cJSON_GetObjectItem(doc, "rule"),
        "rule_name"));
    k->alert_id[i] = xstrdup(json_str(doc, "id"));
    cJSON_Delete(doc);
    a = &k->answers[i];
    *status = a->status;
    if (a->status >= 200 && a->status <= 299)
        return 0;
    if (a->status == 0)
        snprintf(err, errlen, "action handler %s: Timeout was reached",
            dest);
    else
        snprintf(err, errlen, "action handler %s answered HTTP %ld", dest,
            a->status);
    return -1;
}

static int
fake_mark(void *arg, const struct ticket_ref *t, enum ticket_queue q,
    const char *queue, const char *note, struct ticket_outcome *out)
{
    struct fake *k = arg;
    struct mark_call *m = &k->marks[k->nmarks++];

    assert_true(k->nmarks <= MAX);
    m->q = q;
    m->queue = xstrdup(queue);
    m->note = xstrdup(note);
    m->id = xstrdup(t->id);
    m->base_url = t->auth->base_url;
    out->status = k->mark_rc == 0 ? 202 : 422;
    out->attempts = 1;
    return k->mark_rc;
}

static void
fake_free(struct fake *k)
{
    size_t i;

    for (i = 0; i < k->nforwards; i++) {
        free(k->dest[i]);
        free(k->rule[i]);
        free(k->alert_id[i]);
    }
    for (i = 0; i < k->nmarks; i++) {
        free(k->marks[i].queue);
        free(k->marks[i].note);
        free(k->marks[i].id);
    }
}

/* ---- The table ---- */

struct rule_spec {
    const char *name;
    const char *os_type;
    const char *tag;        /* the alert must carry it to match */
};

struct want_mark {
    enum ticket_queue   q;
    const char         *note;   /* a fragment */
};

struct row {
    const char         *what;
    struct rule_spec    rules[MAX];     /* in file-name order */
    bool                development;
    bool                no_auth;        /* no credentials for the ticket */
    struct answer       answers[MAX];   /* per forward, in order */
    const char         *want_rules[MAX];    /* forwarded, in order */
    struct want_mark    want_marks[MAX];
    size_t              nmarks;
};

#define LINUX   "http://ah-linux/v1"
#define WIN     "http://ah-win/v1"

static const struct row rows[] = {
    { "no match: investigation",
      { { "r1", "linux", "absent" } }, false, false, { { 0 } }, { NULL },
      { { TICKET_QUEUE_INVESTIGATION,
          "no rule matched (1 rules checked); needs investigation" } }, 1 },
    { "accepted: remediation",
      { { "r1", "linux", "t1" } }, false, false, { { 202 } }, { "r1" },
      { { TICKET_QUEUE_REMEDIATION, "rule r1 matched; remediation "
          "accepted" } }, 1 },
    { "refused 422: investigation with the reason",
      { { "r1", "linux", "t1" } }, false, false, { { 422 } }, { "r1" },
      { { TICKET_QUEUE_INVESTIGATION, "1 of 1 matching rules could not be "
          "handed to the action handler; needs investigation.\n- rule r1: "
          "action handler " LINUX " answered HTTP 422" } }, 1 },
    { "503 after retries: investigation",
      { { "r1", "linux", "t1" } }, false, false, { { 503 } }, { "r1" },
      { { TICKET_QUEUE_INVESTIGATION, "HTTP 503" } }, 1 },
    { "413: investigation saying too large",
      { { "r1", "linux", "t1" } }, false, false, { { 413 } }, { "r1" },
      { { TICKET_QUEUE_INVESTIGATION, "- rule r1: the action handler "
          "refused the request as too large (HTTP 413, " } }, 1 },
    { "500: unmarked, the next poll retries",
      { { "r1", "linux", "t1" } }, false, false, { { 500 } }, { "r1" },
      { { 0, NULL } }, 0 },
    { "timeout (no answer): unmarked",
      { { "r1", "linux", "t1" } }, false, false, { { 0 } }, { "r1" },
      { { 0, NULL } }, 0 },
    { "two transient failures: unmarked",
      { { "r1", "linux", "t1" }, { "r2", "linux", "t2" } }, false, false,
      { { 0 }, { 502 } }, { "r1", "r2" }, { { 0, NULL } }, 0 },
    { "partial: one accepted, one refused",
      { { "r1", "linux", "t1" }, { "r2", "windows", "t2" } }, false, false,
      { { 202 }, { 422 } }, { "r1", "r2" },
      { { TICKET_QUEUE_REMEDIATION, "rule r1 matched" },
        { TICKET_QUEUE_INVESTIGATION, "1 of 2 matching rules could not be "
          "handed to the action handler; needs investigation.\n- rule r2: "
          "action handler " WIN " answered HTTP 422" } }, 2 },
    { "partial: one accepted, one transient (not hidden)",
      { { "r1", "linux", "t1" }, { "r2", "linux", "t2" } }, false, false,
      { { 500 }, { 202 } }, { "r1", "r2" },
      { { TICKET_QUEUE_REMEDIATION, "rule r2 matched" },
        { TICKET_QUEUE_INVESTIGATION, "1 of 2 matching rules" } }, 2 },
    { "two accepted, one not matching",
      { { "r1", "linux", "t1" }, { "r2", "linux", "absent" },
        { "r3", "windows", "t2" } }, false, false, { { 202 }, { 200 } },
      { "r1", "r3" },
      { { TICKET_QUEUE_REMEDIATION, "rule r1 matched" },
        { TICKET_QUEUE_REMEDIATION, "rule r3 matched" } }, 2 },
    { "os_type without a destination: no forward, investigation",
      { { "r1", "aix", "t1" } }, false, false, { { 0 } }, { NULL },
      { { TICKET_QUEUE_INVESTIGATION, "- rule r1: no "
          "action_handler_destinations entry for os_type aix" } }, 1 },
    { "development: nothing leaves",
      { { "r1", "linux", "t1" } }, true, false, { { 0 } }, { NULL },
      { { 0, NULL } }, 0 },
    { "no credentials for the ticket: forwarded, unmarked",
      { { "r1", "linux", "t1" } }, false, true, { { 202 } }, { "r1" },
      { { 0, NULL } }, 0 },
};

static const char env_text[] =
    "{\"id\":\"u-1\",\"tinyId\":\"12\",\"message\":\"disk full\","
    "\"tags\":[\"t1\",\"t2\"],\"alexis\":{\"feed_type\":\"opsgenie\","
    "\"unique_value\":\"12\"}}";

static char og_key[] = "Authorization: GenieKey k";
static char *og_lines[] = { og_key };
static struct cfg_auth auths[] = {
    { .name = (char *)(uintptr_t)"og", .type = (char *)(uintptr_t)"opsgenie",
      .base_url = (char *)(uintptr_t)"http://og", .header_lines = og_lines,
      .nheader_lines = 1 },
};
static struct cfg_strmap_entry dests[] = {
    { .key = (char *)(uintptr_t)"linux", .value = (char *)(uintptr_t)LINUX },
    { .key = (char *)(uintptr_t)"windows", .value = (char *)(uintptr_t)WIN },
};

static void
write_rule(const char *dir, size_t i, const struct rule_spec *s)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%zu_%s.json", dir, i, s->name);
    assert_non_null(f = fopen(path, "w"));
    fprintf(f, "{\"rule_name\":\"%s\",\"enabled\":\"true\","
        "\"os_type\":\"%s\",\"alert_feed\":\"opsgenie\","
        "\"evaluation_list\":[{\"evaluation\":{\"tags\":[\"%s\"],"
        "\"search_key\":\"message\",\"search_text\":\"disk\"}}],"
        "\"task_list\":[{\"task\":{\"task_type\":\"remote_ssh\","
        "\"run_command\":\"true\",\"action\":\"a\"}}],"
        "\"entity_type\":\"explicit\",\"entities\":[\"h\"]}\n", s->name,
        s->os_type, s->tag);
    fclose(f);
}

static void
clear_dir(const char *dir, const struct row *r)
{
    char path[512];
    size_t i;

    for (i = 0; i < MAX && r->rules[i].name != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%zu_%s.json", dir, i,
            r->rules[i].name);
        unlink(path);
    }
}

/* The destination of rule name's os_type. */
static const char *
dest_of(const struct row *r, const char *name)
{
    size_t i;

    for (i = 0; i < MAX && r->rules[i].name != NULL; i++)
        if (strcmp(r->rules[i].name, name) == 0)
            return strcmp(r->rules[i].os_type, "windows") == 0 ? WIN :
                LINUX;
    fail_msg("%s: rule %s was not in the table", r->what, name);
    return NULL;
}

static struct classify_job *
job_of(bool raw)
{
    struct classify_job *job = xcalloc(1, sizeof(*job));
    char err[ALEXIS_ERR_MAX];

    job->alert = xcalloc(1, sizeof(*job->alert));
    if (alert_from_json(job->alert, cJSON_Parse(env_text), err,
        sizeof(err)) == -1)
        fail_msg("envelope refused: %s", err);
    if (raw) {
        job->raw = xstrdup(env_text);
        job->raw_len = strlen(env_text);
    }
    job->received_us = clock_mono_us();
    return job;
}

/* c with the rules of r in dir and the test's configuration; k a fake
 * io answering r's forwards. */
static void
setup(struct classifier *c, struct fake *k, const char *dir,
    const struct row *r)
{
    size_t i;

    memset(c, 0, sizeof(*c));
    memset(k, 0, sizeof(*k));
    for (i = 0; i < MAX && r->rules[i].name != NULL; i++)
        write_rule(dir, i, &r->rules[i]);
    c->conf.destinations.items = dests;
    c->conf.destinations.n = NELEM(dests);
    c->conf.auth = auths;
    c->conf.nauth = r->no_auth ? 0 : NELEM(auths);
    c->conf.remediation_queue = (char *)(uintptr_t)"Remediate";
    c->conf.investigation_queue = (char *)(uintptr_t)"Investigate";
    c->conf.development = r->development;
    c->rules = ruledir_new(dir);
    k->answers = r->answers;
    k->io.forward = fake_forward;
    k->io.mark = fake_mark;
    k->io.arg = k;
}

static void
run_row(const struct row *r, const char *dir, bool raw)
{
    struct classifier c;
    struct fake k;
    size_t i, n;

    setup(&c, &k, dir, r);
    classify_run(&c, &k.io, job_of(raw));

    for (n = 0; n < MAX && r->want_rules[n] != NULL; n++)
        ;
    if (k.nforwards != n)
        fail_msg("%s: %zu forwards, want %zu", r->what, k.nforwards, n);
    for (i = 0; i < n; i++) {
        assert_string_equal(k.rule[i], r->want_rules[i]);
        assert_string_equal(k.alert_id[i], "u-1");
        assert_string_equal(k.dest[i], dest_of(r, k.rule[i]));
    }
    if (k.nmarks != r->nmarks)
        fail_msg("%s: %zu marks, want %zu", r->what, k.nmarks, r->nmarks);
    for (i = 0; i < r->nmarks; i++) {
        assert_int_equal(k.marks[i].q, r->want_marks[i].q);
        assert_string_equal(k.marks[i].queue, r->want_marks[i].q ==
            TICKET_QUEUE_REMEDIATION ? "Remediate" : "Investigate");
        assert_string_equal(k.marks[i].id, "u-1");
        assert_string_equal(k.marks[i].base_url, "http://og");
        if (strstr(k.marks[i].note, r->want_marks[i].note) == NULL)
            fail_msg("%s: mark %zu note \"%s\" lacks \"%s\"", r->what, i,
                k.marks[i].note, r->want_marks[i].note);
    }
    fake_free(&k);
    ruledir_free(c.rules);
    clear_dir(dir, r);
}

static void
test_table(void **state)
{
    char dir[] = "/tmp/alexis-test-classify-XXXXXX";
    size_t i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (i = 0; i < NELEM(rows); i++) {
        run_row(&rows[i], dir, false);
        /* The body as received, forwarded as is, decides the same. */
        run_row(&rows[i], dir, true);
    }
    rmdir(dir);
}

/* A mark the ticket API refused changes nothing else: the remediation of
 * the next rule is still forwarded and marked. */
static void
test_mark_refused(void **state)
{
    static const struct row r = { "mark refused",
      { { "r1", "linux", "t1" }, { "r2", "linux", "t2" } }, false, false,
      { { 202 }, { 202 } }, { "r1", "r2" },
      { { TICKET_QUEUE_REMEDIATION, "rule r1 matched" },
        { TICKET_QUEUE_REMEDIATION, "rule r2 matched" } }, 2 };
    char dir[] = "/tmp/alexis-test-classify-XXXXXX";
    struct classifier c;
    struct fake k;

    (void)state;
    assert_non_null(mkdtemp(dir));
    setup(&c, &k, dir, &r);
    k.mark_rc = -1;
    classify_run(&c, &k.io, job_of(false));
    assert_int_equal(k.nforwards, 2);
    assert_int_equal(k.nmarks, 2);
    assert_int_equal(k.marks[1].q, TICKET_QUEUE_REMEDIATION);
    fake_free(&k);
    ruledir_free(c.rules);
    clear_dir(dir, &r);
    rmdir(dir);
}

/* A rules directory that cannot be read: nothing is sent at all. */
static void
test_no_rules_dir(void **state)
{
    struct classifier c;
    struct fake k;

    (void)state;
    memset(&c, 0, sizeof(c));
    memset(&k, 0, sizeof(k));
    c.conf.auth = auths;
    c.conf.nauth = NELEM(auths);
    c.rules = ruledir_new("/nonexistent/alexis-rules");
    k.io.forward = fake_forward;
    k.io.mark = fake_mark;
    k.io.arg = &k;
    classify_run(&c, &k.io, job_of(false));
    assert_int_equal(k.nforwards, 0);
    assert_int_equal(k.nmarks, 0);
    ruledir_free(c.rules);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_mark_refused),
        cmocka_unit_test(test_no_rules_dir),
    };

    int fd = open("/dev/null", O_WRONLY), rc;

    /* Debug level: the reasons a rule did not match are formatted too. */
    log_init("test", LOG_DEBUG, fd);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    close(fd);
    return rc;
}
