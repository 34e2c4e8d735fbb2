/*
 * alexis-report: reads the key=value logs of the Alexis daemons (files,
 * gzip files or stdin) in one streaming pass and answers the analysts'
 * questions as text tables, CSV, JSON and an HTML page. This file is the
 * table of contents: arguments, the pass, the output.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "agg.h"
#include "clock.h"
#include "html.h"
#include "jobstore.h"
#include "report.h"
#include "rtime.h"
#include "table_fmt.h"

#define EXIT_USAGE  2
#define SUBTITLE_MAX 512    /* the chart's subtitle: the command line */

enum out_format {
    OUT_TEXT,
    OUT_CSV,
    OUT_JSON,
};

struct opts {
    enum report_cmd     cmd;
    enum out_format     format;
    struct agg_filter   flt;
    const char         *trace_id;
    const char         *html;
    const char         *since;
    const char         *until;
    const char         *now;
    const char         *jobs;       /* --jobs: a job store instead of logs */
    char              **files;
    size_t              nfiles;
};

static const char usage_text[] =
    "usage: alexis-report [summary|runs|failures|durations|trace ID]\n"
    "           [--since WHEN] [--until WHEN] [--action A] [--entity E]\n"
    "           [--rule R] [--format text|csv|json] [--html FILE]\n"
    "           [--now TIME] [FILE... | --jobs DB]\n"
    "WHEN is a duration back from now (90m, 24h, 7d, 2w) or an ISO-8601\n"
    "time (2026-05-04, 2026-05-04T10:15:00Z). FILE may be gzip-compressed;\n"
    "without FILE, or with -, the log is read from stdin. An ID that starts\n"
    "with - goes after --: trace -- -4821_1714 FILE.\n"
    "--jobs DB reads the runs from the action handler's job store (its\n"
    "db_path) instead of logs: the same tables, trace aside.\n";

static void
usage(FILE *fp)
{
    (void)fputs(usage_text, fp);
}

static int
parse_format(const char *s, enum out_format *f)
{
    if (strcmp(s, "text") == 0)
        *f = OUT_TEXT;
    else if (strcmp(s, "csv") == 0)
        *f = OUT_CSV;
    else if (strcmp(s, "json") == 0)
        *f = OUT_JSON;
    else
        return -1;
    return 0;
}

/* --since/--until/--now into the filter; -1 after printing the error. */
static int
parse_times(struct opts *o)
{
    char err[ALEXIS_ERR_MAX];
    int64_t now = (int64_t)clock_wall_ms();

    if (o->now != NULL && clock_parse_iso(o->now, strlen(o->now),
        &now) == -1) {
        (void)fprintf(stderr, "alexis-report: --now: \"%s\" is not an "
            "ISO-8601 time\n", o->now);
        return -1;
    }
    if (o->since != NULL) {
        if (rtime_parse_when(o->since, now, &o->flt.since_ms, err,
            sizeof(err)) == -1)
            goto bad;
        o->flt.has_since = true;
    }
    if (o->until != NULL) {
        if (rtime_parse_when(o->until, now, &o->flt.until_ms, err,
            sizeof(err)) == -1)
            goto bad;
        o->flt.has_until = true;
    }
    return 0;
bad:
    (void)fprintf(stderr, "alexis-report: %s\n", err);
    return -1;
}

/* The command and its argument, then the files. */
static int
parse_positional(struct opts *o, int argc, char **argv)
{
    if (argc > 0 && report_cmd_parse(argv[0], &o->cmd) == 0) {
        argc--;
        argv++;
        if (o->cmd == REPORT_TRACE) {
            if (argc == 0 || argv[0][0] == '\0') {
                (void)fputs("alexis-report: trace needs an alert id "
                    "(tinyId, problem_id or job)\n", stderr);
                return -1;
            }
            o->trace_id = argv[0];
            argc--;
            argv++;
        }
    }
    if ((size_t)argc > REPORT_FILES_MAX) {
        (void)fprintf(stderr, "alexis-report: at most %d files\n",
            REPORT_FILES_MAX);
        return -1;
    }
    o->files = argv;
    o->nfiles = (size_t)argc;
    return 0;
}

/* --jobs is another view of the runs the logs record: not both (every run
 * would count twice), and no trace (the store holds no log lines). */
