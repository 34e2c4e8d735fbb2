/*
 * Ticket writers (see ticket.h). Request bodies are built with cJSON so
 * alert content is always data, never syntax.
 */
#include "ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alexis_limits.h"
#include "cfg.h"
#include "http_client.h"
#include "json.h"
#include "metrics.h"
#include "str.h"
#include "xmem.h"

#define TICKET_USER         "Alexis"
#define TICKET_SOURCE       "alexis"
#define TICKET_CONTEXT      "Alexis"
#define OPSGENIE_NOTE_MAX   25000   /* characters, API limit */
#define TICKET_HEADERS_MAX  16
#define TICKET_REASON_MAX   160     /* bytes of the API's refusal kept */

int
ticket_resolve(struct ticket_ref *t, const struct alert *al,
    const struct cfg_auth *list, size_t n, char *err, size_t errlen)
{
    const char *feed_type = al->feed_type, *base_url = al->base_url;
    const struct cfg_auth *a;

    memset(t, 0, sizeof(*t));
    t->id = al->ticket_id;
    t->id_type = al->ticket_id_type;
    t->kind = al->feed == FEED_OPSGENIE ? TICKET_OPSGENIE :
        al->dt_version == 1 ? TICKET_DYNATRACE_V1 : TICKET_DYNATRACE_V2;
    if ((a = cfg_auth_find(list, n, feed_type, base_url)) == NULL) {
        if (base_url != NULL)
            snprintf(err, errlen, "base_url %s is not configured for %s "
                "in authentication_list; nothing sent", base_url,
                feed_type);
        else
            snprintf(err, errlen, "no %s entry in authentication_list",
                feed_type);
        return -1;
    }
    if (a->base_url == NULL) {
        snprintf(err, errlen, "authentication %s has no base_url", a->name);
        return -1;
    }
    t->auth = a;
    return 0;
}

/* Cut s to at most max UTF-8 characters, in place. */
static void
utf8_truncate(char *s, size_t max)
{
    size_t chars = 0;
    char *p;

    for (p = s; *p != '\0'; p++) {
        if (((unsigned char)*p & 0xc0) != 0x80 && chars++ == max) {
            *p = '\0';
            return;
        }
    }
}

/* The ticket API's own words for a refusal, for the log and the job:
 * OpsGenie's "message", Dynatrace's "error.message", else the start of the
 * body ("" when there is none). */
static void
api_reason(const struct http_result *res, const cJSON *doc, char *out,
    size_t len)
{
    const cJSON *v;
    const char *msg = NULL;

    if (doc != NULL && (msg = json_str(doc, "message")) == NULL &&
        cJSON_IsString(v = json_path(doc, "error.message")))
        msg = v->valuestring;
    if (msg == NULL)
        msg = res->body != NULL ? res->body : "";
    (void)snprintf(out, len, "%.*s", TICKET_REASON_MAX, msg);
}

/* alexis_ticket_writes_total{system,status}; status 0 is no answer. */
static void
count_write(const struct ticket_ref *t, long status)
{
    char st[24];

    if (status > 0)
        (void)snprintf(st, sizeof(st), "%ld", status);
    else
        (void)strlcpy(st, "error", sizeof(st));
    metrics_inc(METRIC_TICKET_WRITES, t->kind == TICKET_OPSGENIE ?
        "opsgenie" : "dynatrace", st);
}

