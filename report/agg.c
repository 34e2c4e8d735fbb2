/*
 * One pass over the logs: parse, count, filter, aggregate (see agg.h). A
 * line whose fields are not needed (all but ActionResult and
 * ActionFinished, unless tracing) is only checked and outlined
 * (logfmt_scan), never split into fields; that and the bit-parallel
 * checker (logscan.h) keep the report near grep's speed.
 */
#include "agg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alexis_limits.h"
#include "clock.h"
#include "input.h"
#include "logfmt.h"
#include "str.h"
#include "xmem.h"

/* Decoded fields of one line fit here: each is at most its raw span, plus
 * a NUL per field. */
#define SCRATCH_MAX     (LOG_LINE_MAX + LOGFMT_FIELDS_MAX)

struct scratch {
    char    buf[SCRATCH_MAX];
    size_t  used;
};

static const struct {
    uint64_t    max;
    const char *label;
} dur_bins[AGG_DUR_BINS] = {
    { 100, "<100ms" }, { 250, "<250ms" }, { 500, "<500ms" },
    { 1000, "<1s" }, { 2000, "<2s" }, { 5000, "<5s" }, { 10000, "<10s" },
    { 30000, "<30s" }, { 60000, "<1m" }, { 120000, "<2m" },
    { 600000, "<10m" }, { UINT64_MAX, ">=10m" },
};

static const char *const ok_status[] = {
    "success", "succeeded", "successful", "ok", "done", "completed",
    "dry_run",      /* development mode; the action handler counts it ok */
};

const char *
agg_dur_bin_label(size_t i)
{
    return i < AGG_DUR_BINS ? dur_bins[i].label : "";
}

struct agg *
agg_new(const struct agg_filter *f, const char *trace_id)
{
    struct agg *a = xcalloc(1, sizeof(*a));

    if (f != NULL)
        a->flt = *f;
    a->by_action = group_table_new(1, REPORT_ACTIONS_MAX);
    a->by_rule = group_table_new(1, REPORT_GROUPS_MAX);
    a->by_entity = group_table_new(1, REPORT_GROUPS_MAX);
    a->by_pair = group_table_new(2, REPORT_GROUPS_MAX);
    a->failures = group_table_new(4, REPORT_GROUPS_MAX);
    a->by_day = group_table_new(1, REPORT_DAYS_MAX);
    a->skips = group_table_new(2, REPORT_GROUPS_MAX);
    a->verified = group_table_new(1, REPORT_GROUPS_MAX);
    a->first_ms = a->last_ms = GROUP_NO_TIME;
    if (trace_id != NULL)
        a->trace = trace_new(trace_id);
    a->pending = xcalloc(AGG_PENDING_MAX, sizeof(*a->pending));
    return a;
}

void
agg_free(struct agg *a)
{
    if (a == NULL)
        return;
    group_table_free(a->by_action);
    group_table_free(a->by_rule);
    group_table_free(a->by_entity);
    group_table_free(a->by_pair);
    group_table_free(a->failures);
    group_table_free(a->by_day);
    group_table_free(a->skips);
    group_table_free(a->verified);
    trace_free(a->trace);
    free(a->pending);
    free(a);
}

/* The fields an ActionFinished line is read for, found in one pass. */
enum run_key {
    RK_ACTION, RK_ENTITY, RK_RULE, RK_TINY, RK_PROBLEM, RK_ALERT,
    RK_STATUS, RK_EXIT, RK_ELAPSED, RK_ERROR, RK_REASON, RK_SIGNAL,
    RK_OUTCOME, RK_JOB, RK_COUNT,
};

#define RUN_KEY(s)  { s, sizeof(s) - 1 }

static const struct {
    const char *name;
    size_t      len;
} run_keys[RK_COUNT] = {
    RUN_KEY("action"), RUN_KEY("entity"), RUN_KEY("rule_name"),
    RUN_KEY("tinyId"), RUN_KEY("problem_id"), RUN_KEY("alert_id"),
    RUN_KEY("action_status"), RUN_KEY("exit_status"),
    RUN_KEY("app_elapsed_ms"), RUN_KEY("error"), RUN_KEY("reason"),
    RUN_KEY("signal"), RUN_KEY("outcome"), RUN_KEY("job"),
};

struct run_fields {
    const struct logfmt_field *f[RK_COUNT];
};

