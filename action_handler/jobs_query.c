/*
 * GET /v1/jobs filters (see jobs_query.h).
 */
#include "jobs_query.h"

#include <stdio.h>
#include <string.h>

#include "alexis_limits.h"
#include "rtime.h"
#include "str.h"

#define CURSOR_PREFIX   "v1."

static const char *const states[] = { "queued", "running", "succeeded",
    "failed", "partial", "interrupted", NULL };

static int
parse_state(struct jobs_query *q, const char *v, char *err, size_t errlen)
{
    size_t i;

    for (i = 0; states[i] != NULL; i++) {
        if (strcmp(states[i], v) == 0) {
            q->state = states[i];
            return 0;
        }
    }
    (void)snprintf(err, errlen, "state: must be one of queued, running, "
        "succeeded, failed, partial, interrupted");
    return -1;
}

static int
parse_text(const char *name, const char *v, const char **out, char *err,
    size_t errlen)
{
    if (*v == '\0' || strlen(v) > AH_JOBS_QUERY_TEXT_MAX) {
        (void)snprintf(err, errlen, "%s: must be 1 to %d bytes", name,
            AH_JOBS_QUERY_TEXT_MAX);
        return -1;
    }
    *out = v;
    return 0;
}

static int
parse_cursor(struct jobs_query *q, const char *v, char *err, size_t errlen)
{
    const char *errstr;
    uint64_t seq;

    if (strncmp(v, CURSOR_PREFIX, strlen(CURSOR_PREFIX)) != 0 ||
        str_to_u64(v + strlen(CURSOR_PREFIX), 1, INT64_MAX, &seq,
        &errstr) == -1) {
        (void)snprintf(err, errlen, "cursor: not a cursor this API gave "
            "(use next_cursor of the previous page as it is)");
        return -1;
    }
    q->after_seq = (int64_t)seq;
    return 0;
}

int
jobs_query_parse(struct jobs_query *q, jobs_query_get_fn get,
    const void *arg, int64_t now_ms, char *err, size_t errlen)
{
    char why[256];
    const char *v, *errstr;
    uint64_t limit = AH_JOBS_LIST_DEFAULT;

    memset(q, 0, sizeof(*q));
    if ((v = get(arg, "limit")) != NULL &&
        str_to_u64(v, 1, AH_JOBS_LIST_MAX, &limit, &errstr) == -1) {
        (void)snprintf(err, errlen, "limit: %s (1-%d)", errstr,
            AH_JOBS_LIST_MAX);
        return -1;
    }
    q->limit = (int)limit;
    if ((v = get(arg, "state")) != NULL &&
        parse_state(q, v, err, errlen) == -1)
        return -1;
    if ((v = get(arg, "rule")) != NULL &&
        parse_text("rule", v, &q->rule, err, errlen) == -1)
        return -1;
    if ((v = get(arg, "alert")) != NULL &&
        parse_text("alert", v, &q->alert, err, errlen) == -1)
        return -1;
    if ((v = get(arg, "since")) != NULL) {
        if (rtime_parse_when(v, now_ms, &q->since_ms, why,
            sizeof(why)) == -1) {
            (void)snprintf(err, errlen, "since: %s", why);
            return -1;
        }
        q->has_since = true;
    }
    if ((v = get(arg, "cursor")) != NULL &&
        parse_cursor(q, v, err, errlen) == -1)
        return -1;
    return 0;
}

void
jobs_query_cursor(int64_t seq, char out[JOBS_CURSOR_LEN])
{
    (void)snprintf(out, JOBS_CURSOR_LEN, CURSOR_PREFIX "%lld",
        (long long)seq);
}
