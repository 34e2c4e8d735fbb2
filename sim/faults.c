/*
 * Fault rules, token buckets and call counters of alexis-sim, each behind
 * the one mutex of struct faults. Tests set faults through the admin API;
 * the dispatcher consults them before every simulated API call.
 */
#include "faults.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "sim_limits.h"
#include "simutil.h"
#include "xmem.h"

#define ENDPOINT_LEN    48
#define STATS_MAX       128

static const char *const domains[] = { "og.search", "og.alert", "dt",
    "jsm.search", "jsm.alert" };

struct fault_rule {
    char            endpoint[ENDPOINT_LEN];
    enum fault_kind kind;
    unsigned        remaining;
    unsigned        latency_ms;
    int             status;
    unsigned        retry_after_s;
};

struct bucket {
    double          rate;       /* tokens per second; 0: off */
    double          burst;
    double          tokens;
    uint64_t        last_us;
};

struct counter {
    char                endpoint[ENDPOINT_LEN];
    unsigned long long  calls, s2xx, s4xx, s5xx, s429, dropped;
};

struct faults {
    pthread_mutex_t     mu;
    struct fault_rule   rules[SIM_FAULTS_MAX];
    size_t              nrules;
    struct bucket       buckets[NELEM(domains)];
    struct counter      counters[STATS_MAX];
    size_t              ncounters;
    unsigned long long  total;
};

struct faults *
faults_new(void)
{
    struct faults *f = xcalloc(1, sizeof(*f));

    pthread_mutex_init(&f->mu, NULL);
    return f;
}

void
faults_free(struct faults *f)
{
    if (f == NULL)
        return;
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static int
num_field(const cJSON *spec, const char *key, double def, double max,
    double *out, char *err, size_t errlen)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(spec, key);

    *out = def;
    if (it == NULL)
        return 0;
    if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > max) {
        snprintf(err, errlen, "\"%s\" must be a number in [0, %.0f]", key,
            max);
        return -1;
    }
    *out = it->valuedouble;
    return 0;
}

static int
parse_kind(const char *kind, struct fault_rule *r)
{
    if (strcmp(kind, "latency") == 0)
        r->kind = FAULT_LATENCY;
    else if (strcmp(kind, "error") == 0 || strcmp(kind, "500") == 0)
        r->kind = FAULT_STATUS;
    else if (strcmp(kind, "429") == 0 || strcmp(kind, "ratelimit") == 0)
        r->kind = FAULT_RATE;
    else if (strcmp(kind, "close") == 0 || strcmp(kind, "drop") == 0)
        r->kind = FAULT_DROP;
    else
        return -1;
    return 0;
}