static int
check_jobs(const struct opts *o)
{
    if (o->jobs == NULL)
        return 0;
    if (o->nfiles > 0) {
        (void)fputs("alexis-report: --jobs reads the runs the log files "
            "also record; give one or the other\n", stderr);
        return -1;
    }
    if (o->cmd == REPORT_TRACE) {
        (void)fputs("alexis-report: trace reads log lines; the job store "
            "has none (use GET /v1/jobs/<id>)\n", stderr);
        return -1;
    }
    return 0;
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "since", required_argument, NULL, 's' },
        { "until", required_argument, NULL, 'u' },
        { "action", required_argument, NULL, 'a' },
        { "entity", required_argument, NULL, 'e' },
        { "rule", required_argument, NULL, 'r' },
        { "format", required_argument, NULL, 'f' },
        { "html", required_argument, NULL, 'H' },
        { "now", required_argument, NULL, 'n' },
        { "jobs", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->since = optarg;
            break;
        case 'u':
            o->until = optarg;
            break;
        case 'a':
            o->flt.action = optarg;
            break;
        case 'e':
            o->flt.entity = optarg;
            break;
        case 'r':
            o->flt.rule = optarg;
            break;
        case 'f':
            if (parse_format(optarg, &o->format) == -1) {
                (void)fprintf(stderr, "alexis-report: --format: \"%s\" is "
                    "not text, csv or json\n", optarg);
                return -1;
            }
            break;
        case 'H':
            o->html = optarg;
            break;
        case 'n':
            o->now = optarg;
            break;
        case 'j':
            o->jobs = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (parse_times(o) == -1 ||
        parse_positional(o, argc - optind, argv + optind) == -1)
        return -1;
    return check_jobs(o);
}

/* Read every input; 0, or -1 when one could not be read (after all). */
static int
read_inputs(struct agg *a, const struct opts *o)
{
    char err[ALEXIS_ERR_MAX];
    size_t i;
    int rc = 0;

    if (o->jobs != NULL) {
        if (jobstore_read(a, o->jobs, err, sizeof(err)) == -1) {
            (void)fprintf(stderr, "alexis-report: %s\n", err);
            return -1;
        }
        return 0;
    }
    for (i = 0; i < o->nfiles || (i == 0 && o->nfiles == 0); i++) {
        if (agg_file(a, o->nfiles == 0 ? "-" : o->files[i], err,
            sizeof(err)) == -1) {
            (void)fprintf(stderr, "alexis-report: %s\n", err);
            rc = -1;
        }
    }
    return rc;
}

static int
write_html(const struct opts *o, const struct agg *a, struct table **t,
    size_t n, int argc, char **argv)
{
    char sub[SUBTITLE_MAX] = "alexis-report";
    size_t len = strlen(sub);
    FILE *fp;
    int i, rc;

    for (i = 1; i < argc && len + 1 < sizeof(sub); i++)
        len += (size_t)snprintf(sub + len, sizeof(sub) - len, " %s",
            argv[i]);
    if ((fp = fopen(o->html, "w")) == NULL) {
        perror(o->html);
        return -1;
    }
    rc = html_write(fp, a, t, n, sub);
    if (fclose(fp) != 0)
        rc = -1;
    if (rc == -1)
        (void)fprintf(stderr, "alexis-report: %s: write failed\n", o->html);
    return rc;
}

static int
print_tables(enum out_format f, struct table **t, size_t n)
{
    switch (f) {
    case OUT_CSV:
        return table_fmt_print_csv(t, n, stdout);
    case OUT_JSON:
        return table_fmt_print_json(t, n, stdout);
    case OUT_TEXT:
        break;
    }
    return table_print_text(t, n, stdout);
}

int
main(int argc, char **argv)
{
    struct opts o;
    struct agg *a;
    struct table *t[REPORT_TABLES_MAX];
    size_t n;
    int rc = 0;

    memset(&o, 0, sizeof(o));
    if (parse_args(&o, argc, argv) == -1)
        return EXIT_USAGE;
    a = agg_new(&o.flt, o.trace_id);
    if (read_inputs(a, &o) == -1)
        rc = 1;
    if (o.cmd != REPORT_SUMMARY && (a->cnt.malformed > 0 || a->cnt.cut > 0))
        (void)fprintf(stderr, "alexis-report: skipped %llu malformed and "
            "%llu cut lines of %llu\n", (unsigned long long)a->cnt.malformed,
            (unsigned long long)a->cnt.cut,
            (unsigned long long)a->cnt.lines);
    n = report_build(a, o.cmd, t);
    if (print_tables(o.format, t, n) == -1)
        rc = 1;
    if (o.html != NULL && write_html(&o, a, t, n, argc, argv) == -1)
        rc = 1;
    report_free(t, n);
    agg_free(a);
    return rc;
}
