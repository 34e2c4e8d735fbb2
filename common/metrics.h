/*
 * The process's metrics (DESIGN §15): a fixed table of counters, gauges
 * and histograms, rendered in the Prometheus text format 0.0.4.
 *
 * Like the logger, the registry is process-wide (the one other global):
 * counting happens deep in modules (a classification, an SSH command, a
 * ticket write, a guardrail) that have no daemon context to pass it in.
 *
 * Labels are bounded. Every family is known in advance with its label
 * names; a label either has a fixed set of values (anything else counts as
 * "other") or is open (feed, rule, system, status, reason) and then a
 * family holds at most METRICS_SERIES_MAX label combinations: past that,
 * new combinations count in one series whose labels are all "other".
 * Values are cut to METRICS_VALUE_MAX bytes and bytes outside printable
 * ASCII become '_'. Never pass an alert id, a host or a token as a label.
 *
 * Counting is lock-free once a series exists (atomics: the classifier's
 * hot path); creating a series takes the family's lock once.
 */
#ifndef ALEXIS_METRICS_H
#define ALEXIS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"

#define METRICS_CONTENT_TYPE    "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_OTHER           "other"

/* Which daemon renders which families (a family may belong to several). */
enum metrics_daemon {
    METRICS_POLLER          = 1,
    METRICS_CLASSIFIER      = 2,
    METRICS_ACTION_HANDLER  = 4,
    METRICS_ALL             = 7,
};

enum metric_id {
    METRIC_BUILD_INFO,          /* gauge {version}, always 1 */
    METRIC_ALERTS_RECEIVED,     /* counter {feed} */
    METRIC_CLASSIFICATIONS,     /* counter {result} (fixed set) */
    METRIC_CLASSIFY_DURATION,   /* histogram, no labels */
    METRIC_FORWARDS,            /* counter {outcome} (fixed set) */
    METRIC_POLLS,               /* counter {feed,outcome} */
    METRIC_JOBS,                /* counter {rule,state} */
    METRIC_JOB_DURATION,        /* histogram {rule} */
    METRIC_JOBS_RUNNING,        /* gauge, no labels */
    METRIC_SSH_COMMANDS,        /* counter {outcome} */
    METRIC_TICKET_WRITES,       /* counter {system,status} */
    METRIC_GUARDRAIL_SKIPS,     /* counter {reason} */
    METRIC_COUNT
};

/* Choose the families daemon renders and set build_info{version}. Call
 * once at start-up, before threads. */
void metrics_init(enum metrics_daemon daemon, const char *version);

/* Forget every series (tests). Not thread-safe. */
void metrics_reset(void);

/* Add n to a counter (or a gauge). l1 and l2 are the label values in the
 * family's order; NULL where the family has fewer labels. */
void metrics_add(enum metric_id id, const char *l1, const char *l2,
    uint64_t n);
void metrics_inc(enum metric_id id, const char *l1, const char *l2);

/* Move a gauge by delta (may be negative). */
void metrics_gauge_add(enum metric_id id, const char *l1, int64_t delta);

/* Count one observation of us microseconds in a histogram (rendered in
 * seconds). */
void metrics_observe_us(enum metric_id id, const char *l1, uint64_t us);

/* A guardrail kept an action from running (alexis_guardrail_skips_total).
 * reason is a short fixed word ("rate_limit", "blackout", ...), never
 * data from the alert. */
void metrics_guardrail_skip(const char *reason);

/* The value of one series now (tests): a counter's or gauge's value, a
 * histogram's count; 0 when the series does not exist. */
int64_t metrics_value(enum metric_id id, const char *l1, const char *l2);

/* The page in text format 0.0.4 (caller frees). Families not chosen by
 * metrics_init are left out. */
char *metrics_render(void);

#endif
