/*
 * alexis-sim's outgoing webhooks (see webhook_out.h): the payload
 * renderers, the targets, a bounded FIFO and its sender thread.
 */
#include "webhook_out.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"
#include "dt_problem.h"
#include "http_client.h"
#include "json.h"
#include "log.h"
#include "og_alert.h"
#include "sim_http.h"
#include "sim_limits.h"
#include "simutil.h"
#include "str.h"
#include "url.h"
#include "xmem.h"

#define WH_DEFAULT_HEADER   "X-Alexis-Webhook-Secret"
#define WH_HEADER_NAME_MAX  64

static const char *const sources[] = { "opsgenie", "jsm", "dynatrace" };
#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

struct target {
    char   *url;            /* NULL: none */
    char   *header_name;
    char   *header_line;    /* "Name: secret" (secret) */
};

struct item {
    char   *url;
    char   *header_line;
    char   *body;
};

struct webhook_out {
    pthread_mutex_t     mu;
    pthread_cond_t      cv;
    pthread_t           thread;
    bool                started, stopping;
    struct target       t[NSOURCES];
    struct item        *q;          /* ring of SIM_WEBHOOK_QUEUE_MAX */
    size_t              head, n;
    unsigned long long  sent, failed, dropped;
};

static void
wipe_free(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static void
item_free(struct item *it)
{
    free(it->url);
    wipe_free(it->header_line);
    free(it->body);
    memset(it, 0, sizeof(*it));
}

static void
target_clear(struct target *t)
{
    free(t->url);
    free(t->header_name);
    wipe_free(t->header_line);
    memset(t, 0, sizeof(*t));
}

static int
source_index(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < NSOURCES; i++) {
        if (strcmp(sources[i], name) == 0)
            return (int)i;
    }
    return -1;
}

/* POST one payload; 2xx counts as sent. */
static void
post(struct webhook_out *w, struct http_client *hc, struct item *it)
{
    const char *hdrs[2] = { it->header_line, NULL };
    struct http_result res;
    bool ok;

    ok = http_client_do(hc, "POST", it->url, hdrs, it->body,
        strlen(it->body), &res) == 0 && res.status >= 200 &&
        res.status <= 299;
    if (!ok)
        log_event(LOG_WARN, "webhook_send_failed", KV_STR("url", it->url),
            KV_INT("status", res.status), KV_STR("error", res.err));
    http_client_result_free(&res);
    pthread_mutex_lock(&w->mu);
    if (ok)
        w->sent++;
    else
        w->failed++;
    pthread_mutex_unlock(&w->mu);
}

static void *
sender_main(void *arg)
{
    struct http_client_opts o = {
        .connect_timeout_ms = SIM_WEBHOOK_TIMEOUT_MS,
        .total_timeout_ms = SIM_WEBHOOK_TIMEOUT_MS,
        .response_max = 64 * 1024,
    };
    struct webhook_out *w = arg;
    struct http_client *hc = http_client_new(&o);
    struct item it;

    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (w->n == 0 && !w->stopping)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->stopping) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        it = w->q[w->head];
        memset(&w->q[w->head], 0, sizeof(w->q[w->head]));
        w->head = (w->head + 1) % SIM_WEBHOOK_QUEUE_MAX;
        w->n--;
        pthread_mutex_unlock(&w->mu);
        if (hc != NULL)
            post(w, hc, &it);
        item_free(&it);
    }
    http_client_free(hc);
    return NULL;
}

struct webhook_out *
webhook_out_new(char *err, size_t errlen)
{
    struct webhook_out *w = xcalloc(1, sizeof(*w));
    int rc;

    w->q = xcalloc(SIM_WEBHOOK_QUEUE_MAX, sizeof(*w->q));
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if ((rc = pthread_create(&w->thread, NULL, sender_main, w)) != 0) {
        snprintf(err, errlen, "cannot start the webhook sender: %s",
            strerror(rc));
        webhook_out_free(w);
        return NULL;
    }
    w->started = true;
    return w;
}

