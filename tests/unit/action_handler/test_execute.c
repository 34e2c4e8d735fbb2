/*
 * Running a claimed job (execute.c) through the execute_ssh_fn seam with a
 * fake SSH, as a table: rule (entities, tasks, on_failure, recheck,
 * timeouts, delays) x what each command does -> which commands ran on
 * which hosts in which order, with which timeout; the (task, entity) rows
 * stored with their states (succeeded, failed, skipped, dry_run); and the
 * job's final state and reason (succeeded, partial, failed, interrupted,
 * skipped). Covers on_failure stop and continue, command timeouts and
 * signals, development dry runs, entities refused before any connection
 * (known_hosts, max_entities), a stop before the first task, the recheck
 * of a closed alert, delay_after between tasks, and the fan-out staying
 * within conf.parallel.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ah_conf.h"
#include "ah_testutil.h"
#include "alexis_limits.h"
#include "buf.h"
#include "execute.h"
#include "jobs.h"
#include "jobs_json.h"
#include "json.h"
#include "log.h"
#include "ssh.h"
#include "xmem.h"

#define TASK AH_TASK
#define RULE AH_RULE

/* What one command does on one host ("t0@h2:22"); the rest succeed. */
struct effect {
    const char         *call;
    enum ssh_outcome    outcome;
    int                 exit_status;
    const char         *signal;
};

struct row {
    const char         *what;
    const char         *rule;
    long long           parallel;
    bool                development, stopping;
    enum guard_alert_state alert;   /* what the recheck reads */
    struct effect       effects[3];
    const char         *want_calls;     /* in order; NULL: any order */
    unsigned            want_timeout;   /* command_timeout_ms of each */
    /* "task entity state outcome exit" per row, ';'-separated */
    const char         *want_rows;
    const char         *want_state;
    const char         *want_reason;    /* a fragment; NULL: none */
    uint64_t            want_slept;     /* delay_after asked, in total */
};

