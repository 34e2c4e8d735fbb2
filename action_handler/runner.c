/*
 * Job worker threads (see runner.h). Wake-ups use a generation counter:
 * a worker notes it before looking at the store and sleeps only if no
 * runner_wake happened since, so a job queued between the look and the
 * sleep is never missed.
 */
#include "runner.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_state.h"
#include "annotate.h"
#include "conf.h"
#include "http_client.h"
#include "jobs.h"
#include "alexis_limits.h"
#include "log.h"
#include "str.h"
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

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&rn->lock);
    while (!atomic_load(&rn->stopping) &&
        pthread_cond_timedwait(&rn->cond, &rn->lock, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&rn->lock);
}

/* One unit of work: a pending report first (so reports of interrupted jobs
 * go out at start-up), then a due verification check, else a queued job.
 * Returns true when it did one. */
static bool
work_once(struct runner *rn, struct http_client *hc)
{
    struct job j;
    char err[256];
    uint64_t deadline;
    int rc;

    if ((rc = jobs_claim_report(rn->js, &j, err, sizeof(err))) == 1) {
        annotate_job(rn->conf, rn->js, hc, &j);
        jobs_job_free(&j);
        return true;
    }
    if (rc == 0 && (rc = jobs_claim_verify(rn->js, now_wall_ms(), &j,
        &deadline, err, sizeof(err))) == 1) {
        verify_check(rn->conf, rn->js, hc, rn->env.alert_state,
            rn->env.alert_state_arg, &j, deadline);
        jobs_job_free(&j);
        return true;
    }
    if (rc == 0 && (rc = jobs_claim(rn->js, &j, err, sizeof(err))) == 1) {
        execute_job(&rn->env, &j);
        jobs_job_free(&j);
        return true;
    }
    if (rc == -1)
        log_event(LOG_ERROR, "job_store_failed", KV_ERR(err));
    return false;
}

/* The recheck/verify seam of the daemon: the ticket's real state. */
static enum guard_alert_state
read_state(void *arg, const struct alert *a, char *err, size_t errlen)
{
    struct runner *rn = arg;

    return alert_state_read(rn->conf, a, err, errlen);
}

/* Retention, at most every AH_PRUNE_INTERVAL_MS, by whichever worker
 * finds nothing to do first. */
static void
maybe_prune(struct runner *rn)
{
    uint_fast64_t last = atomic_load(&rn->pruned_ms), now = now_ms();
    char err[256];
    size_t n;

    if (last != 0 && now - last < AH_PRUNE_INTERVAL_MS)
        return;
    if (!atomic_compare_exchange_strong(&rn->pruned_ms, &last, now))
        return;
    if (jobs_prune(rn->js, now_wall_ms() - rn->conf->job_retention_ms, &n,
        err, sizeof(err)) == -1)
        log_event(LOG_ERROR, "job_store_failed", KV_ERR(err));
    else if (n > 0)
        log_event(LOG_INFO, "jobs_pruned", KV_UINT("jobs", n),
            KV_UINT("job_retention_ms", rn->conf->job_retention_ms));
}

/* Sleep until runner_wake, until the next verification check is due, or
 * (on a shared store) until it is time to look for jobs another replica
 * queued. Called with rn->lock held. */
static void
idle(struct runner *rn, unsigned long seen)
{
    uint64_t wait = jobs_poll_ms(rn->js), when = 0, now;
    struct timespec until;
    char err[256];
    int due;

    /* The store is asked without the runner's lock. */
    pthread_mutex_unlock(&rn->lock);
    due = jobs_verify_next(rn->js, &when, err, sizeof(err));
    pthread_mutex_lock(&rn->lock);
    if (due == 1) {
        now = now_wall_ms();
        if (when <= now)
            return;
        if (wait == 0 || when - now < wait)
            wait = when - now;
    }
    if (wait == 0) {
        while (rn->gen == seen && !atomic_load(&rn->stopping))
            pthread_cond_wait(&rn->cond, &rn->lock);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += (long)(wait % 1000) * 1000000L;
    until.tv_sec += (time_t)(wait / 1000 + (uint64_t)(until.tv_nsec /
        1000000000L));
    until.tv_nsec %= 1000000000L;
    while (rn->gen == seen && !atomic_load(&rn->stopping) &&
        pthread_cond_timedwait(&rn->cond, &rn->lock, &until) != ETIMEDOUT)
        ;
}

static void *
worker(void *arg)
{
    struct runner *rn = arg;
    struct http_client *hc = http_client_new(NULL);
    unsigned long seen;

    for (;;) {
        pthread_mutex_lock(&rn->lock);
        seen = rn->gen;
        pthread_mutex_unlock(&rn->lock);
        if (atomic_load(&rn->stopping))
            break;
        if (work_once(rn, hc))
            continue;
        maybe_prune(rn);
        pthread_mutex_lock(&rn->lock);
        idle(rn, seen);
        pthread_mutex_unlock(&rn->lock);
    }
    http_client_free(hc);
    return NULL;
}

struct runner *
runner_start(const struct ah_conf *conf, struct jobs *js,
    const char *passphrase, execute_ssh_fn ssh, char *err, size_t errlen)
{
    struct runner *rn;
    size_t i, n = (size_t)conf->workers;

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
        if (pthread_create(&rn->threads[i], NULL, worker, rn) != 0) {
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
    size_t i;

    if (rn == NULL)
        return;
    pthread_mutex_lock(&rn->lock);
    atomic_store(&rn->stopping, true);
    pthread_cond_broadcast(&rn->cond);
    pthread_mutex_unlock(&rn->lock);
    for (i = 0; i < rn->nthreads; i++)
        pthread_join(rn->threads[i], NULL);
    free(rn->threads);
    pthread_cond_destroy(&rn->cond);
    pthread_mutex_destroy(&rn->lock);
    free(rn);
}
