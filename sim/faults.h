/*
 * Traffic control of alexis-sim: injected faults per endpoint for the next
 * N calls (latency, an error status, 429 with the API's rate-limit headers,
 * a dropped connection), optional token-bucket rate limits per API domain
 * (off by default), and call counters per endpoint for benchmarks.
 * Endpoints are names such as "og.list" or "dt2.comments.add"; a fault's
 * endpoint may end in '*' to cover a family ("og.*", "*").
 */
#ifndef ALEXIS_SIM_FAULTS_H
#define ALEXIS_SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"

struct faults;

enum fault_kind {
    FAULT_NONE = 0,
    FAULT_LATENCY,
    FAULT_STATUS,       /* answer `status` in the API's error envelope */
    FAULT_RATE,         /* 429 with rate-limit headers */
    FAULT_DROP,         /* close the connection without answering */
};

/* What the dispatcher must do for one call. */
struct fault_hit {
    unsigned        latency_ms;     /* sleep first (0: none) */
    enum fault_kind kind;           /* FAULT_NONE, _STATUS, _RATE, _DROP */
    int             status;
    unsigned        retry_after_s;
};

/* Rate-limit state to put in headers after a refusal or an admission. */
struct rate_info {
    bool            limited;        /* a limit is configured */
    bool            refused;
    double          per_minute;
    double          remaining;
    uint64_t        reset_us;       /* epoch microseconds */
    unsigned        retry_after_s;
};

struct faults *faults_new(void);
void faults_free(struct faults *f);

/* Add a fault from {"endpoint","kind":"latency|error|429|close",
 * "count":N (default 1), "latencyMs", "status" (error; default 500),
 * "retryAfterSec" (429; default 1)}. "500" is accepted as a kind meaning
 * error 500. -1 with err on a bad spec or when SIM_FAULTS_MAX are set. */
int faults_add(struct faults *f, const cJSON *spec, char *err,
    size_t errlen) ATTR_WUR;
/* Consume the faults that apply to one call of endpoint: the oldest
 * latency rule and the oldest failure rule with calls left. */
void faults_take(struct faults *f, const char *endpoint,
    struct fault_hit *hit);
cJSON *faults_list(struct faults *f);
void faults_clear(struct faults *f);

/* "domain=rate[/burst]" from the command line. */
int faults_parse_rate(struct faults *f, const char *spec, char *err,
    size_t errlen) ATTR_WUR;
/* Take one token from domain's bucket; info says whether it was refused
 * and what headers to send. */
void faults_rate_take(struct faults *f, const char *domain,
    struct rate_info *info);

/* Count one finished call (dropped: the connection was closed). */
void faults_count(struct faults *f, const char *endpoint, int status,
    bool dropped);
/* {"total":n,"endpoints":{"og.list":{"calls","2xx","4xx","5xx","429",
 * "dropped"}}}. */
cJSON *faults_stats(struct faults *f);
void faults_stats_reset(struct faults *f);

#endif
