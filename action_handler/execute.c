/*
 * Job execution (see execute.h). The command run on a host is the rule's
 * run_command verbatim, from the rule as stored with the job: alert content
 * never becomes part of it. Entities become a host and a port argument.
 */
#include "execute.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ah_conf.h"
#include "alert.h"
#include "alexis_limits.h"
#include "clock.h"
#include "entities.h"
#include "guard.h"
#include "jobs_defer.h"
#include "jobs_guard.h"
#include "log.h"
#include "metrics.h"
#include "rules.h"
#include "ssh_key.h"
#include "ssh_known.h"
#include "workq.h"
#include "xmem.h"

#define REASON_MAX  512

struct run {
    const struct execute_env   *env;
    const struct job           *job;
    struct alert                alert;
    struct rule                *rule;
    struct entity_list          ents;
    struct ssh_key             *key;        /* NULL: read per connection */
    size_t                      ok, bad;    /* result rows by success */
    bool                       *failed;     /* per entity (on_failure) */
    size_t                      deferred;   /* rows the store did not take */
    size_t                      stored;     /* output bytes kept so far */
    bool                        interrupted;
    pthread_mutex_t             lock;
};

/* One task's fan-out over the entities. */
struct task_run {
    struct run                 *run;
    const struct rule_task     *task;
    int                         index;
};

static const char *
id_key(const struct run *r)
{
    return r->job->id_key != NULL ? r->job->id_key : "alert_id";
}

static void
log_action(const struct run *r, const char *event, const struct rule_task *t,
    const struct entity *e, const char *status, int exit_status,
    uint64_t elapsed_ms)
{
    log_event(LOG_INFO, event, KV_STR("job", r->job->id),
        KV_STR(id_key(r), r->job->alert_id),
        KV_STR("rule_name", r->rule->name), KV_STR("entity", e->text),
        KV_STR("action", t->action), KV_STR("action_reason",
        t->action_reason), KV_STR("action_status", status),
        KV_INT("exit_status", exit_status),
        KV_UINT("app_elapsed_ms", elapsed_ms));
}

static void
log_result(const struct run *r, const struct rule_task *t,
    const struct entity *e, const struct ssh_result *res, const char *state)
{
    log_event(res->outcome == SSH_OK ? LOG_INFO : LOG_WARN, "ActionResult",
        KV_STR("job", r->job->id), KV_STR(id_key(r), r->job->alert_id),
        KV_STR("rule_name", r->rule->name), KV_STR("entity", e->text),
        KV_STR("action", t->action),
        KV_STR("action_reason", t->action_reason),
        KV_STR("action_status", state),
        KV_INT("exit_status", res->exit_status),
        KV_STR("signal", res->signal), KV_STR("outcome",
        r->env->conf->development ? "dry_run" :
        ssh_outcome_name(res->outcome)),
        KV_UINT("stdout_bytes", res->out_len),
        KV_UINT("stderr_bytes", res->err_len),
        KV_BOOL("truncated", res->out_truncated || res->err_truncated),
        KV_UINT("app_elapsed_ms", res->duration_ms), KV_ERR(res->error));
}

static void
ssh_opts_of(const struct run *r, const struct rule_task *t,
    struct ssh_opts *o)
{
    const struct ah_conf *c = r->env->conf;

    ssh_opts_init(o);
    o->user = c->ssh_user;
    o->key_path = c->ssh_key;
    o->key = r->key;
    o->passphrase = r->env->passphrase;
    o->known_hosts = c->known_hosts;
    o->connect_timeout_ms = (unsigned)c->connect_timeout_ms;
    o->command_timeout_ms = (unsigned)(t->timeout_ms != 0 ? t->timeout_ms :
        c->command_timeout_ms);
    o->output_max = (size_t)c->output_max;
}

/* What one job stores is bounded (issue 11): output_max per stream of a
 * result, and AH_JOB_OUTPUT_MAX over all its results; past it the rest
 * is cut (truncated). */
static void
clip_output(struct run *r, struct job_result *row)
{
    size_t room;

    pthread_mutex_lock(&r->lock);
    room = AH_JOB_OUTPUT_MAX - r->stored;
    if (row->out_len > room) {
        row->out_len = room;
        row->truncated = true;
    }
    room -= row->out_len;
    if (row->err_len > room) {
        row->err_len = room;
        row->truncated = true;
    }
    r->stored += row->out_len + row->err_len;
    pthread_mutex_unlock(&r->lock);
}

