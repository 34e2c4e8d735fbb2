/*
 * One classification (DESIGN §7): match the alert against the current rules
 * of its feed, forward each match to the action handler of the rule's
 * os_type, then mark the ticket (remediation queue / investigation queue).
 * Runs on a worker thread after the HTTP answer; dry runs run inline and
 * have no side effects. Everything a classification sends goes through
 * struct classify_io (the daemon's: classify_http.c), so the decisions can
 * be tested without a network.
 */
#ifndef ALEXIS_CLASSIFY_H
#define ALEXIS_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ticket.h"

struct alert;
struct classifier;

/* The seam: what a classification sends out. One per worker thread. */
struct classify_io {
    /* POST body (an action request, JSON) to the action handler at dest
     * (its base URL). 0 when it answered 2xx; else -1 with err (one
     * sentence, with dest) and *status the last HTTP status, 0 when no
     * answer came. */
    int     (*forward)(void *arg, const char *dest, const char *body,
                       size_t len, long *status, char *err, size_t errlen);
    /* Mark ticket t for queue q: ticket_mark's contract. */
    int     (*mark)(void *arg, const struct ticket_ref *t,
                    enum ticket_queue q, const char *queue, const char *note,
                    struct ticket_outcome *out);
    void     *arg;
};

struct retire_home;

/* An accepted request waiting for a worker. */
struct classify_job {
    struct alert   *alert;
    /* The request body as received, through its closing '}', when it can
     * be forwarded as is (nothing was taken out of it); else NULL and the
     * envelope is printed from alert->doc. */
    char           *raw;
    size_t          raw_len;
    uint64_t        received_us;
    /* What classify_run does with the job when it is done: done(job)
     * (the daemon's retire_job, which hands it back to the intake thread
     * that allocated it, home); NULL: classify_job_free. */
    void               (*done)(struct classify_job *job);
    struct retire_home  *home;
    struct classify_job *next;  /* on home's list */
};

void classify_job_free(struct classify_job *job);

/* Classify, forward, mark through io; logs every step with the alert's
 * id. Takes job (job->done, else freed here). */
void classify_run(struct classifier *c, const struct classify_io *io,
    struct classify_job *job);

/* The dry-run report: for every rule of the alert's feed, matched or not and
 * why, plus the rule files that failed to load. NULL with err when the
 * rules directory cannot be read. Caller deletes. */
cJSON *classify_dry_run(struct classifier *c, struct alert *a,
    char *err, size_t errlen);

#endif
