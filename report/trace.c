/*
 * Collects the lines of one alert (see trace.h). Matching costs a few
 * span compares per line, so a trace over a large log runs at parse speed.
 */
#include "trace.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "xmem.h"

struct trace_rec {
    int64_t     ts;
    size_t      seq;
    char       *text;
};

struct trace {
    char               *id;
    struct trace_rec   *recs;
    size_t              n;
    size_t              cap;
    size_t              bytes;
    uint64_t            dropped;
    char               *jobs[REPORT_TRACE_JOBS_MAX];
    size_t              njobs;
};

static const char *const id_keys[] = {
    "tinyId", "problem_id", "alert_id", "unique_value", "job",
};

struct trace *
trace_new(const char *id)
{
    struct trace *t = xcalloc(1, sizeof(*t));

    t->id = xstrdup(id);
    return t;
}

void
trace_free(struct trace *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->n; i++)
        free(t->recs[i].text);
    for (i = 0; i < t->njobs; i++)
        free(t->jobs[i]);
    free(t->recs);
    free(t->id);
    free(t);
}

static bool
known_job(const struct trace *t, const struct logfmt_field *job)
{
    size_t i;

    for (i = 0; i < t->njobs; i++) {
        if (logfmt_value_eq(job, t->jobs[i]))
            return true;
    }
    return false;
}

/* Remember the job of a line that matched by alert id. */
static void
learn_job(struct trace *t, const struct logfmt_field *job)
{
    char buf[REPORT_VALUE_MAX + 1];

    if (job == NULL || known_job(t, job) ||
        t->njobs >= REPORT_TRACE_JOBS_MAX ||
        logfmt_decode(job, buf, sizeof(buf)) == (size_t)-1)
        return;
    t->jobs[t->njobs++] = xstrdup(buf);
}

bool
trace_match(struct trace *t, const struct logfmt_line *l)
{
    const struct logfmt_field *f, *job = logfmt_get(l, "job");
    size_t i;

    for (i = 0; i < NELEM(id_keys); i++) {
        if ((f = logfmt_get(l, id_keys[i])) != NULL &&
            logfmt_value_eq(f, t->id)) {
            if (f != job)
                learn_job(t, job);
            return true;
        }
    }
    return job != NULL && known_job(t, job);
}

void
trace_add(struct trace *t, const char *line, size_t len, int64_t ts_ms)
{
    struct trace_rec *r;

    if (t->n >= REPORT_TRACE_LINES_MAX ||
        len > REPORT_TRACE_BYTES_MAX - t->bytes) {
        t->dropped++;
        return;
    }
    if (t->n == t->cap) {
        t->cap = t->cap == 0 ? 64 : t->cap * 2;
        t->recs = xreallocarray(t->recs, t->cap, sizeof(*t->recs));
    }
    r = &t->recs[t->n];
    r->ts = ts_ms;
    r->seq = t->n;
    r->text = xstrndup(line, len);
    t->bytes += len;
    t->n++;
}

static int
cmp_rec(const void *x, const void *y)
{
    const struct trace_rec *a = x, *b = y;

    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

void
trace_sort(struct trace *t)
{
    if (t->n > 1)
        qsort(t->recs, t->n, sizeof(*t->recs), cmp_rec);
}

size_t
trace_count(const struct trace *t)
{
    return t->n;
}

uint64_t
trace_dropped(const struct trace *t)
{
    return t->dropped;
}

const char *
trace_line(const struct trace *t, size_t i)
{
    return i < t->n ? t->recs[i].text : NULL;
}