/* on_failure "stop": an earlier task failed on e, so this one does not
 * run; the row says so. */
static void
skip_one(struct task_run *tr, const struct entity *e)
{
    struct run *r = tr->run;
    struct job_result row;
    char err[ALEXIS_ERR_MAX];

    memset(&row, 0, sizeof(row));
    row.task = tr->index;
    row.entity = e->text;
    row.action = tr->task->action;
    row.state = "skipped";
    row.outcome = "not_run";
    row.exit_status = -1;
    row.signal = "";
    row.error = "not run: an earlier task failed on this entity "
        "(on_failure: stop)";
    if (jobs_result_add(r->env->jobs, r->job->id, &row, err,
        sizeof(err)) == -1)
        log_event(LOG_ERROR, "result_store_failed", KV_STR("job",
            r->job->id), KV_STR("entity", e->text), KV_ERR(err));
    log_action(r, "ActionSkipped", tr->task, e, "skipped", -1, 0);
}

/* Run (or, in development mode, pretend to run) task t on e. */
static void
run_one(struct task_run *tr, const struct entity *e)
{
    struct run *r = tr->run;
    const struct rule_task *t = tr->task;
    struct ssh_result res;
    struct ssh_opts o;
    struct job_result row;
    char err[ALEXIS_ERR_MAX];
    bool ok;

    memset(&res, 0, sizeof(res));
    res.exit_status = -1;
    if (r->failed[e - r->ents.items] && !r->rule->guard.on_failure_continue) {
        skip_one(tr, e);
        return;
    }
    log_action(r, "ActionStart", t, e, "started", -1, 0);
    if (r->env->conf->development) {
        snprintf(res.error, sizeof(res.error), "dry run (development "
            "mode): nothing was executed");
    } else {
        ssh_opts_of(r, t, &o);
        (void)r->env->ssh(e->host, e->port, &o, t->run_command, &res);
    }
    ok = !r->env->conf->development && res.outcome == SSH_OK &&
        res.exit_status == 0 && res.signal[0] == '\0';
    memset(&row, 0, sizeof(row));
    row.task = tr->index;
    row.entity = e->text;
    row.action = t->action;
    row.state = r->env->conf->development ? "dry_run" :
        ok ? "succeeded" : "failed";
    row.outcome = r->env->conf->development ? "dry_run" :
        ssh_outcome_name(res.outcome);
    row.exit_status = res.exit_status;
    row.signal = res.signal;
    row.duration_ms = res.duration_ms;
    row.out = res.out;
    row.out_len = res.out_len;
    row.err = res.err;
    row.err_len = res.err_len;
    row.truncated = res.out_truncated || res.err_truncated;
    row.error = res.error;
    clip_output(r, &row);
    if (jobs_result_add(r->env->jobs, r->job->id, &row, err,
        sizeof(err)) == -1) {
        /* Kept and written when the store is back (jobs_defer_flush). */
        log_event(LOG_ERROR, "result_store_failed", KV_STR("job",
            r->job->id), KV_STR("entity", e->text), KV_ERR(err),
            KV_STR("msg", "kept in memory until the job store is back"));
        jobs_defer_result(r->env->jobs, r->job->id, &row);
        pthread_mutex_lock(&r->lock);
        r->deferred++;
        pthread_mutex_unlock(&r->lock);
    }
    metrics_inc(METRIC_SSH_COMMANDS, row.outcome, NULL);
    log_result(r, t, e, &res, row.state);
    log_action(r, "ActionFinished", t, e, row.state, res.exit_status,
        res.duration_ms);
    pthread_mutex_lock(&r->lock);
    if (ok || r->env->conf->development)
        r->ok++;
    else
        r->bad++;
    if (!ok && !r->env->conf->development)
        r->failed[e - r->ents.items] = true;
    pthread_mutex_unlock(&r->lock);
    ssh_result_free(&res);
}

static void
task_item(void *arg, void *tls, size_t i)
{
    struct task_run *tr = arg;

    (void)tls;
    run_one(tr, &tr->run->ents.items[i]);
}

/* Run task index on every entity, at most conf->parallel at once (the
 * calling thread being one of the runners). */
static void
run_task(struct run *r, int index)
{
    struct task_run tr = { .run = r, .task = &r->rule->tasks[index],
        .index = index };

    workq_each(r->ents.n, (size_t)r->env->conf->parallel, task_item, &tr);
}

