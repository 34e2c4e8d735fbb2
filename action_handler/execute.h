/*
 * Running one claimed job to its end: parse the stored envelope and rule,
 * resolve and validate the entities, run the tasks in order (each task's
 * entities in parallel, at most conf.parallel at once, delay_after between
 * tasks), record each (task, entity) result as it completes, and set the
 * job's final state. Logs ActionStart / ActionResult / ActionFinished per
 * entity and job_started / job_finished per job. Never logs output.
 * Guardrails: before the first command the alert is read back (rule
 * "recheck", default on) and a closed one skips the job (alert_closed);
 * a failed task stops later tasks on that entity unless the rule says
 * "on_failure": "continue"; a succeeded job of a rule with "verify" is
 * put under watch (jobs_guard_verify_start).
 */
#ifndef ALEXIS_AH_EXECUTE_H
#define ALEXIS_AH_EXECUTE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "guard.h"
#include "jobs.h"
#include "ssh.h"

struct ah_conf;

/* The seam for tests: ssh_exec's signature. */
typedef int (*execute_ssh_fn)(const char *host, int port,
    const struct ssh_opts *opts, const char *command,
    struct ssh_result *res);

struct execute_env {
    const struct ah_conf   *conf;
    struct jobs            *jobs;
    const char             *passphrase;     /* may be NULL */
    execute_ssh_fn          ssh;
    /* Set when the daemon stops: no further task starts, and a delay
     * between tasks ends early (the job becomes interrupted). */
    const atomic_bool      *stopping;
    /* Waits for delay_after; returns early when stopping. */
    void                  (*sleep_ms)(void *arg, uint64_t ms);
    void                   *sleep_arg;
    /* Reads the alert's state for recheck (NULL: no recheck). */
    guard_state_fn          alert_state;
    void                   *alert_state_arg;
};

/* Run job j (claimed: state running) to completion and record its final
 * state. Thread-safe; may start up to conf->parallel threads. */
void execute_job(const struct execute_env *env, const struct job *j);

#endif
