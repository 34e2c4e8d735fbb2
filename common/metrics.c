/*
 * The metrics registry (see metrics.h). Each family owns a fixed array of
 * series; a series, once published (its index below the family's count,
 * stored with release order), is never moved or freed, so counting is a
 * scan and an atomic add. Only a new label combination takes the lock.
 */
#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"

#define LABELS_MAX  2

enum mtype {
    MT_COUNTER,
    MT_GAUGE,
    MT_HISTOGRAM,
};

struct family_def {
    const char         *name;
    const char         *help;
    enum mtype          type;
    unsigned            daemons;
    const char         *labels[LABELS_MAX];     /* NULL: fewer labels */
    const char *const  *fixed[LABELS_MAX];      /* NULL: open label */
    const uint64_t     *bounds;                 /* histogram, microseconds */
    size_t              nbounds;
};

struct series {
    char                    v[LABELS_MAX][METRICS_VALUE_MAX + 1];
    atomic_uint_fast64_t    value;      /* counter; gauge two's complement */
    atomic_uint_fast64_t    bucket[METRICS_BUCKETS_MAX + 1];  /* +Inf last */
    atomic_uint_fast64_t    sum_us;
};

struct family {
    atomic_size_t   n;
    struct series   s[METRICS_SERIES_MAX];
};

static const char *const results[] = { "matched", "no_match",
    "partly_forwarded", "forward_failed", "failed", NULL };
static const char *const ok_failed[] = { "ok", "failed", "skipped", NULL };
static const char *const poll_results[] = { "ok", "partial", "failed",
    "interrupted", NULL };
static const char *const job_states[] = { "queued", "duplicate", "refused",
    "running", "succeeded", "failed", "partial", "interrupted", NULL };

/* Classifying takes micro- to milliseconds; a job seconds to an hour. */
static const uint64_t fast_us[] = { 100, 250, 500, 1000, 2500, 5000, 10000,
    25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 10000000 };
static const uint64_t slow_us[] = { 100000, 250000, 500000, 1000000,
    2500000, 5000000, 10000000, 30000000, 60000000, 120000000, 300000000,
    600000000, 1800000000, 3600000000 };

#define NB(a)   (sizeof(a) / sizeof((a)[0]))

static const struct family_def defs[METRIC_COUNT] = {
    [METRIC_BUILD_INFO] = { "alexis_build_info",
        "Version of the running daemon (always 1).", MT_GAUGE, METRICS_ALL,
        { "version", NULL }, { NULL, NULL }, NULL, 0 },
    [METRIC_ALERTS_RECEIVED] = { "alexis_alerts_received_total",
        "Alerts received: fetched from a feed (poller) or accepted for "
        "classification (classifier).", MT_COUNTER,
        METRICS_POLLER | METRICS_CLASSIFIER,
        { "feed", NULL }, { NULL, NULL }, NULL, 0 },
    [METRIC_CLASSIFICATIONS] = { "alexis_classifications_total",
        "Classifications finished, by result.", MT_COUNTER,
        METRICS_CLASSIFIER, { "result", NULL }, { results, NULL }, NULL, 0 },
    [METRIC_CLASSIFY_DURATION] = { "alexis_classification_duration_seconds",
        "Time from taking an alert off the queue to its last ticket mark.",
        MT_HISTOGRAM, METRICS_CLASSIFIER, { NULL, NULL }, { NULL, NULL },
        fast_us, NB(fast_us) },
    [METRIC_FORWARDS] = { "alexis_forwards_total",
        "Requests to the next daemon (poller to classifier, classifier to "
        "action handler); skipped in development mode.", MT_COUNTER,
        METRICS_POLLER | METRICS_CLASSIFIER, { "outcome", NULL },
        { ok_failed, NULL }, NULL, 0 },
    [METRIC_POLLS] = { "alexis_polls_total",
        "Feed queries made by the poller.", MT_COUNTER, METRICS_POLLER,
        { "feed", "outcome" }, { NULL, poll_results }, NULL, 0 },
    [METRIC_JOBS] = { "alexis_jobs_total",
        "Remediation jobs by rule and by state reached (queued, duplicate, "
        "refused, running, then succeeded, failed, partial or "
        "interrupted).", MT_COUNTER, METRICS_ACTION_HANDLER,
        { "rule", "state" }, { NULL, job_states }, NULL, 0 },
    [METRIC_JOB_DURATION] = { "alexis_job_duration_seconds",
        "Time a job ran, from start to final state.", MT_HISTOGRAM,
        METRICS_ACTION_HANDLER, { "rule", NULL }, { NULL, NULL },
        slow_us, NB(slow_us) },
    [METRIC_JOBS_RUNNING] = { "alexis_jobs_running",
        "Jobs running now.", MT_GAUGE, METRICS_ACTION_HANDLER,
        { NULL, NULL }, { NULL, NULL }, NULL, 0 },
    [METRIC_SSH_COMMANDS] = { "alexis_ssh_commands_total",
        "Commands run on an entity, by outcome (ok means the session "
        "worked; exit status is separate).", MT_COUNTER,
        METRICS_ACTION_HANDLER, { "outcome", NULL }, { NULL, NULL },
        NULL, 0 },
    [METRIC_TICKET_WRITES] = { "alexis_ticket_writes_total",
        "Writes to a ticket system, by system and HTTP status (error: no "
        "answer).", MT_COUNTER, METRICS_ALL, { "system", "status" },
        { NULL, NULL }, NULL, 0 },
    [METRIC_GUARDRAIL_SKIPS] = { "alexis_guardrail_skips_total",
        "Actions a guardrail kept from running, by reason.", MT_COUNTER,
        METRICS_ACTION_HANDLER, { "reason", NULL }, { NULL, NULL },
        NULL, 0 },
};

