/*
 * Bounds of alexis-report (the sim_limits.h habit: the tool's own limits
 * next to it; the shared ones, such as LOG_LINE_MAX, stay in
 * common/alexis_limits.h). Every table the report keeps is capped here, so
 * memory depends on these numbers, never on the number of input lines.
 */
#ifndef ALEXIS_REPORT_LIMITS_H
#define ALEXIS_REPORT_LIMITS_H

#include "alexis_limits.h"

/* Input */
#define REPORT_READ_BUF         (1024 * 1024)   /* > LOG_LINE_MAX */
#define REPORT_GZ_BUF           (128 * 1024)    /* zlib's own buffer */
#define REPORT_FILES_MAX        1024

/* Parser: "k=v" plus a space is 4 bytes, so a legal line holds at most
 * LOG_LINE_MAX / 4 fields; our daemons write fewer than 40. */
#define LOGFMT_FIELDS_MAX       256

/* Aggregation: distinct groups per table (rows); past the cap new keys are
 * folded into one "(other)" row and counted as overflow. */
#define REPORT_GROUPS_MAX       20000
#define REPORT_ACTIONS_MAX      512     /* groups that carry percentiles */
#define REPORT_DAYS_MAX         3660    /* ten years of days */
#define REPORT_VALUE_MAX        256     /* bytes kept of a key or reason */

/* Percentiles: exact from the values up to PCTL_EXACT_MAX samples per
 * action, otherwise from a log-linear histogram (see pctl.h). */
#define PCTL_EXACT_MAX          4096

/* trace: lines kept for one alert, and job ids learnt from them */
#define REPORT_TRACE_LINES_MAX  20000
#define REPORT_TRACE_BYTES_MAX  (32 * 1024 * 1024)
#define REPORT_TRACE_JOBS_MAX   64

/* Output */
#define REPORT_CHART_BARS_MAX   120     /* most recent days in the chart */
#define REPORT_CHART_ACTIONS    20      /* actions in the success chart */

#endif
