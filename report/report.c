/*
 * Builds the tables of each report command from the aggregated pass (see
 * report.h). Numbers are rendered here once, so the text, CSV, JSON and
 * HTML outputs always agree.
 */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "clock.h"
#include "logfmt.h"
#include "xmem.h"

#define NUM_LEN     32

static const struct {
    const char     *name;
    enum report_cmd cmd;
} commands[] = {
    { "summary", REPORT_SUMMARY }, { "runs", REPORT_RUNS },
    { "failures", REPORT_FAILURES }, { "durations", REPORT_DURATIONS },
    { "trace", REPORT_TRACE },
};

int
report_cmd_parse(const char *s, enum report_cmd *cmd)
{
    size_t i;

    for (i = 0; i < NELEM(commands); i++) {
        if (strcmp(s, commands[i].name) == 0) {
            *cmd = commands[i].cmd;
            return 0;
        }
    }
    return -1;
}

void
report_free(struct table **t, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        table_free(t[i]);
}

static void
fmt_u64(char out[NUM_LEN], uint64_t v)
{
    (void)snprintf(out, NUM_LEN, "%" PRIu64, v);
}

static void
fmt_pct(char out[NUM_LEN], uint64_t part, uint64_t whole)
{
    if (whole == 0)
        out[0] = '\0';
    else
        (void)snprintf(out, NUM_LEN, "%.1f", 100.0 * (double)part /
            (double)whole);
}

static void
fmt_time(char out[CLOCK_ISO_LEN], int64_t ms)
{
    if (ms == GROUP_NO_TIME)
        out[0] = '\0';
    else
        clock_format_iso(ms, out);
}

static struct table *
new_table(const char *name, const char *title, const char *const *cols,
    const enum table_col *types, size_t n)
{
    return table_new(name, title, cols, types, n);
}

static void
note_overflow(struct table *t, const struct gtable *g)
{
    if (group_table_overflow(g) > 0)
        table_note(t, "note: more than %zu distinct keys; %" PRIu64
            " runs are counted in the \"%s\" row", group_table_count(g) - 1,
            group_table_overflow(g), GROUP_OTHER);
}

static void
add_count(struct table *t, const char *what, uint64_t v)
{
    char num[NUM_LEN];
    const char *row[2] = { what, num };

    fmt_u64(num, v);
    table_add(t, row);
}

static struct table *
input_table(const struct agg *a)
{
    static const char *const cols[] = { "counter", "value" };
    static const enum table_col types[] = { TABLE_TEXT, TABLE_TEXT };
    const struct agg_counts *c = &a->cnt;
    struct table *t = new_table("input", "Input", cols, types, 2);
    char first[CLOCK_ISO_LEN], last[CLOCK_ISO_LEN];
    const char *row[2];

    add_count(t, "files", c->files);
    add_count(t, "gzip_files", c->gzip_files);
    add_count(t, "read_errors", c->read_errors);
    add_count(t, "lines", c->lines);
    add_count(t, "parsed", c->parsed);
    add_count(t, "malformed_skipped", c->malformed);
    add_count(t, "cut_skipped", c->cut);
    add_count(t, "truncated_by_writer", c->truncated);
    add_count(t, "ActionStart", c->action_start);
    add_count(t, "ActionResult", c->action_result);
    add_count(t, "ActionFinished", c->action_finished);
    add_count(t, "ActionFinished_without_ts", c->no_time);
    if (c->job_stores > 0) {
        add_count(t, "job_stores", c->job_stores);
        add_count(t, "job_results", c->job_results);
    }
    add_count(t, "runs_selected", c->runs);
    add_count(t, "runs_ok", c->ok);
    add_count(t, "runs_failed", c->failed);
    add_count(t, "guardrail_skips", c->guard_stops);
    add_count(t, "verifications", c->verifications);
    fmt_time(first, a->first_ms);
    fmt_time(last, a->last_ms);
    row[0] = "first_run";
    row[1] = first;
    table_add(t, row);
    row[0] = "last_run";
    row[1] = last;
    table_add(t, row);
    return t;
}

