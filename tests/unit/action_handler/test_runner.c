/*
 * The job runner (runner.c) with a fake SSH: a job queued after start is
 * picked up on runner_wake and run to its final state; runner_stop during
 * a delay_after ends the wait at once and the job becomes interrupted
 * with its later tasks not run. The fake signals each command, so the test
 * waits for events, not for time.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ah_conf.h"
#include "ah_testutil.h"
#include "alexis_limits.h"
#include "buf.h"
#include "clock.h"
#include "jobs.h"
#include "jobs_json.h"
#include "json.h"
#include "log.h"
#include "runner.h"
#include "ssh.h"
#include "xmem.h"

#define RULE(tasks) AH_RULE("\"h1\"", tasks, ",\"recheck\":false")
#define TASK AH_TASK

/* The fake SSH: counts commands and wakes the test at each. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t called = PTHREAD_COND_INITIALIZER;
static struct buf calls;
static int ncalls;

static int
fake_ssh(const char *host, int port, const struct ssh_opts *o,
    const char *command, struct ssh_result *res)
{
    (void)host;
    (void)port;
    (void)o;
    memset(res, 0, sizeof(*res));
    res->outcome = SSH_OK;
    pthread_mutex_lock(&lock);
    (void)!buf_appendf(&calls, "%s;", command);
    ncalls++;
    pthread_cond_broadcast(&called);
    pthread_mutex_unlock(&lock);
    return 0;
}

/* Wait until n commands ran (at most 30 s: a hung runner fails). */
static void
wait_calls(int n)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    pthread_mutex_lock(&lock);
    while (ncalls < n)
        if (pthread_cond_timedwait(&called, &lock, &until) != 0)
            break;
    pthread_mutex_unlock(&lock);
    assert_true(ncalls >= n);
}

static struct ah_conf conf;

/* A store, known_hosts for h1, and the runner's configuration. Not "h1"
 * alone in known_hosts: libssh2 reads a line whose host field has two
 * bytes or fewer as a hashed entry. */
static void
fx_open(struct ah_fx *f)
{
    ah_fx_open(f, "h1,h2 " AH_KEY "\n");
    memset(&conf, 0, sizeof(conf));
    conf.ssh_user = (char *)(uintptr_t)"alexis";
    conf.known_hosts = f->known;
    conf.workers = 1;
    conf.parallel = 1;
    conf.max_entities = 10;
    conf.output_max = 1024;
    conf.job_retention_ms = 7ULL * 24 * 3600 * 1000;
    buf_init(&calls, 64);
    ncalls = 0;
}

static void
fx_close(struct ah_fx *f)
{
    ah_fx_close(f);
    buf_free(&calls);
}

static void
assert_state(struct ah_fx *f, const char *id, const char *state,
    const char *reason)
{
    char err[ALEXIS_ERR_MAX];
    cJSON *doc;

    assert_non_null(doc = jobs_json_get(f->js, id, err, sizeof(err)));
    assert_string_equal(json_str(doc, "state"), state);
    if (reason != NULL)
        assert_non_null(strstr(json_str(doc, "reason"), reason));
    cJSON_Delete(doc);
}

static void
test_wake_runs_job(void **state)
{
    struct runner *rn;
    struct ah_fx f;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX];

    (void)state;
    fx_open(&f);
    assert_non_null(rn = runner_start(&conf, f.js, NULL, fake_ssh, err,
        sizeof(err)));
    ah_queue_job(&f, AH_OG_ENV, RULE(TASK("t0", "") "," TASK("t1", "")),
        id);
    runner_wake(rn);
    wait_calls(2);
    runner_stop(rn);
    assert_string_equal(calls.data, "t0;t1;");
    assert_state(&f, id, "succeeded", NULL);
    fx_close(&f);
}

static void
test_stop_cuts_delay(void **state)
{
    struct runner *rn;
    struct ah_fx f;
    char id[JOB_ID_LEN], err[ALEXIS_ERR_MAX];
    uint64_t t0;

    (void)state;
    fx_open(&f);
    /* Queued before start: the worker finds it without a wake. */
    ah_queue_job(&f, AH_OG_ENV, RULE(TASK("t0",
        ",\"delay_after\":\"1h\"") "," TASK("t1", "")), id);
    assert_non_null(rn = runner_start(&conf, f.js, NULL, fake_ssh, err,
        sizeof(err)));
    wait_calls(1);
    t0 = clock_mono_ms();
    runner_stop(rn);
    /* The hour's delay did not hold the stop (bounded, not timed). */
    assert_true(clock_mono_ms() - t0 < 30000);
    assert_string_equal(calls.data, "t0;");
    assert_state(&f, id, "interrupted", "(1 entity runs done)");
    runner_stop(NULL);
    fx_close(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wake_runs_job),
        cmocka_unit_test(test_stop_cuts_delay),
    };

    return ah_test_main("runner", tests, NELEM(tests));
}