static void
find_fields(const struct logfmt_line *l, struct run_fields *rf)
{
    const struct logfmt_field *f;
    size_t i, k;

    memset(rf, 0, sizeof(*rf));
    for (i = 0; i < l->n; i++) {
        f = &l->f[i];
        for (k = 0; k < RK_COUNT; k++) {
            if (f->keylen == run_keys[k].len && rf->f[k] == NULL &&
                f->key[0] == run_keys[k].name[0] &&
                memcmp(f->key, run_keys[k].name, f->keylen) == 0) {
                rf->f[k] = f;
                break;
            }
        }
    }
}

/* The decoded value of field k, in s; NULL when the line lacks it. */
static const char *
take(const struct run_fields *rf, enum run_key k, struct scratch *s)
{
    const struct logfmt_field *f = rf->f[k];
    size_t n;

    if (f == NULL)
        return NULL;
    n = logfmt_decode(f, s->buf + s->used, sizeof(s->buf) - s->used);
    if (n == (size_t)-1)
        return NULL;
    s->used += n + 1;
    return s->buf + s->used - n - 1;
}

static int64_t
line_time(const struct logfmt_line *l)
{
    const struct logfmt_field *f = logfmt_get(l, "ts");
    int64_t ms;

    if (f == NULL || f->escaped ||
        clock_parse_iso(f->val, f->vallen, &ms) == -1)
        return GROUP_NO_TIME;
    return ms;
}

static bool
status_ok(const char *status, const char *exit_status)
{
    size_t i;

    if (status == NULL)
        return exit_status != NULL && strcmp(exit_status, "0") == 0;
    for (i = 0; i < NELEM(ok_status); i++) {
        if (strcasecmp(status, ok_status[i]) == 0)
            return true;
    }
    return false;
}

/* The value of k when present and not empty. */
static const char *
take_set(const struct run_fields *rf, enum run_key k, struct scratch *s)
{
    const char *v = take(rf, k, s);

    return v != NULL && *v != '\0' ? v : NULL;
}

/* Compose prefix and v in s. */
static const char *
compose(const char *prefix, const char *v, struct scratch *s)
{
    size_t lp = strlen(prefix), lv = strlen(v), n = lp + lv + 1;
    char *d = s->buf + s->used;

    /* v may live in s, but always before s->used: no overlap. */
    if (n > sizeof(s->buf) - s->used)
        return v;
    memcpy(d, prefix, lp);
    memcpy(d + lp, v, lv);
    d[lp + lv] = '\0';
    s->used += n;
    return d;
}

/* A reason the line states: error, reason, signal, or an SSH outcome
 * other than ok (the action handler's ActionResult carries these). */
static const char *
stated_reason(const struct run_fields *rf, struct scratch *s)
{
    const char *r;

    if ((r = take_set(rf, RK_ERROR, s)) != NULL ||
        (r = take_set(rf, RK_REASON, s)) != NULL)
        return r;
    if ((r = take_set(rf, RK_SIGNAL, s)) != NULL)
        return compose("signal ", r, s);
    if ((r = take_set(rf, RK_OUTCOME, s)) != NULL && strcmp(r, "ok") != 0)
        return r;
    return NULL;
}

static const char *
fallback_reason(const char *status, const char *exit_status,
    struct scratch *s)
{
    if (exit_status != NULL && strcmp(exit_status, "0") != 0)
        return compose("exit status ", exit_status, s);
    return status != NULL && *status != '\0' ? status : "unknown";
}

/* Remember the stated reason of a failed ActionResult for the
 * ActionFinished line of the same job, entity and action. */
static void
pending_put(struct agg *a, const struct agg_run *r)
{
    struct agg_pending *p = &a->pending[a->pend_next];

    a->pend_next = (a->pend_next + 1) % AGG_PENDING_MAX;
    (void)strlcpy(p->job, r->job, sizeof(p->job));
    (void)strlcpy(p->entity, r->entity, sizeof(p->entity));
    (void)strlcpy(p->action, r->action, sizeof(p->action));
    (void)strlcpy(p->reason, r->reason, sizeof(p->reason));
}

