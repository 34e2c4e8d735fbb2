/*
 * The job runner: conf.workers job threads and conf.report_workers report
 * threads that take work from the job store, never from memory, so what a
 * crash interrupts is exactly what the store says. A job thread runs
 * queued jobs (jobs_claim, execute_job); a report thread sends the ticket
 * report of finished ones (jobs_claim_report, annotate_job), with its own
 * HTTP client, so a slow ticket API never holds up remediation. Both first
 * write back what the store refused earlier (jobs_defer_flush) and, while the
 * store fails, retry every AH_STORE_RETRY_MS instead of waiting for the
 * next request.
 */
#ifndef ALEXIS_AH_RUNNER_H
#define ALEXIS_AH_RUNNER_H

#include <stddef.h>

#include "execute.h"

struct ah_conf;
struct jobs;
struct runner;

/* Start the workers. ssh is the SSH seam (ssh_exec in the daemon).
 * passphrase is borrowed for the runner's life. NULL with err when a
 * thread cannot start. */
struct runner *runner_start(const struct ah_conf *conf, struct jobs *js,
    const char *passphrase, execute_ssh_fn ssh, char *err, size_t errlen);

/* A job was queued: wake a sleeping worker. Thread-safe. */
void runner_wake(struct runner *rn);

/* Stop: no new job or report is claimed; running commands finish (bounded
 * by their timeouts), later tasks of a running job are skipped (the job
 * becomes interrupted, its report is sent on the next start); join and
 * free. Accepts NULL. */
void runner_stop(struct runner *rn);

#endif
