/*
 * The alexis-sim state, OpsGenie half: alerts, the team registry (name <->
 * id), the queue of accepted asynchronous requests with the timer thread
 * that applies them after the configured delay, and the request-status
 * records. One mutex guards everything (store_dt.c shares it).
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alexis_limits.h"
#include "clock.h"
#include "fnv.h"
#include "jsm_alert.h"
#include "og_parse.h"
#include "sim_limits.h"
#include "simutil.h"
#include "store_int.h"
#include "str.h"
#include "xmem.h"

static void *timer_main(void *arg);

/* a rendered as view: OpsGenie's shapes or JSM's. Caller owns the tree. */
static cJSON *
alert_view(const struct og_alert *a, enum og_view view)
{
    if (view >= OG_VIEW_JSM_LIST)
        return jsm_alert_to_json(a, view);
    return og_alert_to_json(a, view);
}

struct store *
store_new(const struct store_opts *opts, char *err, size_t errlen)
{
    struct store *st = xcalloc(1, sizeof(*st));
    pthread_condattr_t ca;
    int rc;

    st->opts = *opts;
    st->next_tiny = 1;
    st->recs = xcalloc(SIM_REQUESTS_KEPT, sizeof(*st->recs));
    pthread_mutex_init(&st->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->cv, &ca);
    pthread_condattr_destroy(&ca);
    if ((rc = pthread_create(&st->timer, NULL, timer_main, st)) != 0) {
        snprintf(err, errlen, "cannot start the timer thread: %s",
            strerror(rc));
        store_free(st);
        return NULL;
    }
    st->timer_started = true;
    return st;
}

static void
clear_all(struct store *st)
{
    size_t i;

    for (i = 0; i < st->nalerts; i++)
        og_alert_free(st->alerts[i]);
    free(st->alerts);
    st->alerts = NULL;
    st->nalerts = 0;
    for (i = 0; i < st->npending; i++)
        og_alert_action_free(st->pending[i]);
    free(st->pending);
    st->pending = NULL;
    st->npending = 0;
    for (i = 0; i < SIM_REQUESTS_KEPT; i++) {
        free(st->recs[i].status);
        free(st->recs[i].alert_id);
        free(st->recs[i].alias);
        memset(&st->recs[i], 0, sizeof(st->recs[i]));
    }
    st->nrecs = st->rec_next = 0;
    og_alert_strv_free(&st->team_ids);
    og_alert_strv_free(&st->team_names);
    for (i = 0; i < st->nproblems; i++)
        dt_problem_free(st->problems[i]);
    free(st->problems);
    st->problems = NULL;
    st->nproblems = 0;
    st->next_tiny = 1;
}