static struct family fams[METRIC_COUNT];
static pthread_mutex_t create_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned shown = METRICS_ALL;

static size_t
nlabels(const struct family_def *d)
{
    return d->labels[0] == NULL ? 0 : d->labels[1] == NULL ? 1 : 2;
}

/* One label value as stored: "other" outside a fixed set, "none" when
 * empty, else cut and reduced to printable ASCII. */
static void
normalize(const char *const *fixed, const char *in, char *out)
{
    size_t i;

    if (in == NULL || *in == '\0') {
        (void)strlcpy(out, "none", METRICS_VALUE_MAX + 1);
        return;
    }
    if (fixed != NULL) {
        for (i = 0; fixed[i] != NULL; i++) {
            if (strcmp(fixed[i], in) == 0) {
                (void)strlcpy(out, in, METRICS_VALUE_MAX + 1);
                return;
            }
        }
        (void)strlcpy(out, METRICS_OTHER, METRICS_VALUE_MAX + 1);
        return;
    }
    for (i = 0; i < METRICS_VALUE_MAX && in[i] != '\0'; i++)
        out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '_';
    out[i] = '\0';
}

static struct series *
scan(struct family *f, size_t from, size_t to,
    char v[LABELS_MAX][METRICS_VALUE_MAX + 1])
{
    size_t i;

    for (i = from; i < to; i++) {
        if (strcmp(f->s[i].v[0], v[0]) == 0 &&
            strcmp(f->s[i].v[1], v[1]) == 0)
            return &f->s[i];
    }
    return NULL;
}

/* The series of (l1, l2), created when new; the overflow series when the
 * family is full. Never NULL. */
static struct series *
series_get(enum metric_id id, const char *l1, const char *l2)
{
    const struct family_def *d = &defs[id];
    struct family *f = &fams[id];
    char v[LABELS_MAX][METRICS_VALUE_MAX + 1];
    const char *in[LABELS_MAX] = { l1, l2 };
    struct series *s;
    size_t i, n, seen;

    memset(v, 0, sizeof(v));
    for (i = 0; i < nlabels(d); i++)
        normalize(d->fixed[i], in[i], v[i]);
    seen = atomic_load_explicit(&f->n, memory_order_acquire);
    if ((s = scan(f, 0, seen, v)) != NULL)
        return s;
    pthread_mutex_lock(&create_lock);
    n = atomic_load_explicit(&f->n, memory_order_relaxed);
    if ((s = scan(f, seen, n, v)) != NULL)
        goto out;
    if (n >= METRICS_SERIES_MAX - 1 && nlabels(d) > 0) {
        /* Full: the last slot is kept for the overflow series. */
        for (i = 0; i < nlabels(d); i++)
            (void)strlcpy(v[i], METRICS_OTHER, sizeof(v[i]));
        if ((s = scan(f, 0, n, v)) != NULL)
            goto out;
    }
    s = &f->s[n];
    memcpy(s->v, v, sizeof(v));
    atomic_store_explicit(&f->n, n + 1, memory_order_release);
out:
    pthread_mutex_unlock(&create_lock);
    return s;
}

