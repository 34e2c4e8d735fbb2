/*
 * The alexis-sim state, Dynatrace half: problems and their comments, under
 * the store's one mutex (see store.c).
 */
#include "store_dt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dt_filter.h"
#include "simutil.h"
#include "store.h"
#include "store_int.h"
#include "xmem.h"

/* By problem id; with admin also by display id. Lock held. */
static struct dt_problem *
find_problem(struct store *st, const char *id, bool admin)
{
    size_t i;

    for (i = 0; i < st->nproblems; i++) {
        if (strcmp(st->problems[i]->id, id) == 0 ||
            (admin && strcmp(st->problems[i]->display_id, id) == 0))
            return st->problems[i];
    }
    return NULL;
}

enum store_rc
store_dt_add(struct store *st, const cJSON *obj, cJSON **view, char *err,
    size_t errlen)
{
    struct dt_problem *p;
    enum store_rc rc = STORE_OK;

    *view = NULL;
    p = dt_problem_from_json(obj, clock_wall_ms(), st->opts.comments_max,
        err, errlen);
    if (p == NULL)
        return STORE_EINVAL;
    pthread_mutex_lock(&st->mu);
    if (st->nproblems >= st->opts.problems_max) {
        snprintf(err, errlen, "the simulator holds %zu problems already",
            st->opts.problems_max);
        rc = STORE_EFULL;
    } else if (find_problem(st, p->id, false) != NULL) {
        snprintf(err, errlen, "problem %s exists", p->id);
        rc = STORE_EINVAL;
    } else {
        st->problems = xreallocarray(st->problems, st->nproblems + 1,
            sizeof(*st->problems));
        st->problems[st->nproblems++] = p;
        if (st->opts.on_dt_create != NULL)
            st->opts.on_dt_create(st->opts.hook_ctx, p);
        *view = dt_problem_admin(p);
        p = NULL;
    }
    pthread_mutex_unlock(&st->mu);
    dt_problem_free(p);
    return rc;
}

struct dt_ent {
    uint64_t            start;
    size_t              seq;
    struct dt_problem  *p;
};

static int
cmp_start(const void *x, const void *y)
{
    const struct dt_ent *a = x, *b = y;

    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

cJSON *
store_dt_list(struct store *st, const struct dt_filter *f, int version,
    bool details, unsigned fields, bool asc, size_t offset, size_t limit,
    size_t *total)
{
    uint64_t now = clock_wall_ms();
    cJSON *arr = cJSON_CreateArray();
    struct dt_ent *v;
    size_t i, n = 0, k;

    pthread_mutex_lock(&st->mu);
    v = xcalloc(st->nproblems + 1, sizeof(*v));
    for (i = 0; i < st->nproblems; i++) {
        if (!dt_filter_problem_match(st->problems[i], f, now))
            continue;
        v[n].p = st->problems[i];
        v[n].start = st->problems[i]->start_ms;
        v[n].seq = i;
        n++;
    }
    qsort(v, n, sizeof(*v), cmp_start);
    for (i = offset; i < n && i < offset + limit; i++) {
        k = asc ? i : n - 1 - i;
        cJSON_AddItemToArray(arr, version == 1 ?
            dt_problem_v1(v[k].p, details) : dt_problem_v2(v[k].p, fields));
    }
    pthread_mutex_unlock(&st->mu);
    free(v);
    *total = n;
    return arr;
}

cJSON *
store_dt_get(struct store *st, const char *id, int version, unsigned fields)
{
    struct dt_problem *p;
    cJSON *out = NULL;

    pthread_mutex_lock(&st->mu);
    if ((p = find_problem(st, id, false)) != NULL)
        out = version == 1 ? dt_problem_v1(p, true) :
            dt_problem_v2(p, fields);
    pthread_mutex_unlock(&st->mu);
    return out;
}

cJSON *
store_dt_admin(struct store *st, const char *id)
{
    struct dt_problem *p;
    cJSON *out = NULL;

    pthread_mutex_lock(&st->mu);
    if ((p = find_problem(st, id, true)) != NULL)
        out = dt_problem_admin(p);
    pthread_mutex_unlock(&st->mu);
    return out;
}

cJSON *
store_dt_all(struct store *st)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;

    pthread_mutex_lock(&st->mu);
    for (i = 0; i < st->nproblems; i++)
        cJSON_AddItemToArray(arr, dt_problem_admin(st->problems[i]));
    pthread_mutex_unlock(&st->mu);
    return arr;
}

enum store_rc
store_dt_comment_add(struct store *st, const char *pid, const char *content,
    const char *author, const char *context, int version, cJSON **out)
{
    struct dt_problem *p;
    struct dt_comment *c;
    enum store_rc rc = STORE_OK;

    *out = NULL;
    pthread_mutex_lock(&st->mu);
    if ((p = find_problem(st, pid, false)) == NULL)
        rc = STORE_ENOENT;
    else if ((c = dt_problem_add_comment(p, content, author, context,
        clock_wall_ms(), st->opts.comments_max)) == NULL)
        rc = STORE_EFULL;
    else
        *out = dt_problem_comment_json(c, version);
    pthread_mutex_unlock(&st->mu);
    return rc;
}

enum store_rc
store_dt_comments(struct store *st, const char *pid, int version,
    size_t offset, size_t limit, size_t *total, cJSON **out)
{
    struct dt_problem *p;
    size_t i;

    *out = NULL;
    pthread_mutex_lock(&st->mu);
    if ((p = find_problem(st, pid, false)) == NULL) {
        pthread_mutex_unlock(&st->mu);
        return STORE_ENOENT;
    }
    *out = cJSON_CreateArray();
    *total = p->ncomments;
    for (i = offset; i < p->ncomments && i < offset + limit; i++)
        cJSON_AddItemToArray(*out, dt_problem_comment_json(&p->comments[i],
            version));
    pthread_mutex_unlock(&st->mu);
    return STORE_OK;
}