/* Distinct entities of action among the (action, entity) rows. */
static uint64_t
entities_of(struct group *const *pairs, size_t n, const char *action)
{
    size_t i;
    uint64_t k = 0;

    for (i = 0; i < n; i++) {
        if (strcmp(pairs[i]->part[0], action) == 0)
            k++;
    }
    return k;
}

static struct table *
by_action_table(struct agg *a)
{
    static const char *const cols[] = { "action", "runs", "ok", "failed",
        "success_pct", "entities", "p50_ms", "p95_ms", "max_ms", "last" };
    static const enum table_col types[] = { TABLE_TEXT, TABLE_NUM,
        TABLE_NUM, TABLE_NUM, TABLE_NUM, TABLE_NUM, TABLE_NUM, TABLE_NUM,
        TABLE_NUM, TABLE_TEXT };
    char num[9][NUM_LEN], last[CLOCK_ISO_LEN];
    const char *row[10];
    struct table *t = new_table("by_action", "Runs by action", cols, types,
        NELEM(cols));
    struct group **v, **pairs;
    size_t n, np, i, k;

    v = group_table_sorted(a->by_action, GROUP_BY_RUNS, &n);
    pairs = group_table_sorted(a->by_pair, GROUP_BY_KEY, &np);
    for (i = 0; i < n; i++) {
        struct group *g = v[i];

        fmt_u64(num[0], g->runs);
        fmt_u64(num[1], g->ok);
        fmt_u64(num[2], g->failed);
        fmt_pct(num[3], g->ok, g->runs);
        fmt_u64(num[4], entities_of(pairs, np, g->part[0]));
        for (k = 5; k < 8; k++)
            num[k][0] = '\0';
        if (g->pc.n > 0) {
            fmt_u64(num[5], pctl_value(&g->pc, 50));
            fmt_u64(num[6], pctl_value(&g->pc, 95));
            fmt_u64(num[7], g->pc.max);
        }
        fmt_time(last, g->last_ms);
        row[0] = g->part[0];
        for (k = 0; k < 8; k++)
            row[k + 1] = num[k];
        row[9] = last;
        table_add(t, row);
    }
    note_overflow(t, a->by_action);
    free(pairs);
    free(v);
    return t;
}

/* What a column of a group_table shows of its row. */
enum gcol_kind {
    GC_PART,        /* key part `part` */
    GC_RUNS,
    GC_OK,
    GC_FAILED,
    GC_PCT,         /* ok of runs, in percent */
    GC_FIRST,
    GC_LAST,
    GC_ALERT,       /* the alert of the last run */
};

struct gcol {
    const char     *name;
    enum gcol_kind  kind;
    int             part;   /* GC_PART only */
};

#define GCOLS_MAX   8
#define CELL_LEN    (NUM_LEN > CLOCK_ISO_LEN ? NUM_LEN : CLOCK_ISO_LEN)

/* The cell of column c in row g, rendered into buf when it is a number or
 * a time. */
static const char *
gcell(const struct group *g, const struct gcol *c, char buf[CELL_LEN])
{
    switch (c->kind) {
    case GC_PART:
        return g->part[c->part];
    case GC_RUNS:
        fmt_u64(buf, g->runs);
        break;
    case GC_OK:
        fmt_u64(buf, g->ok);
        break;
    case GC_FAILED:
        fmt_u64(buf, g->failed);
        break;
    case GC_PCT:
        fmt_pct(buf, g->ok, g->runs);
        break;
    case GC_FIRST:
        fmt_time(buf, g->first_ms);
        break;
    case GC_LAST:
        fmt_time(buf, g->last_ms);
        break;
    case GC_ALERT:
        return g->last_alert;
    }
    return buf;
}

/* One row per group of g in order, with the columns spec[0..ncols) (at
 * most GCOLS_MAX); numbers are TABLE_NUM, the rest text. */
