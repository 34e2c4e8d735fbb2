/*
 * One classification (DESIGN §7): match the alert against the current rules
 * of its feed, forward each match to the action handler of the rule's
 * os_type, then mark the ticket (remediation queue / investigation queue).
 * Runs on a worker thread after the HTTP answer; dry runs run inline and
 * have no side effects.
 */
#ifndef ALEXIS_CLASSIFY_H
#define ALEXIS_CLASSIFY_H

#include <stdint.h>

#include <cjson/cJSON.h>

struct alert;
struct classifier;
struct http_client;

/* An accepted request waiting for a worker. */
struct classify_job {
    struct alert   *alert;
    /* The request body as received, through its closing '}', when it can
     * be forwarded as is (nothing was taken out of it); else NULL and the
     * envelope is printed from alert->doc. */
    char           *raw;
    size_t          raw_len;
    uint64_t        received_us;
};

void classify_job_free(struct classify_job *job);

/* Classify, forward, mark; logs every step with the alert's id. */
void classify_run(struct classifier *c, struct http_client *hc,
    struct classify_job *job);

/* The dry-run report: for every rule of the alert's feed, matched or not and
 * why, plus the rule files that failed to load. NULL with err when the
 * rules directory cannot be read. Caller deletes. */
cJSON *classify_dry_run(struct classifier *c, struct alert *a,
    char *err, size_t errlen);

#endif