static const struct row rows[] = {
    { "every run succeeds, task by task",
      RULE("\"h1\",\"h2\"", TASK("t0", "") "," TASK("t1", ""), ""), 1,
      false, false, GUARD_ALERT_OPEN, { { NULL, 0, 0, NULL } },
      "t0@h1:22 t0@h2:22 t1@h1:22 t1@h2:22", 60000,
      "0 h1 succeeded ok 0;0 h2 succeeded ok 0;1 h1 succeeded ok 0;"
      "1 h2 succeeded ok 0", "succeeded", NULL, 0 },
    { "on_failure stop (default): later tasks skip the failed entity",
      RULE("\"h1\",\"h2\"", TASK("t0", "") "," TASK("t1", ""), ""), 1,
      false, false, GUARD_ALERT_OPEN,
      { { "t0@h2:22", SSH_OK, 1, NULL } },
      "t0@h1:22 t0@h2:22 t1@h1:22", 60000,
      "0 h1 succeeded ok 0;0 h2 failed ok 1;1 h1 succeeded ok 0;"
      "1 h2 skipped not_run -1", "partial",
      "1 of 3 entity runs failed", 0 },
    { "on_failure continue: later tasks still run",
      RULE("\"h1\",\"h2\"", TASK("t0", "") "," TASK("t1", ""),
      ",\"on_failure\":\"continue\""), 1, false, false, GUARD_ALERT_OPEN,
      { { "t0@h2:22", SSH_OK, 1, NULL } },
      "t0@h1:22 t0@h2:22 t1@h1:22 t1@h2:22", 60000,
      "0 h1 succeeded ok 0;0 h2 failed ok 1;1 h1 succeeded ok 0;"
      "1 h2 succeeded ok 0", "partial", "1 of 4 entity runs failed", 0 },
    { "every run fails: failed",
      RULE("\"h1\"", TASK("t0", ""), ""), 1, false, false,
      GUARD_ALERT_OPEN, { { "t0@h1:22", SSH_CONNECT_FAILED, -1, NULL } },
      "t0@h1:22", 60000, "0 h1 failed connect_failed -1", "failed",
      "1 of 1 entity runs failed", 0 },
    { "command timeout from the task, and a signal",
      RULE("\"h1\",\"h2:2222\"", TASK("t0", ",\"timeout\":\"5s\""), ""), 1,
      false, false, GUARD_ALERT_OPEN,
      { { "t0@h1:22", SSH_COMMAND_TIMEOUT, -1, NULL },
        { "t0@h2:2222", SSH_OK, -1, "KILL" } },
      "t0@h1:22 t0@h2:2222", 5000,
      "0 h1 failed timeout -1;0 h2:2222 failed ok -1", "failed",
      "2 of 2 entity runs failed", 0 },
    { "exit 0 but a signal is a failure",
      RULE("\"h1\"", TASK("t0", ""), ""), 1, false, false,
      GUARD_ALERT_OPEN, { { "t0@h1:22", SSH_OK, 0, "TERM" } },
      "t0@h1:22", 60000, "0 h1 failed ok 0", "failed", NULL, 0 },
    { "development: a dry run, nothing connects",
      RULE("\"h1\",\"unlisted\"", TASK("t0", ""), ""), 1, true, false,
      GUARD_ALERT_OPEN, { { NULL, 0, 0, NULL } }, "", 0,
      "0 h1 dry_run dry_run -1;0 unlisted dry_run dry_run -1", "succeeded",
      "development mode: dry run", 0 },
    { "an entity known_hosts lacks: refused before connecting",
      RULE("\"h1\",\"unlisted\"", TASK("t0", ""), ""), 1, false, false,
      GUARD_ALERT_OPEN, { { NULL, 0, 0, NULL } }, "", 0, "", "failed",
      "entity unlisted has no entry in known_hosts", 0 },
    { "more entities than max_entities",
      RULE("\"h1\",\"h2\",\"h3\",\"h4\"", TASK("t0", ""), ""), 1, false,
      false, GUARD_ALERT_OPEN, { { NULL, 0, 0, NULL } }, "", 0, "",
      "failed", "4 entities, more than max_entities (3)", 0 },
    { "stopping before the first task: interrupted",
      RULE("\"h1\"", TASK("t0", ""), ""), 1, false, true,
      GUARD_ALERT_OPEN, { { NULL, 0, 0, NULL } }, "", 0, "",
      "interrupted", "(0 entity runs done)", 0 },
    { "recheck finds the alert closed: skipped",
      RULE("\"h1\"", TASK("t0", ""), ""), 1, false, false,
      GUARD_ALERT_CLOSED, { { NULL, 0, 0, NULL } }, "", 0, "", "skipped",
      "alert_closed", 0 },
    { "recheck off: a closed alert still runs",
      RULE("\"h1\"", TASK("t0", ""), ",\"recheck\":false"), 1, false, false,
      GUARD_ALERT_CLOSED, { { NULL, 0, 0, NULL } }, "t0@h1:22", 60000,
      "0 h1 succeeded ok 0", "succeeded", NULL, 0 },
    { "an unreadable alert state lets the job go on",
      RULE("\"h1\"", TASK("t0", ""), ""), 1, false, false,
      GUARD_ALERT_UNKNOWN, { { NULL, 0, 0, NULL } }, "t0@h1:22", 60000,
      "0 h1 succeeded ok 0", "succeeded", NULL, 0 },
    { "delay_after between tasks, not after the last",
      RULE("\"h1\"", TASK("t0", ",\"delay_after\":\"2s\"") ","
      TASK("t1", ",\"delay_after\":\"7s\""), ""), 1, false, false,
      GUARD_ALERT_OPEN, { { NULL, 0, 0, NULL } }, "t0@h1:22 t1@h1:22",
      60000, "0 h1 succeeded ok 0;1 h1 succeeded ok 0", "succeeded", NULL,
      2000 },
    { "parallel: every entity once, tasks still in order",
      RULE("\"h1\",\"h2\",\"h3\"", TASK("t0", "") "," TASK("t1", ""),
      ",\"on_failure\":\"stop\""), 2, false, false, GUARD_ALERT_OPEN,
      { { "t0@h3:22", SSH_AUTH_FAILED, -1, NULL } }, NULL, 60000,
      "0 h1 succeeded ok 0;0 h2 succeeded ok 0;0 h3 failed auth_failed -1;"
      "1 h1 succeeded ok 0;1 h2 succeeded ok 0;1 h3 skipped not_run -1",
      "partial", "1 of 5 entity runs failed", 0 },
};

