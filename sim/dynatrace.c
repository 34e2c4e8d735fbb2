/*
 * The simulated Dynatrace problems API: v1 (feed, details,
 * comments, close; answers wrapped in "result" where the real one wraps)
 * and v2 (problems list with problemSelector and nextPageKey paging,
 * problem, comments, close). See api/opsgenie-dynatrace.md part 2.
 */
#include "dynatrace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dt_api.h"
#include "dt_filter.h"
#include "dt_v2.h"
#include "json.h"
#include "store_dt.h"
#include "str.h"
#include "xmem.h"

#define V1_PREFIX   "/api/v1/problem/"
#define V2_PREFIX   "/api/v2/problems"

static const struct {
    const char *name;
    uint64_t    ms;
} relative_times[] = {
    { "min", 60000ULL }, { "5mins", 300000ULL }, { "10mins", 600000ULL },
    { "15mins", 900000ULL }, { "30mins", 1800000ULL },
    { "hour", 3600000ULL }, { "2hours", 7200000ULL },
    { "6hours", 21600000ULL }, { "day", 86400000ULL },
    { "3days", 259200000ULL }, { "week", 604800000ULL },
    { "month", 2678400000ULL },
};

static int
v1_timeframe(const struct sim_req *req, struct dt_filter *f,
    struct sim_resp *resp)
{
    const char *rel = sim_http_req_query(req, "relativeTime"), *errstr;
    const char *st = sim_http_req_query(req, "startTimestamp");
    const char *en = sim_http_req_query(req, "endTimestamp");
    uint64_t now = clock_wall_ms(), span = SIM_DT_DEFAULT_FROM_MS;
    size_t i;

    if (rel != NULL) {
        for (i = 0; i < NELEM(relative_times); i++) {
            if (strcmp(rel, relative_times[i].name) == 0)
                break;
        }
        if (i == NELEM(relative_times)) {
            sim_dt_error(resp, 400, "relativeTime", false, "unknown "
                "relative time %s", rel);
            return -1;
        }
        span = relative_times[i].ms;
    }
    f->to_ms = now;
    f->from_ms = now > span ? now - span : 0;
    if ((st != NULL && str_to_u64(st, 0, now, &f->from_ms, &errstr) == -1) ||
        (en != NULL && str_to_u64(en, 0, UINT64_MAX, &f->to_ms,
        &errstr) == -1)) {
        sim_dt_error(resp, 400, st != NULL ? "startTimestamp" :
            "endTimestamp", false, "must be UTC milliseconds");
        return -1;
    }
    if (f->to_ms > now)
        f->to_ms = now;
    return 0;
}

static int
v1_filters(const struct sim_req *req, struct dt_filter *f,
    struct sim_resp *resp)
{
    static const struct {
        const char          *param;
        enum dt_crit_kind    kind;
    } single[] = {
        { "status", DT_CRIT_STATUS },
        { "impactLevel", DT_CRIT_IMPACT },
        { "severityLevel", DT_CRIT_SEVERITY },
    };
    const char *tags[SIM_DT_CRITERIA_MAX], *v, *st;
    size_t i, n;

    st = sim_http_req_query(req, "status");
    if (st != NULL && strcmp(st, "OPEN") != 0 && strcmp(st, "CLOSED") != 0) {
        sim_dt_error(resp, 400, "status", false, "must be OPEN or CLOSED");
        return -1;
    }
    for (i = 0; i < NELEM(single); i++) {
        if ((v = sim_http_req_query(req, single[i].param)) != NULL &&
            dt_filter_add(f, single[i].kind, v) == -1)
            goto full;
    }
    n = sim_http_req_query_all(req, "tag", tags, NELEM(tags) - NELEM(single));
    for (i = 0; i < n; i++) {
        if (dt_filter_add(f, DT_CRIT_TAG, tags[i]) == -1)
            goto full;
    }
    return 0;
full:
    sim_dt_error(resp, 400, "tag", false, "too many filters");
    return -1;
}

static void
dt1_feed(struct sim *s, const struct sim_req *req, const struct sim_args *a,
    struct sim_resp *resp)
{
    const char *x = sim_http_req_query(req, "expandDetails");
    struct dt_filter f;
    cJSON *o, *r, *m;
    size_t total;

    (void)a;
    memset(&f, 0, sizeof(f));
    if (v1_timeframe(req, &f, resp) == -1 || v1_filters(req, &f, resp) == -1)
        goto out;
    o = cJSON_CreateObject();
    r = cJSON_AddObjectToObject(o, "result");
    cJSON_AddItemToObject(r, "problems", store_dt_list(s->store, &f, 1,
        x != NULL && strcmp(x, "true") == 0, 0, false, 0, SIM_DT_FEED_MAX,
        &total));
    m = cJSON_AddObjectToObject(r, "monitored");
    cJSON_AddNumberToObject(m, "INFRASTRUCTURE", 120);
    cJSON_AddNumberToObject(m, "SERVICE", 35);
    cJSON_AddNumberToObject(m, "APPLICATION", 4);
    cJSON_AddNumberToObject(m, "ENVIRONMENT", 1);
    sim_http_resp_json(resp, 200, o);
out:
    dt_filter_cleanup(&f);
}

static void
dt1_details(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    cJSON *p, *o;

    (void)req;
    if ((p = store_dt_get(s->store, a->ident, 1, 0)) == NULL) {
        dt_api_not_found(resp, "Problem", a->ident);
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "result", p);
    sim_http_resp_json(resp, 200, o);
}