/*
 * Read the user key once for the whole job rather than once or twice per
 * connection (see ssh_key.h); a key replaced on disk takes effect with the
 * next job. When it cannot be read, every connection tries the file itself
 * and reports the error as its own result, as if nothing were cached.
 */
static void
load_key(struct run *r)
{
    char err[ALEXIS_ERR_MAX];

    if (r->env->conf->development || r->env->conf->ssh_key == NULL)
        return;
    r->key = ssh_key_load(r->env->conf->ssh_key, err, sizeof(err));
}

/*
 * Refuse, before any connection, an entity that known_hosts does not list
 * (issue 11): its host key could never be verified anyway, and trying
 * would let alert content probe which hosts and ports answer. Development
 * mode connects to nothing and checks nothing.
 */
static int
check_known(struct run *r, char *reason, size_t len)
{
    struct ssh_known_set *ks;
    char err[ALEXIS_ERR_PART_MAX];
    size_t i;
    int rc = 0;

    if (r->env->conf->development)
        return 0;
    if ((ks = ssh_known_open(r->env->conf->known_hosts, err,
        sizeof(err))) == NULL) {
        snprintf(reason, len, "cannot read known_hosts: %s; nothing was "
            "run", err);
        return -1;
    }
    for (i = 0; i < r->ents.n; i++) {
        if (!ssh_known_listed(ks, r->ents.items[i].host,
            r->ents.items[i].port)) {
            snprintf(reason, len, "entity %s has no entry in known_hosts: "
                "refused before connecting; nothing was run",
                r->ents.items[i].text);
            rc = -1;
            break;
        }
    }
    ssh_known_close(ks);
    return rc;
}

/* Parse what the job stored. -1 with the reason. */
static int
load(struct run *r, char *reason, size_t len)
{
    const struct job *j = r->job;
    cJSON *doc;

    if ((doc = cJSON_Parse(j->envelope)) == NULL) {
        snprintf(reason, len, "stored envelope does not parse");
        return -1;
    }
    if (alert_from_json(&r->alert, doc, reason, len) == -1)
        return -1;
    if ((r->rule = rules_parse(j->rule_json, strlen(j->rule_json),
        j->rule_name, reason, len)) == NULL)
        return -1;
    if (!r->env->conf->development && r->env->conf->known_hosts == NULL) {
        snprintf(reason, len, "known_hosts is not configured: refusing to "
            "connect to any host");
        return -1;
    }
    if (entities_resolve(r->rule, r->alert.doc, &r->ents, reason,
        len) == -1)
        return -1;
    if (r->ents.n > (size_t)r->env->conf->max_entities) {
        snprintf(reason, len, "%zu entities, more than max_entities (%lld): "
            "nothing was run", r->ents.n, r->env->conf->max_entities);
        return -1;
    }
    if (entities_check(&r->ents, r->env->conf->entity_allow,
        r->env->conf->nentity_allow, reason, len) == -1 ||
        check_known(r, reason, len) == -1)
        return -1;
    r->failed = xcalloc(r->ents.n == 0 ? 1 : r->ents.n, sizeof(*r->failed));
    load_key(r);
    return 0;
}

/* recheck: read the alert back right before the first command. True when
 * it is closed (the job is skipped); an alert that cannot be read lets the
 * job go on, logged. */
static bool
recheck_closed(struct run *r, char *reason, size_t len)
{
    enum guard_alert_state st;
    char err[ALEXIS_ERR_MAX] = "";

    if (!r->rule->guard.recheck || r->env->alert_state == NULL)
        return false;
    st = r->env->alert_state(r->env->alert_state_arg, &r->alert, err,
        sizeof(err));
    if (st == GUARD_ALERT_UNKNOWN)
        log_event(LOG_WARN, "recheck_failed", KV_STR("job", r->job->id),
            KV_STR(id_key(r), r->job->alert_id),
            KV_STR("rule_name", r->rule->name), KV_ERR(err));
    if (!guard_recheck_skips(st))
        return false;
    snprintf(reason, len, "alert_closed");
    return true;
}

/* verify: watch the alert of a succeeded job. */
static void
start_verify(const struct run *r)
{
    uint64_t now = clock_wall_ms(), within = r->rule->guard.verify_within_ms;
    uint64_t deadline = now + within;
    char err[ALEXIS_ERR_MAX];

    if (within == 0 || r->env->conf->development)
        return;
    if (jobs_guard_verify_start(r->env->jobs, r->job->id, deadline,
        guard_verify_next(now, deadline, within), err, sizeof(err)) == -1)
        log_event(LOG_ERROR, "job_store_failed", KV_STR("job", r->job->id),
            KV_ERR(err));
}