static struct table *
group_table(const struct gtable *g, enum group_order order, const char *name,
    const char *title, const struct gcol *spec, size_t ncols)
{
    const char *cols[GCOLS_MAX], *row[GCOLS_MAX];
    enum table_col types[GCOLS_MAX];
    char cell[GCOLS_MAX][CELL_LEN];
    struct table *t;
    struct group **v;
    size_t n, i, k;

    for (k = 0; k < ncols; k++) {
        cols[k] = spec[k].name;
        types[k] = spec[k].kind >= GC_RUNS && spec[k].kind <= GC_PCT ?
            TABLE_NUM : TABLE_TEXT;
    }
    t = new_table(name, title, cols, types, ncols);
    v = group_table_sorted(g, order, &n);
    for (i = 0; i < n; i++) {
        for (k = 0; k < ncols; k++)
            row[k] = gcell(v[i], &spec[k], cell[k]);
        table_add(t, row);
    }
    note_overflow(t, g);
    free(v);
    return t;
}

/* Runs by one key (rule, entity or day): key, runs, ok, failed, %, last. */
static struct table *
by_key_table(const struct gtable *g, const char *name, const char *title,
    const char *keycol, enum group_order order)
{
    const struct gcol spec[] = { { keycol, GC_PART, 0 },
        { "runs", GC_RUNS, 0 }, { "ok", GC_OK, 0 },
        { "failed", GC_FAILED, 0 }, { "success_pct", GC_PCT, 0 },
        { "last", GC_LAST, 0 } };

    return group_table(g, order, name, title, spec, NELEM(spec));
}

static struct table *
runs_table(const struct agg *a)
{
    static const struct gcol spec[] = { { "action", GC_PART, 0 },
        { "entity", GC_PART, 1 }, { "runs", GC_RUNS, 0 },
        { "ok", GC_OK, 0 }, { "failed", GC_FAILED, 0 },
        { "first", GC_FIRST, 0 }, { "last", GC_LAST, 0 },
        { "last_alert", GC_ALERT, 0 } };

    return group_table(a->by_pair, GROUP_BY_RUNS, "runs",
        "Runs by action and entity", spec, NELEM(spec));
}

static struct table *
failures_table(const struct agg *a)
{
    static const struct gcol spec[] = { { "rule", GC_PART, 0 },
        { "action", GC_PART, 1 }, { "entity", GC_PART, 2 },
        { "reason", GC_PART, 3 }, { "failures", GC_RUNS, 0 },
        { "last", GC_LAST, 0 }, { "last_alert", GC_ALERT, 0 } };

    return group_table(a->failures, GROUP_BY_RUNS, "failures", "Failures",
        spec, NELEM(spec));
}

/* Guardrails that stopped jobs, by event and reason (issue 13). */
static struct table *
skips_table(const struct agg *a)
{
    static const struct gcol spec[] = { { "event", GC_PART, 0 },
        { "reason", GC_PART, 1 }, { "jobs", GC_RUNS, 0 },
        { "last", GC_LAST, 0 }, { "last_alert", GC_ALERT, 0 } };

    return group_table(a->skips, GROUP_BY_RUNS, "guardrail_skips",
        "Jobs stopped by guardrails", spec, NELEM(spec));
}

/* Verification results by rule, with verified_pct. */
static struct table *
verified_table(const struct agg *a)
{
    static const struct gcol spec[] = { { "rule", GC_PART, 0 },
        { "verifications", GC_RUNS, 0 }, { "verified", GC_OK, 0 },
        { "not_verified", GC_FAILED, 0 }, { "verified_pct", GC_PCT, 0 },
        { "last", GC_LAST, 0 } };

    return group_table(a->verified, GROUP_BY_RUNS, "verified",
        "Verification by rule", spec, NELEM(spec));
}