/* ---- The fakes ---- */

struct fake {
    pthread_mutex_t     lock;
    const struct row   *row;
    struct buf          calls;
    int                 active, most;
    int                 last_task;  /* to check task order */
    bool                order_ok;
    uint64_t            slept;
};

static struct fake fk = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int
fake_ssh(const char *host, int port, const struct ssh_opts *o,
    const char *command, struct ssh_result *res)
{
    char call[128];
    const struct effect *e;
    size_t i;

    snprintf(call, sizeof(call), "%s@%s:%d", command, host, port);
    pthread_mutex_lock(&fk.lock);
    if (++fk.active > fk.most)
        fk.most = fk.active;
    (void)!buf_appendf(&fk.calls, "%s%s", fk.calls.len > 0 ? " " : "",
        call);
    /* Every entity of task k runs before any of task k + 1. */
    if (command[1] - '0' < fk.last_task)
        fk.order_ok = false;
    fk.last_task = command[1] - '0';
    pthread_mutex_unlock(&fk.lock);
    assert_string_equal(o->user, "alexis");
    assert_int_equal(o->connect_timeout_ms, 3000);
    assert_int_equal(o->command_timeout_ms, fk.row->want_timeout);
    memset(res, 0, sizeof(*res));
    res->outcome = SSH_OK;
    res->out = xstrdup("out");
    res->out_len = 3;
    res->err = xstrdup("");
    res->duration_ms = 1;
    for (i = 0; i < NELEM(fk.row->effects); i++) {
        e = &fk.row->effects[i];
        if (e->call == NULL || strcmp(e->call, call) != 0)
            continue;
        res->outcome = e->outcome;
        res->exit_status = e->exit_status;
        if (e->signal != NULL)
            snprintf(res->signal, sizeof(res->signal), "%s", e->signal);
        if (e->outcome != SSH_OK)
            snprintf(res->error, sizeof(res->error), "%s went wrong",
                ssh_outcome_name(e->outcome));
    }
    pthread_mutex_lock(&fk.lock);
    fk.active--;
    pthread_mutex_unlock(&fk.lock);
    return res->outcome == SSH_OK ? 0 : -1;
}

static void
fake_sleep(void *arg, uint64_t ms)
{
    (void)arg;
    fk.slept += ms;
}

static enum guard_alert_state
fake_state(void *arg, const struct alert *a, char *err, size_t errlen)
{
    (void)arg;
    (void)a;
    if (fk.row->alert == GUARD_ALERT_UNKNOWN)
        snprintf(err, errlen, "ticket API unreachable");
    return fk.row->alert;
}

/* ---- The table ---- */

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The stored rows as "task entity state outcome exit;...", sorted: with
 * parallel > 1 the store keeps a task's rows in the order they finished. */
static char *
stored_rows(struct jobs *js, const char *id)
{
    struct job_row *rs;
    struct buf b;
    char err[ALEXIS_ERR_MAX], **v;
    size_t n, i;

    if (jobs_json_results(js, id, &rs, &n, err, sizeof(err)) == -1)
        fail_msg("jobs_json_results: %s", err);
    v = xcalloc(n + 1, sizeof(*v));
    for (i = 0; i < n; i++) {
        buf_init(&b, 64);
        (void)!buf_appendf(&b, "%d %s %s %s %d", rs[i].task, rs[i].entity,
            rs[i].state, rs[i].outcome, rs[i].exit_status);
        v[i] = buf_steal(&b);
        /* Every row names its task's action. */
        assert_string_equal(rs[i].action, rs[i].task == 0 ? "a_t0" : "a_t1");
    }
    jobs_json_rows_free(rs, n);
    qsort(v, n, sizeof(*v), cmp_str);
    buf_init(&b, 256);
    for (i = 0; i < n; i++) {
        (void)!buf_appendf(&b, "%s%s", i > 0 ? ";" : "", v[i]);
        free(v[i]);
    }
    free(v);
    (void)!buf_append(&b, "", 1);
    return buf_steal(&b);
}