void
webhook_out_free(struct webhook_out *w)
{
    size_t i;

    if (w == NULL)
        return;
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->stopping = true;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    for (i = 0; i < SIM_WEBHOOK_QUEUE_MAX; i++)
        item_free(&w->q[i]);
    free(w->q);
    for (i = 0; i < NSOURCES; i++)
        target_clear(&w->t[i]);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

/* Queue a copy of body for source's target; takes nothing on failure. */
static void
queue(struct webhook_out *w, int src, const char *body)
{
    struct item *it;

    pthread_mutex_lock(&w->mu);
    if (w->t[src].url == NULL) {
        pthread_mutex_unlock(&w->mu);
        return;
    }
    if (w->n == SIM_WEBHOOK_QUEUE_MAX) {
        w->dropped++;
        pthread_mutex_unlock(&w->mu);
        return;
    }
    it = &w->q[(w->head + w->n) % SIM_WEBHOOK_QUEUE_MAX];
    it->url = xstrdup(w->t[src].url);
    it->header_line = xstrdup(w->t[src].header_line);
    it->body = xstrdup(body);
    w->n++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static bool
wanted(struct webhook_out *w, int src)
{
    bool on;

    pthread_mutex_lock(&w->mu);
    on = w->t[src].url != NULL;
    pthread_mutex_unlock(&w->mu);
    return on;
}

void
webhook_out_send(struct webhook_out *w, const char *source, const char *body)
{
    int src = source_index(source);

    if (w != NULL && src >= 0)
        queue(w, src, body);
}

static void
queue_tree(struct webhook_out *w, int src, cJSON *o)
{
    char *text = json_print(o);

    cJSON_Delete(o);
    queue(w, src, text);
    free(text);
}

static cJSON *
strv_array(const struct sim_strv *v)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;

    for (i = 0; i < v->n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(v->v[i]));
    return arr;
}

/* OpsGenie's Create payload (api notes 1.12): epoch ms createdAt, ~ns
 * updatedAt, team ids, the priority as a number. JSM's webhook sends the
 * same shape, and the simulator's JSM API serves the same alerts, so a
 * "jsm" target gets it too. */
static cJSON *
og_payload(const struct og_alert *a)
{
    char uuid[SIMUTIL_UUID_LEN];
    cJSON *o, *al, *src;

    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "action", "Create");
    al = cJSON_AddObjectToObject(o, "alert");
    cJSON_AddStringToObject(al, "alertId", a->id);
    cJSON_AddStringToObject(al, "message", a->message != NULL ?
        a->message : "");
    cJSON_AddItemToObject(al, "tags", strv_array(&a->tags));
    cJSON_AddStringToObject(al, "tinyId", a->tiny_id);
    cJSON_AddStringToObject(al, "entity", a->entity != NULL ? a->entity : "");
    cJSON_AddStringToObject(al, "alias", a->alias != NULL ? a->alias : "");
    cJSON_AddNumberToObject(al, "createdAt", (double)a->created_ms);
    cJSON_AddNumberToObject(al, "updatedAt", (double)a->updated_ms * 1e6);
    cJSON_AddStringToObject(al, "username", "System");
    cJSON_AddStringToObject(al, "userId", "");
    cJSON_AddStringToObject(al, "source", a->source != NULL ? a->source : "");
    cJSON_AddItemToObject(al, "teams", strv_array(&a->team_ids));
    cJSON_AddNumberToObject(al, "priority", a->priority != NULL &&
        a->priority[0] == 'P' ? a->priority[1] - '0' : 3);
    src = cJSON_AddObjectToObject(o, "source");
    cJSON_AddStringToObject(src, "name", "");
    cJSON_AddStringToObject(src, "type", "API");
    simutil_uuid(uuid);
    cJSON_AddStringToObject(o, "integrationId", uuid);
    cJSON_AddStringToObject(o, "integrationName", "Webhook");
    cJSON_AddStringToObject(o, "integrationType", "Webhook");
    return o;
}

void
webhook_out_og_created(void *ctx, const struct og_alert *a)
{
    static const char *const to[] = { "opsgenie", "jsm" };
    struct webhook_out *w = ctx;
    size_t i;
    int idx;

    for (i = 0; w != NULL && i < sizeof(to) / sizeof(to[0]); i++) {
        idx = source_index(to[i]);
        if (wanted(w, idx))
            queue_tree(w, idx, og_payload(a));
    }
}

/* A Dynatrace custom notification with the documented template's
 * placeholders filled: {PID}, {ProblemID} (the display number), {State}
 * (OPEN or RESOLVED), title, impact, severity, {ImpactedEntities}, tags. */
void
webhook_out_dt_created(void *ctx, const struct dt_problem *p)
{
    struct webhook_out *w = ctx;
    const char *num;
    cJSON *o, *ents, *e;
    struct buf tags;
    size_t i;
    int idx = source_index("dynatrace");

    if (w == NULL || !wanted(w, idx))
        return;
    num = p->display_id;
    if (num != NULL && strncmp(num, "P-", 2) == 0)
        num += 2;
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "PID", p->id);
    cJSON_AddStringToObject(o, "ProblemID", num != NULL ? num : "");
    cJSON_AddStringToObject(o, "State", p->status != NULL &&
        strcmp(p->status, "OPEN") == 0 ? "OPEN" : "RESOLVED");
    cJSON_AddStringToObject(o, "ProblemTitle", p->title != NULL ?
        p->title : "");
    cJSON_AddStringToObject(o, "ProblemImpact", p->impact != NULL ?
        p->impact : "");
    cJSON_AddStringToObject(o, "ProblemSeverity", p->severity != NULL ?
        p->severity : "");
    ents = cJSON_AddArrayToObject(o, "ImpactedEntities");
    for (i = 0; i < p->nimpacted; i++) {
        e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "type", p->impacted[i].type);
        cJSON_AddStringToObject(e, "name", p->impacted[i].name != NULL ?
            p->impacted[i].name : "");
        cJSON_AddStringToObject(e, "entity", p->impacted[i].id);
        cJSON_AddItemToArray(ents, e);
    }
    buf_init(&tags, 64 * 1024);
    for (i = 0; i < p->ntags; i++) {
        if (buf_appendf(&tags, "%s%s%s%s", i > 0 ? ", " : "", p->tags[i].key,
            p->tags[i].value != NULL ? ":" : "", p->tags[i].value != NULL ?
            p->tags[i].value : "") == -1)
            break;
    }
    cJSON_AddStringToObject(o, "Tags", tags.data != NULL ? tags.data : "");
    buf_free(&tags);
    queue_tree(w, idx, o);
}