static const char *
pending_take(struct agg *a, const struct agg_run *r, struct scratch *s)
{
    struct agg_pending *p;
    const char *v;
    size_t i, k;

    for (i = 0; i < AGG_PENDING_MAX; i++) {
        k = (a->pend_next + AGG_PENDING_MAX - 1 - i) % AGG_PENDING_MAX;
        p = &a->pending[k];
        if (p->job[0] == '\0' || strcmp(p->job, r->job) != 0 ||
            strcmp(p->entity, r->entity) != 0 ||
            strcmp(p->action, r->action) != 0)
            continue;
        v = compose("", p->reason, s);
        p->job[0] = '\0';
        return v;
    }
    return NULL;
}

static bool
keep_run(const struct agg_filter *f, const struct agg_run *r)
{
    if (f->action != NULL && strcmp(f->action, r->action) != 0)
        return false;
    if (f->entity != NULL && strcmp(f->entity, r->entity) != 0)
        return false;
    if (f->rule != NULL && strcmp(f->rule, r->rule) != 0)
        return false;
    if ((f->has_since || f->has_until) && r->ts == GROUP_NO_TIME)
        return false;
    if (f->has_since && r->ts < f->since_ms)
        return false;
    if (f->has_until && r->ts >= f->until_ms)
        return false;
    return true;
}

static const char *
or_none(const char *s)
{
    return s != NULL && *s != '\0' ? s : AGG_NONE;
}

/* An ActionResult matters only when it failed with a stated reason: that
 * is kept for the ActionFinished of the same job, entity and action. */
static void
note_result(struct agg *a, const struct logfmt_line *l, struct scratch *s)
{
    const char *status, *exit_status;
    struct run_fields rf;
    struct agg_run r;

    find_fields(l, &rf);
    status = take(&rf, RK_STATUS, s);
    exit_status = take(&rf, RK_EXIT, s);
    if (status_ok(status, exit_status))
        return;
    memset(&r, 0, sizeof(r));
    if ((r.reason = stated_reason(&rf, s)) == NULL)
        return;
    r.action = or_none(take(&rf, RK_ACTION, s));
    r.entity = or_none(take(&rf, RK_ENTITY, s));
    r.job = or_none(take(&rf, RK_JOB, s));
    pending_put(a, &r);
}

/* Decode the fields of an ActionFinished line into r (strings in s). */
static void
decode_run(struct agg *a, const struct logfmt_line *l, struct agg_run *r,
    struct scratch *s)
{
    const char *status, *exit_status, *el, *errstr;
    struct run_fields rf;
    uint64_t v;

    find_fields(l, &rf);
    r->action = or_none(take(&rf, RK_ACTION, s));
    r->entity = or_none(take(&rf, RK_ENTITY, s));
    r->rule = or_none(take(&rf, RK_RULE, s));
    r->job = or_none(take(&rf, RK_JOB, s));
    if ((r->alert = take(&rf, RK_TINY, s)) == NULL &&
        (r->alert = take(&rf, RK_PROBLEM, s)) == NULL)
        r->alert = take(&rf, RK_ALERT, s);
    status = take(&rf, RK_STATUS, s);
    exit_status = take(&rf, RK_EXIT, s);
    r->ok = status_ok(status, exit_status);
    r->reason = r->ok ? NULL : stated_reason(&rf, s);
    if (!r->ok && r->reason == NULL &&
        (r->reason = pending_take(a, r, s)) == NULL)
        r->reason = fallback_reason(status, exit_status, s);
    r->has_elapsed = false;
    if ((el = take(&rf, RK_ELAPSED, s)) != NULL &&
        str_to_u64(el, 0, UINT64_MAX, &v, &errstr) == 0) {
        r->has_elapsed = true;
        r->elapsed_ms = v;
    }
    r->ts = line_time(l);
}

