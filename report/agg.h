/*
 * The report's pass over the input: every line is parsed (logfmt.h),
 * counted, and the action handler's per-entity ActionFinished events that
 * pass the filters are counted into bounded tables (group.h): by action
 * (with app_elapsed_ms percentiles), by rule, by entity, by action and
 * entity, by failure reason, and by UTC day. With a trace id set, the
 * alert's lines are collected too (trace.h).
 *
 * A run is one ActionFinished line. It succeeded when action_status is
 * success/succeeded/ok/done/completed/dry_run (any case) or, without an
 * action_status, when exit_status is 0. Its failure reason is the first
 * non-empty of error, reason, signal, outcome (when not "ok") on the line
 * or, failing that, on the failed ActionResult of the same job, entity and
 * action (the action handler states reasons there); then exit_status (as
 * "exit status N"), then action_status.
 *
 * Guardrails (issue 13): job_skipped and job_refused lines are counted by
 * (event, reason) and job_verified lines by rule (verified true/false),
 * under the same --rule, --since and --until filters.
 */
#ifndef ALEXIS_AGG_H
#define ALEXIS_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alexis_limits.h"
#include "group.h"
#include "trace.h"

#define AGG_NONE        "(none)"    /* key of a run that lacks the field */
#define AGG_DUR_BINS    12

/* The stated reason of a failed ActionResult, kept until the
 * ActionFinished of the same job, entity and action (which lacks it). */
struct agg_pending {
    char    job[AGG_KEY_MAX];
    char    entity[REPORT_VALUE_MAX];
    char    action[AGG_KEY_MAX];
    char    reason[REPORT_VALUE_MAX];
};

struct agg_filter {
    const char *action;     /* NULL: any (borrowed for the agg's life) */
    const char *entity;
    const char *rule;
    bool        has_since;
    bool        has_until;
    int64_t     since_ms;   /* runs at or after */
    int64_t     until_ms;   /* runs before */
};

struct agg_counts {
    uint64_t    lines;          /* lines read, cut ones included */
    uint64_t    parsed;
    uint64_t    malformed;      /* not key=value */
    uint64_t    cut;            /* longer than LOG_LINE_MAX, skipped */
    uint64_t    truncated;      /* cut by the writer (truncated=1) */
    uint64_t    no_time;        /* ActionFinished without a valid ts */
    uint64_t    action_start;
    uint64_t    action_result;
    uint64_t    action_finished;
    uint64_t    runs;           /* ActionFinished that passed the filters */
    uint64_t    ok;
    uint64_t    failed;
    uint64_t    files;
    uint64_t    gzip_files;
    uint64_t    read_errors;
    uint64_t    guard_stops;    /* job_skipped + job_refused counted */
    uint64_t    verifications;  /* job_verified counted */
    uint64_t    job_stores;     /* --jobs databases read */
    uint64_t    job_results;    /* their result rows (one run each) */
};

struct agg {
    struct agg_filter   flt;
    struct agg_counts   cnt;
    struct gtable      *by_action;
    struct gtable      *by_rule;
    struct gtable      *by_entity;
    struct gtable      *by_pair;    /* action, entity */
    struct gtable      *failures;   /* rule, action, entity, reason */
    struct gtable      *by_day;     /* "YYYY-MM-DD" */
    struct gtable      *skips;      /* event, reason (guardrails) */
    struct gtable      *verified;   /* rule: ok = verified */
    uint64_t            dur_bins[AGG_DUR_BINS];
    int64_t             first_ms;   /* of the runs counted */
    int64_t             last_ms;
    struct trace       *trace;      /* NULL unless tracing */
    struct group       *day_row;    /* by_day row of day_no, a cache */
    int64_t             day_no;
    struct agg_pending *pending;    /* AGG_PENDING_MAX, a ring */
    size_t              pend_next;
};

/* A new pass with filter f (copied; its strings are borrowed) and, when
 * trace_id is not NULL, a trace of that alert. Caller frees. */
struct agg *agg_new(const struct agg_filter *f, const char *trace_id);
void agg_free(struct agg *a);

/* Count one input line (no newline). Never fails: a bad line is counted. */
void agg_line(struct agg *a, const char *line, size_t len);

/* Read every line of path ("-" is stdin) into a. Returns 0, or -1 with
 * the reason in err after counting what could be read. */
int agg_file(struct agg *a, const char *path, char *err, size_t errlen)
    ATTR_WUR;

/* A run that comes from elsewhere than a log line (the job store): the
 * fields an ActionFinished line would carry. Strings are borrowed for the
 * call; NULL or "" counts as AGG_NONE. reason matters only when !ok. ts
 * is GROUP_NO_TIME when unknown. */
struct agg_run {
    const char *action;
    const char *entity;
    const char *rule;
    const char *alert;
    const char *job;
    const char *reason;
    int64_t     ts;
    bool        ok;
    bool        has_elapsed;
    uint64_t    elapsed_ms;
};

/* Count r as the ActionFinished line it stands for (filters apply). */
void agg_run(struct agg *a, const struct agg_run *r);

/* The label of duration bin i ("<100ms", ..., ">=10m"). */
const char *agg_dur_bin_label(size_t i);

#endif