static int
post_json(struct http_client *c, const struct ticket_ref *t,
    const char *url, cJSON *body, struct ticket_outcome *out)
{
    const char *headers[TICKET_HEADERS_MAX + 1];
    struct http_result res;
    const char *rid;
    cJSON *doc = NULL;
    char *text;
    size_t i, n = 0;
    int rc = -1;

    for (i = 0; i < t->auth->nheader_lines && n < TICKET_HEADERS_MAX; i++)
        headers[n++] = t->auth->header_lines[i];
    headers[n] = NULL;
    text = json_print(body);
    memset(&res, 0, sizeof(res));
    if (http_client_do_retry(c, "POST", url, headers, text, strlen(text),
        HTTP_RETRY_MAX, &out->attempts, &res) == -1) {
        snprintf(out->err, sizeof(out->err), "%s", res.err);
        goto out;
    }
    out->status = res.status;
    if (res.body_len > 0 &&
        (doc = cJSON_ParseWithLength(res.body, res.body_len)) != NULL &&
        (rid = json_str(doc, "requestId")) != NULL)
        snprintf(out->request_id, sizeof(out->request_id), "%s", rid);
    if (res.status < 200 || res.status > 299) {
        char why[TICKET_REASON_MAX + 1];

        api_reason(&res, doc, why, sizeof(why));
        snprintf(out->err, sizeof(out->err), "HTTP %ld from ticket API%s%s",
            res.status, why[0] != '\0' ? ": " : "", why);
        goto out;
    }
    rc = 0;
out:
    count_write(t, out->status);
    cJSON_Delete(doc);
    http_result_free(&res);
    free(text);
    return rc;
}

static char *
ticket_url(const struct ticket_ref *t, const char *what)
{
    char *id, *url;
    struct buf b;

    id = http_escape(t->id);
    buf_init(&b, 8192);
    switch (t->kind) {
    case TICKET_OPSGENIE:
        (void)!buf_appendf(&b, "%s/v2/alerts/%s/%s?identifierType=%s",
            t->auth->base_url, id, what,
            t->id_type != NULL ? t->id_type : "id");
        break;
    case TICKET_DYNATRACE_V1:
        (void)!buf_appendf(&b, "%s/api/v1/problem/details/%s/%s",
            t->auth->base_url, id, what);
        break;
    case TICKET_DYNATRACE_V2:
        (void)!buf_appendf(&b, "%s/api/v2/problems/%s/%s",
            t->auth->base_url, id, what);
        break;
    }
    free(id);
    url = buf_steal(&b);
    return url;
}

int
ticket_add_team(struct http_client *c, const struct ticket_ref *t,
    const char *team, const char *note, struct ticket_outcome *out)
{
    cJSON *body, *tm;
    char *url;
    int rc;

    memset(out, 0, sizeof(*out));
    if (t->kind != TICKET_OPSGENIE) {
        snprintf(out->err, sizeof(out->err), "teams exist only in "
            "OpsGenie");
        return -1;
    }
    body = cJSON_CreateObject();
    tm = cJSON_AddObjectToObject(body, "team");
    cJSON_AddStringToObject(tm, "name", team);
    cJSON_AddStringToObject(body, "user", TICKET_USER);
    cJSON_AddStringToObject(body, "source", TICKET_SOURCE);
    if (note != NULL)
        cJSON_AddStringToObject(body, "note", note);
    url = ticket_url(t, "teams");
    rc = post_json(c, t, url, body, out);
    free(url);
    cJSON_Delete(body);
    return rc;
}

int
ticket_note(struct http_client *c, const struct ticket_ref *t,
    const char *text, struct ticket_outcome *out)
{
    cJSON *body;
    char *url, *copy;
    int rc;

    memset(out, 0, sizeof(*out));
    body = cJSON_CreateObject();
    copy = xstrdup(text);
    switch (t->kind) {
    case TICKET_OPSGENIE:
        utf8_truncate(copy, OPSGENIE_NOTE_MAX);
        cJSON_AddStringToObject(body, "note", copy);
        cJSON_AddStringToObject(body, "user", TICKET_USER);
        cJSON_AddStringToObject(body, "source", TICKET_SOURCE);
        url = ticket_url(t, "notes");
        break;
    case TICKET_DYNATRACE_V1:
        cJSON_AddStringToObject(body, "comment", copy);
        cJSON_AddStringToObject(body, "user", TICKET_USER);
        cJSON_AddStringToObject(body, "context", TICKET_CONTEXT);
        url = ticket_url(t, "comments");
        break;
    default:
        cJSON_AddStringToObject(body, "message", copy);
        cJSON_AddStringToObject(body, "context", TICKET_CONTEXT);
        url = ticket_url(t, "comments");
        break;
    }
    rc = post_json(c, t, url, body, out);
    free(url);
    free(copy);
    cJSON_Delete(body);
    return rc;
}