static void
run_tasks(struct run *r)
{
    const struct rule_task *t;
    size_t i;

    for (i = 0; i < r->rule->ntasks; i++) {
        if (atomic_load(r->env->stopping)) {
            r->interrupted = true;
            return;
        }
        t = &r->rule->tasks[i];
        run_task(r, (int)i);
        if (i + 1 < r->rule->ntasks && t->delay_after_ms > 0)
            r->env->sleep_ms(r->env->sleep_arg, t->delay_after_ms);
    }
}

static const char *
final_state(const struct run *r, char *reason, size_t len)
{
    if (r->interrupted) {
        snprintf(reason, len, "the daemon stopped before every task ran "
            "(%zu entity runs done)", r->ok + r->bad);
        return "interrupted";
    }
    if (r->bad == 0) {
        if (r->env->conf->development)
            snprintf(reason, len, "development mode: dry run, nothing was "
                "executed");
        return "succeeded";
    }
    snprintf(reason, len, "%zu of %zu entity runs failed", r->bad,
        r->ok + r->bad);
    return r->ok == 0 ? "failed" : "partial";
}

void
execute_job(const struct execute_env *env, const struct job *j)
{
    struct run r;
    char reason[REASON_MAX], err[ALEXIS_ERR_MAX];
    const char *state = "failed";
    uint64_t t0 = clock_mono_ms();

    memset(&r, 0, sizeof(r));
    r.env = env;
    r.job = j;
    pthread_mutex_init(&r.lock, NULL);
    reason[0] = '\0';
    log_event(LOG_INFO, "job_started", KV_STR("job", j->id),
        KV_STR(j->id_key, j->alert_id), KV_STR("rule_name", j->rule_name));
    metrics_inc(METRIC_JOBS, j->rule_name, "running");
    metrics_gauge_add(METRIC_JOBS_RUNNING, NULL, 1);
    if (load(&r, reason, sizeof(reason)) == 0) {
        if (recheck_closed(&r, reason, sizeof(reason))) {
            state = "skipped";
            log_event(LOG_WARN, "job_skipped", KV_STR("job", j->id),
                KV_STR(j->id_key, j->alert_id), KV_STR("rule_name",
                j->rule_name), KV_STR("reason", reason), KV_STR("detail",
                "the alert was closed before the first command"));
            metrics_guardrail_skip(reason);
        } else {
            run_tasks(&r);
            state = final_state(&r, reason, sizeof(reason));
        }
    }
    /* The final state goes after every result row: behind the deferred
     * ones when there are any. */
    if (r.deferred > 0) {
        jobs_defer_finish(env->jobs, j->id, state, reason[0] != '\0' ?
            reason : NULL);
    } else if (jobs_finish(env->jobs, j->id, state, reason[0] != '\0' ?
        reason : NULL, err, sizeof(err)) == -1) {
        log_event(LOG_ERROR, "job_store_failed", KV_STR("job", j->id),
            KV_ERR(err), KV_STR("msg", "final state kept in memory until "
            "the job store is back"));
        jobs_defer_finish(env->jobs, j->id, state, reason[0] != '\0' ?
            reason : NULL);
    }
    log_event(strcmp(state, "succeeded") == 0 ? LOG_INFO : LOG_WARN,
        "job_finished", KV_STR("job", j->id),
        KV_STR(j->id_key, j->alert_id), KV_STR("rule_name", j->rule_name),
        KV_STR("state", state), KV_UINT("entities", r.ents.n),
        KV_UINT("succeeded", r.ok), KV_UINT("failed", r.bad),
        KV_STR("reason", reason), KV_UINT("app_elapsed_ms", clock_mono_ms() - t0));
    metrics_inc(METRIC_JOBS, j->rule_name, state);
    metrics_observe_us(METRIC_JOB_DURATION, j->rule_name,
        (clock_mono_ms() - t0) * 1000);
    metrics_gauge_add(METRIC_JOBS_RUNNING, NULL, -1);
    if (strcmp(state, "succeeded") == 0)
        start_verify(&r);
    free(r.failed);
    entities_free(&r.ents);
    ssh_key_free(r.key);
    rules_unref(r.rule);
    if (r.alert.doc != NULL)
        alert_cleanup(&r.alert);
    pthread_mutex_destroy(&r.lock);
}
