/*
 * Job worker threads (see runner.h). Wake-ups use a generation counter:
 * a worker notes it before looking at the store and sleeps only if no
 * runner_wake happened since, so a job queued between the look and the
 * sleep is never missed.
 */
#include "runner.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ah_conf.h"
#include "alert_state.h"
#include "alexis_limits.h"
#include "annotate.h"
#include "clock.h"
#include "fetcher.h"
#include "http_client.h"
#include "jobs.h"
#include "jobs_defer.h"
#include "jobs_guard.h"
#include "log.h"
#include "verify.h"
#include "xmem.h"

struct runner {
    const struct ah_conf   *conf;
    struct jobs            *js;
    struct execute_env      env;
    atomic_bool             stopping;
    pthread_mutex_t         lock;
    pthread_cond_t          cond;
    unsigned long           gen;        /* runner_wake count, under lock */
    atomic_uint_fast64_t    pruned_ms;  /* last retention run (monotonic) */
    pthread_t              *threads;
    size_t                  nthreads;
};

/* delay_after between tasks: a timed wait that runner_stop cuts short. */
static void
delay_ms(void *arg, uint64_t ms)
{
    struct runner *rn = arg;
    struct timespec until;

    clock_deadline(CLOCK_REALTIME, ms, &until);
    pthread_mutex_lock(&rn->lock);
    while (!atomic_load(&rn->stopping) &&
        pthread_cond_timedwait(&rn->cond, &rn->lock, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&rn->lock);
}

/* Retention, at most every AH_PRUNE_INTERVAL_MS, by whichever worker
 * finds nothing to do first. */
static void
maybe_prune(struct runner *rn)
{
    uint_fast64_t last = atomic_load(&rn->pruned_ms), now = clock_mono_ms();
    char err[ALEXIS_ERR_MAX];
    size_t n;

    if (last != 0 && now - last < AH_PRUNE_INTERVAL_MS)
        return;
    if (!atomic_compare_exchange_strong(&rn->pruned_ms, &last, now))
        return;
    if (jobs_prune(rn->js, clock_wall_ms() - rn->conf->job_retention_ms, &n,
        err, sizeof(err)) == -1)
        log_event(LOG_ERROR, "job_store_failed", KV_ERR(err));
    else if (n > 0)
        log_event(LOG_INFO, "jobs_pruned", KV_UINT("jobs", n),
            KV_UINT("job_retention_ms", rn->conf->job_retention_ms));
}

/* Sleep until runner_wake; at most poll ms when poll is not 0 (a shared
 * store where other replicas queue jobs, or a failing store: no request
 * may come to wake us when it is back). Called with rn->lock held. */
static void
idle(struct runner *rn, unsigned long seen, uint64_t poll)
{
    struct timespec until;

    if (poll == 0) {
        while (rn->gen == seen && !atomic_load(&rn->stopping))
            pthread_cond_wait(&rn->cond, &rn->lock);
        return;
    }
    clock_deadline(CLOCK_REALTIME, poll, &until);
    while (rn->gen == seen && !atomic_load(&rn->stopping) &&
        pthread_cond_timedwait(&rn->cond, &rn->lock, &until) != ETIMEDOUT)
        ;
}

/* One unit of work of a job worker: run a queued job. 1 done, 0 none,
 * -1 store error (err). */
static int
run_job(struct runner *rn, struct http_client *hc, char *err, size_t errlen)
{
    struct job j;
    int rc;

    (void)hc;
    if ((rc = jobs_claim(rn->js, &j, err, errlen)) != 1)
        return rc;
    execute_job(&rn->env, &j);
    jobs_job_free(&j);
    /* Its report is due: wake the report workers. */
    runner_wake(rn);
    return 1;
}

/* One unit of work of a report worker: report a finished job, else make
 * a due verification check (verify.h). */
static int
run_report(struct runner *rn, struct http_client *hc, char *err,
    size_t errlen)
{
    struct fetcher_client fc;
    struct job j;
    uint64_t deadline;
    int rc;

    if ((rc = jobs_claim_report(rn->js, &j, err, errlen)) == 1) {
        fetcher_client_init(&fc, hc, HTTP_RETRY_MAX);
        annotate_job(rn->conf, rn->js, &fc.f, &j);
        jobs_job_free(&j);
        return 1;
    }
    if (rc == -1 || (rc = jobs_guard_claim_verify(rn->js, clock_wall_ms(), &j,
        &deadline, err, errlen)) != 1)
        return rc;
    verify_check(rn->conf, rn->js, hc, rn->env.alert_state,
        rn->env.alert_state_arg, &j, deadline);
    jobs_job_free(&j);
    return 1;
}

/* The recheck/verify seam of the daemon: the ticket's real state. */
static enum guard_alert_state
read_state(void *arg, const struct alert *a, char *err, size_t errlen)
{
    struct runner *rn = arg;

    return alert_state_read(rn->conf, a, err, errlen);
}

/* A report worker's longest sleep: poll, or less when a verification
 * check falls due sooner (1 ms when one is due now; 0 = no limit). */
static uint64_t
verify_wait(struct runner *rn, uint64_t poll)
{
    uint64_t when = 0, now;
    char err[ALEXIS_ERR_MAX];

    if (jobs_guard_verify_next(rn->js, &when, err, sizeof(err)) != 1)
        return poll;
    now = clock_wall_ms();
    if (when <= now)
        return 1;
    return poll == 0 || when - now < poll ? when - now : poll;
}

typedef int (*work_fn)(struct runner *rn, struct http_client *hc,
    char *err, size_t errlen);

/*
 * A worker's loop: write back what the store refused before (jobs_defer_flush),
 * then one unit of work, else wait. While the store fails, retry every
 * AH_STORE_RETRY_MS, and log the failure once per streak.
 */
static void
work_loop(struct runner *rn, work_fn fn, const char *role)
{
    struct http_client *hc = http_client_new(NULL);
    char err[ALEXIS_ERR_MAX];
    unsigned long seen;
    bool failing = false, failed, worked = false;
    uint64_t poll;
    size_t left;
    int rc;

    for (;;) {
        pthread_mutex_lock(&rn->lock);
        seen = rn->gen;
        pthread_mutex_unlock(&rn->lock);
        if (atomic_load(&rn->stopping))
            break;
        err[0] = '\0';
        rc = (left = jobs_defer_flush(rn->js)) > 0 ? -1 : fn(rn, hc, err,
            sizeof(err));
        failed = rc == -1;
        if (failed && !failing)
            log_event(LOG_ERROR, "job_store_failed", KV_STR("worker", role),
                KV_UINT("writes_waiting", left), KV_ERR(err[0] != '\0' ?
                err : "earlier writes not yet written"),
                KV_UINT("retry_ms", AH_STORE_RETRY_MS));
        else if (!failed && failing)
            log_event(LOG_INFO, "job_store_recovered",
                KV_STR("worker", role));
        failing = failed;
        if (rc == 1) {
            worked = true;
            continue;
        }
        if (!failed)
            maybe_prune(rn);
        /* Idle after work: hand the heap a job freed (SSH and store
         * buffers, the rule) back to the system, so that an idle daemon
         * holds what it uses. Once per burst, never between jobs. */
        if (worked) {
            (void)malloc_trim(0);
            worked = false;
        }
        poll = failed ? AH_STORE_RETRY_MS : jobs_poll_ms(rn->js);
        if (fn == run_report && !failed)
            poll = verify_wait(rn, poll);
        pthread_mutex_lock(&rn->lock);
        idle(rn, seen, poll);
        pthread_mutex_unlock(&rn->lock);
    }
    http_client_free(hc);
}

static void *
job_worker(void *arg)
{
    work_loop(arg, run_job, "job");
    return NULL;
}

/* Reports have their own threads: a hung ticket API holds up reports,
 * never remediation (issue 11). */
static void *
report_worker(void *arg)
{
    work_loop(arg, run_report, "report");
    return NULL;
}

struct runner *
runner_start(const struct ah_conf *conf, struct jobs *js,
    const char *passphrase, execute_ssh_fn ssh, char *err, size_t errlen)
{
    struct runner *rn;
    size_t i, n = (size_t)(conf->workers + conf->report_workers);

    rn = xcalloc(1, sizeof(*rn));
    rn->conf = conf;
    rn->js = js;
    atomic_init(&rn->stopping, false);
    atomic_init(&rn->pruned_ms, 0);
    pthread_mutex_init(&rn->lock, NULL);
    pthread_cond_init(&rn->cond, NULL);
    rn->env.conf = conf;
    rn->env.jobs = js;
    rn->env.passphrase = passphrase;
    rn->env.ssh = ssh;
    rn->env.stopping = &rn->stopping;
    rn->env.sleep_ms = delay_ms;
    rn->env.sleep_arg = rn;
    rn->env.alert_state = read_state;
    rn->env.alert_state_arg = rn;
    rn->threads = xcalloc(n, sizeof(*rn->threads));
    for (i = 0; i < n; i++) {
        if (pthread_create(&rn->threads[i], NULL,
            i < (size_t)conf->workers ? job_worker : report_worker,
            rn) != 0) {
            snprintf(err, errlen, "cannot start job worker %zu: %s", i,
                strerror(errno));
            runner_stop(rn);
            return NULL;
        }
        rn->nthreads++;
    }
    return rn;
}

void
runner_wake(struct runner *rn)
{
    pthread_mutex_lock(&rn->lock);
    rn->gen++;
    pthread_cond_broadcast(&rn->cond);
    pthread_mutex_unlock(&rn->lock);
}

void
runner_stop(struct runner *rn)
{
    size_t i, left;

    if (rn == NULL)
        return;
    pthread_mutex_lock(&rn->lock);
    atomic_store(&rn->stopping, true);
    pthread_cond_broadcast(&rn->cond);
    pthread_mutex_unlock(&rn->lock);
    for (i = 0; i < rn->nthreads; i++)
        pthread_join(rn->threads[i], NULL);
    if ((left = jobs_defer_flush(rn->js)) > 0)
        log_event(LOG_ERROR, "job_store_writes_lost",
            KV_UINT("writes", left), KV_STR("msg", "the job store still "
            "fails at shutdown; the jobs concerned become interrupted at "
            "the next start"));
    free(rn->threads);
    pthread_cond_destroy(&rn->cond);
    pthread_mutex_destroy(&rn->lock);
    free(rn);
}