static void
count_run(struct agg *a, const struct agg_run *r)
{
    const char *day_parts[1];
    const char *fail_parts[4] = { r->rule, r->action, r->entity, r->reason };
    const char *pair[2] = { r->action, r->entity };
    char day[CLOCK_DAY_LEN];
    struct group *g;
    size_t b;

    a->cnt.runs++;
    if (r->ok)
        a->cnt.ok++;
    else
        a->cnt.failed++;
    g = group_table_get(a->by_action, &r->action);
    group_count(g, r->ok, r->ts, r->alert);
    if (r->has_elapsed) {
        pctl_add(&g->pc, r->elapsed_ms);
        for (b = 0; b + 1 < AGG_DUR_BINS && r->elapsed_ms >= dur_bins[b].max;
            b++)
            continue;
        a->dur_bins[b]++;
    }
    group_count(group_table_get(a->by_rule, &r->rule), r->ok, r->ts, r->alert);
    group_count(group_table_get(a->by_entity, &r->entity), r->ok, r->ts,
        r->alert);
    group_count(group_table_get(a->by_pair, pair), r->ok, r->ts, r->alert);
    if (!r->ok)
        group_count(group_table_get(a->failures, fail_parts), false, r->ts,
            r->alert);
    if (r->ts == GROUP_NO_TIME)
        return;
    /* Runs come in time order within a file: keep the day's row. */
    if (a->day_row == NULL || clock_day(r->ts) != a->day_no) {
        a->day_no = clock_day(r->ts);
        clock_format_day(r->ts, day);
        day_parts[0] = day;
        a->day_row = group_table_get(a->by_day, day_parts);
    }
    group_count(a->day_row, r->ok, r->ts, NULL);
    if (a->first_ms == GROUP_NO_TIME || r->ts < a->first_ms)
        a->first_ms = r->ts;
    if (a->last_ms == GROUP_NO_TIME || r->ts > a->last_ms)
        a->last_ms = r->ts;
}

static void
on_trace(struct agg *a, const char *line, size_t len,
    const struct logfmt_line *l)
{
    int64_t ts;

    if (!trace_match(a->trace, l))
        return;
    ts = line_time(l);
    if ((a->flt.has_since || a->flt.has_until) && ts == GROUP_NO_TIME)
        return;
    if ((a->flt.has_since && ts < a->flt.since_ms) ||
        (a->flt.has_until && ts >= a->flt.until_ms))
        return;
    trace_add(a->trace, line, len, ts);
}

/* A field decoded into buf, or AGG_NONE. */
static const char *
guard_field(const struct logfmt_line *l, const char *key, char *buf,
    size_t len)
{
    const struct logfmt_field *f = logfmt_get(l, key);

    if (f == NULL || logfmt_decode(f, buf, len) == (size_t)-1 ||
        buf[0] == '\0')
        return AGG_NONE;
    return buf;
}

/* job_skipped / job_refused / job_verified of the action handler. */
static void
count_guard(struct agg *a, const struct logfmt_line *l, bool verify)
{
    char rule[REPORT_VALUE_MAX], alert[REPORT_VALUE_MAX];
    char ev[AGG_KEY_MAX], why[REPORT_VALUE_MAX];
    const char *parts[2], *id;
    int64_t ts = line_time(l);

    parts[0] = guard_field(l, "rule_name", rule, sizeof(rule));
    if (a->flt.rule != NULL && strcmp(a->flt.rule, parts[0]) != 0)
        return;
    if (((a->flt.has_since || a->flt.has_until) && ts == GROUP_NO_TIME) ||
        (a->flt.has_since && ts < a->flt.since_ms) ||
        (a->flt.has_until && ts >= a->flt.until_ms))
        return;
    id = guard_field(l, "tinyId", alert, sizeof(alert));
    if (strcmp(id, AGG_NONE) == 0)
        id = guard_field(l, "problem_id", alert, sizeof(alert));
    if (verify) {
        a->cnt.verifications++;
        group_count(group_table_get(a->verified, parts), strcmp(guard_field(l,
            "verified", why, sizeof(why)), "true") == 0, ts, id);
        return;
    }
    a->cnt.guard_stops++;
    parts[0] = guard_field(l, "event", ev, sizeof(ev));
    parts[1] = guard_field(l, "reason", why, sizeof(why));
    group_count(group_table_get(a->skips, parts), true, ts, id);
}

/* Count a line through a full parse: the lines whose fields are read. */
static void
line_fields(struct agg *a, const char *line, size_t len)
{
    struct logfmt_line l;
    const struct logfmt_field *ev;
    struct scratch s;
    struct agg_run r;

    if (logfmt_parse(line, len, &l, NULL, 0) == -1) {
        a->cnt.malformed++;
        return;
    }
    a->cnt.parsed++;
    if (l.f[l.n - 1].keylen == 9 &&
        memcmp(l.f[l.n - 1].key, "truncated", 9) == 0)
        a->cnt.truncated++;
    if (a->trace != NULL)
        on_trace(a, line, len, &l);
    if ((ev = logfmt_get(&l, "event")) == NULL || ev->escaped)
        return;
    if (logfmt_value_eq(ev, "ActionStart")) {
        a->cnt.action_start++;
    } else if (logfmt_value_eq(ev, "ActionResult")) {
        a->cnt.action_result++;
        s.used = 0;
        note_result(a, &l, &s);
    } else if (logfmt_value_eq(ev, "ActionFinished")) {
        a->cnt.action_finished++;
        s.used = 0;
        decode_run(a, &l, &r, &s);
        if (r.ts == GROUP_NO_TIME)
            a->cnt.no_time++;
        if (keep_run(&a->flt, &r))
            count_run(a, &r);
    } else if (logfmt_value_eq(ev, "job_skipped") ||
        logfmt_value_eq(ev, "job_refused")) {
        count_guard(a, &l, false);
    } else if (logfmt_value_eq(ev, "job_verified")) {
        count_guard(a, &l, true);
    }
}