void
store_free(struct store *st)
{
    if (st == NULL)
        return;
    if (st->timer_started) {
        pthread_mutex_lock(&st->mu);
        st->stopping = true;
        pthread_cond_signal(&st->cv);
        pthread_mutex_unlock(&st->mu);
        pthread_join(st->timer, NULL);
    }
    clear_all(st);
    free(st->recs);
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

/* A stable team id for a name that has none: FNV-1a folded into the
 * UUID layout, so the same name always gets the same id. */
static void
team_id_for(const char *name, char *out)
{
    /* h1's start is FNV's basis short of its last digit; kept so existing
     * ids stay. h2 is a second, salted FNV-style mix for the low bits. */
    uint64_t h1 = fnv_str64_from(1469598103934665603ULL, name);
    uint64_t h2 = 0x9e3779b97f4a7c15ULL;
    const unsigned char *p;

    for (p = (const unsigned char *)name; *p != '\0'; p++)
        h2 = (h2 ^ *p) * 0x100000001b3ULL + 7;
    snprintf(out, SIMUTIL_UUID_LEN, "%08x-%04x-4%03x-8%03x-%012llx",
        (unsigned)(h1 >> 32), (unsigned)((h1 >> 16) & 0xffff),
        (unsigned)(h1 & 0xfff), (unsigned)(h2 >> 52),
        (unsigned long long)(h2 & 0xffffffffffffULL));
}

/* Complete a team reference from the registry; register new pairs. Either
 * input may be "" (unknown). *id and *name become owned strings. */
static void
team_resolve(struct store *st, const char *id, const char *name,
    char **out_id, char **out_name)
{
    char gen[SIMUTIL_UUID_LEN];
    long i;

    if (id[0] == '\0' && (i = og_alert_strv_find(&st->team_names, name)) >= 0)
        id = st->team_ids.v[i];
    if (name[0] == '\0' && (i = og_alert_strv_find(&st->team_ids, id)) >= 0)
        name = st->team_names.v[i];
    if (id[0] == '\0') {
        team_id_for(name, gen);
        id = gen;
    }
    *out_id = xstrdup(id);
    *out_name = xstrdup(name);
    if (name[0] != '\0' && og_alert_strv_find(&st->team_ids, id) < 0 &&
        st->team_ids.n < SIM_TEAMS_MAX) {
        og_alert_strv_push(&st->team_ids, *out_id);
        og_alert_strv_push(&st->team_names, *out_name);
    }
}

static void
teams_resolve_alert(struct store *st, struct og_alert *a)
{
    char *id, *name;
    size_t i;

    for (i = 0; i < a->team_ids.n; i++) {
        team_resolve(st, a->team_ids.v[i], a->team_names.v[i], &id, &name);
        free(a->team_ids.v[i]);
        free(a->team_names.v[i]);
        a->team_ids.v[i] = id;
        a->team_names.v[i] = name;
    }
}

static struct og_alert *
find_alert(struct store *st, const char *ident, enum og_ident it,
    size_t *idx)
{
    struct og_alert *found = NULL;
    size_t i;

    for (i = st->nalerts; i-- > 0;) {
        struct og_alert *a = st->alerts[i];
        const char *key = it == OG_IDENT_ID ? a->id :
            it == OG_IDENT_TINY ? a->tiny_id : a->alias;

        if (strcmp(key, ident) != 0)
            continue;
        if (found == NULL || (it == OG_IDENT_ALIAS &&
            strcmp(found->status, "open") != 0 &&
            strcmp(a->status, "open") == 0)) {
            found = a;
            if (idx != NULL)
                *idx = i;
        }
        if (it != OG_IDENT_ALIAS || strcmp(a->status, "open") == 0)
            break;
    }
    return found;
}

/* Insert a built alert (tinyId assigned, teams resolved). Lock held. */
static enum store_rc
insert_alert(struct store *st, struct og_alert *a, char *err, size_t errlen)
{
    char buf[24];

    if (st->nalerts >= st->opts.alerts_max) {
        snprintf(err, errlen, "the simulator holds %zu alerts already",
            st->opts.alerts_max);
        return STORE_EFULL;
    }
    /* A generated id is a random UUID: only given ids are looked up, so
     * bulk creation stays linear. */
    if ((!a->id_generated &&
        find_alert(st, a->id, OG_IDENT_ID, NULL) != NULL) ||
        (a->tiny_id != NULL &&
        find_alert(st, a->tiny_id, OG_IDENT_TINY, NULL) != NULL)) {
        snprintf(err, errlen, "an alert with this id or tinyId exists");
        return STORE_EINVAL;
    }
    if (a->tiny_id == NULL) {
        a->tiny_num = st->next_tiny;
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)a->tiny_num);
        a->tiny_id = xstrdup(buf);
    }
    if (a->tiny_num >= st->next_tiny)
        st->next_tiny = a->tiny_num + 1;
    teams_resolve_alert(st, a);
    st->alerts = xreallocarray(st->alerts, st->nalerts + 1,
        sizeof(*st->alerts));
    st->alerts[st->nalerts++] = a;
    if (st->opts.on_og_create != NULL)
        st->opts.on_og_create(st->opts.hook_ctx, a);
    return STORE_OK;
}

enum store_rc
store_og_add(struct store *st, const cJSON *obj, enum og_view v,
    cJSON **view, char *err, size_t errlen)
{
    struct og_alert *a;
    enum store_rc rc;

    if (view != NULL)
        *view = NULL;
    a = og_parse_alert_from_json(obj, clock_wall_ms(), st->opts.notes_max, err,
        errlen);
    if (a == NULL)
        return STORE_EINVAL;
    pthread_mutex_lock(&st->mu);
    if ((rc = insert_alert(st, a, err, errlen)) == STORE_OK && view != NULL)
        *view = alert_view(a, v);
    pthread_mutex_unlock(&st->mu);
    if (rc != STORE_OK)
        og_alert_free(a);
    return rc;
}

cJSON *
store_og_get(struct store *st, const char *ident, enum og_ident it,
    enum og_view v)
{
    struct og_alert *a;
    cJSON *out = NULL;

    pthread_mutex_lock(&st->mu);
    if ((a = find_alert(st, ident, it, NULL)) != NULL)
        out = alert_view(a, v);
    pthread_mutex_unlock(&st->mu);
    return out;
}

cJSON *
store_og_all(struct store *st, enum og_view v)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;

    pthread_mutex_lock(&st->mu);
    for (i = 0; i < st->nalerts; i++)
        cJSON_AddItemToArray(arr, alert_view(st->alerts[i], v));
    pthread_mutex_unlock(&st->mu);
    return arr;
}

struct sort_ent {
    uint64_t            num;
    const char         *str;
    size_t              seq;
    struct og_alert    *a;
};

