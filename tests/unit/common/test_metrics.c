/*
 * Unit tests for metrics.c: the exact text of the page (HELP/TYPE lines,
 * label value escaping, histogram buckets as cumulative counts with +Inf,
 * _sum in seconds and _count), fixed label sets, the series cap with its
 * "other" overflow, the per-daemon selection of families, and counting
 * from several threads at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "metrics.h"

static char *
page(void)
{
    char *p = metrics_render();

    assert_non_null(p);
    return p;
}

/* The page holds line exactly (a whole line). */
static void
assert_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    const char *p = text;

    while ((p = strstr(p, line)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return;
        p += n;
    }
    fail_msg("line not found: %s\n--- page ---\n%s", line, text);
}

static void
assert_no(const char *text, const char *part)
{
    if (strstr(text, part) != NULL)
        fail_msg("unexpected %s in\n%s", part, text);
}

static int
setup(void **state)
{
    (void)state;
    metrics_init(METRICS_ALL, "1.2.3");
    return 0;
}

static void
test_counter_and_help(void **state)
{
    char *p;

    (void)state;
    metrics_inc(METRIC_ALERTS_RECEIVED, "og-main", NULL);
    metrics_add(METRIC_ALERTS_RECEIVED, "og-main", NULL, 4);
    p = page();
    assert_line(p, "# TYPE alexis_alerts_received_total counter");
    assert_line(p, "alexis_alerts_received_total{feed=\"og-main\"} 5");
    assert_line(p, "alexis_build_info{version=\"1.2.3\"} 1");
    assert_line(p, "# TYPE alexis_build_info gauge");
    /* Fixed label sets show every value from the start. */
    assert_line(p, "alexis_classifications_total{result=\"no_match\"} 0");
    assert_line(p, "alexis_jobs_running 0");
    free(p);
    assert_int_equal(metrics_value(METRIC_ALERTS_RECEIVED, "og-main", NULL),
        5);
}

static void
test_label_escaping(void **state)
{
    char *p;

    (void)state;
    metrics_inc(METRIC_GUARDRAIL_SKIPS, "a\"b\\c", NULL);
    metrics_inc(METRIC_GUARDRAIL_SKIPS, "line\nbreak\x01\xc3\xa9", NULL);
    metrics_inc(METRIC_GUARDRAIL_SKIPS, "", NULL);
    p = page();
    assert_line(p, "alexis_guardrail_skips_total{reason=\"a\\\"b\\\\c\"} 1");
    /* Control and non-ASCII bytes become '_'. */
    assert_line(p, "alexis_guardrail_skips_total{reason=\"line_break___\"} 1");
    assert_line(p, "alexis_guardrail_skips_total{reason=\"none\"} 1");
    free(p);
}

static void
test_fixed_set_other(void **state)
{
    char *p;

    (void)state;
    metrics_inc(METRIC_CLASSIFICATIONS, "matched", NULL);
    metrics_inc(METRIC_CLASSIFICATIONS, "alert-4711", NULL);
    metrics_inc(METRIC_JOBS, "restart_web", "succeeded");
    metrics_inc(METRIC_JOBS, "restart_web", "weird");
    p = page();
    assert_line(p, "alexis_classifications_total{result=\"matched\"} 1");
    assert_line(p, "alexis_classifications_total{result=\"other\"} 1");
    assert_no(p, "alert-4711");
    assert_line(p, "alexis_jobs_total{rule=\"restart_web\","
        "state=\"succeeded\"} 1");
    assert_line(p, "alexis_jobs_total{rule=\"restart_web\",state=\"other\"} 1");
    free(p);
}