int
faults_add(struct faults *f, const cJSON *spec, char *err, size_t errlen)
{
    const char *ep = json_str(spec, "endpoint");
    const char *kind = json_str(spec, "kind");
    double count, lat, status, retry;
    struct fault_rule r;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    if (ep == NULL || kind == NULL || strlen(ep) >= ENDPOINT_LEN) {
        snprintf(err, errlen, "a fault needs \"endpoint\" and \"kind\"");
        return -1;
    }
    if (parse_kind(kind, &r) == -1) {
        snprintf(err, errlen, "\"kind\" must be latency, error, 429 or "
            "close");
        return -1;
    }
    if (num_field(spec, "count", 1, SIM_FAULT_COUNT_MAX, &count, err,
        errlen) == -1 ||
        num_field(spec, "latencyMs", 0, SIM_LATENCY_MAX_MS, &lat, err,
        errlen) == -1 ||
        num_field(spec, "status", 500, 599, &status, err, errlen) == -1 ||
        num_field(spec, "retryAfterSec", 1, SIM_RETRY_AFTER_MAX_S, &retry,
        err, errlen) == -1)
        return -1;
    if (r.kind == FAULT_STATUS && status < 400) {
        snprintf(err, errlen, "\"status\" must be 400..599");
        return -1;
    }
    snprintf(r.endpoint, sizeof(r.endpoint), "%s", ep);
    r.remaining = (unsigned)count;
    r.latency_ms = (unsigned)lat;
    r.status = r.kind == FAULT_RATE ? 429 : (int)status;
    r.retry_after_s = (unsigned)retry;
    pthread_mutex_lock(&f->mu);
    if (f->nrules < SIM_FAULTS_MAX) {
        f->rules[f->nrules++] = r;
        rc = 0;
    } else
        snprintf(err, errlen, "at most %d faults at a time", SIM_FAULTS_MAX);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static bool
endpoint_match(const char *pat, const char *ep)
{
    size_t n = strlen(pat);

    if (n > 0 && pat[n - 1] == '*')
        return strncmp(pat, ep, n - 1) == 0;
    return strcmp(pat, ep) == 0;
}

/* Drop rules that have no calls left. Lock held. */
static void
compact(struct faults *f)
{
    size_t i, keep = 0;

    for (i = 0; i < f->nrules; i++) {
        if (f->rules[i].remaining > 0)
            f->rules[keep++] = f->rules[i];
    }
    f->nrules = keep;
}

void
faults_take(struct faults *f, const char *endpoint, struct fault_hit *hit)
{
    bool lat_done = false, fail_done = false;
    struct fault_rule *r;
    size_t i;

    memset(hit, 0, sizeof(*hit));
    pthread_mutex_lock(&f->mu);
    for (i = 0; i < f->nrules; i++) {
        r = &f->rules[i];
        if (r->remaining == 0 || !endpoint_match(r->endpoint, endpoint))
            continue;
        if (r->kind == FAULT_LATENCY && !lat_done) {
            hit->latency_ms = r->latency_ms;
            r->remaining--;
            lat_done = true;
        } else if (r->kind != FAULT_LATENCY && !fail_done) {
            hit->kind = r->kind;
            hit->status = r->status;
            hit->retry_after_s = r->retry_after_s;
            r->remaining--;
            fail_done = true;
        }
    }
    compact(f);
    pthread_mutex_unlock(&f->mu);
}

cJSON *
faults_list(struct faults *f)
{
    static const char *const names[] = {
        [FAULT_NONE] = "none", [FAULT_LATENCY] = "latency",
        [FAULT_STATUS] = "error", [FAULT_RATE] = "429",
        [FAULT_DROP] = "close",
    };
    cJSON *arr = cJSON_CreateArray(), *o;
    size_t i;

    pthread_mutex_lock(&f->mu);
    for (i = 0; i < f->nrules; i++) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "endpoint", f->rules[i].endpoint);
        cJSON_AddStringToObject(o, "kind", names[f->rules[i].kind]);
        cJSON_AddNumberToObject(o, "remaining", f->rules[i].remaining);
        if (f->rules[i].kind == FAULT_LATENCY)
            cJSON_AddNumberToObject(o, "latencyMs", f->rules[i].latency_ms);
        else
            cJSON_AddNumberToObject(o, "status", f->rules[i].status);
        cJSON_AddItemToArray(arr, o);
    }
    pthread_mutex_unlock(&f->mu);
    return arr;
}

void
faults_clear(struct faults *f)
{
    pthread_mutex_lock(&f->mu);
    f->nrules = 0;
    memset(f->buckets, 0, sizeof(f->buckets));
    pthread_mutex_unlock(&f->mu);
}

static long
domain_index(const char *domain)
{
    size_t i;

    for (i = 0; i < NELEM(domains); i++) {
        if (strcmp(domains[i], domain) == 0)
            return (long)i;
    }
    return -1;
}

/* Configure the bucket of domain: rate tokens per second, burst
 * capacity; rate 0 turns it off. */
static int
faults_set_rate(struct faults *f, const char *domain, double rate,
    double burst, char *err, size_t errlen)
{
    long i = domain_index(domain);
    struct bucket *b;

    if (i < 0) {
        snprintf(err, errlen, "rate-limit domain must be og.search, "
            "og.alert, dt, jsm.search or jsm.alert");
        return -1;
    }
    if (!(rate >= 0 && rate <= SIM_RATE_MAX) ||
        !(burst >= 0 && burst <= SIM_RATE_MAX)) {
        snprintf(err, errlen, "rate and burst must be in [0, %d]",
            SIM_RATE_MAX);
        return -1;
    }
    pthread_mutex_lock(&f->mu);
    b = &f->buckets[i];
    b->rate = rate;
    b->burst = burst < 1 ? (rate < 1 ? 1 : rate) : burst;
    b->tokens = b->burst;
    b->last_us = clock_mono_us();
    pthread_mutex_unlock(&f->mu);
    return 0;
}