/* ---- /_admin/webhooks ---- */

static void
admin_fail(struct sim_resp *resp, int status, const char *msg)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "error", msg);
    cJSON_AddNumberToObject(o, "status", status);
    sim_http_resp_json(resp, status, o);
}

static bool
header_name_ok(const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++) {
        if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
            (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
            return false;
    }
    return n > 0 && n < WH_HEADER_NAME_MAX;
}

static bool
secret_ok(const char *s)
{
    size_t n = strnlen(s, SIM_WEBHOOK_SECRET_MAX + 1);

    return n > 0 && n <= SIM_WEBHOOK_SECRET_MAX && str_no_ctl(s, n);
}

static cJSON *
state(struct webhook_out *w)
{
    cJSON *o = cJSON_CreateObject(), *ts, *t;
    size_t i;

    pthread_mutex_lock(&w->mu);
    ts = cJSON_AddObjectToObject(o, "targets");
    for (i = 0; i < NSOURCES; i++) {
        if (w->t[i].url == NULL)
            continue;
        t = cJSON_AddObjectToObject(ts, sources[i]);
        cJSON_AddStringToObject(t, "url", w->t[i].url);
        cJSON_AddStringToObject(t, "header", w->t[i].header_name);
    }
    cJSON_AddNumberToObject(o, "queued", (double)w->n);
    cJSON_AddNumberToObject(o, "sent", (double)w->sent);
    cJSON_AddNumberToObject(o, "failed", (double)w->failed);
    cJSON_AddNumberToObject(o, "dropped", (double)w->dropped);
    pthread_mutex_unlock(&w->mu);
    return o;
}

static void
set_target(struct webhook_out *w, const struct sim_req *req,
    struct sim_resp *resp)
{
    const char *url, *secret, *header;
    cJSON *body = cJSON_Parse(req->body);
    char err[ALEXIS_ERR_MAX];
    struct buf line;
    int src;

    url = json_str(body, "url");
    secret = json_str(body, "secret");
    header = json_str(body, "header");
    if (header == NULL)
        header = WH_DEFAULT_HEADER;
    if ((src = source_index(json_str(body, "source"))) < 0)
        admin_fail(resp, 400, "\"source\" must be opsgenie, jsm or dynatrace");
    else if (url == NULL || strlen(url) > SIM_WEBHOOK_URL_MAX ||
        url_check(url, err, sizeof(err)) == -1)
        admin_fail(resp, 400, "\"url\" must be an http(s) URL");
    else if (secret == NULL || !secret_ok(secret) || !header_name_ok(header))
        admin_fail(resp, 400, "want \"secret\" (printable) and an optional "
            "\"header\" name");
    else {
        buf_init(&line, SIM_WEBHOOK_SECRET_MAX + 128);
        /* Authorization carries the secret as a Bearer token. */
        if (buf_appendf(&line, "%s: %s%s", header,
            str_eq_nocase(header, "Authorization") ? "Bearer " : "",
            secret) == -1) {
            buf_free(&line);
            admin_fail(resp, 400, "secret too long");
        } else {
            pthread_mutex_lock(&w->mu);
            target_clear(&w->t[src]);
            w->t[src].url = xstrdup(url);
            w->t[src].header_name = xstrdup(header);
            w->t[src].header_line = buf_steal(&line);
            pthread_mutex_unlock(&w->mu);
            sim_http_resp_json(resp, 200, state(w));
        }
    }
    if (body != NULL && secret != NULL)
        explicit_bzero(cJSON_GetObjectItemCaseSensitive(body,
            "secret")->valuestring, strlen(secret));
    cJSON_Delete(body);
}

void
webhook_out_admin(struct webhook_out *w, const struct sim_req *req,
    struct sim_resp *resp)
{
    size_t i;

    if (strcmp(req->method, "POST") == 0) {
        set_target(w, req, resp);
    } else if (strcmp(req->method, "DELETE") == 0) {
        pthread_mutex_lock(&w->mu);
        for (i = 0; i < NSOURCES; i++)
            target_clear(&w->t[i]);
        pthread_mutex_unlock(&w->mu);
        sim_http_resp_json(resp, 200, state(w));
    } else if (strcmp(req->method, "GET") == 0) {
        sim_http_resp_json(resp, 200, state(w));
    } else {
        admin_fail(resp, 405, "GET, POST or DELETE");
    }
}