static void
test_histogram(void **state)
{
    char *p;

    (void)state;
    metrics_observe_us(METRIC_JOB_DURATION, "r1", 200000);    /* 0.2 s */
    metrics_observe_us(METRIC_JOB_DURATION, "r1", 1000000);   /* 1 s: le */
    metrics_observe_us(METRIC_JOB_DURATION, "r1", 7200000000ULL); /* 2 h */
    p = page();
    assert_line(p, "# TYPE alexis_job_duration_seconds histogram");
    assert_line(p, "alexis_job_duration_seconds_bucket{rule=\"r1\","
        "le=\"0.1\"} 0");
    assert_line(p, "alexis_job_duration_seconds_bucket{rule=\"r1\","
        "le=\"0.25\"} 1");
    assert_line(p, "alexis_job_duration_seconds_bucket{rule=\"r1\","
        "le=\"1\"} 2");
    assert_line(p, "alexis_job_duration_seconds_bucket{rule=\"r1\","
        "le=\"3600\"} 2");
    assert_line(p, "alexis_job_duration_seconds_bucket{rule=\"r1\","
        "le=\"+Inf\"} 3");
    assert_line(p, "alexis_job_duration_seconds_sum{rule=\"r1\"} "
        "7201.200000");
    assert_line(p, "alexis_job_duration_seconds_count{rule=\"r1\"} 3");
    /* Unlabelled histogram: le is the only label. */
    metrics_observe_us(METRIC_CLASSIFY_DURATION, NULL, 50);
    free(p);
    p = page();
    assert_line(p, "alexis_classification_duration_seconds_bucket"
        "{le=\"0.0001\"} 1");
    assert_line(p, "alexis_classification_duration_seconds_sum 0.000050");
    assert_line(p, "alexis_classification_duration_seconds_count 1");
    free(p);
    assert_int_equal(metrics_value(METRIC_JOB_DURATION, "r1", NULL), 3);
}

static void
test_gauge(void **state)
{
    char *p;

    (void)state;
    metrics_gauge_add(METRIC_JOBS_RUNNING, NULL, 2);
    metrics_gauge_add(METRIC_JOBS_RUNNING, NULL, -3);
    p = page();
    assert_line(p, "alexis_jobs_running -1");
    free(p);
}

static void
test_series_cap(void **state)
{
    char name[32], *p;
    int i;

    (void)state;
    for (i = 0; i < METRICS_SERIES_MAX + 50; i++) {
        snprintf(name, sizeof(name), "reason%d", i);
        metrics_guardrail_skip(name);
    }
    p = page();
    assert_line(p, "alexis_guardrail_skips_total{reason=\"reason0\"} 1");
    snprintf(name, sizeof(name), "reason%d", METRICS_SERIES_MAX - 2);
    assert_non_null(strstr(p, name));
    snprintf(name, sizeof(name), "\"reason%d\"", METRICS_SERIES_MAX - 1);
    assert_no(p, name);
    assert_line(p, "alexis_guardrail_skips_total{reason=\"other\"} 51");
    free(p);
}

static void
test_daemon_selection(void **state)
{
    char *p;

    (void)state;
    metrics_init(METRICS_CLASSIFIER, "9");
    p = page();
    assert_non_null(strstr(p, "alexis_classifications_total"));
    assert_non_null(strstr(p, "alexis_ticket_writes_total"));
    assert_no(p, "alexis_jobs_total");
    assert_no(p, "alexis_ssh_commands_total");
    free(p);
    metrics_init(METRICS_ACTION_HANDLER, "9");
    p = page();
    assert_non_null(strstr(p, "# TYPE alexis_jobs_total counter"));
    assert_no(p, "alexis_classifications_total");
    free(p);
}

#define THREADS 4
#define PER_THREAD 20000

static void *
hammer(void *arg)
{
    char rule[16];
    int i;

    (void)arg;
    for (i = 0; i < PER_THREAD; i++) {
        snprintf(rule, sizeof(rule), "r%d", i % 8);
        metrics_inc(METRIC_JOBS, rule, "queued");
        metrics_observe_us(METRIC_CLASSIFY_DURATION, NULL, 10);
    }
    return NULL;
}

static void
test_threads(void **state)
{
    pthread_t th[THREADS];
    int64_t total = 0;
    char rule[16];
    int i;

    (void)state;
    for (i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer, NULL), 0);
    for (i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    for (i = 0; i < 8; i++) {
        snprintf(rule, sizeof(rule), "r%d", i);
        total += metrics_value(METRIC_JOBS, rule, "queued");
    }
    assert_int_equal(total, THREADS * PER_THREAD);
    assert_int_equal(metrics_value(METRIC_CLASSIFY_DURATION, NULL, NULL),
        THREADS * PER_THREAD);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_counter_and_help, setup),
        cmocka_unit_test_setup(test_label_escaping, setup),
        cmocka_unit_test_setup(test_fixed_set_other, setup),
        cmocka_unit_test_setup(test_histogram, setup),
        cmocka_unit_test_setup(test_gauge, setup),
        cmocka_unit_test_setup(test_series_cap, setup),
        cmocka_unit_test_setup(test_daemon_selection, setup),
        cmocka_unit_test_setup(test_threads, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
