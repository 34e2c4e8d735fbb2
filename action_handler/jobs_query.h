/*
 * GET /v1/jobs filters (DESIGN §15): state, rule, alert (the alert's
 * unique_value), since (a duration back from now such as 24h, or an
 * ISO-8601 time; rtime.h), limit, and cursor (the page after the one that
 * gave it). A cursor is opaque to clients; it holds the position of the
 * last job shown, so pages stay stable while new jobs are inserted (they
 * sort before the first page, never into a later one).
 */
#ifndef ALEXIS_AH_JOBS_QUERY_H
#define ALEXIS_AH_JOBS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

#define JOBS_CURSOR_LEN     32      /* "v1." + up to 20 digits, plus NUL */

struct jobs_query {
    const char *state;      /* NULL: any; else one of the job states */
    const char *rule;       /* rule_name, NULL: any */
    const char *alert;      /* unique_value, NULL: any */
    bool        has_since;
    int64_t     since_ms;   /* created at or after (Unix ms) */
    int         limit;      /* 1..AH_JOBS_LIST_MAX */
    int64_t     after_seq;  /* from the cursor: jobs older than this; 0 =
                               from the newest */
    const char *requestor;  /* only this client's jobs; NULL: anyone's
                               (not a parameter: set from the token) */
};

/* Query parameter name -> value (NULL when absent). */
typedef const char *(*jobs_query_get_fn)(const void *arg, const char *name);

/* Fill q from the parameters (strings borrowed from get's answers),
 * now_ms anchoring a relative since. -1 with one sentence in err that
 * starts with the parameter's name ("since: ..."). */
int jobs_query_parse(struct jobs_query *q, jobs_query_get_fn get,
    const void *arg, int64_t now_ms, char *err, size_t errlen) ATTR_WUR;

/* The cursor that continues after the job at position seq. */
void jobs_query_cursor(int64_t seq, char out[JOBS_CURSOR_LEN]);

#endif
