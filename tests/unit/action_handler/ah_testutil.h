/*
 * Helpers shared by the action handler's job tests (test_execute.c,
 * test_runner.c, test_annotate.c): a temporary directory with a job store
 * and a known_hosts file, rules and envelopes as text, queueing a job, and
 * a main that logs to /dev/null.
 */
#ifndef ALEXIS_TEST_AH_UTIL_H
#define ALEXIS_TEST_AH_UTIL_H

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "jobs.h"
#include "log.h"
#include "ssh.h"

/* A host key for known_hosts (the public half of a throwaway key). */
#define AH_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICEyrbvAD0C93Z9RAcPSmWJjU" \
    "GNm1YseCgbDtyGzSRDL"

/* A task whose action is "a_<cmd>", and a rule named r of those tasks on
 * the explicit entities ents; extra adds keys (",\"on_failure\":..."). */
#define AH_TASK(cmd, more) "{\"task\":{\"task_type\":\"remote_ssh\"," \
    "\"run_command\":\"" cmd "\",\"action\":\"a_" cmd "\"" more "}}"
#define AH_RULE(ents, tasks, extra) "{\"rule_name\":\"r\"," \
    "\"enabled\":\"true\",\"os_type\":\"linux\",\"alert_feed\":" \
    "\"opsgenie\",\"evaluation_list\":[{\"evaluation\":{\"tags\":[]," \
    "\"search_key\":\"message\",\"search_text\":\".\"}}],\"task_list\":[" \
    tasks "],\"entity_type\":\"explicit\",\"entities\":[" ents "]" extra "}"
#define AH_OG_ENV "{\"id\":\"u-1\",\"tinyId\":\"12\",\"message\":\"m\"," \
    "\"alexis\":{\"feed_type\":\"opsgenie\",\"unique_value\":\"12\"}}"

struct ah_fx {
    char            dir[64], db[128], known[128];
    struct jobs    *js;
};

/* A fresh directory with an empty job store, and known_hosts holding the
 * lines known (NULL: no file). */
static inline void
ah_fx_open(struct ah_fx *f, const char *known)
{
    char err[ALEXIS_ERR_MAX];
    FILE *fp;

    snprintf(f->dir, sizeof(f->dir), "/tmp/alexis-test-ah-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/jobs.db", f->dir);
    snprintf(f->known, sizeof(f->known), "%s/known_hosts", f->dir);
    if (known != NULL) {
        assert_non_null(fp = fopen(f->known, "w"));
        fputs(known, fp);
        fclose(fp);
    }
    if ((f->js = jobs_open(f->db, err, sizeof(err))) == NULL)
        fail_msg("jobs_open: %s", err);
}

static inline void
ah_fx_close(struct ah_fx *f)
{
    static const char *const files[] = { "known_hosts", "jobs.db",
        "jobs.db-wal", "jobs.db-shm" };
    char path[160];
    size_t i;

    jobs_close(f->js);
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
}

/* Queue a job of rule for envelope env (OpsGenie tinyId 12) into id. */
static inline void
ah_queue_job(struct ah_fx *f, const char *env, const char *rule,
    char id[JOB_ID_LEN])
{
    struct job_new jn = { .feed_type = "opsgenie", .unique_value = "12",
        .rule_name = "r", .id_key = "tinyId", .alert_id = "12",
        .envelope = env, .rule_json = rule };
    char err[ALEXIS_ERR_MAX];
    bool dup;

    if (jobs_create(f->js, &jn, id, &dup, err, sizeof(err)) == -1)
        fail_msg("jobs_create: %s", err);
}

/* Run tests with the log going to /dev/null (at debug level, so every
 * log line's arguments are still evaluated) and libssh2 ready. */
static inline int
ah_test_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
    int fd = open("/dev/null", O_WRONLY), rc;

    log_init("test", LOG_DEBUG, fd);
    if (ssh_global_init() == -1)
        return 1;
    rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
    close(fd);
    return rc;
}

#endif