static bool
span_is(const char *p, size_t len, const char *s)
{
    return strlen(s) == len && memcmp(p, s, len) == 0;
}

/* Count a line that is only checked, not split; the lines of runs go on
 * to line_fields. */
static void
line_outline(struct agg *a, const char *line, size_t len)
{
    struct logfmt_outline o;

    if (logfmt_scan(line, len, &o) == -1) {
        a->cnt.malformed++;
        return;
    }
    if (o.event != NULL && !o.event_escaped &&
        (span_is(o.event, o.eventlen, "ActionResult") ||
        span_is(o.event, o.eventlen, "ActionFinished") ||
        span_is(o.event, o.eventlen, "job_skipped") ||
        span_is(o.event, o.eventlen, "job_refused") ||
        span_is(o.event, o.eventlen, "job_verified"))) {
        line_fields(a, line, len);
        return;
    }
    a->cnt.parsed++;
    if (o.truncated)
        a->cnt.truncated++;
    if (o.event != NULL && !o.event_escaped &&
        span_is(o.event, o.eventlen, "ActionStart"))
        a->cnt.action_start++;
}

/* A guess from the first bytes: is the 4th field, where our writer puts
 * the event, an ActionResult or ActionFinished? Only a hint for the
 * choice of path: both paths count every line the same way. */
static bool
wants_fields(const char *line, size_t len)
{
    static const char want[] = "event=Action";
    const char *p = line, *end = line + len, *sp;
    int i;

    for (i = 0; i < 3; i++) {
        if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
            return false;
        p = sp + 1;
    }
    if ((size_t)(end - p) <= sizeof(want) ||
        memcmp(p, want, sizeof(want) - 1) != 0)
        return false;
    p += sizeof(want) - 1;
    return *p == 'R' || *p == 'F';
}

void
agg_line(struct agg *a, const char *line, size_t len)
{
    a->cnt.lines++;
    /* A trace looks at the ids of every line. */
    if (a->trace != NULL || wants_fields(line, len))
        line_fields(a, line, len);
    else
        line_outline(a, line, len);
}

int
agg_file(struct agg *a, const char *path, char *err, size_t errlen)
{
    struct input *in;
    const char *line;
    size_t len;
    int rc;

    a->cnt.files++;
    if ((in = input_open(path, err, errlen)) == NULL) {
        a->cnt.read_errors++;
        return -1;
    }
    while ((rc = input_next(in, &line, &len, err, errlen)) == 1)
        agg_line(a, line, len);
    if (input_is_gzip(in))
        a->cnt.gzip_files++;
    a->cnt.cut += input_cut(in);
    a->cnt.lines += input_cut(in);
    if (rc == -1)
        a->cnt.read_errors++;
    input_free(in);
    return rc == -1 ? -1 : 0;
}

void
agg_run(struct agg *a, const struct agg_run *in)
{
    struct agg_run r;

    memset(&r, 0, sizeof(r));
    r.action = or_none(in->action);
    r.entity = or_none(in->entity);
    r.rule = or_none(in->rule);
    r.job = or_none(in->job);
    r.alert = in->alert != NULL && *in->alert != '\0' ? in->alert : NULL;
    r.ok = in->ok;
    r.reason = in->ok ? NULL : or_none(in->reason);
    r.has_elapsed = in->has_elapsed;
    r.elapsed_ms = in->elapsed_ms;
    r.ts = in->ts;
    a->cnt.action_finished++;
    if (r.ts == GROUP_NO_TIME)
        a->cnt.no_time++;
    if (keep_run(&a->flt, &r))
        count_run(a, &r);
}