static void
dt1_comments(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp)
{
    cJSON *body = NULL, *out = NULL, *o;
    const char *content, *user;
    enum store_rc rc;
    size_t total;

    if (strcmp(req->method, "GET") == 0) {
        rc = store_dt_comments(s->store, a->ident, 1, 0, SIZE_MAX, &total,
            &out);
        if (rc == STORE_OK) {
            o = cJSON_CreateObject();
            cJSON_AddItemToObject(o, "comments", out);
            out = o;
        }
        dt_api_answer(resp, rc, a, 200, out);
        return;
    }
    if ((body = dt_api_body(req, resp)) == NULL ||
        (content = dt_api_body_str(body, "comment", resp)) == NULL ||
        (user = dt_api_body_str(body, "user", resp)) == NULL)
        goto out;
    rc = store_dt_comment_add(s->store, a->ident, content, user,
        json_str(body, "context"), 1, &out);
    dt_api_answer(resp, rc, a, 200, out);
out:
    cJSON_Delete(body);
}

static const struct sim_route
    r1_feed = { "dt1.feed", "dt", dt1_feed },
    r1_details = { "dt1.details", "dt", dt1_details },
    r1_comments_list = { "dt1.comments.list", "dt", dt1_comments },
    r1_comments_add = { "dt1.comments.add", "dt", dt1_comments },
    r2_list = { "dt2.list", "dt", dt_v2_list },
    r2_get = { "dt2.get", "dt", dt_v2_get },
    r2_comments_list = { "dt2.comments.list", "dt", dt_v2_comments },
    r2_comments_add = { "dt2.comments.add", "dt", dt_v2_comments };

/* Split "a/b/c" into at most 3 segments; returns the
 * number of segments, or -1 when there are more or one is too long. */
static int
segments(const char *rest, char seg[3][SIM_ARG_MAX])
{
    const char *slash;
    int n = 0;
    size_t len;

    while (*rest != '\0') {
        if (n == 3)
            return -1;
        slash = strchr(rest, '/');
        len = slash == NULL ? strlen(rest) : (size_t)(slash - rest);
        if (len == 0 || len >= SIM_ARG_MAX)
            return -1;
        memcpy(seg[n], rest, len);
        seg[n++][len] = '\0';
        rest += len + (slash != NULL);
    }
    return n;
}

static const struct sim_route *
pick(const char *method, bool *known, const char *m1,
    const struct sim_route *r1, const char *m2, const struct sim_route *r2)
{
    *known = true;
    if (m1 != NULL && strcmp(method, m1) == 0)
        return r1;
    if (m2 != NULL && strcmp(method, m2) == 0)
        return r2;
    return NULL;
}

static const struct sim_route *
route_v1(const struct sim_req *req, struct sim_args *a, bool *known)
{
    char seg[3][SIM_ARG_MAX];
    const char *m = req->method;
    int n = segments(req->path + strlen(V1_PREFIX), seg);

    if (n == 1 && strcmp(seg[0], "feed") == 0)
        return pick(m, known, "GET", &r1_feed, NULL, NULL);
    if (n < 2 || strcmp(seg[0], "details") != 0)
        return NULL;
    snprintf(a->ident, sizeof(a->ident), "%s", seg[1]);
    if (n == 2)
        return pick(m, known, "GET", &r1_details, NULL, NULL);
    return NULL;
}

static const struct sim_route *
route_v1_deep(const struct sim_req *req, struct sim_args *a, bool *known)
{
    const char *rest = req->path + strlen(V1_PREFIX "details/");
    const char *slash = strchr(rest, '/');
    char seg[3][SIM_ARG_MAX];
    const char *m = req->method;
    int n;

    if (slash == NULL || (size_t)(slash - rest) >= sizeof(a->ident))
        return NULL;
    snprintf(a->ident, sizeof(a->ident), "%.*s", (int)(slash - rest), rest);
    n = segments(slash + 1, seg);
    if (n != 1 || strcmp(seg[0], "comments") != 0)
        return NULL;
    return pick(m, known, "GET", &r1_comments_list, "POST",
        &r1_comments_add);
}

static const struct sim_route *
route_v2(const struct sim_req *req, struct sim_args *a, bool *known)
{
    const char *rest = req->path + strlen(V2_PREFIX);
    char seg[3][SIM_ARG_MAX];
    const char *m = req->method;
    int n;

    if (*rest == '\0' || strcmp(rest, "/") == 0)
        return pick(m, known, "GET", &r2_list, NULL, NULL);
    if (*rest != '/' || (n = segments(rest + 1, seg)) < 1)
        return NULL;
    snprintf(a->ident, sizeof(a->ident), "%s", seg[0]);
    if (n == 1)
        return pick(m, known, "GET", &r2_get, NULL, NULL);
    if (n != 2 || strcmp(seg[1], "comments") != 0)
        return NULL;
    return pick(m, known, "GET", &r2_comments_list, "POST",
        &r2_comments_add);
}

const struct sim_route *
dynatrace_route(const struct sim_req *req, struct sim_args *a, bool *known)
{
    const struct sim_route *rt;

    *known = false;
    if (strncmp(req->path, V2_PREFIX, strlen(V2_PREFIX)) == 0)
        return route_v2(req, a, known);
    if (strncmp(req->path, V1_PREFIX, strlen(V1_PREFIX)) != 0)
        return NULL;
    if ((rt = route_v1(req, a, known)) != NULL || *known)
        return rt;
    memset(a->ident, 0, sizeof(a->ident));
    if (strncmp(req->path, V1_PREFIX "details/",
        strlen(V1_PREFIX "details/")) == 0)
        return route_v1_deep(req, a, known);
    return NULL;
}