/* Every combination of a family whose labels are all fixed (or none), so
 * that its counters show 0 before the first event. */
static void
prime(enum metric_id id)
{
    const struct family_def *d = &defs[id];
    size_t i, j;

    if (d->labels[0] == NULL) {
        (void)series_get(id, NULL, NULL);
        return;
    }
    if (d->fixed[0] == NULL)
        return;
    for (i = 0; d->fixed[0][i] != NULL; i++) {
        if (d->labels[1] == NULL) {
            (void)series_get(id, d->fixed[0][i], NULL);
            continue;
        }
        if (d->fixed[1] == NULL)
            continue;
        for (j = 0; d->fixed[1][j] != NULL; j++)
            (void)series_get(id, d->fixed[0][i], d->fixed[1][j]);
    }
}

void
metrics_reset(void)
{
    size_t i, n;

    /* Only the series in use: the rest of the 640 KB never was touched,
     * and clearing it would make it resident. */
    for (i = 0; i < METRIC_COUNT; i++) {
        n = atomic_load(&fams[i].n);
        memset(fams[i].s, 0, n * sizeof(fams[i].s[0]));
        atomic_store(&fams[i].n, 0);
    }
    for (i = 0; i < METRIC_COUNT; i++)
        prime((enum metric_id)i);
}

void
metrics_init(enum metrics_daemon daemon, const char *version)
{
    shown = (unsigned)daemon;
    metrics_reset();
    metrics_add(METRIC_BUILD_INFO, version, NULL, 1);
}

void
metrics_add(enum metric_id id, const char *l1, const char *l2, uint64_t n)
{
    if ((unsigned)id >= METRIC_COUNT)
        return;
    atomic_fetch_add_explicit(&series_get(id, l1, l2)->value, n,
        memory_order_relaxed);
}

void
metrics_inc(enum metric_id id, const char *l1, const char *l2)
{
    metrics_add(id, l1, l2, 1);
}

void
metrics_gauge_add(enum metric_id id, const char *l1, int64_t delta)
{
    metrics_add(id, l1, NULL, (uint64_t)delta);
}

void
metrics_observe_us(enum metric_id id, const char *l1, uint64_t us)
{
    const struct family_def *d = &defs[id];
    struct series *s;
    size_t b;

    if ((unsigned)id >= METRIC_COUNT || d->type != MT_HISTOGRAM)
        return;
    s = series_get(id, l1, NULL);
    for (b = 0; b < d->nbounds && us > d->bounds[b]; b++)
        continue;
    atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, us, memory_order_relaxed);
}

void
metrics_guardrail_skip(const char *reason)
{
    metrics_inc(METRIC_GUARDRAIL_SKIPS, reason, NULL);
}

int64_t
metrics_value(enum metric_id id, const char *l1, const char *l2)
{
    const struct family_def *d = &defs[id];
    struct family *f = &fams[id];
    char v[LABELS_MAX][METRICS_VALUE_MAX + 1];
    const char *in[LABELS_MAX] = { l1, l2 };
    struct series *s;
    uint64_t total = 0;
    size_t i;

    memset(v, 0, sizeof(v));
    for (i = 0; i < nlabels(d); i++)
        normalize(d->fixed[i], in[i], v[i]);
    if ((s = scan(f, 0, atomic_load(&f->n), v)) == NULL)
        return 0;
    if (d->type != MT_HISTOGRAM)
        return (int64_t)atomic_load(&s->value);
    for (i = 0; i <= d->nbounds; i++)
        total += atomic_load(&s->bucket[i]);
    return (int64_t)total;
}

/* ---- Rendering (text format 0.0.4) ---- */