static struct table *
durations_table(struct agg *a)
{
    static const char *const cols[] = { "action", "samples", "min_ms",
        "p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms", "exact" };
    static const enum table_col types[] = { TABLE_TEXT, TABLE_NUM,
        TABLE_NUM, TABLE_NUM, TABLE_NUM, TABLE_NUM, TABLE_NUM, TABLE_NUM,
        TABLE_TEXT };
    char num[7][NUM_LEN];
    const char *row[9];
    struct table *t = new_table("durations", "app_elapsed_ms by action",
        cols, types, NELEM(cols));
    struct group **v;
    size_t n, i, k;

    v = group_table_sorted(a->by_action, GROUP_BY_RUNS, &n);
    for (i = 0; i < n; i++) {
        struct pctl *p = &v[i]->pc;

        if (p->n == 0)
            continue;
        fmt_u64(num[0], p->n);
        fmt_u64(num[1], p->min);
        fmt_u64(num[2], pctl_value(p, 50));
        fmt_u64(num[3], pctl_value(p, 95));
        fmt_u64(num[4], pctl_value(p, 99));
        fmt_u64(num[5], p->max);
        fmt_u64(num[6], p->sum / p->n);
        row[0] = v[i]->part[0];
        for (k = 0; k < 7; k++)
            row[k + 1] = num[k];
        row[8] = pctl_exact(p) ? "yes" : "no";
        table_add(t, row);
    }
    table_note(t, "percentiles are nearest-rank; exact up to %d samples "
        "per action, above that within 1.6%% (histogram)", PCTL_EXACT_MAX);
    free(v);
    return t;
}

/* The value of key in a parsed line, decoded into buf ("" when absent). */
static const char *
field_text(const struct logfmt_line *l, const char *key, char *buf,
    size_t len)
{
    const struct logfmt_field *f = logfmt_get(l, key);

    if (f == NULL || logfmt_decode(f, buf, len) == (size_t)-1)
        return "";
    return buf;
}

static void
add_trace_row(struct table *t, const char *line)
{
    static const char *const head[] = { "ts", "app", "level", "event" };
    char val[4][LOG_LINE_MAX];
    const char *row[5];
    struct logfmt_line *l = xmalloc(sizeof(*l));
    const char *rest = "";
    size_t i;

    if (logfmt_parse(line, strlen(line), l, NULL, 0) == -1) {
        free(l);
        return;
    }
    for (i = 0; i < 4; i++)
        row[i] = field_text(l, head[i], val[i], sizeof(val[i]));
    /* Our writer puts ts, level, app and event first: show the rest of
     * the line as it was written. */
    if (l->n > 4)
        rest = l->f[4].key;
    row[4] = rest;
    table_add(t, row);
    free(l);
}

static struct table *
trace_table(const struct agg *a)
{
    static const char *const cols[] = { "ts", "app", "level", "event",
        "fields" };
    static const enum table_col types[] = { TABLE_TEXT, TABLE_TEXT,
        TABLE_TEXT, TABLE_TEXT, TABLE_TEXT };
    struct table *t = new_table("trace", "Trace", cols, types,
        NELEM(cols));
    size_t i;

    trace_sort(a->trace);
    for (i = 0; i < trace_count(a->trace); i++)
        add_trace_row(t, trace_line(a->trace, i));
    if (trace_dropped(a->trace) > 0)
        table_note(t, "note: %" PRIu64 " more lines were not kept (cap "
            "%d lines)", trace_dropped(a->trace), REPORT_TRACE_LINES_MAX);
    return t;
}

size_t
report_build(struct agg *a, enum report_cmd cmd, struct table **out)
{
    size_t n = 0;

    switch (cmd) {
    case REPORT_SUMMARY:
        out[n++] = input_table(a);
        out[n++] = by_action_table(a);
        out[n++] = by_key_table(a->by_rule, "by_rule", "Runs by rule",
            "rule", GROUP_BY_RUNS);
        out[n++] = by_key_table(a->by_entity, "by_entity",
            "Runs by entity", "entity", GROUP_BY_RUNS);
        out[n++] = failures_table(a);
        out[n++] = by_key_table(a->by_day, "by_day", "Runs by day (UTC)",
            "day", GROUP_BY_KEY);
        out[n++] = skips_table(a);
        out[n++] = verified_table(a);
        break;
    case REPORT_RUNS:
        out[n++] = runs_table(a);
        break;
    case REPORT_FAILURES:
        out[n++] = failures_table(a);
        break;
    case REPORT_DURATIONS:
        out[n++] = durations_table(a);
        break;
    case REPORT_TRACE:
        if (a->trace != NULL)
            out[n++] = trace_table(a);
        break;
    }
    return n;
}