static void
run_row(struct ah_fx *f, const struct row *r, struct ah_conf *conf)
{
    struct execute_env env;
    atomic_bool stopping;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX], *got;
    const char *reason;
    struct job j;
    cJSON *doc;

    conf->parallel = r->parallel;
    conf->development = r->development;
    atomic_init(&stopping, r->stopping);
    memset(&env, 0, sizeof(env));
    env.conf = conf;
    env.jobs = f->js;
    env.ssh = fake_ssh;
    env.stopping = &stopping;
    env.sleep_ms = fake_sleep;
    env.alert_state = fake_state;
    fk.row = r;
    fk.slept = 0;
    fk.most = 0;
    fk.last_task = 0;
    fk.order_ok = true;
    buf_init(&fk.calls, 256);
    ah_queue_job(f, AH_OG_ENV, r->rule, id);
    assert_int_equal(jobs_claim(f->js, &j, err, sizeof(err)), 1);
    assert_string_equal(j.id, id);

    execute_job(&env, &j);

    (void)!buf_append(&fk.calls, "", 1);
    if (r->want_calls != NULL && strcmp(fk.calls.data, r->want_calls) != 0)
        fail_msg("%s: calls \"%s\", want \"%s\"", r->what, fk.calls.data,
            r->want_calls);
    if (!fk.order_ok)
        fail_msg("%s: a task started before the one before it ended "
            "(%s)", r->what, fk.calls.data);
    if (fk.most > r->parallel)
        fail_msg("%s: %d commands at once, parallel %lld", r->what,
            fk.most, r->parallel);
    got = stored_rows(f->js, id);
    if (strcmp(got, r->want_rows) != 0)
        fail_msg("%s: rows \"%s\", want \"%s\"", r->what, got, r->want_rows);
    free(got);
    assert_non_null(doc = jobs_json_get(f->js, id, err, sizeof(err)));
    if (strcmp(json_str(doc, "state"), r->want_state) != 0)
        fail_msg("%s: state %s, want %s", r->what, json_str(doc, "state"),
            r->want_state);
    reason = json_str(doc, "reason");
    if (r->want_reason != NULL && (reason == NULL ||
        strstr(reason, r->want_reason) == NULL))
        fail_msg("%s: reason \"%s\" lacks \"%s\"", r->what,
            reason != NULL ? reason : "(none)", r->want_reason);
    if (fk.slept != r->want_slept)
        fail_msg("%s: slept %llu ms, want %llu", r->what,
            (unsigned long long)fk.slept,
            (unsigned long long)r->want_slept);
    cJSON_Delete(doc);
    jobs_job_free(&j);
    buf_free(&fk.calls);
}

static void
test_table(void **state)
{
    struct ah_conf conf;
    struct ah_fx f;
    size_t i;

    (void)state;
    ah_fx_open(&f, "h1,h2,h3,h4 " AH_KEY "\n[h2]:2222 " AH_KEY "\n");
    memset(&conf, 0, sizeof(conf));
    conf.ssh_user = (char *)(uintptr_t)"alexis";
    conf.known_hosts = f.known;
    conf.connect_timeout_ms = 3000;
    conf.command_timeout_ms = 60000;
    conf.output_max = 65536;
    conf.max_entities = 3;
    for (i = 0; i < NELEM(rows); i++)
        run_row(&f, &rows[i], &conf);
    ah_fx_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
    };

    return ah_test_main("execute", tests, NELEM(tests));
}