static int
cmp_num(const void *x, const void *y)
{
    const struct sort_ent *a = x, *b = y;

    if (a->num != b->num)
        return a->num < b->num ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
cmp_str(const void *x, const void *y)
{
    const struct sort_ent *a = x, *b = y;
    int c = strcmp(a->str, b->str);

    if (c != 0)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void
sort_key(struct sort_ent *e, enum og_sort sort)
{
    const struct og_alert *a = e->a;

    switch (sort) {
    case OG_SORT_UPDATED:   e->num = a->updated_ms; break;
    case OG_SORT_TINY:      e->num = a->tiny_num; break;
    case OG_SORT_COUNT:     e->num = a->count; break;
    case OG_SORT_LAST:      e->num = a->last_ms; break;
    case OG_SORT_ALIAS:     e->str = a->alias; break;
    case OG_SORT_MESSAGE:   e->str = a->message; break;
    case OG_SORT_STATUS:    e->str = a->status; break;
    case OG_SORT_CREATED:   e->num = a->created_ms; break;
    case OG_SORT_INSERTED:  e->num = e->seq; break;
    case OG_SORT_PRIORITY:  e->str = a->priority; break;
    }
}

cJSON *
store_og_list(struct store *st, const struct og_query *q, enum og_sort sort,
    bool asc, size_t offset, size_t limit, enum og_view view, size_t *total)
{
    cJSON *arr = cJSON_CreateArray();
    struct og_query_alert qa;
    struct sort_ent *v;
    size_t i, n = 0, k;

    pthread_mutex_lock(&st->mu);
    v = xcalloc(st->nalerts + 1, sizeof(*v));
    for (i = 0; i < st->nalerts; i++) {
        og_alert_query_view(st->alerts[i], &qa);
        if (view >= OG_VIEW_JSM_LIST)
            qa.status = jsm_alert_status(st->alerts[i]);
        if (!og_query_match(q, &qa))
            continue;
        v[n].a = st->alerts[i];
        v[n].seq = i;
        sort_key(&v[n], sort);
        n++;
    }
    qsort(v, n, sizeof(*v), v[0].str != NULL ? cmp_str : cmp_num);
    for (i = offset; i < n && i < offset + limit; i++) {
        k = asc ? i : n - 1 - i;
        cJSON_AddItemToArray(arr, alert_view(v[k].a, view));
    }
    pthread_mutex_unlock(&st->mu);
    free(v);
    *total = n;
    return arr;
}

enum store_rc
store_og_notes(struct store *st, const char *ident, enum og_ident it,
    const char *cursor, bool asc, size_t limit,
    cJSON *(*render)(const struct og_note *), cJSON **data, bool *more)
{
    const char *errstr;
    struct og_alert *a;
    uint64_t cur = 0;
    size_t i, k, added = 0;
    bool started;

    *data = NULL;
    *more = false;
    if (cursor != NULL &&
        str_to_u64(cursor, 0, UINT64_MAX, &cur, &errstr) == -1)
        return STORE_EINVAL;
    pthread_mutex_lock(&st->mu);
    if ((a = find_alert(st, ident, it, NULL)) == NULL) {
        pthread_mutex_unlock(&st->mu);
        return STORE_ENOENT;
    }
    *data = cJSON_CreateArray();
    for (i = 0; i < a->nnotes; i++) {
        k = asc ? i : a->nnotes - 1 - i;
        started = cursor == NULL || (asc ? a->notes[k].offset > cur :
            a->notes[k].offset < cur);
        if (!started)
            continue;
        if (added == limit) {
            *more = true;
            break;
        }
        cJSON_AddItemToArray(*data, render(&a->notes[k]));
        added++;
    }
    pthread_mutex_unlock(&st->mu);
    return STORE_OK;
}

enum store_rc
store_og_note_now(struct store *st, const char *id, const char *note,
    const char *owner, cJSON **out)
{
    enum store_rc rc = STORE_OK;
    uint64_t now = clock_wall_ms();
    struct og_alert *a;

    *out = NULL;
    pthread_mutex_lock(&st->mu);
    if ((a = find_alert(st, id, OG_IDENT_ID, NULL)) == NULL)
        rc = STORE_ENOENT;
    else if (og_alert_add_note(a, note, owner, now,
        st->opts.notes_max) == -1)
        rc = STORE_EFULL;
    else {
        a->updated_ms = now;
        *out = jsm_alert_note_to_json(&a->notes[a->nnotes - 1]);
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

/* Record the outcome of an applied request in the ring. Lock held. */
static void
record(struct store *st, const struct og_action *act, bool ok,
    const char *status, const struct og_alert *a)
{
    struct og_request_rec *r = &st->recs[st->rec_next];

    free(r->status);
    free(r->alert_id);
    free(r->alias);
    memcpy(r->rid, act->request_id, sizeof(r->rid));
    r->action = og_alert_action_name(act->kind);
    r->success = ok;
    r->status = xstrdup(ok ? og_alert_action_done(act->kind) : status);
    r->alert_id = xstrdup(a != NULL ? a->id : "");
    r->alias = xstrdup(a != NULL ? a->alias : "");
    r->processed_ms = clock_wall_ms();
    st->rec_next = (st->rec_next + 1) % SIM_REQUESTS_KEPT;
    if (st->nrecs < SIM_REQUESTS_KEPT)
        st->nrecs++;
}

static void
apply_action(struct store *st, const struct og_action *act)
{
    uint64_t now = clock_wall_ms();
    struct og_alert *a;
    char status[256];

    if ((a = find_alert(st, act->ident, act->itype, NULL)) == NULL) {
        record(st, act, false, "Alert does not exist", NULL);
        return;
    }
    if (og_alert_apply(a, act, now, st->opts.notes_max, status,
        sizeof(status)) == -1) {
        record(st, act, false, status, a);
        return;
    }
    record(st, act, true, NULL, a);
}

/* Apply every pending request due at mono (all when mono is UINT64_MAX),
 * in submission order. Returns the earliest remaining due time, or
 * UINT64_MAX. Lock held. */
static uint64_t
apply_due(struct store *st, uint64_t mono)
{
    uint64_t next = UINT64_MAX;
    size_t i, keep = 0;

    for (i = 0; i < st->npending; i++) {
        struct og_action *act = st->pending[i];

        if (act->due_ms <= mono) {
            apply_action(st, act);
            og_alert_action_free(act);
            continue;
        }
        if (act->due_ms < next)
            next = act->due_ms;
        st->pending[keep++] = act;
    }
    st->npending = keep;
    return next;
}

static void *
timer_main(void *arg)
{
    struct store *st = arg;
    struct timespec ts;
    uint64_t next;

    pthread_mutex_lock(&st->mu);
    while (!st->stopping) {
        next = apply_due(st, clock_mono_ms());
        if (next == UINT64_MAX) {
            pthread_cond_wait(&st->cv, &st->mu);
            continue;
        }
        clock_timespec(next, &ts);
        (void)pthread_cond_timedwait(&st->cv, &st->mu, &ts);
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

enum store_rc
store_og_submit(struct store *st, struct og_action *act)
{
    enum store_rc rc = STORE_OK;
    char *id, *name;

    pthread_mutex_lock(&st->mu);
    if (st->npending >= SIM_PENDING_MAX) {
        rc = STORE_EBUSY;
        goto out;
    }
    if (act->kind == OG_ACT_TEAM || act->kind == OG_ACT_RESPONDER) {
        team_resolve(st, act->team_id, act->team_name, &id, &name);
        free(act->team_id);
        free(act->team_name);
        act->team_id = id;
        act->team_name = name;
    }
    act->seq = st->seq++;
    if (st->opts.apply_delay_ms == 0) {
        apply_action(st, act);
        goto out;
    }
    act->due_ms = clock_mono_ms() + st->opts.apply_delay_ms;
    st->pending = xreallocarray(st->pending, st->npending + 1,
        sizeof(*st->pending));
    st->pending[st->npending++] = act;
    act = NULL;
    pthread_cond_signal(&st->cv);
out:
    pthread_mutex_unlock(&st->mu);
    og_alert_action_free(act);
    return rc;
}

cJSON *
store_og_request(struct store *st, const char *rid)
{
    struct og_request_rec *r;
    char iso[SIMUTIL_ISO_LEN];
    cJSON *d = NULL;
    size_t i;

    pthread_mutex_lock(&st->mu);
    for (i = 0; i < st->nrecs; i++) {
        r = &st->recs[i];
        if (strcmp(r->rid, rid) != 0)
            continue;
        d = cJSON_CreateObject();
        cJSON_AddBoolToObject(d, "success", r->success);
        cJSON_AddStringToObject(d, "action", r->action);
        simutil_iso8601(r->processed_ms, iso, sizeof(iso));
        cJSON_AddStringToObject(d, "processedAt", iso);
        cJSON_AddStringToObject(d, "integrationId",
            "5e9b1b4c-3c1a-4f0e-9d2a-6b7c8d9e0f1a");
        cJSON_AddBoolToObject(d, "isSuccess", r->success);
        cJSON_AddStringToObject(d, "status", r->status);
        cJSON_AddStringToObject(d, "alertId", r->alert_id);
        cJSON_AddStringToObject(d, "alias", r->alias);
        break;
    }
    pthread_mutex_unlock(&st->mu);
    return d;
}