/* HELP text escapes backslash and newline; label values also '"'. */
static int
put_escaped(struct buf *b, const char *s, bool quote)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\' && buf_appends(b, "\\\\") == -1)
            return -1;
        else if (*s == '\n' && buf_appends(b, "\\n") == -1)
            return -1;
        else if (*s == '"' && quote && buf_appends(b, "\\\"") == -1)
            return -1;
        else if (*s != '\\' && *s != '\n' && !(*s == '"' && quote) &&
            buf_append(b, s, 1) == -1)
            return -1;
    }
    return 0;
}

/* {a="x",b="y"[,le="..."]}, or nothing without labels. */
static int
put_labels(struct buf *b, const struct family_def *d, const struct series *s,
    const char *le)
{
    size_t i, n = nlabels(d);

    if (n == 0 && le == NULL)
        return 0;
    if (buf_appends(b, "{") == -1)
        return -1;
    for (i = 0; i < n; i++) {
        if (buf_appendf(b, "%s%s=\"", i > 0 ? "," : "", d->labels[i]) == -1 ||
            put_escaped(b, s->v[i], true) == -1 || buf_appends(b, "\"") == -1)
            return -1;
    }
    if (le != NULL && buf_appendf(b, "%sle=\"%s\"", n > 0 ? "," : "",
        le) == -1)
        return -1;
    return buf_appends(b, "}");
}

static void
seconds(uint64_t us, char *out, size_t len)
{
    (void)snprintf(out, len, "%g", (double)us / 1e6);
}

static int
put_histogram(struct buf *b, const struct family_def *d,
    const struct series *s)
{
    uint64_t cum = 0;
    char le[32];
    size_t i;

    for (i = 0; i <= d->nbounds; i++) {
        cum += atomic_load_explicit(&s->bucket[i], memory_order_relaxed);
        if (i < d->nbounds)
            seconds(d->bounds[i], le, sizeof(le));
        else
            (void)strlcpy(le, "+Inf", sizeof(le));
        if (buf_appendf(b, "%s_bucket", d->name) == -1 ||
            put_labels(b, d, s, le) == -1 ||
            buf_appendf(b, " %llu\n", (unsigned long long)cum) == -1)
            return -1;
    }
    if (buf_appendf(b, "%s_sum", d->name) == -1 ||
        put_labels(b, d, s, NULL) == -1 ||
        buf_appendf(b, " %.6f\n", (double)atomic_load_explicit(&s->sum_us,
        memory_order_relaxed) / 1e6) == -1 ||
        buf_appendf(b, "%s_count", d->name) == -1 ||
        put_labels(b, d, s, NULL) == -1 ||
        buf_appendf(b, " %llu\n", (unsigned long long)cum) == -1)
        return -1;
    return 0;
}

static int
put_family(struct buf *b, enum metric_id id)
{
    static const char *const types[] = { "counter", "gauge", "histogram" };
    const struct family_def *d = &defs[id];
    struct family *f = &fams[id];
    const struct series *s;
    uint64_t v;
    size_t i, n = atomic_load_explicit(&f->n, memory_order_acquire);

    if (buf_appendf(b, "# HELP %s ", d->name) == -1 ||
        put_escaped(b, d->help, false) == -1 ||
        buf_appendf(b, "\n# TYPE %s %s\n", d->name, types[d->type]) == -1)
        return -1;
    for (i = 0; i < n; i++) {
        s = &f->s[i];
        if (d->type == MT_HISTOGRAM) {
            if (put_histogram(b, d, s) == -1)
                return -1;
            continue;
        }
        v = atomic_load_explicit(&s->value, memory_order_relaxed);
        if (buf_appends(b, d->name) == -1 || put_labels(b, d, s, NULL) == -1)
            return -1;
        if (d->type == MT_GAUGE && buf_appendf(b, " %lld\n",
            (long long)(int64_t)v) == -1)
            return -1;
        if (d->type != MT_GAUGE && buf_appendf(b, " %llu\n",
            (unsigned long long)v) == -1)
            return -1;
    }
    return 0;
}

char *
metrics_render(void)
{
    struct buf b;
    size_t i;

    buf_init(&b, METRICS_PAGE_MAX);
    for (i = 0; i < METRIC_COUNT; i++) {
        if ((defs[i].daemons & shown) == 0)
            continue;
        if (put_family(&b, (enum metric_id)i) == -1) {
            buf_free(&b);
            return NULL;
        }
    }
    return buf_steal(&b);
}