int
faults_parse_rate(struct faults *f, const char *spec, char *err,
    size_t errlen)
{
    char domain[32], *end;
    const char *eq = strchr(spec, '=');
    double rate, burst = 0;

    if (eq == NULL || (size_t)(eq - spec) >= sizeof(domain)) {
        snprintf(err, errlen, "--rate-limit wants domain=rate[/burst]");
        return -1;
    }
    snprintf(domain, sizeof(domain), "%.*s", (int)(eq - spec), spec);
    rate = strtod(eq + 1, &end);
    if (end == eq + 1 || (*end != '\0' && *end != '/')) {
        snprintf(err, errlen, "--rate-limit wants domain=rate[/burst]");
        return -1;
    }
    if (*end == '/') {
        const char *bs = end + 1;

        burst = strtod(bs, &end);
        if (end == bs || *end != '\0') {
            snprintf(err, errlen, "--rate-limit wants domain=rate[/burst]");
            return -1;
        }
    }
    return faults_set_rate(f, domain, rate, burst, err, errlen);
}

void
faults_rate_take(struct faults *f, const char *domain, struct rate_info *info)
{
    long i = domain_index(domain);
    uint64_t now = clock_mono_us();
    struct bucket *b;
    double wait_s;

    memset(info, 0, sizeof(*info));
    if (i < 0)
        return;
    pthread_mutex_lock(&f->mu);
    b = &f->buckets[i];
    if (b->rate <= 0) {
        pthread_mutex_unlock(&f->mu);
        return;
    }
    b->tokens += (double)(now - b->last_us) / 1e6 * b->rate;
    if (b->tokens > b->burst)
        b->tokens = b->burst;
    b->last_us = now;
    info->limited = true;
    info->per_minute = b->rate * 60;
    if (b->tokens >= 1) {
        b->tokens -= 1;
        wait_s = 0;
    } else {
        info->refused = true;
        wait_s = (1 - b->tokens) / b->rate;
    }
    info->remaining = floor(b->tokens);
    info->reset_us = clock_wall_ms() * 1000 + (uint64_t)(wait_s * 1e6);
    info->retry_after_s = (unsigned)ceil(wait_s);
    pthread_mutex_unlock(&f->mu);
}

void
faults_count(struct faults *f, const char *endpoint, int status,
    bool dropped)
{
    struct counter *c = NULL;
    size_t i;

    pthread_mutex_lock(&f->mu);
    for (i = 0; i < f->ncounters && c == NULL; i++) {
        if (strcmp(f->counters[i].endpoint, endpoint) == 0)
            c = &f->counters[i];
    }
    if (c == NULL && f->ncounters < STATS_MAX) {
        c = &f->counters[f->ncounters++];
        memset(c, 0, sizeof(*c));
        snprintf(c->endpoint, sizeof(c->endpoint), "%s", endpoint);
    }
    f->total++;
    if (c != NULL) {
        c->calls++;
        if (dropped)
            c->dropped++;
        else if (status == 429)
            c->s429++;
        if (!dropped && status >= 200 && status < 300)
            c->s2xx++;
        else if (!dropped && status >= 400 && status < 500)
            c->s4xx++;
        else if (!dropped && status >= 500)
            c->s5xx++;
    }
    pthread_mutex_unlock(&f->mu);
}

cJSON *
faults_stats(struct faults *f)
{
    cJSON *o = cJSON_CreateObject(), *eps, *e;
    size_t i;

    pthread_mutex_lock(&f->mu);
    cJSON_AddNumberToObject(o, "total", (double)f->total);
    eps = cJSON_AddObjectToObject(o, "endpoints");
    for (i = 0; i < f->ncounters; i++) {
        const struct counter *c = &f->counters[i];

        e = cJSON_AddObjectToObject(eps, c->endpoint);
        cJSON_AddNumberToObject(e, "calls", (double)c->calls);
        cJSON_AddNumberToObject(e, "2xx", (double)c->s2xx);
        cJSON_AddNumberToObject(e, "4xx", (double)c->s4xx);
        cJSON_AddNumberToObject(e, "5xx", (double)c->s5xx);
        cJSON_AddNumberToObject(e, "429", (double)c->s429);
        cJSON_AddNumberToObject(e, "dropped", (double)c->dropped);
    }
    pthread_mutex_unlock(&f->mu);
    return o;
}

void
faults_stats_reset(struct faults *f)
{
    pthread_mutex_lock(&f->mu);
    f->ncounters = 0;
    f->total = 0;
    pthread_mutex_unlock(&f->mu);
}
