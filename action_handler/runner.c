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

/* Sleep until runner_wake, or until the next verification check is due
 * (called with rn->lock held). */
static void
wait_work(struct runner *rn, unsigned long seen)
{
    struct timespec until;
    uint64_t when = 0, now;
    char err[256];
    int has;

    pthread_mutex_unlock(&rn->lock);
    has = jobs_verify_next(rn->js, &when, err, sizeof(err));
    pthread_mutex_lock(&rn->lock);
    if (has != 1) {
        while (rn->gen == seen && !atomic_load(&rn->stopping))
            pthread_cond_wait(&rn->cond, &rn->lock);
        return;
    }
    now = now_wall_ms();
    if (when <= now)
        return;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)((when - now) / 1000);
    until.tv_nsec += (long)((when - now) % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
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
        pthread_mutex_lock(&rn->lock);
        wait_work(rn, seen);
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
