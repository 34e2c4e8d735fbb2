/*
 * A job as the store keeps it: what a new job carries, its guardrails and
 * verdict, the job a worker runs and its results. The types every job
 * store backend (jobs.c, jobs_pg*.c), the guardrail decisions (guard.c)
 * and their callers share; the store's functions are in jobs.h.
 */
#ifndef ALEXIS_AH_JOB_H
#define ALEXIS_AH_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOB_ID_LEN  (2 * 16 + 1)    /* hex of AH_JOB_ID_BYTES, plus NUL */
#define JOB_STATE_MAX   24          /* longest state name, plus NUL */
#define JOB_REASON_MAX  32          /* a guardrail reason code, plus NUL */
#define JOB_DETAIL_MAX  512         /* its sentence */

/* What POST /v1/action stores. Every string is borrowed. */
struct job_new {
    const char *feed_type;
    const char *unique_value;
    const char *rule_name;
    const char *id_key;         /* "tinyId" | "problem_id" */
    const char *alert_id;
    const char *envelope;       /* JSON, without alexis.feed_headers */
    const char *rule_json;      /* the rule object as loaded from disk */
    uint64_t    window_ms;      /* idempotency window; 0 = none */
    uint64_t    now_ms;         /* wall clock (ms since the epoch); 0 =
                                   the real clock (tests pass a time) */
    const char *requestor;      /* the client's name; may be NULL */
};

/*
 * The guardrails a new job is checked against (DESIGN §13), inside the
 * transaction that creates it, so that two concurrent requests cannot both
 * pass a limit. Strings borrowed.
 */
struct job_guard {
    int                 mode;           /* enum rule_mode */
    const char *const  *entities;       /* resolved at accept */
    size_t              nentities;
    bool                resolved;       /* false: entities unknown yet */
    uint32_t            max_entities;   /* 0: no limit */
    uint64_t            cooldown_window_ms;     /* 0: none */
    uint32_t            cooldown_max_runs;
    uint64_t            storm_window_ms;        /* 0: none */
    uint32_t            storm_max_jobs;
};

/* The state a new job was stored in, and why (see guard.h). */
struct job_verdict {
    char        state[JOB_STATE_MAX];   /* queued | pending_approval |
                                           skipped | refused */
    char        reason[JOB_REASON_MAX]; /* "" for queued */
    char        detail[JOB_DETAIL_MAX]; /* one sentence, "" for queued */
};

/* A job as a worker needs it (strings owned; free with jobs_job_free). */
struct job {
    char        id[JOB_ID_LEN];
    char       *state;
    char       *reason;
    char       *rule_name;
    char       *feed_type;
    char       *id_key;
    char       *alert_id;
    char       *envelope;
    char       *rule_json;
    char       *detail;         /* guardrail sentence; may be NULL */
    char       *requestor;      /* may be NULL */
    char       *approver;       /* may be NULL */
};

/* One (task, entity) outcome, as a runner writes it. Strings borrowed. */
struct job_result {
    int         task;           /* 0-based index in task_list */
    const char *entity;
    const char *action;
    const char *state;          /* "succeeded" | "failed" | "dry_run" */
    const char *outcome;        /* ssh_outcome_name or "dry_run" */
    int         exit_status;    /* -1 when none */
    const char *signal;         /* "" when none */
    uint64_t    duration_ms;
    const char *out;
    size_t      out_len;
    const char *err;
    size_t      err_len;
    bool        truncated;
    const char *error;          /* one sentence, "" when none */
};

/* A result row read back (strings owned; see jobs_json_results). */
struct job_row {
    int         task;
    char       *entity;
    char       *action;
    char       *state;
    char       *outcome;
    int         exit_status;    /* -1 when none */
    char       *signal;         /* "" when none */
    uint64_t    duration_ms;
    char       *out;            /* raw bytes, NUL-terminated */
    size_t      out_len;
    char       *err;
    size_t      err_len;
    bool        truncated;
    char       *error;          /* "" when none */
};

/* The columns a struct job is read from, in this order, in every store. */
#define JOB_COLUMNS "id, state, reason, rule_name, feed_type, id_key, " \
    "alert_id, envelope, rule_json, detail, requestor, approver"

/* Called with one job (strings borrowed for the call); jobs_recover calls
 * it for each job it interrupts. */
typedef void (*job_fn)(void *arg, const struct job *j);

#endif
